"""Partner institutions: the catalogue every other record refers to."""

from flask import url_for

from hub_api.access.policies import catalogue_reader, hub_admin, institution_editor
from hub_api.api import Blueprint
from hub_api.auth.principal import current_principal
from hub_api.etags import ETAG_HEADER_DOC, check_if_match, with_etag
from hub_api.models import Institution
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.institutions import (
    InstitutionPatchSchema,
    InstitutionQuerySchema,
    InstitutionSchema,
)
from hub_api.services import institutions as service
from hub_api.services.lookups import get_or_404

blp = Blueprint(
    "institutions", __name__, url_prefix="/api/v1/institutions", description="Partner institutions"
)

SORTABLE = {
    "code": Institution.code,
    "short_name": Institution.short_name,
    "country": Institution.country,
    "kind": Institution.kind,
    "created_at": Institution.created_at,
    "updated_at": Institution.updated_at,
}


@blp.route("", methods=["GET"])
@blp.access(catalogue_reader)
@blp.arguments(InstitutionQuerySchema, location="query")
@blp.response(200, InstitutionSchema(many=True), headers=PAGINATION_HEADERS)
def list_institutions(args):
    """List institutions

    Filter by `country`, `kind`, `parent_id` (sub-units), `status`, or `q` on the code and
    any name; paged, sorted, and `updated_since` for syncing."""
    return paginate(service.institutions_query(args), args, model=Institution, sortable=SORTABLE)


@blp.route("", methods=["POST"])
@blp.access(hub_admin)
@blp.arguments(InstitutionSchema)
@blp.response(201, InstitutionSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(409, response="CONFLICT", description="Code already used")
def create_institution(data):
    """Register an institution

    Hub admins only. `code` is unique; `parent_id` makes it a sub-unit."""
    institution = service.create_institution(data=data)
    location = url_for("institutions.get_institution", institution_id=institution.id)
    return with_etag(institution, 201, location=location)


@blp.route("/<id:institution_id>", methods=["GET"])
@blp.access(catalogue_reader)
@blp.response(200, InstitutionSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, response="NOT_FOUND", description="No such institution")
def get_institution(institution_id):
    """Get an institution"""
    return with_etag(get_or_404(Institution, institution_id, label="institution"))


@blp.route("/<id:institution_id>", methods=["PATCH"])
@blp.access(institution_editor)
@blp.etag_checked
@blp.arguments(InstitutionPatchSchema)
@blp.response(200, InstitutionSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, response="NOT_FOUND", description="No such institution")
@blp.alt_response(409, response="CONFLICT", description="Code already used")
def update_institution(changes, institution_id):
    """Change an institution

    Hub admins change anything; a coordinator edits its own institution's profile, but
    not its `code`, `kind`, `country`, `parent_id` or `status`."""
    institution = get_or_404(Institution, institution_id, label="institution")
    check_if_match(institution)
    updated = service.update_institution(
        principal=current_principal(), institution=institution, changes=changes
    )
    return with_etag(updated)


@blp.route("/<id:institution_id>", methods=["DELETE"])
@blp.access(hub_admin)
@blp.etag_checked
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND", description="No such institution")
@blp.alt_response(409, response="CONFLICT", description="Still referenced")
def delete_institution(institution_id):
    """Delete an institution

    Refused with 409 while sub-units or accounts refer to it; set `status: inactive` instead."""
    institution = get_or_404(Institution, institution_id, label="institution")
    check_if_match(institution)
    service.delete_institution(institution=institution)
