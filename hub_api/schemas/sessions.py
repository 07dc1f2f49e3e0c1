"""Session schemas: a cohort's scheduled sessions and each session's attendance record."""

from marshmallow import ValidationError, fields, validate, validates_schema

from hub_api.models.enums import DeliveryMode
from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import (
    BaseSchema,
    JsonBoolean,
    TimestampedSchema,
    each_once,
    enum_field,
    id_field,
    integer_field,
    timestamp,
)


def _session_fields(required: bool) -> dict:
    need = {"required": True} if required else {}
    return {
        "starts_at": timestamp(**need),
        "ends_at": timestamp(**need),
        "topic": fields.String(validate=validate.Length(min=1, max=300), **need),
        "mode": enum_field(DeliveryMode, metadata={"description": "The cohort's delivery mode by default"}),
        "trainer_ids": fields.List(
            id_field(),
            validate=[validate.Length(max=50), each_once("trainer")],
            metadata={"description": "Participants flagged as trainers"},
            **({"load_default": list} if required else {}),
        ),
    }


def check_times(data: dict) -> None:
    """A session ends after it starts."""
    if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
        raise ValidationError("A session must end after it starts.", "ends_at")


class SessionSchema(TimestampedSchema.from_dict(_session_fields(required=True))):
    """A session of a cohort, within the cohort's dates."""

    cohort_id = fields.Integer(dump_only=True)

    @validates_schema
    def in_order(self, data, **_kwargs):
        """A session ends after it starts."""
        check_times(data)


class SessionPatchSchema(TimestampedSchema.from_dict(_session_fields(required=False))):
    """Changes to a session; `trainer_ids`, when given, replaces the list."""

    @validates_schema
    def in_order(self, data, **_kwargs):
        """A session ends after it starts."""
        check_times(data)


class SessionQuerySchema(ListArgsSchema):
    """Filters for a cohort's sessions."""

    mode = enum_field(DeliveryMode)
    sort = sort_field("starts_at", "created_at", "updated_at", default="starts_at")


class AttendanceSchema(BaseSchema):
    """One participant's attendance of a session."""

    participant_id = id_field(required=True)
    present = JsonBoolean(required=True)
    minutes = integer_field(allow_none=True, load_default=None, validate=validate.Range(min=0, max=1440))
