"""User account schemas: the representation, creation, changes and list filters."""

from marshmallow import ValidationError, fields, validate, validates_schema

from hub_api.models.enums import Role
from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import (
    JsonBoolean,
    TimestampedSchema,
    email_field,
    enum_field,
    id_field,
    id_filter,
    timestamp,
)

PASSWORD = validate.Length(min=12, max=256, error="Use between 12 and 256 characters.")


class UserSchema(TimestampedSchema):
    """A user account as hub administrators see it; the password is write-only."""

    email = email_field(required=True)
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, load_only=True, validate=PASSWORD)
    role = enum_field(Role, required=True)
    institution_id = id_field(allow_none=True, load_default=None)
    is_active = JsonBoolean(load_default=True)
    last_login_at = timestamp(dump_only=True, allow_none=True)

    @validates_schema
    def coordinator_needs_institution(self, data, **_kwargs):
        """A coordinator always belongs to one institution."""
        if data.get("role") is Role.COORDINATOR and data.get("institution_id") is None:
            raise ValidationError("A coordinator must belong to an institution.", "institution_id")


class UserPatchSchema(TimestampedSchema):
    """Changes to a user account; every field is optional."""

    email = email_field()
    full_name = fields.String(validate=validate.Length(min=1, max=200))
    password = fields.String(load_only=True, validate=PASSWORD)
    role = enum_field(Role)
    institution_id = id_field(allow_none=True)
    is_active = JsonBoolean(metadata={"description": "false disables the account and ends its sessions"})


class UserQuerySchema(ListArgsSchema):
    """Filters for the user list."""

    role = enum_field(Role)
    institution_id = id_filter()
    is_active = fields.Boolean()
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "email or name"})
    sort = sort_field("email", "full_name", "created_at", "updated_at", default="email")
