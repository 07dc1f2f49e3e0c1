"""Donor-funded programmes and their targets."""

from flask import url_for

from hub_api.access.policies import catalogue_reader, hub_admin
from hub_api.api import Blueprint
from hub_api.etags import ETAG_HEADER_DOC, check_if_match, with_etag
from hub_api.models import Programme
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.programmes import ProgrammePatchSchema, ProgrammeQuerySchema, ProgrammeSchema
from hub_api.services import programmes as service
from hub_api.services.lookups import get_or_404

blp = Blueprint("programmes", __name__, url_prefix="/api/v1/programmes", description="Funded programmes")

SORTABLE = {
    "code": Programme.code,
    "starts_on": Programme.starts_on,
    "ends_on": Programme.ends_on,
    "created_at": Programme.created_at,
    "updated_at": Programme.updated_at,
}
NOT_FOUND = {"response": "NOT_FOUND", "description": "No such programme"}


@blp.route("", methods=["GET"])
@blp.access(catalogue_reader)
@blp.arguments(ProgrammeQuerySchema, location="query")
@blp.response(200, ProgrammeSchema(many=True), headers=PAGINATION_HEADERS)
def list_programmes(args):
    """List programmes

    Filter by `donor_id`, `implementer_id`, `active_on` (a date) or `q` on code and name."""
    return paginate(service.programmes_query(args), args, model=Programme, sortable=SORTABLE)


@blp.route("", methods=["POST"])
@blp.access(hub_admin)
@blp.arguments(ProgrammeSchema)
@blp.response(201, ProgrammeSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(409, response="CONFLICT", description="Code already used")
def create_programme(data):
    """Register a programme

    Hub admins only. Donors and implementers are institution ids; one target per metric."""
    programme = service.create_programme(data=data)
    location = url_for("programmes.get_programme", programme_id=programme.id)
    return with_etag(programme, 201, location=location)


@blp.route("/<id:programme_id>", methods=["GET"])
@blp.access(catalogue_reader)
@blp.response(200, ProgrammeSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def get_programme(programme_id):
    """Get a programme"""
    return with_etag(get_or_404(Programme, programme_id, label="programme"))


@blp.route("/<id:programme_id>", methods=["PATCH"])
@blp.access(hub_admin)
@blp.etag_checked
@blp.arguments(ProgrammePatchSchema)
@blp.response(200, ProgrammeSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="Code already used")
def update_programme(changes, programme_id):
    """Change a programme

    Lists given (donors, implementers, targets) replace the stored ones."""
    programme = get_or_404(Programme, programme_id, label="programme")
    check_if_match(programme)
    return with_etag(service.update_programme(programme=programme, changes=changes))


@blp.route("/<id:programme_id>", methods=["DELETE"])
@blp.access(hub_admin)
@blp.etag_checked
@blp.response(204)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="Agreements refer to it")
def delete_programme(programme_id):
    """Delete a programme

    Refused while agreements refer to it."""
    programme = get_or_404(Programme, programme_id, label="programme")
    check_if_match(programme)
    service.delete_programme(programme=programme)
