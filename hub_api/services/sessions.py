"""Cohort sessions and their attendance: scheduling within the cohort's dates, atomic roll calls."""

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from hub_api.access.objects import ensure_hosts_cohort
from hub_api.access.visibility import visible_enrolments, visible_participants
from hub_api.auth.principal import Principal
from hub_api.errors import Conflict, NotFound, ValidationFailed
from hub_api.extensions import db
from hub_api.models import Attendance, Cohort, CohortSession, Enrolment, Participant
from hub_api.models.base import utcnow
from hub_api.models.enrolment import CONFIRMED
from hub_api.services import enrolments
from hub_api.services.cohorts import FINAL_STATUSES

# A cohort's dates are local to wherever it runs: allow for every time zone on earth (UTC−12…+14).
EARLIEST_OFFSET, LATEST_OFFSET = timedelta(hours=14), timedelta(hours=12)
LOAD_OPTIONS = (selectinload(CohortSession.trainers),)


def sessions_query(cohort_id: int, filters: dict) -> sa.Select:
    """A cohort's sessions, trainers loaded."""
    stmt = sa.select(CohortSession).options(*LOAD_OPTIONS).where(CohortSession.cohort_id == cohort_id)
    if filters.get("mode") is not None:
        stmt = stmt.where(CohortSession.mode == filters["mode"])
    return stmt


def get_session(cohort_id: int, session_id: int) -> CohortSession:
    """The session, if it belongs to that cohort; otherwise 404."""
    session = db.session.get(CohortSession, session_id, options=LOAD_OPTIONS)
    if session is None or session.cohort_id != cohort_id:
        raise NotFound(f"Cohort {cohort_id} has no session with id {session_id}.")
    return session


def _ensure_changeable(cohort: Cohort) -> None:
    if cohort.status in FINAL_STATUSES:
        raise Conflict(
            f"The cohort is {cohort.status.value}; its sessions and attendance can no longer change."
        )


def _check_times(cohort: Cohort, session: CohortSession) -> None:
    earliest = datetime.combine(cohort.starts_on, time.min, UTC) - EARLIEST_OFFSET
    latest = datetime.combine(cohort.ends_on + timedelta(days=1), time.min, UTC) + LATEST_OFFSET
    if session.ends_at <= session.starts_at:
        raise ValidationFailed(
            "A session must end after it starts.", errors={"ends_at": ["Not after starts_at."]}
        )
    if session.starts_at < earliest or session.starts_at >= latest:
        outside = "starts_at"
    elif session.ends_at > latest:
        outside = "ends_at"
    else:
        return
    raise ValidationFailed(
        f"Sessions take place within the cohort's dates, {cohort.starts_on} to {cohort.ends_on}.",
        errors={outside: ["Outside the cohort's dates."]},
    )


def _trainers(principal: Principal, trainer_ids: list[int]) -> list[Participant]:
    """Trainers the caller can see: its own, or those enrolled in cohorts it hosts (admins: any)."""
    if not trainer_ids:
        return []
    found = db.session.scalars(
        sa.select(Participant).where(
            Participant.id.in_(trainer_ids),
            Participant.is_trainer.is_(True),
            Participant.erased_at.is_(None),
            visible_participants(principal),
        )
    ).all()
    missing = sorted(set(trainer_ids) - {p.id for p in found})
    if missing:
        raise ValidationFailed(
            "trainer_ids must name participants flagged as trainers.",
            errors={"trainer_ids": [f"Not a trainer: {', '.join(map(str, missing))}."]},
        )
    return sorted(found, key=lambda p: p.id)


def _apply(principal: Principal, cohort: Cohort, session: CohortSession, data: dict) -> None:
    data = dict(data)
    if "trainer_ids" in data:
        session.trainers = _trainers(principal, data.pop("trainer_ids"))
    for key, value in data.items():
        setattr(session, key, value)
    _check_times(cohort, session)


def create_session(*, principal: Principal, cohort: Cohort, data: dict) -> CohortSession:
    """Schedule a session of a cohort the caller runs."""
    ensure_hosts_cohort(principal, cohort.host_institution_id)
    _ensure_changeable(cohort)
    session = CohortSession(cohort_id=cohort.id, mode=cohort.delivery_mode)
    _apply(principal, cohort, session, data)
    db.session.add(session)
    db.session.flush()
    enrolments.touch(Enrolment.cohort_id == cohort.id)  # one more session: every attendance rate moves
    return session


def update_session(*, principal: Principal, cohort: Cohort, session: CohortSession, changes: dict):
    """Reschedule or change a session."""
    ensure_hosts_cohort(principal, cohort.host_institution_id)
    _ensure_changeable(cohort)
    _apply(principal, cohort, session, changes)
    session.updated_at = utcnow()  # a change of trainers alone still counts as a change (ETag, sync)
    db.session.flush()
    return session


def delete_session(*, principal: Principal, cohort: Cohort, session: CohortSession) -> None:
    """Remove a session and its attendance record."""
    ensure_hosts_cohort(principal, cohort.host_institution_id)
    _ensure_changeable(cohort)
    db.session.delete(session)
    db.session.flush()
    enrolments.touch(Enrolment.cohort_id == cohort.id)


def attendance_of(session: CohortSession, principal: Principal) -> list[Attendance]:
    """The session's attendance rows the caller may see, one per participant."""
    return list(
        db.session.scalars(
            sa.select(Attendance)
            .join(Attendance.enrolment)
            .options(contains_eager(Attendance.enrolment))
            .where(Attendance.session_id == session.id, visible_enrolments(principal))
            .order_by(Enrolment.participant_id)
        )
    )


def replace_attendance(
    *, principal: Principal, cohort: Cohort, session: CohortSession, rows: list[dict]
) -> None:
    """Replace the session's attendance with `rows`; only confirmed participants of the cohort."""
    ensure_hosts_cohort(principal, cohort.host_institution_id)
    _ensure_changeable(cohort)
    ids = [row["participant_id"] for row in rows]
    if len(ids) != len(set(ids)):
        raise ValidationFailed("List each participant once.", errors={"participant_id": ["Repeated."]})
    enrolments_by_participant = {
        e.participant_id: e
        for e in db.session.scalars(
            sa.select(Enrolment).where(
                Enrolment.cohort_id == cohort.id,
                Enrolment.participant_id.in_(ids),
                Enrolment.status.in_(CONFIRMED),
            )
        )
    }
    missing = [pid for pid in ids if pid not in enrolments_by_participant]
    if missing:
        raise ValidationFailed(
            "Attendance is recorded only for participants enrolled in this cohort.",
            errors={"participant_id": [f"Not enrolled: {', '.join(map(str, missing))}."]},
        )
    previous = {old.enrolment_id for old in session.attendance}
    for old in list(session.attendance):
        session.attendance.remove(old)
    db.session.flush()  # the old record goes before the new one, whose rows may share its keys
    for row in rows:
        session.attendance.append(
            Attendance(
                enrolment=enrolments_by_participant[row["participant_id"]],
                present=row["present"],
                minutes=row.get("minutes"),
            )
        )
    db.session.flush()
    enrolments.touch(Enrolment.id.in_(previous | {e.id for e in enrolments_by_participant.values()}))
