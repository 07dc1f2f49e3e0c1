"""Enrolments: nominating participants into cohorts, confirming them, their results and records."""

from flask import url_for

from hub_api import audit
from hub_api.access.policies import enrolment_writer, participant_reader
from hub_api.access.visibility import get_visible_participant
from hub_api.api import Blueprint
from hub_api.auth.principal import current_principal
from hub_api.etags import ETAG_HEADER_DOC, check_if_match, with_etag
from hub_api.models import Enrolment
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.enrolments import (
    BulkNominationSchema,
    BulkReportSchema,
    EnrolmentPatchSchema,
    EnrolmentQuerySchema,
    EnrolmentSchema,
)
from hub_api.services import cohorts
from hub_api.services import enrolments as service

blp = Blueprint("enrolments", __name__, url_prefix="/api/v1", description="Enrolments")

SORTABLE = {
    "created_at": Enrolment.created_at,
    "updated_at": Enrolment.updated_at,
    "status_changed_at": Enrolment.status_changed_at,
}
NOT_FOUND = {
    "response": "NOT_FOUND",
    "description": "No such cohort, participant or enrolment (or not yours)",
}
FULL = {"response": "CONFLICT", "description": "Not open, full, allocation used up, or already in the cohort"}


def _exported(result: tuple, scope: dict) -> tuple:
    """Audit a page of enrolments (personal data) handed out, then pass it on."""
    items = result[0]
    audit.record_export("enrolments", len(items), **scope)
    return result


@blp.route("/cohorts/<id:cohort_id>/enrolments", methods=["GET"])
@blp.access(participant_reader)
@blp.arguments(EnrolmentQuerySchema, location="query")
@blp.response(200, EnrolmentSchema(many=True), headers=PAGINATION_HEADERS)
@blp.alt_response(404, **NOT_FOUND)
def list_cohort_enrolments(args, cohort_id):
    """List a cohort's enrolments

    The host sees all of them; a partner institution only its own participants'."""
    cohorts.get_cohort(cohort_id)
    stmt = service.enrolments_query(current_principal(), args, cohort_id=cohort_id)
    return _exported(paginate(stmt, args, model=Enrolment, sortable=SORTABLE), {"cohort_id": cohort_id})


@blp.route("/cohorts/<id:cohort_id>/enrolments", methods=["POST"])
@blp.access(enrolment_writer)
@blp.arguments(EnrolmentSchema)
@blp.response(201, EnrolmentSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, **FULL)
def nominate(data, cohort_id):
    """Nominate a participant

    Into an open cohort, within the capacity and the institution's seat allocation, which hold
    under any concurrency. Coordinators nominate their own participants; the host (or a hub
    admin) may enrol directly with `status: enrolled`."""
    cohort = cohorts.get_cohort(cohort_id)
    enrolment = service.nominate(principal=current_principal(), cohort=cohort, **data)
    location = url_for("enrolments.get_enrolment", enrolment_id=enrolment.id)
    return with_etag(service.get_enrolment(current_principal(), enrolment.id), 201, location=location)


@blp.route("/cohorts/<id:cohort_id>/enrolments/bulk", methods=["POST"])
@blp.access(enrolment_writer)
@blp.arguments(BulkNominationSchema)
@blp.response(200, BulkReportSchema)
@blp.alt_response(404, **NOT_FOUND)
def nominate_many(data, cohort_id):
    """Nominate many participants

    One result per participant, in order: 201 with the enrolment id, or the status and reason
    of its refusal. Refusals (full, not yours, already in) do not stop the other rows."""
    cohort = cohorts.get_cohort(cohort_id)
    results = service.nominate_many(principal=current_principal(), cohort=cohort, **data)
    created = sum(1 for r in results if r["status"] == 201)
    return {"created": created, "refused": len(results) - created, "results": results}


@blp.route("/enrolments/<id:enrolment_id>", methods=["GET"])
@blp.access(participant_reader)
@blp.response(200, EnrolmentSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def get_enrolment(enrolment_id):
    """Get an enrolment"""
    return with_etag(service.get_enrolment(current_principal(), enrolment_id))


@blp.route("/enrolments/<id:enrolment_id>", methods=["PATCH"])
@blp.access(enrolment_writer)
@blp.etag_checked
@blp.arguments(EnrolmentPatchSchema)
@blp.response(200, EnrolmentSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(
    409, response="CONFLICT", description="Move not allowed; `errors.status` lists those that are"
)
def update_enrolment(changes, enrolment_id):
    """Move an enrolment, or record results

    The host (or a hub admin) confirms `nominated → enrolled`, then records `completed`,
    `failed` or `no_show` and the scores; completion issues a certificate. The participant's
    institution, the host or a hub admin may set `withdrawn`, which frees the seat and revokes
    any certificate."""
    principal = current_principal()
    enrolment = service.get_enrolment(principal, enrolment_id)
    check_if_match(enrolment)
    service.update_enrolment(principal=principal, enrolment=enrolment, changes=changes)
    return with_etag(service.get_enrolment(principal, enrolment_id))


@blp.route("/participants/<id:participant_id>/enrolments", methods=["GET"])
@blp.access(participant_reader)
@blp.arguments(EnrolmentQuerySchema, location="query")
@blp.response(200, EnrolmentSchema(many=True), headers=PAGINATION_HEADERS)
@blp.alt_response(404, **NOT_FOUND)
def training_record(args, participant_id):
    """An officer's training record

    Every enrolment of the participant the caller may see, with its cohort, results and
    certificate."""
    principal = current_principal()
    get_visible_participant(principal, participant_id)
    stmt = service.enrolments_query(principal, args, participant_id=participant_id)
    result = paginate(stmt, args, model=Enrolment, sortable=SORTABLE)
    return _exported(result, {"participant_id": participant_id})
