"""Participants: the officers trained, their erasure on request, and roster imports."""

from http import HTTPStatus

from flask import current_app, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from hub_api.access.policies import participant_reader, participant_writer
from hub_api.access.visibility import get_visible_participant
from hub_api.api import Blueprint
from hub_api.auth.principal import current_principal
from hub_api.errors import PROBLEM_CONTENT_TYPE
from hub_api.etags import ETAG_HEADER_DOC, check_if_match, with_etag
from hub_api.models import Participant
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.participants import (
    ImportArgsSchema,
    ImportProblemSchema,
    ImportReportSchema,
    ParticipantImportRowSchema,
    ParticipantPatchSchema,
    ParticipantQuerySchema,
    ParticipantSchema,
)
from hub_api.services import participants as service
from hub_api.services import roster_import

blp = Blueprint("participants", __name__, url_prefix="/api/v1/participants", description="Participants")

SORTABLE = {
    "family_name": Participant.family_name,
    "given_name": Participant.given_name,
    "created_at": Participant.created_at,
    "updated_at": Participant.updated_at,
}
NOT_FOUND = {"response": "NOT_FOUND", "description": "No such participant, or not one you may see"}
IMPORT_ENDPOINT = "participants.import_participants"
CSV_EXAMPLE = (
    "external_ref,given_name,family_name,gender,staff_category,position,region,email,is_trainer\n"
    "KZ-0042,Айгерим,Садыкова,female,psychologist,Senior psychologist,Kostanay,,no\n"
)
IMPORT_BODY = {
    "required": True,
    "description": "The roster: UTF-8 CSV with a header row, or a JSON array of rows.",
    "content": {
        roster_import.CSV: {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
        roster_import.JSON: {
            "schema": {
                "type": "array",
                "items": ParticipantImportRowSchema,
                "maxItems": roster_import.MAX_ROWS,
            }
        },
    },
}


@blp.before_request
def _raise_import_body_limit():
    """Imports may exceed the general body limit, before the view too (`Idempotency-Key` reads it)."""
    if request.endpoint == IMPORT_ENDPOINT:
        request.max_content_length = current_app.config["HUB_IMPORT_MAX_BYTES"]


def _roster_body() -> bytes:
    try:
        return request.get_data(cache=True)
    except RequestEntityTooLarge:
        limit = current_app.config["HUB_IMPORT_MAX_BYTES"]
        raise roster_import.ImportTooLarge(f"The roster is larger than the limit of {limit} bytes.") from None


@blp.route("", methods=["GET"])
@blp.access(participant_reader)
@blp.arguments(ParticipantQuerySchema, location="query")
@blp.response(200, ParticipantSchema(many=True), headers=PAGINATION_HEADERS)
def list_participants(args):
    """List participants

    Your institution's participants, and those enrolled in cohorts it hosts; hub admins see
    all. Each call is recorded in the audit trail as an export of personal data."""
    stmt = service.participants_query(current_principal(), args)
    items, status, headers = paginate(stmt, args, model=Participant, sortable=SORTABLE)
    service.record_export(args, count=len(items), total=int(headers["X-Total-Count"]))
    return items, status, headers


@blp.route("", methods=["POST"])
@blp.access(participant_writer)
@blp.arguments(ParticipantSchema)
@blp.response(201, ParticipantSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(409, response="CONFLICT", description="external_ref already used in the institution")
def create_participant(data):
    """Create a participant

    `institution_id` defaults to your own institution; hub admins must give it, and only they
    may add participants to another institution."""
    participant = service.create_participant(principal=current_principal(), data=data)
    location = url_for("participants.get_participant", participant_id=participant.id)
    return with_etag(participant, 201, location=location)


@blp.route("/<id:participant_id>", methods=["GET"])
@blp.access(participant_reader)
@blp.response(200, ParticipantSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def get_participant(participant_id):
    """Get a participant"""
    return with_etag(get_visible_participant(current_principal(), participant_id))


@blp.route("/<id:participant_id>", methods=["PATCH"])
@blp.access(participant_writer)
@blp.etag_checked
@blp.arguments(ParticipantPatchSchema)
@blp.response(200, ParticipantSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="Erased, or external_ref already used")
def update_participant(changes, participant_id):
    """Change a participant

    Only your own institution's participants (hub admins: any); the institution never changes."""
    participant = get_visible_participant(current_principal(), participant_id)
    check_if_match(participant)
    return with_etag(
        service.update_participant(principal=current_principal(), participant=participant, changes=changes)
    )


@blp.route("/<id:participant_id>", methods=["DELETE"])
@blp.access(participant_writer)
@blp.etag_checked
@blp.response(204)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="Already erased")
def erase_participant(participant_id):
    """Erase a participant

    The right to erasure: names, email, position and external_ref are emptied for good and
    `erased_at` is set. Gender, staff category, institution, region and the enrolments stay,
    so statistics still count the training; the participant's certificates are revoked."""
    participant = get_visible_participant(current_principal(), participant_id)
    check_if_match(participant)
    service.erase_participant(principal=current_principal(), participant=participant)


@blp.route("/import", methods=["POST"])
@blp.access(participant_writer)
@blp.arguments(ImportArgsSchema, location="query")
@blp.response(200, ImportReportSchema)
@blp.alt_response(413, response=HTTPStatus(413).name, description="Over HUB_IMPORT_MAX_BYTES")
@blp.alt_response(415, response=HTTPStatus(415).name, description="Neither text/csv nor application/json")
@blp.alt_response(
    422,
    schema=ImportProblemSchema,
    content_type=PROBLEM_CONTENT_TYPE,
    description="A row failed (nothing written; `report` lists every row), or the file is unusable",
)
@blp.doc(requestBody=IMPORT_BODY)
def import_participants(args):
    """Import a roster

    Creates or updates up to 20,000 participants of one institution, matched by
    `external_ref`, in one transaction: if any row fails, nothing is written and the 422
    problem carries the per-row `report`. Send UTF-8 CSV (`text/csv`, with or without a byte
    order mark) whose header row names the columns, or a JSON array of row objects. The
    required columns are external_ref, given_name, family_name, gender and staff_category;
    position, region, email and is_trainer may be left out, and are then left alone on
    existing participants. An empty CSV cell is null; is_trainer takes true/false, 1/0 or
    yes/no, blank meaning false. Query parameters: `institution_id` (default: your own
    institution; hub admins must give it) and `dry_run` (`true` checks and reports without
    writing, with a 200 even when rows fail)."""
    institution = service.owning_institution(current_principal(), args.get("institution_id"))
    rows = roster_import.parse_rows(_roster_body(), request.mimetype, request.mimetype_params.get("charset"))
    return roster_import.import_rows(institution_id=institution.id, rows=rows, dry_run=args["dry_run"])
