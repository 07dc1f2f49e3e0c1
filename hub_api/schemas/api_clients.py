"""API client schemas: partner-system credentials with scopes."""

from marshmallow import fields, validate

from hub_api.models.enums import Scope
from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import JsonBoolean, TimestampedSchema, choice_field, id_field, id_filter, timestamp

SCOPES_DOC = {"description": "Granted scopes: " + ", ".join(s.value for s in Scope)}


class ApiClientSchema(TimestampedSchema):
    """A partner system's credentials; the secret itself is never shown here."""

    client_id = fields.String(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    institution_id = id_field(
        allow_none=True, load_default=None, metadata={"description": "null: acts for the hub"}
    )
    scopes = fields.List(
        choice_field(Scope), required=True, validate=validate.Length(min=1), metadata=SCOPES_DOC
    )
    is_active = fields.Boolean(dump_only=True)
    secret_rotated_at = timestamp(dump_only=True)
    last_used_at = timestamp(dump_only=True, allow_none=True)


class ApiClientSecretSchema(ApiClientSchema):
    """The client with its secret, shown once on creation and on rotation."""

    client_secret = fields.String(dump_only=True, metadata={"description": "Store it now; it is shown once."})


class ApiClientPatchSchema(TimestampedSchema):
    """Changes to an API client; `is_active: false` revokes it and its tokens."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    scopes = fields.List(choice_field(Scope), validate=validate.Length(min=1), metadata=SCOPES_DOC)
    is_active = JsonBoolean()


class ApiClientQuerySchema(ListArgsSchema):
    """Filters for the API client list."""

    institution_id = id_filter()
    is_active = fields.Boolean()
    sort = sort_field("name", "created_at", "updated_at", default="name")
