"""Bodies of the sign-in, token and who-am-I endpoints."""

from marshmallow import fields, validate

from hub_api.models.enums import Role
from hub_api.schemas.base import BaseSchema, email_field, enum_field


class LoginSchema(BaseSchema):
    """Email and password of a user account."""

    email = email_field(required=True, metadata={"example": "admin@hub.example"})
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class ClientCredentialsSchema(BaseSchema):
    """OAuth 2 client-credentials grant for a partner system (JSON or form-encoded)."""

    grant_type = fields.String(required=True, validate=validate.Equal("client_credentials"))
    client_id = fields.String(required=True, validate=validate.Length(max=64))
    client_secret = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class TokenPairSchema(BaseSchema):
    """Tokens returned on sign-in and refresh."""

    access_token = fields.String(required=True)
    refresh_token = fields.String(metadata={"description": "Absent for client credentials."})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "Access token lifetime, s"})


class MeSchema(BaseSchema):
    """The caller: a user or an API client, with role, institution and scopes."""

    kind = fields.String(metadata={"description": "`user` or `api_client`"})
    id = fields.Integer()
    email = fields.String(allow_none=True)
    full_name = fields.String(allow_none=True)
    name = fields.String(allow_none=True, metadata={"description": "API client name"})
    role = enum_field(Role, allow_none=True)
    institution_id = fields.Integer(allow_none=True)
    scopes = fields.List(fields.String())
