"""A cohort's sessions, and the attendance recorded for each."""

from flask import url_for

from hub_api.access.policies import catalogue_reader, institution_editor, participant_reader
from hub_api.api import Blueprint
from hub_api.auth.principal import current_principal
from hub_api.etags import ETAG_HEADER_DOC, check_if_match, with_etag
from hub_api.models import CohortSession
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.sessions import AttendanceSchema, SessionPatchSchema, SessionQuerySchema, SessionSchema
from hub_api.services import cohorts
from hub_api.services import sessions as service

blp = Blueprint(
    "cohort_sessions", __name__, url_prefix="/api/v1/cohorts/<id:cohort_id>/sessions", description="Sessions"
)

SORTABLE = {
    "starts_at": CohortSession.starts_at,
    "created_at": CohortSession.created_at,
    "updated_at": CohortSession.updated_at,
}
NOT_FOUND = {"response": "NOT_FOUND", "description": "No such cohort, or no such session in it"}


@blp.route("", methods=["GET"])
@blp.access(catalogue_reader)
@blp.arguments(SessionQuerySchema, location="query")
@blp.response(200, SessionSchema(many=True), headers=PAGINATION_HEADERS)
@blp.alt_response(404, **NOT_FOUND)
def list_sessions(args, cohort_id):
    """List a cohort's sessions"""
    cohorts.get_cohort(cohort_id)
    return paginate(service.sessions_query(cohort_id, args), args, model=CohortSession, sortable=SORTABLE)


@blp.route("", methods=["POST"])
@blp.access(institution_editor)
@blp.arguments(SessionSchema)
@blp.response(201, SessionSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="The cohort is cancelled")
def create_session(data, cohort_id):
    """Schedule a session

    Within the cohort's dates; the host institution and hub administrators only."""
    cohort = cohorts.get_cohort(cohort_id)
    session = service.create_session(principal=current_principal(), cohort=cohort, data=data)
    location = url_for("cohort_sessions.get_session", cohort_id=cohort_id, session_id=session.id)
    return with_etag(session, 201, location=location)


@blp.route("/<id:session_id>", methods=["GET"])
@blp.access(catalogue_reader)
@blp.response(200, SessionSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def get_session(cohort_id, session_id):
    """Get a session"""
    return with_etag(service.get_session(cohort_id, session_id))


@blp.route("/<id:session_id>", methods=["PATCH"])
@blp.access(institution_editor)
@blp.etag_checked
@blp.arguments(SessionPatchSchema)
@blp.response(200, SessionSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="The cohort is cancelled")
def update_session(changes, cohort_id, session_id):
    """Change a session"""
    cohort = cohorts.get_cohort(cohort_id)
    session = service.get_session(cohort_id, session_id)
    check_if_match(session)
    updated = service.update_session(
        principal=current_principal(), cohort=cohort, session=session, changes=changes
    )
    return with_etag(updated)


@blp.route("/<id:session_id>", methods=["DELETE"])
@blp.access(institution_editor)
@blp.etag_checked
@blp.response(204)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="The cohort is cancelled")
def delete_session(cohort_id, session_id):
    """Delete a session and its attendance"""
    cohort = cohorts.get_cohort(cohort_id)
    session = service.get_session(cohort_id, session_id)
    check_if_match(session)
    service.delete_session(principal=current_principal(), cohort=cohort, session=session)


@blp.route("/<id:session_id>/attendance", methods=["GET"])
@blp.access(participant_reader)
@blp.response(200, AttendanceSchema(many=True))
@blp.alt_response(404, **NOT_FOUND)
def get_attendance(cohort_id, session_id):
    """Get a session's attendance

    The host sees every row; a partner institution only its own participants' rows."""
    session = service.get_session(cohort_id, session_id)
    return service.attendance_of(session, current_principal())


@blp.route("/<id:session_id>/attendance", methods=["PUT"])
@blp.access(institution_editor)
@blp.arguments(AttendanceSchema(many=True))
@blp.response(200, AttendanceSchema(many=True))
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="The cohort is cancelled")
def put_attendance(rows, cohort_id, session_id):
    """Replace a session's attendance

    All rows or none; only participants confirmed in the cohort (enrolled or with an outcome)."""
    cohort = cohorts.get_cohort(cohort_id)
    session = service.get_session(cohort_id, session_id)
    principal = current_principal()
    service.replace_attendance(principal=principal, cohort=cohort, session=session, rows=rows)
    return service.attendance_of(session, principal)
