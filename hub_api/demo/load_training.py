"""Load the demo training: participants, cohorts, seats, sessions, attendance, enrolments, certificates."""

import copy
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from hub_api.demo.cohorts import COHORTS
from hub_api.demo.load_catalogue import CurriculumKey
from hub_api.demo.load_common import apply_changes
from hub_api.demo.participants import ENROLMENTS, PARTICIPANTS
from hub_api.extensions import db
from hub_api.models import (
    Agreement,
    Attendance,
    Cohort,
    CohortSession,
    Curriculum,
    Enrolment,
    Institution,
    Participant,
    Programme,
    SeatAllocation,
)
from hub_api.models.base import utcnow
from hub_api.models.enrolment import CONFIRMED, SEAT_HOLDING
from hub_api.models.enums import CurriculumStatus, EnrolmentStatus
from hub_api.services import certificates
from hub_api.services import enrolments as enrolment_service

ATTENDANCE_COUNTERS = ["attendance_marks", "attendance_present"]
PARTICIPANT_DEFAULTS = {"position": None, "region": None, "email": None, "is_trainer": False}

ParticipantKey = tuple[str, str]  # (institution code, external_ref)
EnrolmentKey = tuple[str, ParticipantKey]  # (cohort code, participant)


# The outcome of each cohort-related row, by key: ("participant", institution code, ref),
# ("cohort", code), ("session", code, starts_at) or ("enrolment", code, participant key).
Outcomes = dict[tuple, str]


def _touch(outcomes: Outcomes, key: tuple) -> None:
    """Count a row as updated when something of it (a sub-row, a counter) changed after its upsert."""
    if outcomes[key] == "unchanged":
        outcomes[key] = "updated"


def _upsert_participant(
    entry: dict, institutions: dict[str, Institution], stored: dict[ParticipantKey, Participant]
) -> tuple[Participant, str]:
    values = {**PARTICIPANT_DEFAULTS, **{k: v for k, v in entry.items() if k != "institution"}}
    participant = stored.get((entry["institution"], entry["external_ref"]))
    if participant is None:
        participant = Participant(institution_id=institutions[entry["institution"]].id, **values)
        db.session.add(participant)
        return participant, "added"
    return participant, "updated" if apply_changes(participant, values) else "unchanged"


def _load_participants(
    institutions: dict[str, Institution], outcomes: Outcomes
) -> dict[ParticipantKey, Participant]:
    """Upsert the demo participants, matched by institution and external reference."""
    codes = {institutions[entry["institution"]].id: entry["institution"] for entry in PARTICIPANTS}
    rows = db.session.scalars(
        sa.select(Participant).where(
            Participant.institution_id.in_(codes),
            Participant.external_ref.in_({entry["external_ref"] for entry in PARTICIPANTS}),
        )
    )
    stored = {(codes[p.institution_id], p.external_ref): p for p in rows}
    participants = {}
    for entry in PARTICIPANTS:
        key = (entry["institution"], entry["external_ref"])
        participants[key], outcome = _upsert_participant(entry, institutions, stored)
        outcomes[("participant", *key)] = outcome
    db.session.flush()
    return participants


