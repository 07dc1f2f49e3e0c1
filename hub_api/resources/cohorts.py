"""Cohorts: scheduled deliveries of a published curriculum, their seats and their lifecycle."""

from flask import url_for

from hub_api.access.policies import catalogue_reader, institution_editor
from hub_api.api import Blueprint
from hub_api.auth.principal import current_principal
from hub_api.etags import ETAG_HEADER_DOC, check_if_match, with_etag
from hub_api.models import Cohort
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.cohorts import CohortPatchSchema, CohortQuerySchema, CohortSchema, CohortTransitionSchema
from hub_api.services import cohorts as service

blp = Blueprint("cohorts", __name__, url_prefix="/api/v1/cohorts", description="Cohorts")

SORTABLE = {
    "starts_on": Cohort.starts_on,
    "code": Cohort.code,
    "created_at": Cohort.created_at,
    "updated_at": Cohort.updated_at,
}
NOT_FOUND = {"response": "NOT_FOUND", "description": "No such cohort"}


@blp.route("", methods=["GET"])
@blp.access(catalogue_reader)
@blp.arguments(CohortQuerySchema, location="query")
@blp.response(200, CohortSchema(many=True), headers=PAGINATION_HEADERS)
def list_cohorts(args):
    """List cohorts

    `has_seats_for` keeps the open cohorts where that institution can still take a seat."""
    return paginate(service.cohorts_query(args), args, model=Cohort, sortable=SORTABLE)


@blp.route("", methods=["POST"])
@blp.access(institution_editor)
@blp.arguments(CohortSchema)
@blp.response(201, CohortSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(409, response="CONFLICT", description="Code already used")
def create_cohort(data):
    """Create a cohort

    It starts `planned`. Coordinators create cohorts their own institution hosts."""
    cohort = service.create_cohort(principal=current_principal(), data=data)
    return with_etag(cohort, 201, location=url_for("cohorts.get_cohort", cohort_id=cohort.id))


@blp.route("/<id:cohort_id>", methods=["GET"])
@blp.access(catalogue_reader)
@blp.response(200, CohortSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def get_cohort(cohort_id):
    """Get a cohort"""
    return with_etag(service.get_cohort(cohort_id))


@blp.route("/<id:cohort_id>", methods=["PATCH"])
@blp.access(institution_editor)
@blp.etag_checked
@blp.arguments(CohortPatchSchema)
@blp.response(200, CohortSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="Final cohort, seats already taken, or code used")
def update_cohort(changes, cohort_id):
    """Change a cohort

    `seat_allocations`, when given, replaces the list; an allocation never drops below the seats
    its institution already holds, nor the capacity below the seats taken."""
    cohort = service.get_cohort(cohort_id)
    check_if_match(cohort)
    return with_etag(service.update_cohort(principal=current_principal(), cohort=cohort, changes=changes))


@blp.route("/<id:cohort_id>", methods=["DELETE"])
@blp.access(institution_editor)
@blp.etag_checked
@blp.response(204)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="Not planned, or has enrolments")
def delete_cohort(cohort_id):
    """Delete a planned cohort without enrolments"""
    cohort = service.get_cohort(cohort_id)
    check_if_match(cohort)
    service.delete_cohort(principal=current_principal(), cohort=cohort)


@blp.route("/<id:cohort_id>/transitions", methods=["POST"])
@blp.access(institution_editor)
@blp.arguments(CohortTransitionSchema)
@blp.response(200, CohortSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="Move not allowed; `errors.to` lists those that are")
def transition_cohort(move, cohort_id):
    """Move a cohort along its lifecycle

    planned → open → in_progress → completed; any state before completed → cancelled.
    Nominations need an open cohort; outcomes need it in progress or completed."""
    cohort = service.get_cohort(cohort_id)
    return with_etag(service.transition(principal=current_principal(), cohort=cohort, to=move["to"]))
