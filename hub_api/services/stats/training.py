"""Training statistics: enrolments counted per group of up to four dimensions, in one SQL pass."""

import sqlalchemy as sa

from hub_api.models import Cohort, Enrolment, Institution, Participant
from hub_api.models.enrolment import CONFIRMED
from hub_api.models.enums import EnrolmentStatus, Gender
from hub_api.services.stats.dimensions import DIMENSIONS
from hub_api.services.stats.entity_labels import label_rows
from hub_api.services.stats.numbers import AVERAGE_PLACES, RATE_PLACES, ratio
from hub_api.services.stats.rollup import rows_and_total
from hub_api.services.stats.suppression import Cell, Derived, Rules, suppress

METRICS = (
    "nominated",
    "enrolled",
    "completed",
    "completion_rate",
    "women",
    "women_share",
    "people_trained",
    "avg_pre_score",
    "avg_post_score",
    "avg_gain",
    "avg_satisfaction",
    "attendance_rate",
)
RULES = Rules(
    counts=("nominated", "enrolled", "completed", "women", "people_trained"),
    derived=(
        Derived("completion_rate", "enrolled", ("completed", "enrolled")),
        Derived("women_share", "completed", ("women", "completed")),
        Derived("avg_pre_score", "pre_n"),
        Derived("avg_post_score", "post_n"),
        Derived("avg_gain", "gain_n"),
        Derived("avg_satisfaction", "sat_n"),
        # Stricter than marks < k: fewer than k people with marks would describe individuals.
        Derived("attendance_rate", "attended_people"),
    ),
    # A group holding one cohort has as many people trained as completions; a reader may know it.
    ties=(("completed", "people_trained"),),
)
# Filters on cohorts (and one on the participant's institution) that every training figure takes.
COHORT_FILTERS = {
    "programme_id": Cohort.programme_id,
    "curriculum_id": Cohort.curriculum_id,
    "agreement_id": Cohort.agreement_id,
    "cohort_kind": Cohort.kind,
    "delivery_mode": Cohort.delivery_mode,
    "cohort_id": Cohort.id,
    "institution_id": Enrolment.institution_id,
}


def _aggregates() -> list:
    completed = Enrolment.status == EnrolmentStatus.COMPLETED
    gain = Enrolment.post_score - Enrolment.pre_score
    count = sa.func.count
    return [
        count(Enrolment.id).label("nominated"),
        count(Enrolment.id).filter(Enrolment.status.in_(CONFIRMED)).label("enrolled"),
        count(Enrolment.id).filter(completed).label("completed"),
        count(Enrolment.id).filter(completed, Participant.gender == Gender.FEMALE).label("women"),
        count(sa.distinct(Enrolment.participant_id)).filter(completed).label("people_trained"),
        sa.func.sum(Enrolment.pre_score).label("pre_sum"),
        count(Enrolment.pre_score).label("pre_n"),
        sa.func.sum(Enrolment.post_score).label("post_sum"),
        count(Enrolment.post_score).label("post_n"),
        sa.func.sum(gain).label("gain_sum"),
        count(gain).label("gain_n"),
        sa.func.sum(Enrolment.satisfaction).label("sat_sum"),
        count(Enrolment.satisfaction).label("sat_n"),
        sa.func.sum(Enrolment.attendance_present).label("present"),
        sa.func.sum(Enrolment.attendance_marks).label("marks"),
        count(Enrolment.id).filter(Enrolment.attendance_marks > 0).label("attended_people"),
    ]


def base_query(columns: list, filters: dict, *, join_institution: bool) -> sa.Select:
    """Enrolments joined to their participant and cohort (and institution), filtered."""
    stmt = (
        sa.select(*columns)
        .select_from(Enrolment)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
    )
    if join_institution or filters.get("country"):
        stmt = stmt.join(Institution, Institution.id == Enrolment.institution_id)
    if filters.get("country"):
        stmt = stmt.where(Institution.country == filters["country"])
    if filters.get("from_date") is not None:
        stmt = stmt.where(Cohort.starts_on >= filters["from_date"])
    if filters.get("to_date") is not None:
        stmt = stmt.where(Cohort.starts_on <= filters["to_date"])
    for name, column in COHORT_FILTERS.items():
        if filters.get(name) is not None:
            stmt = stmt.where(column == filters[name])
    return stmt


def cell_of(raw) -> Cell:
    """Publishable training metrics of one aggregated SQL row."""
    n = {key: int(raw[key] or 0) for key in raw}
    values = {
        "nominated": n["nominated"],
        "enrolled": n["enrolled"],
        "completed": n["completed"],
        "completion_rate": ratio(n["completed"], n["enrolled"], RATE_PLACES),
        "women": n["women"],
        "women_share": ratio(n["women"], n["completed"], RATE_PLACES),
        "people_trained": n["people_trained"],
        "avg_pre_score": ratio(n["pre_sum"], n["pre_n"], AVERAGE_PLACES),
        "avg_post_score": ratio(n["post_sum"], n["post_n"], AVERAGE_PLACES),
        "avg_gain": ratio(n["gain_sum"], n["gain_n"], AVERAGE_PLACES),
        "avg_satisfaction": ratio(n["sat_sum"], n["sat_n"], AVERAGE_PLACES),
        "attendance_rate": ratio(n["present"], n["marks"], RATE_PLACES),
    }
    bases = {key: n[key] for key in ("enrolled", "completed", "pre_n", "post_n", "gain_n", "sat_n")}
    bases["attended_people"] = n["attended_people"]
    return Cell(values, bases)


def _sort_key(codes: tuple) -> tuple:
    return tuple((code is None, code if code is not None else 0) for code in codes)


def grouped_cells(group_by: list[str], filters: dict) -> tuple[list[tuple], list[Cell], Cell]:
    """(codes per row, cells per row, total cell) for these dimensions and filters."""
    dims = [DIMENSIONS[name] for name in group_by]
    keys = [column for dim in dims for column in dim.columns]
    join_institution = any(dim.joins_institution for dim in dims)

    def build(columns: list) -> sa.Select:
        return base_query(columns, filters, join_institution=join_institution)

    rows, total = rows_and_total(keys, _aggregates(), build)
    grouped = []
    for values, metrics in rows:
        position, codes = 0, []
        for dim in dims:
            part = values[position : position + len(dim.columns)]
            codes.append(None if part[0] is None else dim.code(part))
            position += len(dim.columns)
        grouped.append((tuple(codes), cell_of(metrics)))
    grouped.sort(key=lambda item: _sort_key(item[0]))
    return [codes for codes, _ in grouped], [cell for _, cell in grouped], cell_of(total)


def female_rows(group_by: list[str], codes: list[tuple], cells: list[Cell]) -> list[Cell] | None:
    """The rows of women when the rows are split by gender, else None."""
    if "gender" not in group_by:
        return None
    position = group_by.index("gender")
    return [cell for row, cell in zip(codes, cells, strict=True) if row[position] == Gender.FEMALE.value]


def training_stats(*, group_by: list[str], filters: dict, k: int | None, lang: str) -> dict:
    """The `/stats/training` document: flat rows per group, and totals that count each person once."""
    codes, cells, total = grouped_cells(group_by, filters)
    suppress(cells, total, RULES, k, female=female_rows(group_by, codes, cells))
    labelled = label_rows(group_by, codes, lang)
    rows = [{**dims, **cell.published()} for dims, cell in zip(labelled, cells, strict=True)]
    return {"group_by": group_by, "min_cell": k, "rows": rows, "totals": total.published()}
