"""The RFC 9457 problem document returned for every error."""

from marshmallow import fields

from hub_api.schemas.base import BaseSchema


class ProblemSchema(BaseSchema):
    """An `application/problem+json` error body."""

    type = fields.String(metadata={"example": "urn:hub-api:problem:validation-error"})
    title = fields.String(metadata={"example": "Unprocessable Content"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String(metadata={"description": "What went wrong and what to fix."})
    instance = fields.String(metadata={"example": "/api/v1/institutions"})
    request_id = fields.String(metadata={"description": "Quote it when reporting a problem."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Field path → messages, for validation errors."},
    )
