"""Which rows a caller sees, as SQL conditions every query applies, and how much of a participant."""

import sqlalchemy as sa

from hub_api.access.policies import catalogue_reader, participant_reader
from hub_api.auth.principal import Principal
from hub_api.errors import NotFound
from hub_api.extensions import db
from hub_api.models import Change, Cohort, Enrolment, Participant
from hub_api.models.enums import Scope

CATALOGUE_TYPES = ("institution", "agreement", "curriculum", "cohort")


def sees_every_participant(principal: Principal) -> bool:
    """Hub admins, and hub-level clients with `participants:read`, see everyone's participants."""
    if principal.is_user:
        return principal.is_hub_admin
    return principal.institution_id is None and principal.has_scope(Scope.PARTICIPANTS_READ)


def owns_participant(principal: Principal, participant) -> bool:
    """Whether the caller sees the participant's whole record, not only names and results."""
    return sees_every_participant(principal) or (
        principal.institution_id is not None and principal.institution_id == participant.institution_id
    )


def hosted_cohort_ids(institution_id: int) -> sa.Select:
    """Ids of the cohorts an institution hosts."""
    return sa.select(Cohort.id).where(Cohort.host_institution_id == institution_id)


def hosted_participant_ids(institution_id: int) -> sa.Select:
    """Ids of the participants enrolled in cohorts an institution hosts."""
    return sa.select(Enrolment.participant_id).where(
        Enrolment.cohort_id.in_(hosted_cohort_ids(institution_id))
    )


def visible_participants(principal: Principal):
    """Own institution's participants, plus those enrolled in cohorts the institution hosts."""
    if sees_every_participant(principal):
        return sa.true()
    if principal.institution_id is None:
        return sa.false()
    hosted = hosted_participant_ids(principal.institution_id)
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


def visible_changes(principal: Principal):
    """Feed entries about objects the caller may see now, by the rules of their own routes.

    The catalogue goes to catalogue readers. A participant's entries go to those who see the
    participant: its institution, institutions hosting a cohort it is enrolled in, and whoever
    sees everyone; an enrolment's, to its participant's institution and its cohort's host. The
    institutions are kept on the entry, so a deleted object's entry reaches the same readers."""
    allowed = []
    if catalogue_reader(principal):
        allowed.append(Change.object_type.in_(CATALOGUE_TYPES))
    if participant_reader(principal):
        allowed.append(_visible_people_changes(principal))
    return sa.or_(*allowed) if allowed else sa.false()


def _visible_people_changes(principal: Principal):
    people = Change.object_type.in_(("participant", "enrolment"))
    if sees_every_participant(principal):
        return people
    if principal.institution_id is None:
        return sa.false()
    mine = principal.institution_id
    return sa.and_(
        people,
        sa.or_(
            Change.owner_institution_id == mine,
            sa.and_(Change.object_type == "enrolment", Change.host_institution_id == mine),
            sa.and_(Change.object_type == "participant", Change.object_id.in_(hosted_participant_ids(mine))),
        ),
    )
