"""The hub at a glance: institutions, agreements, cohorts and people trained, per year."""

from datetime import timedelta

import sqlalchemy as sa

from hub_api import clock
from hub_api.extensions import db
from hub_api.models import Agreement, Cohort, Enrolment, Institution, Participant
from hub_api.models.enums import AgreementStatus, EnrolmentStatus, Gender
from hub_api.services.stats.dimensions import YEAR
from hub_api.services.stats.entity_labels import entity_labels
from hub_api.services.stats.labels import enum_label
from hub_api.services.stats.numbers import RATE_PLACES, ratio
from hub_api.services.stats.rollup import rows_and_total
from hub_api.services.stats.suppression import Cell, Derived, Rules, suppress

EXPIRY_WINDOW_DAYS = 90
PEOPLE_RULES = Rules(
    counts=("people_trained", "women_trained"),
    derived=(Derived("women_share", "people_trained", ("women_trained", "people_trained")),),
)


def _counts_by(column, *where) -> list[tuple]:
    """(value, count) pairs of one column, in the order of the values."""
    stmt = sa.select(column, sa.func.count()).where(*where).group_by(column).order_by(column)
    return [(getattr(value, "value", value), n) for value, n in db.session.execute(stmt)]


def _breakdown(pairs: list[tuple], key: str, labels) -> list[dict]:
    return [{key: code, f"{key}_label": labels(code), "count": n} for code, n in pairs]


def _institutions(lang: str) -> dict:
    by_country = _counts_by(Institution.country)
    names = entity_labels("country", {code for code, _ in by_country}, lang)
    return {
        "total": sum(n for _, n in by_country),
        "by_country": _breakdown(by_country, "country", lambda code: names.get(code, code)),
        "by_kind": _breakdown(_counts_by(Institution.kind), "kind", lambda code: enum_label(code, lang)),
    }


def _agreements(lang: str) -> dict:
    by_status = _counts_by(Agreement.effective_status)
    today = clock.today()
    expiring = db.session.scalar(
        sa.select(sa.func.count()).where(
            Agreement.effective_status == AgreementStatus.ACTIVE.value,
            Agreement.expires_on.between(today, today + timedelta(days=EXPIRY_WINDOW_DAYS)),
        )
    )
    return {
        "total": sum(n for _, n in by_status),
        "by_status": _breakdown(by_status, "status", lambda code: enum_label(code, lang)),
        "expiring_within_90_days": expiring,
    }


def _cohorts(lang: str) -> dict:
    by_status = _counts_by(Cohort.status)
    return {
        "total": sum(n for _, n in by_status),
        "by_status": _breakdown(by_status, "status", lambda code: enum_label(code, lang)),
    }


def _people_cell(people: int, women: int) -> Cell:
    values = {
        "people_trained": people,
        "women_trained": women,
        "women_share": ratio(women, people, RATE_PLACES),
    }
    return Cell(values, {"people_trained": people})


def _people_statement(columns: list) -> sa.Select:
    return (
        sa.select(*columns)
        .select_from(Enrolment)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
    )


def people_trained_by_year() -> tuple[list[tuple], Cell]:
    """(year, cell) per cohort start year with enrolments, and the total cell: people and women trained."""
    completed = Enrolment.status == EnrolmentStatus.COMPLETED
    woman = Participant.gender == Gender.FEMALE
    people = sa.func.count(sa.distinct(Enrolment.participant_id))
    metrics = [people.filter(completed).label("people"), people.filter(completed, woman).label("women")]
    rows, total = rows_and_total([YEAR], metrics, _people_statement)
    rows.sort(key=lambda row: row[0])
    years = [(f"{year:04d}", _people_cell(n["people"], n["women"])) for (year,), n in rows]
    return years, _people_cell(total["people"], total["women"])


def _training(k: int | None) -> dict:
    years, total = people_trained_by_year()
    suppress([cell for _, cell in years], total, PEOPLE_RULES, k)
    return {
        **total.published(),
        "by_year": [{"year": year, **cell.published()} for year, cell in years],
    }


def overview(*, k: int | None, lang: str) -> dict:
    """The `/stats/overview` document."""
    return {
        "min_cell": k,
        "institutions": _institutions(lang),
        "agreements": _agreements(lang),
        "cohorts": _cohorts(lang),
        "training": _training(k),
    }
