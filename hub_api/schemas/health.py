"""The bodies of the liveness and readiness probes."""

from marshmallow import fields

from hub_api.schemas.base import BaseSchema


class HealthSchema(BaseSchema):
    """The process answers."""

    status = fields.String(metadata={"example": "ok"})


class ReadinessSchema(HealthSchema):
    """The process and its database answer."""

    database = fields.String(metadata={"example": "ok"})