def _cohort_values(
    entry: dict,
    institutions: dict[str, Institution],
    programmes: dict[str, Programme],
    agreements: dict[str, Agreement],
    curricula: dict[CurriculumKey, Curriculum],
) -> dict:
    label = f"Demo cohort {entry['code']}"
    curriculum = curricula[entry["curriculum"]]
    if curriculum.status is not CurriculumStatus.PUBLISHED:
        raise ValueError(f"{label}: a cohort delivers a published curriculum version.")
    if entry["ends_on"] < entry["starts_on"]:
        raise ValueError(f"{label}: it ends before it starts.")
    if sum(entry["allocations"].values()) > entry["capacity"]:
        raise ValueError(f"{label}: its seat allocations add up to more than its capacity.")
    for session in entry["sessions"]:
        if (
            not entry["starts_on"]
            <= session["starts_at"].date()
            <= session["ends_at"].date()
            <= entry["ends_on"]
        ):
            raise ValueError(f"{label}: the session at {session['starts_at']} is outside its dates.")
    host = institutions[entry["host"]]
    agreement = agreements[entry["agreement"]] if entry["agreement"] else None
    if agreement is not None and host.id not in {p.institution_id for p in agreement.parties}:
        raise ValueError(f"{label}: its host is not a party to {entry['agreement']}.")
    skipped = ("curriculum", "host", "programme", "agreement", "allocations", "sessions")
    return {
        **{k: v for k, v in entry.items() if k not in skipped},
        "curriculum_id": curriculum.id,
        "host_institution_id": host.id,
        "programme_id": programmes[entry["programme"]].id if entry["programme"] else None,
        "agreement_id": agreement.id if agreement else None,
    }


def _seats_in_data() -> dict[str, dict[str, int]]:
    """Seat-holding demo enrolments per cohort code and institution code."""
    seats: dict[str, dict[str, int]] = {entry["code"]: {} for entry in COHORTS}
    for entry in ENROLMENTS:
        if entry["status"] in SEAT_HOLDING:
            held = seats[entry["cohort"]]
            held[entry["participant"][0]] = held.get(entry["participant"][0], 0) + 1
    return seats


def _sync_allocations(cohort: Cohort, wanted: dict[int, int]) -> bool:
    """Make the cohort's allocations match {institution id: seats}; their counters come later."""
    changed = False
    stored = {a.institution_id: a for a in cohort.seat_allocations}
    for institution_id, allocation in stored.items():
        if institution_id not in wanted:
            cohort.seat_allocations.remove(allocation)
            changed = True
    for institution_id, seats in wanted.items():
        allocation = stored.get(institution_id)
        if allocation is None:
            cohort.seat_allocations.append(SeatAllocation(institution_id=institution_id, seats=seats))
            changed = True
        else:
            changed = apply_changes(allocation, {"seats": seats}) or changed
    return changed


def _upsert_cohort(
    entry: dict, values: dict, institutions: dict[str, Institution], seats: dict[str, dict[str, int]]
) -> tuple[Cohort, str]:
    wanted = {institutions[code].id: n for code, n in entry["allocations"].items()}
    cohort = db.session.scalar(
        sa.select(Cohort).where(Cohort.code == entry["code"]).options(selectinload(Cohort.seat_allocations))
    )
    if cohort is None:
        # New: its counters are the data's own seat-holding enrolments.
        held = {institutions[code].id: n for code, n in seats[entry["code"]].items()}
        allocations = [
            SeatAllocation(institution_id=i, seats=n, seats_taken=held.get(i, 0)) for i, n in wanted.items()
        ]
        cohort = Cohort(**copy.deepcopy(values), seats_taken=sum(held.values()), seat_allocations=allocations)
        db.session.add(cohort)
        return cohort, "added"
    changed = apply_changes(cohort, values)
    if _sync_allocations(cohort, wanted):
        if not changed:
            cohort.updated_at = utcnow()  # as the API does: allocation-only changes still count
        changed = True
    return cohort, "updated" if changed else "unchanged"


def _session_trainers(entry: dict, code: str, participants: dict[ParticipantKey, Participant]) -> list:
    trainers = []
    for key in entry["trainers"]:
        trainer = participants.get(key)
        if trainer is None or not trainer.is_trainer:
            raise ValueError(f"Demo cohort {code}: trainer {key[1]} is not a demo participant who trains.")
        trainers.append(trainer)
    return trainers


