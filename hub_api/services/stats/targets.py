"""Delivery against plans: one cohort's figures, programme targets, agreement commitments."""

import sqlalchemy as sa

from hub_api import clock
from hub_api.errors import NotFound
from hub_api.extensions import db
from hub_api.models import Agreement, Cohort, Enrolment, Participant, Programme
from hub_api.models.enums import CohortKind, CohortStatus, CommitmentPeriod, EnrolmentStatus, Gender
from hub_api.models.enums import ProgrammeMetric as Metric
from hub_api.services.stats import training
from hub_api.services.stats.dimensions import YEAR
from hub_api.services.stats.entity_labels import label_rows
from hub_api.services.stats.numbers import RATE_PLACES, ratio
from hub_api.services.stats.suppression import Cell, Derived, Rules, suppress

PEOPLE_METRICS = (Metric.PARTICIPANTS_TRAINED, Metric.WOMEN_TRAINED, Metric.TRAINERS_CERTIFIED)
PEOPLE_RULES = Rules(counts=("actual",), derived=(Derived("share_reached", None, ("actual",)),))
COHORT_RULES = Rules(counts=(), derived=())


def cohort_stats(*, cohort_id: int, k: int | None, lang: str) -> dict:
    """One cohort: seats, the training metrics, and the same by gender."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound(f"There is no cohort with id {cohort_id}.")
    codes, cells, total = training.grouped_cells(["gender"], {"cohort_id": cohort_id})
    suppress(cells, total, training.RULES, k, female=training.female_rows(["gender"], codes, cells))
    rows = label_rows(["gender"], codes, lang)
    return {
        "cohort_id": cohort.id,
        "code": cohort.code,
        "min_cell": k,
        "capacity": cohort.capacity,
        "seats_taken": cohort.seats_taken,
        "fill_rate": ratio(cohort.seats_taken, cohort.capacity, RATE_PLACES),
        **total.published(),
        "by_gender": [{**dims, **cell.published()} for dims, cell in zip(rows, cells, strict=True)],
    }


def _actuals(condition, *, by_year: bool) -> dict:
    """metric → {year or None: actual} for the cohorts matching `condition`."""
    completed = Enrolment.status == EnrolmentStatus.COMPLETED
    people = sa.func.count(sa.distinct(Enrolment.participant_id))
    leading = (YEAR,) if by_year else ()
    people_stmt = (
        sa.select(
            *leading,
            people.filter(completed),
            people.filter(completed, Participant.gender == Gender.FEMALE),
            people.filter(completed, Cohort.kind == CohortKind.TOT),
        )
        .select_from(Enrolment)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(condition)
    )
    cohorts_stmt = sa.select(*leading, sa.func.count(Cohort.id)).where(
        condition, Cohort.status == CohortStatus.COMPLETED
    )
    if by_year:
        people_stmt, cohorts_stmt = people_stmt.group_by(YEAR), cohorts_stmt.group_by(YEAR)
    actuals = {metric: {} for metric in Metric}
    for row in db.session.execute(people_stmt):
        year = f"{row[0]:04d}" if by_year else None
        trained, women, trainers = row[-3:]
        actuals[Metric.PARTICIPANTS_TRAINED][year] = trained
        actuals[Metric.WOMEN_TRAINED][year] = women
        actuals[Metric.TRAINERS_CERTIFIED][year] = trainers
    for row in db.session.execute(cohorts_stmt):
        actuals[Metric.COHORTS_COMPLETED][f"{row[0]:04d}" if by_year else None] = row[-1]
    return actuals


def _progress(actual: int, target: int) -> Cell:
    return Cell({"actual": actual, "share_reached": ratio(actual, target, RATE_PLACES)}, {})


def _rules(metric: Metric) -> Rules:
    return PEOPLE_RULES if metric in PEOPLE_METRICS else COHORT_RULES


def programme_stats(*, programme_id: int, k: int | None) -> dict:
    """Each target of a programme against what its cohorts delivered."""
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise NotFound(f"There is no programme with id {programme_id}.")
    actuals = _actuals(Cohort.programme_id == programme_id, by_year=False)
    targets = []
    for target in programme.targets:
        cell = _progress(actuals[target.metric].get(None, 0), target.target)
        suppress([], cell, _rules(target.metric), k)
        targets.append({"metric": target.metric.value, "target": target.target, **cell.published()})
    return {"programme_id": programme.id, "code": programme.code, "min_cell": k, "targets": targets}


def _years(agreement: Agreement, delivered: set[str]) -> list[str]:
    """The years a yearly commitment runs: from its start to its end (or this year), and any delivery."""
    start = agreement.effective_from or agreement.signed_on
    this_year = clock.today().year
    end = min(agreement.expires_on.year, this_year) if agreement.expires_on else this_year
    span = {f"{year:04d}" for year in range(start.year, end + 1)} if start else set()
    return sorted(span | delivered)


def _commitment(agreement: Agreement, commitment, yearly: dict, overall: dict, k: int | None) -> dict:
    metric, target = commitment.metric, commitment.target
    per_year = commitment.per is CommitmentPeriod.YEAR
    years = _years(agreement, set(yearly[metric])) if per_year else sorted(yearly[metric])
    rows = [_progress(yearly[metric].get(year, 0), target) for year in years]
    if per_year:
        delivered = sum(row.values["actual"] for row in rows)
        total = _progress(delivered, target * len(years))
    else:
        total = _progress(overall[metric].get(None, 0), target)
    suppress(rows, total, _rules(metric), k)
    return {
        "metric": metric.value,
        "target": target,
        "per": commitment.per.value,
        **total.published(),
        "by_year": [{"year": year, **row.published()} for year, row in zip(years, rows, strict=True)],
    }


def agreement_stats(*, agreement_id: int, k: int | None) -> dict:
    """Each commitment of an agreement against the cohorts linked to it; yearly ones year by year."""
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound(f"There is no agreement with id {agreement_id}.")
    linked = Cohort.agreement_id == agreement_id
    yearly, overall = _actuals(linked, by_year=True), _actuals(linked, by_year=False)
    return {
        "agreement_id": agreement.id,
        "reference": agreement.reference,
        "status": agreement.effective_status.value,
        "min_cell": k,
        "commitments": [_commitment(agreement, c, yearly, overall, k) for c in agreement.commitments],
    }
