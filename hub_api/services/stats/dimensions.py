"""The dimensions training statistics group by, and the SQL each one groups on."""

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from hub_api.models import Cohort, Enrolment, Institution, Participant


class DatePart(FunctionElement):
    """The year or month of a date as an integer; PostgreSQL's EXTRACT yields a slow numeric."""

    type = sa.Integer()
    inherit_cache = True


class YearOf(DatePart):
    """The year of a date."""

    name = "year_of"
    inherit_cache = True


class MonthOf(DatePart):
    """The month (1-12) of a date."""

    name = "month_of"
    inherit_cache = True


class QuarterOf(DatePart):
    """The quarter (1-4) of a date."""

    name = "quarter_of"
    inherit_cache = True


# Literal SQL, with no bound parameters, so GROUP BY repeats the SELECT expression exactly.
POSTGRESQL_FIELDS = {YearOf: "year", MonthOf: "month", QuarterOf: "quarter"}
SQLITE_PARTS = {
    YearOf: "CAST(strftime('%Y', {0}) AS INTEGER)",
    MonthOf: "CAST(strftime('%m', {0}) AS INTEGER)",
    QuarterOf: "((CAST(strftime('%m', {0}) AS INTEGER) + 2) / 3)",
}


@compiles(DatePart, "postgresql")
def _date_part_postgresql(element, compiler, **kw):
    field = POSTGRESQL_FIELDS[type(element)]
    return f"CAST(date_part('{field}', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(DatePart)
def _date_part_sqlite(element, compiler, **kw):
    return SQLITE_PARTS[type(element)].format(compiler.process(element.clauses, **kw))


YEAR = YearOf(Cohort.starts_on)
MONTH = MonthOf(Cohort.starts_on)
QUARTER = QuarterOf(Cohort.starts_on)


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
