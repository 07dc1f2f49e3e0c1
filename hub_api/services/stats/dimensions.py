"""The dimensions training statistics group by, and the SQL each one groups on."""

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from hub_api.models import Cohort, Enrolment, Institution, Participant

YEAR = sa.cast(sa.extract("year", Cohort.starts_on), sa.Integer)
MONTH = sa.cast(sa.extract("month", Cohort.starts_on), sa.Integer)
QUARTER = (MONTH + 2) // 3


@dataclass(frozen=True)
class Dimension:
    """A way to slice enrolments: the SQL values it groups on and how they become a code."""

    name: str
    columns: tuple
    code: Callable[[tuple], object]
    labels: str  # which label lookup names its codes: an entity, "enum" or "period"
    joins_institution: bool = False


def _value(values: tuple):
    value = values[0]
    return getattr(value, "value", value)  # enum members read as their value


DIMENSIONS = {
    d.name: d
    for d in (
        Dimension("country", (Institution.country,), _value, "country", joins_institution=True),
        Dimension("institution", (Enrolment.institution_id,), _value, "institution"),
        Dimension("gender", (Participant.gender,), _value, "enum"),
        Dimension("staff_category", (Participant.staff_category,), _value, "enum"),
        Dimension("year", (YEAR,), lambda v: f"{v[0]:04d}", "period"),
        Dimension("quarter", (YEAR, QUARTER), lambda v: f"{v[0]:04d}-Q{v[1]}", "period"),
        Dimension("month", (YEAR, MONTH), lambda v: f"{v[0]:04d}-{v[1]:02d}", "period"),
        Dimension("delivery_mode", (Cohort.delivery_mode,), _value, "enum"),
        Dimension("cohort_kind", (Cohort.kind,), _value, "enum"),
        Dimension("programme", (Cohort.programme_id,), _value, "programme"),
        Dimension("curriculum", (Cohort.curriculum_id,), _value, "curriculum"),
        Dimension("agreement", (Cohort.agreement_id,), _value, "agreement"),
    )
}
MAX_DIMENSIONS = 4