def _sync_sessions(
    cohort: Cohort, entry: dict, participants: dict[ParticipantKey, Participant], outcomes: Outcomes
) -> list[CohortSession]:
    """Upsert the cohort's sessions, matched by start; sessions the data does not list stay."""
    rows = db.session.scalars(
        sa.select(CohortSession)
        .where(CohortSession.cohort_id == cohort.id)
        .options(selectinload(CohortSession.trainers))
    )
    stored = {row.starts_at: row for row in rows}
    sessions = []
    for session_entry in entry["sessions"]:
        values = {k: v for k, v in session_entry.items() if k not in ("starts_at", "trainers")}
        trainers = _session_trainers(session_entry, entry["code"], participants)
        session = stored.get(session_entry["starts_at"])
        if session is None:
            session = CohortSession(
                cohort_id=cohort.id, starts_at=session_entry["starts_at"], trainers=trainers, **values
            )
            db.session.add(session)
            outcome = "added"
        else:
            changed = apply_changes(session, values)
            if [t.id for t in session.trainers] != [t.id for t in trainers]:
                session.trainers = trainers
                if not changed:
                    session.updated_at = utcnow()  # a trainer-only change still counts
                changed = True
            outcome = "updated" if changed else "unchanged"
        outcomes[("session", entry["code"], session_entry["starts_at"])] = outcome
        sessions.append(session)
    return sessions


def _upsert_enrolment(
    entry: dict, cohort: Cohort, participant: Participant, stored: dict[tuple[int, int], Enrolment]
) -> tuple[Enrolment, str]:
    label = f"Demo enrolment of {entry['participant'][1]} in {entry['cohort']}"
    if entry["attendance"] and entry["status"] not in CONFIRMED:
        raise ValueError(f"{label}: attendance is recorded only for confirmed participants.")
    skipped = ("cohort", "participant", "attendance")
    values = {
        **{k: v for k, v in entry.items() if k not in skipped},
        "institution_id": participant.institution_id,
    }
    enrolment = stored.get((cohort.id, participant.id))
    if enrolment is None:
        enrolment = Enrolment(cohort_id=cohort.id, participant_id=participant.id, certificate=None, **values)
        db.session.add(enrolment)
        return enrolment, "added"
    return enrolment, "updated" if apply_changes(enrolment, values) else "unchanged"


def _sync_attendance(
    sessions: dict[str, list[CohortSession]], enrolments: dict[EnrolmentKey, Enrolment], outcomes: Outcomes
) -> None:
    """Make the attendance of demo enrolments at demo sessions match the data, and only that."""
    starts = {s.id: (code, s.starts_at) for code, rows in sessions.items() for s in rows}
    stored = {
        (row.session_id, row.enrolment_id): row
        for row in db.session.scalars(sa.select(Attendance).where(Attendance.session_id.in_(starts)))
    }
    wanted = {}
    for entry in ENROLMENTS:
        records = entry["attendance"]
        if not records:
            continue
        cohort_sessions = sessions[entry["cohort"]]
        if len(records) != len(cohort_sessions):
            raise ValueError(f"Demo enrolment of {entry['participant'][1]}: one record per session, please.")
        enrolment = enrolments[(entry["cohort"], entry["participant"])]
        for session, (present, minutes) in zip(cohort_sessions, records, strict=True):
            wanted[(session.id, enrolment.id)] = {"present": present, "minutes": minutes}
    demo_enrolment_ids = {e.id for e in enrolments.values()}
    changed: set[int] = set()
    for key, row in stored.items():
        if key not in wanted and key[1] in demo_enrolment_ids:
            db.session.delete(row)
            changed.add(key[1])
            _touch(outcomes, ("session", *starts[key[0]]))
    for (session_id, enrolment_id), values in wanted.items():
        row = stored.get((session_id, enrolment_id))
        if row is None:
            db.session.add(Attendance(session_id=session_id, enrolment_id=enrolment_id, **values))
        elif not apply_changes(row, values):
            continue
        changed.add(enrolment_id)
        _touch(outcomes, ("session", *starts[session_id]))
    if changed:
        db.session.flush()
        enrolment_service.touch(Enrolment.id.in_(changed))  # recount their attendance marks
        for enrolment in enrolments.values():
            if enrolment.id in changed:  # the UPDATE moved their version: read it back before any write
                db.session.expire(enrolment, ["version", "updated_at", *ATTENDANCE_COUNTERS])


