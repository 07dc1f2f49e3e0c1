"""Statistics schemas: the query arguments, and the documents dashboards receive."""

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from hub_api.models.enums import LANGUAGES, CohortKind, DeliveryMode
from hub_api.schemas.base import BaseSchema, enum_field, id_filter
from hub_api.schemas.institutions import COUNTRY
from hub_api.services.stats.dimensions import DIMENSIONS, MAX_DIMENSIONS

FORMATS = ("json", "csv")


class StatsArgsSchema(BaseSchema):
    """Arguments every statistic takes: format, language and suppression."""

    format = fields.String(
        validate=validate.OneOf(FORMATS),
        metadata={"description": "`csv` for a spreadsheet download (as does `Accept: text/csv`)."},
    )
    lang = fields.String(
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "Language of the labels; by default the best `Accept-Language` match."},
    )
    suppress = fields.Boolean(
        load_default=True,
        metadata={"description": "`false` publishes small cells too: hub administrators only (else 403)."},
    )

    @pre_load
    def name_the_allowed_parameters(self, data, **_kwargs):
        """An unknown parameter is a 422 that lists the ones this statistic takes."""
        allowed = sorted(field.data_key or name for name, field in self.fields.items())
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            message = f"Unknown parameter; this statistic takes: {', '.join(allowed)}."
            raise ValidationError({name: [message] for name in unknown})
        return data


def _group_by(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in DIMENSIONS]
    if unknown:
        raise ValidationError(
            f"Unknown dimension {', '.join(unknown)}; group by any of: {', '.join(DIMENSIONS)}."
        )
    if len(names) > MAX_DIMENSIONS:
        raise ValidationError(f"Group by at most {MAX_DIMENSIONS} dimensions, not {len(names)}.")
    if len(names) != len(set(names)):
        raise ValidationError("Name each dimension once.")
    return names


class GroupBy(fields.String):
    """Comma-separated dimension names, loaded as a list."""

    def _deserialize(self, value, attr, data, **kwargs):
        return _group_by(super()._deserialize(value, attr, data, **kwargs))


class TrainingArgsSchema(StatsArgsSchema):
    """Grouping and filters of the training statistics."""

    group_by = GroupBy(
        load_default=list,
        metadata={
            "description": f"Up to {MAX_DIMENSIONS} of: {', '.join(DIMENSIONS)} (comma-separated). "
            "Without it, only `totals`.",
            "example": "country,gender",
        },
    )
    from_date = fields.Date(data_key="from", metadata={"description": "Cohorts starting on or after"})
    to_date = fields.Date(data_key="to", metadata={"description": "Cohorts starting on or before"})
    country = fields.String(
        validate=COUNTRY, metadata={"description": "The participants' institutions' country"}
    )
    institution_id = id_filter(metadata={"description": "The participants' institution"})
    programme_id = id_filter()
    curriculum_id = id_filter()
    agreement_id = id_filter()
    cohort_kind = enum_field(CohortKind)
    delivery_mode = enum_field(DeliveryMode)

    @validates_schema
    def range_in_order(self, data, **_kwargs):
        """`from` is not after `to`."""
        if data.get("from_date") and data.get("to_date") and data["from_date"] > data["to_date"]:
            raise ValidationError("`from` is after `to`.", "from")


# --- the documents -------------------------------------------------------------------------


def _nullable_int(**kwargs):
    return fields.Integer(allow_none=True, **kwargs)


def _rate(description: str):
    return fields.Float(allow_none=True, metadata={"description": description})


SUPPRESSED = fields.List(
    fields.String(), metadata={"description": "The keys hidden (null) to protect small groups."}
)
TRAINING_METRIC_FIELDS = {
    "nominated": _nullable_int(metadata={"description": "Enrolments, whatever their status"}),
    "enrolled": _nullable_int(metadata={"description": "Enrolments that took a seat and kept it"}),
    "completed": _nullable_int(),
    "completion_rate": _rate("completed / enrolled, 0 to 1"),
    "women": _nullable_int(metadata={"description": "Completed enrolments of women"}),
    "women_share": _rate("women / completed"),
    "people_trained": _nullable_int(metadata={"description": "Distinct people with a completion"}),
    "avg_pre_score": _rate("Mean pre-test score, 0 to 100"),
    "avg_post_score": _rate("Mean post-test score, 0 to 100"),
    "avg_gain": _rate("Mean of post − pre where both exist"),
    "avg_satisfaction": _rate("Mean satisfaction, 1 to 5"),
    "attendance_rate": _rate("Present marks / recorded marks"),
}


def _dimension_field(name: str):
    kind = DIMENSIONS[name].labels
    if kind in ("institution", "programme", "curriculum", "agreement"):
        return _nullable_int(metadata={"description": f"The {name}'s id"})
    return fields.String(allow_none=True)


