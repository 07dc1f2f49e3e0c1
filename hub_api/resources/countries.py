"""The countries partner institutions belong to."""

import sqlalchemy as sa

from hub_api.access.policies import catalogue_reader
from hub_api.api import Blueprint
from hub_api.models import Country
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.countries import CountryQuerySchema, CountrySchema

blp = Blueprint("countries", __name__, url_prefix="/api/v1/countries", description="ISO 3166 countries")


@blp.route("", methods=["GET"])
@blp.access(catalogue_reader)
@blp.arguments(CountryQuerySchema, location="query")
@blp.response(200, CountrySchema(many=True), headers=PAGINATION_HEADERS)
def list_countries(args):
    """List countries

    Central Asia and its neighbours, by ISO 3166-1 alpha-2 code."""
    stmt = sa.select(Country)
    if args.get("is_central_asia") is not None:
        stmt = stmt.where(Country.is_central_asia == args["is_central_asia"])
    return paginate(stmt, args, model=Country, sortable={"code": Country.code})
