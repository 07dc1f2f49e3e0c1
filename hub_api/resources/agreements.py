"""Agreements (MoUs): the register, its lifecycle and renewals."""

from flask import url_for

from hub_api.access.policies import catalogue_reader, hub_admin
from hub_api.api import Blueprint
from hub_api.auth.principal import current_principal
from hub_api.etags import ETAG_HEADER_DOC, check_if_match, with_etag
from hub_api.models import Agreement, AgreementTransition
from hub_api.pagination import PAGINATION_HEADERS, ListArgsSchema, paginate, sort_field
from hub_api.schemas.agreements import (
    AgreementPatchSchema,
    AgreementQuerySchema,
    AgreementSchema,
    RenewalSchema,
    TransitionRecordSchema,
    TransitionSchema,
)
from hub_api.services import agreements as service

blp = Blueprint("agreements", __name__, url_prefix="/api/v1/agreements", description="Agreements (MoUs)")

SORTABLE = {
    "reference": Agreement.reference,
    "signed_on": Agreement.signed_on,
    "expires_on": Agreement.expires_on,
    "effective_from": Agreement.effective_from,
    "created_at": Agreement.created_at,
    "updated_at": Agreement.updated_at,
}
NOT_FOUND = {"response": "NOT_FOUND", "description": "No such agreement"}


class TransitionQuerySchema(ListArgsSchema):
    """Paging of an agreement's lifecycle history."""

    sort = sort_field("on", "created_at", default="created_at")


@blp.route("", methods=["GET"])
@blp.access(catalogue_reader)
@blp.arguments(AgreementQuerySchema, location="query")
@blp.response(200, AgreementSchema(many=True), headers=PAGINATION_HEADERS)
def list_agreements(args):
    """List agreements

    `status` filters on the effective status (an active agreement past `expires_on` is
    `expired`); `expiring_within_days=90` lists active agreements ending soon; `party`
    takes an institution id."""
    return paginate(service.agreements_query(args), args, model=Agreement, sortable=SORTABLE)


@blp.route("", methods=["POST"])
@blp.access(hub_admin)
@blp.arguments(AgreementSchema)
@blp.response(201, AgreementSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(409, response="CONFLICT", description="Reference already used")
def create_agreement(data):
    """Register an agreement

    It starts as a draft. At least two distinct institutions must have role `party`."""
    agreement = service.create_agreement(data=data)
    location = url_for("agreements.get_agreement", agreement_id=agreement.id)
    return with_etag(agreement, 201, location=location)


@blp.route("/<id:agreement_id>", methods=["GET"])
@blp.access(catalogue_reader)
@blp.response(200, AgreementSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def get_agreement(agreement_id):
    """Get an agreement"""
    return with_etag(service.get_agreement(agreement_id))


@blp.route("/<id:agreement_id>", methods=["PATCH"])
@blp.access(hub_admin)
@blp.etag_checked
@blp.arguments(AgreementPatchSchema)
@blp.response(200, AgreementSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="Signed terms, or reference used")
def update_agreement(changes, agreement_id):
    """Change an agreement's terms

    Only drafts and agreements under negotiation; a signed text changes through an
    addendum or a renewal."""
    agreement = service.get_agreement(agreement_id)
    check_if_match(agreement)
    return with_etag(service.update_agreement(agreement=agreement, changes=changes))


@blp.route("/<id:agreement_id>", methods=["DELETE"])
@blp.access(hub_admin)
@blp.etag_checked
@blp.response(204)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="Not a draft")
def delete_agreement(agreement_id):
    """Delete a draft agreement"""
    agreement = service.get_agreement(agreement_id)
    check_if_match(agreement)
    service.delete_agreement(agreement=agreement)


@blp.route("/<id:agreement_id>/transitions", methods=["POST"])
@blp.access(hub_admin)
@blp.arguments(TransitionSchema)
@blp.response(200, AgreementSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="Move not allowed; `errors.to` names the one that is")
def transition_agreement(move, agreement_id):
    """Move an agreement along its lifecycle

    draft → negotiation → signed → active → terminated. `on` is the date of the move (today
    by default): signing sets `signed_on`, activation sets `effective_from` if empty."""
    agreement = service.get_agreement(agreement_id)
    moved = service.transition(principal=current_principal(), agreement=agreement, **move)
    return with_etag(moved)


@blp.route("/<id:agreement_id>/transitions", methods=["GET"])
@blp.access(catalogue_reader)
@blp.arguments(TransitionQuerySchema, location="query")
@blp.response(200, TransitionRecordSchema(many=True), headers=PAGINATION_HEADERS)
@blp.alt_response(404, **NOT_FOUND)
def list_transitions(args, agreement_id):
    """List an agreement's lifecycle history"""
    service.get_agreement(agreement_id)
    sortable = {"on": AgreementTransition.on, "created_at": AgreementTransition.created_at}
    return paginate(
        service.transitions_query(agreement_id),
        args,
        model=AgreementTransition,
        sortable=sortable,
        changed_column=AgreementTransition.created_at,
    )


@blp.route("/<id:agreement_id>/renewals", methods=["POST"])
@blp.access(hub_admin)
@blp.arguments(RenewalSchema)
@blp.response(201, AgreementSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="Not renewable, or already renewed")
def renew_agreement(options, agreement_id):
    """Renew an agreement

    Creates a linked draft successor copying parties, areas, commitments and programme.
    Once the successor is active, this agreement reads `superseded`."""
    renewal = service.renew(agreement=service.get_agreement(agreement_id), options=options)
    location = url_for("agreements.get_agreement", agreement_id=renewal.id)
    return with_etag(renewal, 201, location=location)