TrainingTotalsSchema = BaseSchema.from_dict(
    {**TRAINING_METRIC_FIELDS, "suppressed": SUPPRESSED}, name="TrainingTotals"
)
TrainingRowSchema = BaseSchema.from_dict(
    {
        **{
            key: field
            for name in DIMENSIONS
            for key, field in (
                (name, _dimension_field(name)),
                (f"{name}_label", fields.String(metadata={"description": f"The {name}, readable"})),
            )
        },
        **TRAINING_METRIC_FIELDS,
        "suppressed": SUPPRESSED,
    },
    name="TrainingRow",
)


class TrainingStatsSchema(BaseSchema):
    """Flat rows, one per group, ordered by their codes; `totals` count each person once."""

    group_by = fields.List(fields.String())
    min_cell = _nullable_int(metadata={"description": "Smallest published count; null when unsuppressed"})
    rows = fields.List(fields.Nested(TrainingRowSchema))
    totals = fields.Nested(TrainingTotalsSchema)


def _breakdown_schema(key: str, name: str):
    return BaseSchema.from_dict(
        {key: fields.String(), f"{key}_label": fields.String(), "count": fields.Integer()}, name=name
    )


class InstitutionsOverviewSchema(BaseSchema):
    """Institutions registered, by country and kind."""

    total = fields.Integer()
    by_country = fields.List(fields.Nested(_breakdown_schema("country", "CountryCount")))
    by_kind = fields.List(fields.Nested(_breakdown_schema("kind", "KindCount")))


class AgreementsOverviewSchema(BaseSchema):
    """Agreements by effective status (expired and superseded as everyone reads them)."""

    total = fields.Integer()
    by_status = fields.List(fields.Nested(_breakdown_schema("status", "AgreementStatusCount")))
    expiring_within_90_days = fields.Integer()


class CohortsOverviewSchema(BaseSchema):
    """Cohorts by status."""

    total = fields.Integer()
    by_status = fields.List(fields.Nested(_breakdown_schema("status", "CohortStatusCount")))


PEOPLE_FIELDS = {
    "people_trained": _nullable_int(),
    "women_trained": _nullable_int(metadata={"description": "Distinct women trained"}),
    "women_share": _rate("women_trained / people_trained"),
    "suppressed": SUPPRESSED,
}
PeopleByYearSchema = BaseSchema.from_dict(
    {"year": fields.String(metadata={"example": "2020"}), **PEOPLE_FIELDS}, name="PeopleTrainedInYear"
)


class TrainingOverviewSchema(BaseSchema.from_dict(PEOPLE_FIELDS, name="PeopleTrained")):
    """People trained in all, and by the year their cohort started."""

    by_year = fields.List(fields.Nested(PeopleByYearSchema))


class OverviewSchema(BaseSchema):
    """The hub at a glance."""

    min_cell = _nullable_int()
    institutions = fields.Nested(InstitutionsOverviewSchema)
    agreements = fields.Nested(AgreementsOverviewSchema)
    cohorts = fields.Nested(CohortsOverviewSchema)
    training = fields.Nested(TrainingOverviewSchema)


GenderRowSchema = BaseSchema.from_dict(
    {
        "gender": fields.String(),
        "gender_label": fields.String(),
        **TRAINING_METRIC_FIELDS,
        "suppressed": SUPPRESSED,
    },
    name="CohortGenderRow",
)


class CohortStatsSchema(BaseSchema.from_dict(TRAINING_METRIC_FIELDS, name="CohortMetrics")):
    """One cohort's seats and training metrics, and the same by gender."""

    cohort_id = fields.Integer()
    code = fields.String()
    min_cell = _nullable_int()
    capacity = fields.Integer()
    seats_taken = fields.Integer()
    fill_rate = _rate("seats_taken / capacity")
    suppressed = SUPPRESSED
    by_gender = fields.List(fields.Nested(GenderRowSchema))


PROGRESS_FIELDS = {
    "actual": _nullable_int(metadata={"description": "Delivered so far"}),
    "share_reached": _rate("actual / target; may exceed 1"),
    "suppressed": SUPPRESSED,
}


class TargetProgressSchema(BaseSchema.from_dict(PROGRESS_FIELDS, name="Progress")):
    """One programme target against what was delivered."""

    metric = fields.String()
    target = fields.Integer()


class ProgrammeStatsSchema(BaseSchema):
    """A programme's targets against its cohorts' results."""

    programme_id = fields.Integer()
    code = fields.String()
    min_cell = _nullable_int()
    targets = fields.List(fields.Nested(TargetProgressSchema))


YearProgressSchema = BaseSchema.from_dict({"year": fields.String(), **PROGRESS_FIELDS}, name="YearProgress")


class CommitmentProgressSchema(TargetProgressSchema):
    """A commitment: per year, `actual` sums the years and `share_reached` is against target × years."""

    per = fields.String()
    by_year = fields.List(fields.Nested(YearProgressSchema))


class AgreementStatsSchema(BaseSchema):
    """An agreement's commitments against the cohorts linked to it."""

    agreement_id = fields.Integer()
    reference = fields.String()
    status = fields.String(metadata={"description": "The effective status"})
    min_cell = _nullable_int()
    commitments = fields.List(fields.Nested(CommitmentProgressSchema))
