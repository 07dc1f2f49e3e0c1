"""Participants: who may see and change them, their lists as audited exports, and erasure."""

import sqlalchemy as sa

from hub_api import audit, idempotency
from hub_api.access.objects import ensure_owns_participants
from hub_api.access.visibility import owned_participants, visible_participants
from hub_api.auth.principal import Principal
from hub_api.errors import Conflict, ValidationFailed
from hub_api.extensions import db
from hub_api.models import Enrolment, Institution, Participant
from hub_api.models.base import utcnow
from hub_api.models.participant import IDENTITY_COLUMNS
from hub_api.queries import escape_like, search_matches
from hub_api.services import certificates, enrolments
from hub_api.services.lookups import require_reference

EXACT_FILTERS = ("institution_id", "gender", "staff_category", "is_trainer", "region", "external_ref")
# List filters whose values are personal text: the audit trail notes their use, never their value.
PERSONAL_FILTERS = ("q", "external_ref")


def participants_query(principal: Principal, filters: dict) -> sa.Select:
    """The participants the caller may see that match the list filters."""
    stmt = sa.select(Participant).where(visible_participants(principal))
    for name in EXACT_FILTERS:
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Participant, name) == filters[name])
    if filters.get("erased") is not None:
        erased = Participant.erased_at.is_not(None)
        stmt = stmt.where(erased if filters["erased"] else ~erased)
    if filters.get("external_ref") is not None or filters.get("region") is not None:
        stmt = stmt.where(owned_participants(principal))  # a guest's details are not the host's to probe
    if filters.get("q"):
        stmt = stmt.where(_matches(principal, filters["q"]))
    return stmt


def _matches(principal: Principal, query: str):
    """Names match for every visible participant; reference and email only for one's own."""
    folded = f"%{escape_like(query.casefold())}%"
    contact = sa.or_(
        sa.func.lower(Participant.external_ref).like(folded, escape="\\"),
        sa.func.lower(Participant.email).like(folded, escape="\\"),
    )
    return sa.or_(
        search_matches(Participant.search_text, query), sa.and_(owned_participants(principal), contact)
    )


def record_export(filters: dict, *, count: int, total: int) -> None:
    """A list of people is an export of personal data: note who listed how many, and how."""
    used = {k: v for k, v in filters.items() if k not in PERSONAL_FILTERS and v is not None}
    if used.get("updated_since") is not None:
        used["updated_since"] = used["updated_since"].isoformat()
    text_filters = sorted(k for k in PERSONAL_FILTERS if filters.get(k) is not None)
    audit.record_export("participants", count, total=total, filters=used, text_filters=text_filters)


def owning_institution(principal: Principal, institution_id: int | None) -> Institution:
    """The institution a write goes to: the one named, or the caller's own; 403 if not the caller's."""
    if institution_id is None:
        institution_id = None if principal.is_hub_admin else principal.institution_id
    if institution_id is None:
        raise ValidationFailed(
            "Name the institution the participants belong to.",
            errors={"institution_id": ["Missing data for required field."]},
        )
    ensure_owns_participants(principal, institution_id)
    return require_reference(Institution, institution_id, field="institution_id", label="institution")


def _check_reference_free(institution_id: int, external_ref: str | None, own_id: int | None = None) -> None:
    if external_ref is None:
        return
    stmt = sa.select(Participant.id).where(
        Participant.institution_id == institution_id, Participant.external_ref == external_ref
    )
    if own_id is not None:
        stmt = stmt.where(Participant.id != own_id)
    clash = db.session.scalar(stmt)
    if clash is not None:
        raise Conflict(
            f"Participant {clash} of this institution already has this external_ref.",
            errors={"external_ref": ["Already used in this institution."]},
        )


def create_participant(*, principal: Principal, data: dict) -> Participant:
    """Add a participant to the caller's institution (hub admins: to any)."""
    data = dict(data)
    institution = owning_institution(principal, data.pop("institution_id", None))
    _check_reference_free(institution.id, data.get("external_ref"))
    participant = Participant(institution_id=institution.id, **data)
    db.session.add(participant)
    db.session.flush()
    return participant


def _ensure_not_erased(participant: Participant) -> None:
    if participant.erased:
        raise Conflict(f"Participant {participant.id} was erased; an erased record never changes again.")


def update_participant(*, principal: Principal, participant: Participant, changes: dict) -> Participant:
    """Change a participant of the caller's own institution that has not been erased."""
    ensure_owns_participants(principal, participant.institution_id)
    _ensure_not_erased(participant)
    if "external_ref" in changes:
        _check_reference_free(participant.institution_id, changes["external_ref"], participant.id)
    for key, value in changes.items():
        setattr(participant, key, value)
    db.session.flush()
    return participant


def erase_participant(*, principal: Principal, participant: Participant) -> None:
    """Erase the identity, keep the anonymous facts and enrolments, revoke the certificates."""
    ensure_owns_participants(principal, participant.institution_id)
    db.session.refresh(participant, with_for_update=True)  # a racing completion waits, then sees it
    _ensure_not_erased(participant)
    held = db.session.scalars(sa.select(Enrolment).where(Enrolment.participant_id == participant.id))
    for enrolment in held:
        certificates.revoke(enrolment)
    # Stored retry responses (creation, import reports, nominations) must not outlive the identity.
    idempotency.forget_responses_mentioning(
        [participant.external_ref, participant.email, participant.family_name]
    )
    for column in IDENTITY_COLUMNS:
        setattr(participant, column, None)
    participant.erased_at = utcnow()
    db.session.flush()
    enrolments.touch(Enrolment.participant_id == participant.id)  # their nested names are gone
    audit.record("participants.erase", object_type="participants", object_id=participant.id)
