"""Country representation and list filters."""

from marshmallow import fields

from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import Multilingual, TimestampedSchema


class CountrySchema(TimestampedSchema):
    """An ISO 3166-1 alpha-2 country with its name in several languages."""

    code = fields.String(metadata={"example": "KZ"})
    name = Multilingual()
    is_central_asia = fields.Boolean()


class CountryQuerySchema(ListArgsSchema):
    """Filters for the country list."""

    is_central_asia = fields.Boolean()
    sort = sort_field("code", default="code")
