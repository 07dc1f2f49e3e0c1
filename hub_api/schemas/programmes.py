"""Programme schemas: representation (also the creation body), changes and list filters."""

from marshmallow import ValidationError, fields, validate, validates_schema

from hub_api.models.enums import ProgrammeMetric
from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import (
    BaseSchema,
    Multilingual,
    TimestampedSchema,
    enum_field,
    id_field,
    id_filter,
    integer_field,
)
from hub_api.schemas.institutions import CODE


class TargetSchema(BaseSchema):
    """A programme target: a metric and the number to reach."""

    metric = enum_field(ProgrammeMetric, required=True)
    target = integer_field(required=True, validate=validate.Range(min=0, max=10_000_000))


def _check_programme(data: dict) -> None:
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts and ends and ends < starts:
        raise ValidationError("The programme cannot end before it starts.", "ends_on")
    metrics = [t["metric"] for t in data.get("targets") or []]
    if len(metrics) != len(set(metrics)):
        raise ValidationError("Give each metric at most one target.", "targets")


class ProgrammeSchema(TimestampedSchema):
    """A donor-funded programme; POST takes it without the read-only fields."""

    code = fields.String(required=True, validate=CODE, metadata={"example": "GLOBAL-VEP"})
    name = Multilingual(required=True)
    description = fields.String(allow_none=True, validate=validate.Length(max=4000))
    donor_ids = fields.List(id_field(), load_default=list)
    implementer_ids = fields.List(id_field(), load_default=list)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    targets = fields.List(fields.Nested(TargetSchema), load_default=list)

    @validates_schema
    def period_and_targets(self, data, **_kwargs):
        """The period runs forwards and each metric has one target."""
        _check_programme(data)


class ProgrammePatchSchema(TimestampedSchema):
    """Changes to a programme; lists given replace the stored ones."""

    code = fields.String(validate=CODE)
    name = Multilingual()
    description = fields.String(allow_none=True, validate=validate.Length(max=4000))
    donor_ids = fields.List(id_field())
    implementer_ids = fields.List(id_field())
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    targets = fields.List(fields.Nested(TargetSchema))

    @validates_schema
    def period_and_targets(self, data, **_kwargs):
        """The same checks as on creation, for the fields given."""
        _check_programme(data)


class ProgrammeQuerySchema(ListArgsSchema):
    """Filters for the programme list."""

    donor_id = id_filter(metadata={"description": "Programmes this institution funds"})
    implementer_id = id_filter(metadata={"description": "Programmes this institution implements"})
    active_on = fields.Date(metadata={"description": "Programmes running on this date"})
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "code or name"})
    sort = sort_field("code", "starts_on", "ends_on", "created_at", "updated_at", default="code")
