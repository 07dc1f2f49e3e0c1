"""Which participants and enrolments a caller may see, as SQL conditions every query applies."""

import sqlalchemy as sa

from hub_api.auth.principal import Principal
from hub_api.errors import NotFound
from hub_api.extensions import db
from hub_api.models import Cohort, Enrolment, Participant
from hub_api.permissions import sees_every_participant


def hosted_cohort_ids(institution_id: int) -> sa.Select:
    """Ids of the cohorts an institution hosts."""
    return sa.select(Cohort.id).where(Cohort.host_institution_id == institution_id)


def visible_participants(principal: Principal):
    """Own institution's participants, plus those enrolled in cohorts the institution hosts."""
    if sees_every_participant(principal):
        return sa.true()
    if principal.institution_id is None:
        return sa.false()
    hosted = sa.select(Enrolment.participant_id).where(
        Enrolment.cohort_id.in_(hosted_cohort_ids(principal.institution_id))
    )
    return sa.or_(Participant.institution_id == principal.institution_id, Participant.id.in_(hosted))


def owned_participants(principal: Principal):
    """Participants whose whole record the caller sees: its own institution's (or everyone's)."""
    if sees_every_participant(principal):
        return sa.true()
    if principal.institution_id is None:
        return sa.false()
    return Participant.institution_id == principal.institution_id


def visible_enrolments(principal: Principal):
    """Enrolments of the caller's own participants, and every enrolment in cohorts it hosts."""
    if sees_every_participant(principal):
        return sa.true()
    if principal.institution_id is None:
        return sa.false()
    return sa.or_(
        Enrolment.institution_id == principal.institution_id,
        Enrolment.cohort_id.in_(hosted_cohort_ids(principal.institution_id)),
    )


def get_visible_participant(principal: Principal, participant_id: int) -> Participant:
    """The participant if the caller may see it; otherwise the same 404 as for a missing one."""
    participant = db.session.scalar(
        sa.select(Participant).where(Participant.id == participant_id, visible_participants(principal))
    )
    if participant is None:
        raise NotFound(f"There is no participant with id {participant_id}.")
    return participant
