"""Contact person schemas of an institution."""

from marshmallow import ValidationError, fields, validate

from hub_api.models.enums import ContactRole
from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import TimestampedSchema, choice_field, each_once, email_field


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Give a name, not only spaces.")


def _phone() -> fields.String:
    return fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^\+?[0-9 ()-]{5,40}$", error="Use digits, spaces, ()- and an optional +."),
    )


class ContactSchema(TimestampedSchema):
    """A contact person of an institution; also the creation body."""

    institution_id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), _not_blank])
    position = fields.String(allow_none=True, validate=validate.Length(max=200))
    email = email_field(allow_none=True)
    phone = _phone()
    roles = fields.List(
        choice_field(ContactRole),
        load_default=list,
        validate=each_once("role"),
        metadata={"example": ["signatory"]},
    )


class ContactPatchSchema(TimestampedSchema):
    """Changes to a contact; every field is optional."""

    name = fields.String(validate=[validate.Length(min=1, max=200), _not_blank])
    position = fields.String(allow_none=True, validate=validate.Length(max=200))
    email = email_field(allow_none=True)
    phone = _phone()
    roles = fields.List(choice_field(ContactRole), validate=each_once("role"))


class ContactQuerySchema(ListArgsSchema):
    """Filters for an institution's contacts."""

    role = choice_field(ContactRole)
    sort = sort_field("name", "created_at", "updated_at", default="name")
