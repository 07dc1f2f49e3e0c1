"""Enrolment rules: nominations within seats, confirmation and outcomes by the host, withdrawal."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from hub_api.access.objects import ensure_can_change_enrolment, ensure_can_nominate, ensure_hosts_cohort
from hub_api.access.visibility import get_visible_participant, visible_enrolments
from hub_api.auth.principal import Principal
from hub_api.errors import Conflict, HubError, NotFound
from hub_api.extensions import db
from hub_api.models import Attendance, Cohort, Enrolment, Participant
from hub_api.models.base import utcnow
from hub_api.models.enrolment import CONFIRMED
from hub_api.models.enums import CohortStatus, EnrolmentStatus
from hub_api.services import certificates, seats

OUTCOMES = (EnrolmentStatus.COMPLETED, EnrolmentStatus.FAILED, EnrolmentStatus.NO_SHOW)
# Moves the host (or a hub admin) makes; withdrawal is open to the participant's institution too.
HOST_MOVES = {
    EnrolmentStatus.NOMINATED: (EnrolmentStatus.ENROLLED,),
    EnrolmentStatus.ENROLLED: OUTCOMES,
    EnrolmentStatus.COMPLETED: (EnrolmentStatus.FAILED, EnrolmentStatus.NO_SHOW),
    EnrolmentStatus.FAILED: (EnrolmentStatus.COMPLETED, EnrolmentStatus.NO_SHOW),
    EnrolmentStatus.NO_SHOW: (EnrolmentStatus.COMPLETED, EnrolmentStatus.FAILED),
    EnrolmentStatus.WITHDRAWN: (),
}
CONFIRMING_COHORT = (CohortStatus.OPEN, CohortStatus.IN_PROGRESS)
OUTCOME_COHORT = (CohortStatus.IN_PROGRESS, CohortStatus.COMPLETED)
HOST_TASKS = "confirm enrolments and record results"
RESULT_FIELDS = ("pre_score", "post_score", "satisfaction")
LOAD_OPTIONS = (joinedload(Enrolment.participant), joinedload(Enrolment.cohort))


def enrolments_query(principal: Principal, filters: dict, **scope) -> sa.Select:
    """The enrolments the caller may see, within `scope` (a cohort or a participant), filtered."""
    stmt = sa.select(Enrolment).options(*LOAD_OPTIONS).where(visible_enrolments(principal))
    for name, value in scope.items():
        stmt = stmt.where(getattr(Enrolment, name) == value)
    for name in ("status", "institution_id"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Enrolment, name) == filters[name])
    return stmt


def get_enrolment(principal: Principal, enrolment_id: int) -> Enrolment:
    """The enrolment if the caller may see it; otherwise the same 404 as for a missing one."""
    enrolment = db.session.scalar(
        sa.select(Enrolment)
        .options(*LOAD_OPTIONS)
        .where(Enrolment.id == enrolment_id, visible_enrolments(principal))
    )
    if enrolment is None:
        raise NotFound(f"There is no enrolment with id {enrolment_id}.")
    return enrolment


def _participant_to_nominate(principal: Principal, participant_id: int) -> Participant:
    participant = get_visible_participant(principal, participant_id)
    ensure_can_nominate(principal, participant.institution_id)
    if participant.erased:
        raise Conflict(f"Participant {participant_id} has been erased and cannot be nominated.")
    return participant


def nominate(
    *, principal: Principal, cohort: Cohort, participant_id: int, status=EnrolmentStatus.NOMINATED
) -> Enrolment:
    """Give a participant a seat in an open cohort, within its institution's allocation.

    On refusal nothing is left written, so a bulk nomination can carry on with the next row."""
    if status is EnrolmentStatus.ENROLLED:
        ensure_hosts_cohort(principal, cohort.host_institution_id, to=HOST_TASKS)
    participant = _participant_to_nominate(principal, participant_id)
    existing = db.session.scalar(
        sa.select(Enrolment).where(
            Enrolment.cohort_id == cohort.id, Enrolment.participant_id == participant_id
        )
    )
    if existing is not None:
        raise Conflict(
            f"Participant {participant_id} is already in this cohort (enrolment {existing.id}, "
            f"{existing.status.value}).",
            errors={"participant_id": ["Already in this cohort."]},
        )
    seats.take(cohort, participant.institution_id)
    enrolment = Enrolment(
        cohort_id=cohort.id,
        participant_id=participant.id,
        institution_id=participant.institution_id,
        status=status,
        status_changed_at=utcnow(),
    )
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def nominate_many(*, principal: Principal, cohort: Cohort, participant_ids: list[int], status) -> list[dict]:
    """Nominate each participant in turn; a result per row, refusals do not stop the rest."""
    if status is EnrolmentStatus.ENROLLED:
        # A refusal of the whole request, not of each row.
        ensure_hosts_cohort(principal, cohort.host_institution_id, to=HOST_TASKS)
    results = []
    for participant_id in participant_ids:
        try:
            enrolment = nominate(
                principal=principal, cohort=cohort, participant_id=participant_id, status=status
            )
        except HubError as refusal:
            results.append(
                {"participant_id": participant_id, "status": refusal.status, "detail": refusal.detail}
            )
        else:
            results.append({"participant_id": participant_id, "status": 201, "enrolment_id": enrolment.id})
    return results


def _cohort_states_for(target: EnrolmentStatus) -> tuple:
    return CONFIRMING_COHORT if target is EnrolmentStatus.ENROLLED else OUTCOME_COHORT


def _refused_move(detail: str, moves: tuple) -> Conflict:
    """A 409 whose `errors.status` names the moves open to the enrolment now."""
    names = ", ".join(s.value for s in moves) or "none (withdrawal is final)"
    return Conflict(f"{detail}; allowed: {names}.", errors={"status": [f"Allowed: {names}"]})


def _move(principal: Principal, enrolment: Enrolment, target: EnrolmentStatus) -> None:
    current, cohort = enrolment.status, enrolment.cohort
    if target is current:
        return
    if target is EnrolmentStatus.WITHDRAWN:
        if current is EnrolmentStatus.WITHDRAWN:
            return
        if current in OUTCOMES:  # revoking a recorded outcome is the host's call, not the guest's
            ensure_hosts_cohort(principal, cohort.host_institution_id, to="withdraw a recorded outcome")
        seats.release(cohort, enrolment.institution_id)
        certificates.revoke(enrolment)
    else:
        ensure_hosts_cohort(principal, cohort.host_institution_id, to=HOST_TASKS)
        allowed = HOST_MOVES[current]
        withdrawal = () if current is EnrolmentStatus.WITHDRAWN else (EnrolmentStatus.WITHDRAWN,)
        if target not in allowed:
            raise _refused_move(
                f"An enrolment that is {current.value} cannot become {target.value}", (*allowed, *withdrawal)
            )
        needed = _cohort_states_for(target)
        if cohort.status not in needed:
            open_now = tuple(m for m in allowed if cohort.status in _cohort_states_for(m))
            raise _refused_move(
                f"The cohort is {cohort.status.value}; {target.value} needs it to be "
                + " or ".join(s.value for s in needed),
                (*open_now, *withdrawal),
            )
        if target is EnrolmentStatus.COMPLETED:
            _ensure_not_erased(enrolment)
            certificates.issue(enrolment)
        elif current is EnrolmentStatus.COMPLETED:
            certificates.revoke(enrolment)
    enrolment.status = target
    enrolment.status_changed_at = utcnow()


def _ensure_not_erased(enrolment: Enrolment) -> None:
    """An erased person earns no new certificate; the row lock makes a racing erasure wait."""
    erased_at = db.session.scalar(
        sa.select(Participant.erased_at).where(Participant.id == enrolment.participant_id).with_for_update()
    )
    if erased_at is not None:
        raise Conflict("The participant has been erased; the enrolment can no longer be completed.")


def touch(*conditions) -> None:
    """Mark matching enrolments as changed (new ETag, seen by `updated_since`) when derived values move.

    Their attendance counters are recounted from the roll calls in the same statement."""
    marks = sa.select(sa.func.count(Attendance.id)).where(Attendance.enrolment_id == Enrolment.id)
    present = marks.where(Attendance.present.is_(True))
    db.session.execute(
        sa.update(Enrolment)
        .where(*conditions)
        .values(
            updated_at=utcnow(),
            version=Enrolment.version + 1,
            attendance_marks=marks.scalar_subquery(),
            attendance_present=present.scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )


def update_enrolment(*, principal: Principal, enrolment: Enrolment, changes: dict) -> Enrolment:
    """Confirm, record an outcome or results, or withdraw; who may do what depends on the move."""
    ensure_can_change_enrolment(principal, enrolment.institution_id, enrolment.cohort.host_institution_id)
    if "status" in changes:
        _move(principal, enrolment, changes["status"])
    results = {key: changes[key] for key in RESULT_FIELDS if key in changes}
    if results:
        ensure_hosts_cohort(principal, enrolment.cohort.host_institution_id, to=HOST_TASKS)
        if enrolment.status not in CONFIRMED:
            raise Conflict(
                "Results are recorded for confirmed participants; "
                f"this enrolment is {enrolment.status.value}."
            )
        for key, value in results.items():
            setattr(enrolment, key, value)
    db.session.flush()
    return enrolment
