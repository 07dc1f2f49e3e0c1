"""Curriculum schemas: versions with modules, adoptions, and list filters."""

from marshmallow import ValidationError, fields, validate, validates_schema

from hub_api.models.enums import LANGUAGES, CurriculumStatus, DeliveryMode, StaffCategory, Standard
from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import (
    BaseSchema,
    JsonNumber,
    Multilingual,
    TimestampedSchema,
    choice_field,
    each_once,
    enum_field,
    id_field,
    id_filter,
    integer_field,
)
from hub_api.schemas.institutions import CODE

LANGUAGE = validate.OneOf(LANGUAGES)


def _unique_list(field: fields.Field, **kwargs) -> fields.List:
    """A list of choices in which each value appears once."""

    return fields.List(field, validate=each_once("value"), **kwargs)


def _tenths(value: float) -> None:
    """Hours are stored to one decimal place; finer values would change silently on save."""
    if round(value, 1) != value:
        raise ValidationError("Give hours to one decimal place at most.")


class ModuleSchema(BaseSchema):
    """A module: its place in the order, title, hours and learning outcomes."""

    position = integer_field(required=True, validate=validate.Range(min=1, max=500))
    title = Multilingual(required=True)
    hours = JsonNumber(
        required=True,
        validate=[validate.Range(min=0.5, max=10_000), _tenths],
        metadata={"description": "Contact hours, to one decimal place"},
    )
    learning_outcomes = fields.List(
        fields.String(validate=validate.Length(min=1, max=500)),
        load_default=list,
        validate=validate.Length(max=50),
    )


def check_modules(data: dict) -> None:
    """Module positions are unique."""
    positions = [m["position"] for m in data.get("modules") or []]
    if len(positions) != len(set(positions)):
        raise ValidationError("Each module needs its own position.", "modules")


def _design_fields(required: bool) -> dict:
    """The fields a curriculum's authors write, required on creation and optional on change.

    Lists default to empty on creation only: a change leaves the lists it does not mention alone.
    """
    empty = {"load_default": list} if required else {}
    return {
        "title": Multilingual(required=required, max_length=500),
        "summary": Multilingual(allow_none=True, max_length=4000),
        "languages": _unique_list(fields.String(validate=LANGUAGE), **empty),
        "delivery_modes": _unique_list(choice_field(DeliveryMode), **empty),
        "audiences": _unique_list(
            choice_field(StaffCategory), **empty, metadata={"description": "Staff categories"}
        ),
        "standards": _unique_list(choice_field(Standard), **empty),
        "modules": fields.List(fields.Nested(ModuleSchema), **empty),
    }


class CurriculumSchema(TimestampedSchema.from_dict(_design_fields(required=True))):
    """A curriculum version; POST creates version 1 of a new code as a draft."""

    code = fields.String(required=True, validate=CODE, metadata={"example": "UNODC-VEP-PSY"})
    version = fields.Integer(
        dump_only=True, attribute="number", metadata={"description": "1, 2, 3… per code"}
    )
    owner_institution_id = id_field(required=True)
    status = enum_field(CurriculumStatus, dump_only=True)
    derived_from_id = id_field(allow_none=True, load_default=None, metadata={"description": "Source adapted"})
    derivative_ids = fields.List(fields.Integer(), dump_only=True, metadata={"description": "Adaptations"})
    total_hours = fields.Float(dump_only=True, metadata={"description": "Sum of the modules' hours"})
    published_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    retired_at = fields.AwareDateTime(dump_only=True, allow_none=True)

    @validates_schema
    def modules_ordered(self, data, **_kwargs):
        """Module positions are unique."""
        check_modules(data)


class CurriculumPatchSchema(TimestampedSchema.from_dict(_design_fields(required=False))):
    """Changes to a draft; `modules`, when given, replaces the module list."""

    derived_from_id = id_field(allow_none=True)

    @validates_schema
    def modules_ordered(self, data, **_kwargs):
        """Module positions are unique."""
        check_modules(data)


class CurriculumQuerySchema(ListArgsSchema):
    """Filters for the curriculum list."""

    code = fields.String(validate=CODE)
    status = enum_field(CurriculumStatus)
    latest = fields.Boolean(metadata={"description": "true: only the latest published version of each code"})
    audience = choice_field(StaffCategory)
    standard = choice_field(Standard)
    delivery_mode = choice_field(DeliveryMode)
    language = fields.String(validate=LANGUAGE)
    owner_institution_id = id_filter()
    adopted_by = id_filter(metadata={"description": "Curricula this institution adopted"})
    derived_from_id = id_filter()
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "code or title"})
    sort = sort_field("code", "version", "published_at", "created_at", "updated_at", default="code")


class AdoptionSchema(TimestampedSchema):
    """An institution's adoption of a curriculum version."""

    curriculum_id = fields.Integer(dump_only=True)
    institution_id = id_field(required=True)
    agreement_id = id_field(allow_none=True, load_default=None)
    adopted_on = fields.Date(required=True)
    language = fields.String(required=True, validate=LANGUAGE)
    local_title = fields.String(allow_none=True, validate=validate.Length(max=300))
    notes = fields.String(allow_none=True, validate=validate.Length(max=4000))


class AdoptionPatchSchema(TimestampedSchema):
    """Changes to an adoption."""

    agreement_id = id_field(allow_none=True)
    adopted_on = fields.Date()
    language = fields.String(validate=LANGUAGE)
    local_title = fields.String(allow_none=True, validate=validate.Length(max=300))
    notes = fields.String(allow_none=True, validate=validate.Length(max=4000))


class AdoptionQuerySchema(ListArgsSchema):
    """Filters for a curriculum's adoptions."""

    institution_id = id_filter()
    agreement_id = id_filter()
    sort = sort_field("adopted_on", "created_at", "updated_at", default="adopted_on")
