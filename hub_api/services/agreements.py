"""Agreement rules: parties, editable terms, the lifecycle, renewals and date-driven status."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from hub_api import clock
from hub_api.auth.principal import Principal
from hub_api.errors import Conflict, ValidationFailed
from hub_api.extensions import db
from hub_api.models import (
    Agreement,
    AgreementCommitment,
    AgreementDocument,
    AgreementParty,
    AgreementTransition,
    Programme,
)
from hub_api.models.agreement import EDITABLE_STATUSES
from hub_api.models.base import utcnow
from hub_api.models.enums import AgreementStatus
from hub_api.queries import json_list_contains, search_matches
from hub_api.services.lookups import get_or_404, require_reference
from hub_api.services.programmes import institutions_by_id
from hub_api.webhooks import outbox

# The only move out of each stored status.
NEXT_STATUS = {
    AgreementStatus.DRAFT: AgreementStatus.NEGOTIATION,
    AgreementStatus.NEGOTIATION: AgreementStatus.SIGNED,
    AgreementStatus.SIGNED: AgreementStatus.ACTIVE,
    AgreementStatus.ACTIVE: AgreementStatus.TERMINATED,
}
RENEWABLE = (AgreementStatus.SIGNED, AgreementStatus.ACTIVE)
REFERENCE_MAX_LENGTH = Agreement.__table__.c.reference.type.length
LOAD_OPTIONS = (
    selectinload(Agreement.parties),
    selectinload(Agreement.commitments),
    selectinload(Agreement.successor),
)


def agreements_query(filters: dict) -> sa.Select:
    """Agreements matching the list filters, with parties, commitments and successor loaded."""
    stmt = sa.select(Agreement).options(*LOAD_OPTIONS)
    if filters.get("status") is not None:
        stmt = stmt.where(Agreement.effective_status == filters["status"].value)
    for name in ("kind", "programme_id"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Agreement, name) == filters[name])
    if filters.get("party") is not None:
        stmt = stmt.where(Agreement.parties.any(AgreementParty.institution_id == filters["party"]))
    if filters.get("area"):
        stmt = stmt.where(json_list_contains(Agreement.areas, filters["area"]))
    if filters.get("expiring_within_days") is not None:
        today = clock.today()
        stmt = stmt.where(
            Agreement.effective_status == AgreementStatus.ACTIVE.value,
            Agreement.expires_on.between(today, today + timedelta(days=filters["expiring_within_days"])),
        )
    if filters.get("signed_from") is not None:
        stmt = stmt.where(Agreement.signed_on >= filters["signed_from"])
    if filters.get("signed_to") is not None:
        stmt = stmt.where(Agreement.signed_on <= filters["signed_to"])
    if filters.get("q"):
        stmt = stmt.where(search_matches(Agreement.search_text, filters["q"]))
    return stmt


def get_agreement(agreement_id: int) -> Agreement:
    """The agreement with its parties, commitments and successor, or 404."""
    return get_or_404(Agreement, agreement_id, label="agreement")


def _check_reference_free(reference: str, agreement_id: int | None = None) -> None:
    clash = db.session.scalar(sa.select(Agreement.id).where(Agreement.reference == reference))
    if clash is not None and clash != agreement_id:
        raise Conflict(
            "An agreement with this reference already exists.", errors={"reference": ["Already used."]}
        )


def _clear_before_replacing(agreement: Agreement, name: str) -> None:
    """Delete the stored rows of a list first: new ones may take their unique slots."""
    if sa.inspect(agreement).persistent and getattr(agreement, name):
        setattr(agreement, name, [])
        db.session.flush()


def _apply_terms(agreement: Agreement, data: dict) -> None:
    data = dict(data)
    if "parties" in data:
        parties = data.pop("parties")
        institutions_by_id([p["institution_id"] for p in parties], field="parties")
        _clear_before_replacing(agreement, "parties")
        agreement.parties = [AgreementParty(**p) for p in parties]
    if "commitments" in data:
        _clear_before_replacing(agreement, "commitments")
        agreement.commitments = [AgreementCommitment(**c) for c in data.pop("commitments")]
    if "programme_id" in data:
        require_reference(Programme, data["programme_id"], field="programme_id", label="programme")
    for key, value in data.items():
        setattr(agreement, key, value)
    if agreement.effective_from and agreement.expires_on and agreement.expires_on <= agreement.effective_from:
        raise ValidationFailed(
            "The agreement must expire after it takes effect.", errors={"expires_on": ["Too early."]}
        )


def create_agreement(*, data: dict) -> Agreement:
    """Register an agreement as a draft."""
    _check_reference_free(data["reference"])
    agreement = Agreement(status=AgreementStatus.DRAFT)
    _apply_terms(agreement, data)
    db.session.add(agreement)
    db.session.flush()
    return agreement


def update_agreement(*, agreement: Agreement, changes: dict) -> Agreement:
    """Change the terms; only drafts and agreements under negotiation can change."""
    if agreement.status not in EDITABLE_STATUSES:
        raise Conflict(
            f"The agreement is {agreement.effective_status.value}: its signed terms cannot change. "
            "Record the change as an addendum (kind 'addendum') or through a renewal."
        )
    if "reference" in changes:
        _check_reference_free(changes["reference"], agreement.id)
    _apply_terms(agreement, changes)
    if "parties" in changes or "commitments" in changes:
        # Replacing the lists alone updates no column: touch the row so the version (ETag) and
        # updated_at move too.
        agreement.updated_at = utcnow()
    db.session.flush()
    return agreement


def delete_agreement(*, agreement: Agreement) -> None:
    """Remove a draft that has no documents."""
    if agreement.status is not AgreementStatus.DRAFT:
        raise Conflict(f"Only drafts can be deleted; this agreement is {agreement.effective_status.value}.")
    has_documents = db.session.scalar(
        sa.select(AgreementDocument.id).where(AgreementDocument.agreement_id == agreement.id).limit(1)
    )
    if has_documents is not None:
        raise Conflict("Delete the agreement's documents first.")
    db.session.delete(agreement)
    db.session.flush()


def transition(
    *, principal: Principal, agreement: Agreement, to: str, on: date | None = None, note: str | None = None
) -> Agreement:
    """Move an agreement one step along its lifecycle, or 409 naming the move that is allowed."""
    target = AgreementStatus(to)
    allowed = NEXT_STATUS.get(agreement.status)
    if target is not allowed:
        allowed_text = allowed.value if allowed else "nothing (the agreement is final)"
        raise Conflict(
            f"An agreement that is {agreement.status.value} can move only to {allowed_text}.",
            errors={"to": [f"Allowed: {allowed.value}" if allowed else "No move is allowed."]},
        )
    on = on or clock.today()
    if target is AgreementStatus.SIGNED:
        if on > clock.today():
            raise ValidationFailed(
                "A signing date cannot be in the future.", errors={"on": ["In the future."]}
            )
        agreement.signed_on = on
    if target is AgreementStatus.ACTIVE and agreement.effective_from is None:
        if agreement.expires_on is not None and on >= agreement.expires_on:
            raise ValidationFailed(
                f"The agreement expires on {agreement.expires_on.isoformat()}; it cannot take effect "
                "on or after that day. Set effective_from first, or activate it earlier.",
                errors={"on": ["On or after expires_on."]},
            )
        agreement.effective_from = on
    if target is AgreementStatus.ACTIVE and agreement.predecessor is not None:
        # The predecessor now reads `superseded`: a new version of it for ETags and updated_since.
        agreement.predecessor.updated_at = utcnow()
    db.session.add(
        AgreementTransition(
            agreement_id=agreement.id,
            from_status=agreement.status,
            to_status=target,
            on=on,
            note=note,
            actor_label=principal.label,
        )
    )
    previous = agreement.status.value
    agreement.status = target
    db.session.flush()
    outbox.agreement_moved(agreement, previous)
    return agreement


def transitions_query(agreement_id: int) -> sa.Select:
    """The recorded lifecycle moves of an agreement."""
    return sa.select(AgreementTransition).where(AgreementTransition.agreement_id == agreement_id)


def renew(*, agreement: Agreement, options: dict) -> Agreement:
    """Create a draft successor that copies parties, areas, commitments and programme."""
    if agreement.status not in RENEWABLE:
        raise Conflict(
            "Only signed or active agreements can be renewed; "
            f"this one is {agreement.effective_status.value}."
        )
    if agreement.successor is not None:
        raise Conflict(f"This agreement was already renewed by agreement {agreement.successor.id}.")
    reference = options.get("reference") or f"{agreement.reference}-R"
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ValidationFailed(
            f"The default renewal reference {reference!r} is too long; give one in `reference`.",
            errors={"reference": [f"Give a reference of at most {REFERENCE_MAX_LENGTH} characters."]},
        )
    _check_reference_free(reference)
    renewal = Agreement(
        reference=reference,
        title=dict(agreement.title),
        kind=agreement.kind,
        status=AgreementStatus.DRAFT,
        areas=list(agreement.areas),
        auto_renew=agreement.auto_renew,
        programme_id=agreement.programme_id,
        predecessor_id=agreement.id,
        parties=[AgreementParty(institution_id=p.institution_id, role=p.role) for p in agreement.parties],
        commitments=[
            AgreementCommitment(metric=c.metric, target=c.target, per=c.per) for c in agreement.commitments
        ],
        effective_from=options.get("effective_from", agreement.expires_on),
        expires_on=options.get("expires_on"),
    )
    if renewal.effective_from and renewal.expires_on and renewal.expires_on <= renewal.effective_from:
        raise ValidationFailed(
            "The renewal must expire after it takes effect.", errors={"expires_on": ["Too early."]}
        )
    db.session.add(renewal)
    # The predecessor now shows successor_id: a new version of it for ETags and updated_since.
    agreement.updated_at = utcnow()
    db.session.flush()
    return renewal