def _sync_certificate(enrolment: Enrolment, cohort: Cohort) -> bool:
    """Completion earns a valid certificate, issued on the cohort's last day; nothing else keeps one."""
    certificate = enrolment.certificate
    if enrolment.status is not EnrolmentStatus.COMPLETED:
        if certificate is None or not certificate.valid:
            return False
        certificates.revoke(enrolment)
        return True
    if certificate is not None:
        if certificate.valid:
            return False
        certificates.issue(enrolment)  # reinstates it, number and date unchanged
        return True
    certificate = certificates.issue(enrolment)
    issued = certificate.issued_on
    certificate.issued_on = cohort.ends_on
    certificate.number = certificate.number.replace(f"-{issued.year}-", f"-{cohort.ends_on.year}-", 1)
    return True


def _sync_counters(cohorts: dict[str, Cohort], outcomes: Outcomes) -> None:
    """Set each cohort's and allocation's `seats_taken` to the seat-holding enrolments they count."""
    rows = db.session.execute(
        sa.select(Enrolment.cohort_id, Enrolment.institution_id, sa.func.count())
        .where(
            Enrolment.cohort_id.in_([c.id for c in cohorts.values()]),
            Enrolment.status.in_(SEAT_HOLDING),
        )
        .group_by(Enrolment.cohort_id, Enrolment.institution_id)
        .order_by(Enrolment.cohort_id)
    )
    held = {
        cohort_id: {institution_id: n for _, institution_id, n in group}
        for cohort_id, group in groupby(rows, key=lambda row: row[0])
    }
    for code, cohort in cohorts.items():
        counts = held.get(cohort.id, {})
        changed = apply_changes(cohort, {"seats_taken": sum(counts.values())})
        for allocation in cohort.seat_allocations:
            changed = (
                apply_changes(allocation, {"seats_taken": counts.get(allocation.institution_id, 0)})
                or changed
            )
        if changed:
            _touch(outcomes, ("cohort", code))


def load_cohorts(
    institutions: dict[str, Institution],
    programmes: dict[str, Programme],
    agreements: dict[str, Agreement],
    curricula: dict[CurriculumKey, Curriculum],
) -> Outcomes:
    """Upsert the participants, cohorts, sessions, enrolments, attendance and certificates."""
    outcomes: Outcomes = {}
    participants = _load_participants(institutions, outcomes)
    seats = _seats_in_data()
    cohorts: dict[str, Cohort] = {}
    for entry in COHORTS:
        values = _cohort_values(entry, institutions, programmes, agreements, curricula)
        cohorts[entry["code"]], outcome = _upsert_cohort(entry, values, institutions, seats)
        outcomes[("cohort", entry["code"])] = outcome
    db.session.flush()
    sessions = {
        entry["code"]: _sync_sessions(cohorts[entry["code"]], entry, participants, outcomes)
        for entry in COHORTS
    }
    stored = {
        (e.cohort_id, e.participant_id): e
        for e in db.session.scalars(
            sa.select(Enrolment).where(Enrolment.cohort_id.in_([c.id for c in cohorts.values()]))
        )
    }
    enrolments: dict[EnrolmentKey, Enrolment] = {}
    for entry in ENROLMENTS:
        key = (entry["cohort"], entry["participant"])
        enrolments[key], outcome = _upsert_enrolment(
            entry, cohorts[entry["cohort"]], participants[entry["participant"]], stored
        )
        outcomes[("enrolment", *key)] = outcome
    db.session.flush()
    _sync_attendance(sessions, enrolments, outcomes)
    for (code, participant), enrolment in enrolments.items():
        if _sync_certificate(enrolment, cohorts[code]):
            _touch(outcomes, ("enrolment", code, participant))
    db.session.flush()
    _sync_counters(cohorts, outcomes)
    db.session.flush()
    return outcomes
