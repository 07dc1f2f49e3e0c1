"""Institution schemas: representation (also the creation body), changes and list filters."""

from marshmallow import fields, validate

from hub_api.models.enums import InstitutionKind, InstitutionStatus
from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import Multilingual, TimestampedSchema, email_field, enum_field, id_field, id_filter

CODE = validate.Regexp(
    r"^[A-Z0-9][A-Z0-9_-]{1,39}$",
    error="Use 2-40 capital letters, digits, '-' or '_', starting with a letter or digit.",
)
COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="Use an ISO 3166-1 alpha-2 code such as KZ.")


def _external_ids() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=40)),
        values=fields.String(validate=validate.Length(min=1, max=120)),
        metadata={
            "description": "Identifiers other systems use: system → id",
            "example": {"lms": "KTA-1"},
        },
    )


def _fields(required: bool) -> dict:
    """The writable fields, required on creation and optional on change."""
    return {
        "code": fields.String(required=required, validate=CODE, metadata={"example": "KTA"}),
        "name": Multilingual(required=required),
        "short_name": fields.String(allow_none=True, validate=validate.Length(max=80)),
        "kind": enum_field(InstitutionKind, required=required),
        "country": fields.String(required=required, validate=COUNTRY, metadata={"example": "KZ"}),
        "region": fields.String(allow_none=True, validate=validate.Length(max=120)),
        "city": fields.String(allow_none=True, validate=validate.Length(max=120)),
        "parent_id": id_field(allow_none=True, metadata={"description": "Parent for a sub-unit"}),
        "website": fields.URL(allow_none=True, validate=validate.Length(max=300)),
        "email": email_field(allow_none=True),
        "status": enum_field(InstitutionStatus),
        "external_ids": _external_ids(),
    }


InstitutionSchema = TimestampedSchema.from_dict(_fields(required=True), name="InstitutionSchema")
InstitutionSchema.__doc__ = "A partner institution; POST takes it without the read-only fields."
InstitutionPatchSchema = TimestampedSchema.from_dict(_fields(required=False), name="InstitutionPatchSchema")
InstitutionPatchSchema.__doc__ = "Changes to an institution; every field is optional."


class InstitutionQuerySchema(ListArgsSchema):
    """Filters for the institution list."""

    country = fields.String(validate=COUNTRY)
    kind = enum_field(InstitutionKind)
    parent_id = id_filter()
    status = enum_field(InstitutionStatus)
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Matches the code, short name or a name in any language"},
    )
    sort = sort_field("code", "short_name", "country", "kind", "created_at", "updated_at", default="code")
