"""Audit trail representation and list filters."""

from marshmallow import fields, validate

from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import BaseSchema, id_filter, timestamp


class AuditEventSchema(BaseSchema):
    """One recorded action: who, what, when, to which object, in which request."""

    id = fields.Integer()
    occurred_at = timestamp()
    action = fields.String(metadata={"example": "institutions.update"})
    outcome = fields.String(metadata={"example": "success"})
    actor_type = fields.String(metadata={"example": "user"})
    actor_id = fields.Integer(allow_none=True)
    actor_label = fields.String(allow_none=True)
    institution_id = fields.Integer(allow_none=True)
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    method = fields.String(allow_none=True)
    path = fields.String(allow_none=True)
    ip_address = fields.String(allow_none=True)
    details = fields.Dict()


class AuditQuerySchema(ListArgsSchema):
    """Filters for the audit trail; `updated_since` and `from`/`to` bound `occurred_at`."""

    action = fields.String(validate=validate.Length(max=80))
    outcome = fields.String(validate=validate.OneOf(["success", "denied", "failure"]))
    actor_type = fields.String(validate=validate.OneOf(["user", "api_client", "anonymous", "system"]))
    actor_id = id_filter()
    object_type = fields.String(validate=validate.Length(max=60))
    object_id = fields.String(validate=validate.Length(max=64))
    request_id = fields.String(validate=validate.Length(max=64))
    since = timestamp(data_key="from")
    until = timestamp(data_key="to")
    sort = sort_field("occurred_at", default="-occurred_at")
