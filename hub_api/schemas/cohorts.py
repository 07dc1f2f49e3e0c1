"""Cohort schemas: the cohort with its seat allocations, changes, lifecycle moves and list filters."""

from datetime import date

from marshmallow import ValidationError, fields, validate, validates_schema

from hub_api.models.enums import LANGUAGES, CohortKind, CohortStatus, DeliveryMode
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

MAX_CAPACITY = 10_000
DATE_RANGE = validate.Range(min=date(1950, 1, 1), max=date(2199, 12, 31))
COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="Use an ISO 3166-1 alpha-2 code such as KZ.")


class SeatAllocationSchema(BaseSchema):
    """Seats reserved for one partner institution."""

    institution_id = id_field(required=True)
    seats = integer_field(required=True, validate=validate.Range(min=1, max=MAX_CAPACITY))
    seats_taken = fields.Integer(dump_only=True, metadata={"description": "Seats its participants hold"})


def check_cohort(data: dict) -> None:
    """Dates in order, each institution allocated once, allocations within the capacity."""
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts and ends and ends < starts:
        raise ValidationError("The cohort cannot end before it starts.", "ends_on")
    allocations = data.get("seat_allocations") or []
    institutions = [a["institution_id"] for a in allocations]
    if len(institutions) != len(set(institutions)):
        raise ValidationError("Allocate seats to each institution once.", "seat_allocations")
    capacity = data.get("capacity")
    total = sum(a["seats"] for a in allocations)
    if capacity is not None and total > capacity:
        raise ValidationError(
            f"The allocations add up to {total} seats, more than the capacity of {capacity}.",
            "seat_allocations",
        )


def _editable_fields(required: bool) -> dict:
    """What a cohort's organisers write: required on creation, optional on change."""
    need = {"required": True} if required else {}
    absent_is_none = {"load_default": None} if required else {}
    return {
        "title": Multilingual(max_length=500, **need),
        "kind": enum_field(CohortKind, **need),
        "curriculum_id": id_field(**need, metadata={"description": "A published curriculum version"}),
        "programme_id": id_field(allow_none=True, **absent_is_none),
        "agreement_id": id_field(allow_none=True, **absent_is_none),
        "delivery_mode": enum_field(DeliveryMode, **need),
        "country": fields.String(
            validate=COUNTRY, metadata={"description": "Where it takes place; the host's country by default"}
        ),
        "city": fields.String(allow_none=True, validate=validate.Length(max=120)),
        "language": fields.String(validate=validate.OneOf(LANGUAGES), **need),
        "starts_on": fields.Date(validate=DATE_RANGE, **need),
        "ends_on": fields.Date(validate=DATE_RANGE, **need),
        "capacity": integer_field(validate=validate.Range(min=1, max=MAX_CAPACITY), **need),
        "seat_allocations": fields.List(
            fields.Nested(SeatAllocationSchema),
            validate=validate.Length(max=200),
            **({"load_default": list} if required else {}),
            metadata={"description": "Seats reserved per partner; their sum never exceeds the capacity"},
        ),
    }


class CohortSchema(TimestampedSchema.from_dict(_editable_fields(required=True))):
    """A cohort; POST creates it as `planned`."""

    code = fields.String(required=True, validate=CODE, metadata={"example": "KTA-PVE-2025-01"})
    host_institution_id = id_field(required=True)
    status = enum_field(CohortStatus, dump_only=True)
    enrolled_count = fields.Integer(
        dump_only=True, metadata={"description": "Seats held: nominated, enrolled, or with an outcome"}
    )
    seats_left = fields.Integer(dump_only=True)

    @validates_schema
    def consistent(self, data, **_kwargs):
        """Dates in order and allocations within the capacity."""
        check_cohort(data)


class CohortPatchSchema(TimestampedSchema.from_dict(_editable_fields(required=False))):
    """Changes to a cohort; `seat_allocations`, when given, replaces the list."""

    code = fields.String(validate=CODE)
    host_institution_id = id_field(metadata={"description": "Hub administrators only"})

    @validates_schema
    def consistent(self, data, **_kwargs):
        """Dates in order and allocations within the capacity, as far as the change tells."""
        check_cohort(data)


class CohortTransitionSchema(BaseSchema):
    """A lifecycle move."""

    to = enum_field(CohortStatus, required=True)


class CohortQuerySchema(ListArgsSchema):
    """Filters for the cohort list."""

    status = enum_field(CohortStatus)
    kind = enum_field(CohortKind)
    host_institution_id = id_filter()
    programme_id = id_filter()
    agreement_id = id_filter()
    curriculum_id = id_filter()
    delivery_mode = enum_field(DeliveryMode)
    country = fields.String(validate=COUNTRY)
    starts_from = fields.Date(metadata={"description": "Starting on or after this date"})
    starts_to = fields.Date(metadata={"description": "Starting on or before this date"})
    has_seats_for = id_filter(
        metadata={"description": "Open cohorts in which this institution can still take a seat"}
    )
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "code or title"})
    sort = sort_field("starts_on", "code", "created_at", "updated_at", default="starts_on")

    @validates_schema
    def range_in_order(self, data, **_kwargs):
        """`starts_from` is not after `starts_to`."""
        if data.get("starts_from") and data.get("starts_to") and data["starts_from"] > data["starts_to"]:
            raise ValidationError("starts_from is after starts_to.", "starts_from")
