"""Idempotent loader of the demo data set: partners, programmes, agreements, curricula, cohorts, accounts.

Partners are institutions with their contacts; curricula come with their modules and adoptions;
cohorts with their seat allocations and sessions (trainers, attendance); participants with their
enrolments and the certificates completion earns.

Both functions run inside an app context, only add and flush (the caller commits), and touch a
row only when its stored values differ from the data set, so a second run changes nothing.
Rows the data set does not list (contacts, sessions, participants or enrolments added through the
API) are left alone, and the seat counters count them too.
"""

import copy
from datetime import date
from itertools import groupby

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from hub_api.auth import tokens
from hub_api.auth.passwords import hash_secret, needs_rehash, verify_secret
from hub_api.demo.agreements import AGREEMENTS
from hub_api.demo.cohorts import COHORTS
from hub_api.demo.curricula import ADOPTIONS, CURRICULA
from hub_api.demo.institutions import DEMO_ACCOUNTS, INSTITUTIONS
from hub_api.demo.participants import ENROLMENTS, PARTICIPANTS
from hub_api.demo.programmes import PROGRAMMES
from hub_api.extensions import db
from hub_api.models import (
    Agreement,
    AgreementCommitment,
    AgreementParty,
    AgreementTransition,
    Attendance,
    Cohort,
    CohortSession,
    Contact,
    Curriculum,
    CurriculumAdoption,
    CurriculumModule,
    Enrolment,
    Institution,
    Participant,
    Programme,
    ProgrammeTarget,
    SeatAllocation,
    User,
)
from hub_api.models.base import utcnow
from hub_api.models.enrolment import CONFIRMED, SEAT_HOLDING
from hub_api.models.enums import (
    AgreementStatus,
    CurriculumStatus,
    EnrolmentStatus,
    InstitutionStatus,
    PartyRole,
)
from hub_api.schemas.users import PASSWORD
from hub_api.services import certificates

# Institution fields the data set owns, with the value an entry that omits them gets.
INSTITUTION_DEFAULTS = {
    "short_name": None,
    "region": None,
    "city": None,
    "website": None,
    "email": None,
    "status": InstitutionStatus.ACTIVE,
    "external_ids": {},
}
CONTACT_DEFAULTS = {"position": None, "email": None, "phone": None, "roles": []}
PROGRAMME_DEFAULTS = {"description": None, "starts_on": None, "ends_on": None}
AGREEMENT_DEFAULTS = {
    "areas": [],
    "signed_place": None,
    "effective_from": None,
    "expires_on": None,
    "auto_renew": False,
    "notes": None,
}
CURRICULUM_DEFAULTS = {
    "summary": None,
    "languages": [],
    "delivery_modes": [],
    "audiences": [],
    "standards": [],
    "published_at": None,
    "retired_at": None,
}
ADOPTION_DEFAULTS = {"local_title": None, "notes": None}
PARTICIPANT_DEFAULTS = {"position": None, "region": None, "email": None, "is_trainer": False}
# Who the loader's lifecycle moves are by; only these transition rows are the loader's to manage.
DEMO_ACTOR = "demo"


def _apply(obj, values: dict) -> bool:
    """Set the attributes whose stored value differs; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, copy.deepcopy(value))
            changed = True
    return changed


def _institution_values(entry: dict, parent_id: int | None) -> dict:
    values = {**INSTITUTION_DEFAULTS, **entry, "parent_id": parent_id}
    values.pop("parent", None)
    values.pop("contacts", None)
    return values


def _contact_values(entry: dict) -> dict:
    return {**CONTACT_DEFAULTS, **entry}


def _by_code(code: str) -> Institution | None:
    return db.session.scalar(sa.select(Institution).where(Institution.code == code))


def _upsert_institution(entry: dict, loaded: dict[str, Institution]) -> tuple[Institution, str]:
    parent_code = entry.get("parent")
    if parent_code is not None and parent_code not in loaded:
        raise ValueError(f"Demo institution {entry['code']}: list parent {parent_code} before it.")
    parent_id = loaded[parent_code].id if parent_code else None
    values = _institution_values(entry, parent_id)
    institution = _by_code(entry["code"])
    if institution is None:
        institution = Institution(**copy.deepcopy(values))
        db.session.add(institution)
        db.session.flush()  # its id is needed by sub-units and contacts
        return institution, "added"
    return institution, "updated" if _apply(institution, values) else "unchanged"


def _upsert_contact(institution: Institution, entry: dict) -> str:
    values = _contact_values(entry)
    contact = db.session.scalars(
        sa.select(Contact)
        .where(Contact.institution_id == institution.id, Contact.name == entry["name"])
        .order_by(Contact.id)
    ).first()
    if contact is None:
        db.session.add(Contact(institution_id=institution.id, **copy.deepcopy(values)))
        return "added"
    return "updated" if _apply(contact, values) else "unchanged"


def _upsert_programme(entry: dict, institutions: dict[str, Institution]) -> tuple[Programme, str]:
    values = {
        **PROGRAMME_DEFAULTS,
        **{k: v for k, v in entry.items() if k not in ("donors", "implementers", "targets")},
    }
    donors = [institutions[code] for code in entry.get("donors", ())]
    implementers = [institutions[code] for code in entry.get("implementers", ())]
    targets = dict(entry.get("targets", {}))
    programme = db.session.scalar(sa.select(Programme).where(Programme.code == entry["code"]))
    if programme is None:
        programme = Programme(
            **copy.deepcopy(values),
            donors=donors,
            implementers=implementers,
            targets=[ProgrammeTarget(metric=m, target=t) for m, t in targets.items()],
        )
        db.session.add(programme)
        return programme, "added"
    changed = _apply(programme, values)
    for attribute, wanted in (("donors", donors), ("implementers", implementers)):
        if {i.id for i in getattr(programme, attribute)} != {i.id for i in wanted}:
            setattr(programme, attribute, wanted)
            changed = True
    stored = {t.metric: t for t in programme.targets}
    for metric, target in targets.items():
        if metric not in stored:
            programme.targets.append(ProgrammeTarget(metric=metric, target=target))
            changed = True
        elif stored[metric].target != target:
            stored[metric].target = target
            changed = True
    for metric, row in stored.items():
        if metric not in targets:
            programme.targets.remove(row)
            changed = True
    return programme, "updated" if changed else "unchanged"


def agreement_status(entry: dict) -> AgreementStatus:
    """The stored status a demo agreement entry implies: its last lifecycle move, else draft."""
    history = entry.get("history", ())
    return history[-1][0] if history else AgreementStatus.DRAFT


def agreement_signed_on(entry: dict) -> date | None:
    """The signing date a demo agreement entry implies: the date of its move to `signed`."""
    return next((on for to, on, _note in entry.get("history", ()) if to is AgreementStatus.SIGNED), None)


def _transitions(entry: dict) -> list[tuple]:
    """(from, to, on, note) for each lifecycle move of the entry, starting from draft."""
    steps, current = [], AgreementStatus.DRAFT
    for to, on, note in entry.get("history", ()):
        steps.append((current, to, on, note))
        current = to
    return steps


def _agreement_values(entry: dict, programmes: dict[str, Programme], agreements: dict) -> dict:
    predecessor = entry.get("predecessor")
    if predecessor is not None and predecessor not in agreements:
        raise ValueError(f"Demo agreement {entry['reference']}: list predecessor {predecessor} before it.")
    programme = entry.get("programme")
    skipped = ("programme", "predecessor", "parties", "commitments", "history")
    return {
        **AGREEMENT_DEFAULTS,
        **{k: v for k, v in entry.items() if k not in skipped},
        "status": agreement_status(entry),
        "signed_on": agreement_signed_on(entry),
        "programme_id": programmes[programme].id if programme else None,
        "predecessor_id": agreements[predecessor].id if predecessor else None,
    }


def _sync_parties(agreement: Agreement, entry: dict, institutions: dict[str, Institution]) -> bool:
    wanted = {}
    for party in entry["parties"]:
        values = {k: v for k, v in party.items() if k != "institution"}
        wanted[institutions[party["institution"]].id] = values
    changed = False
    stored = {p.institution_id: p for p in agreement.parties}
    for party in list(agreement.parties):
        if party.institution_id not in wanted:
            agreement.parties.remove(party)
            changed = True
    for institution_id, values in wanted.items():
        if institution_id in stored:
            changed = _apply(stored[institution_id], values) or changed
        else:
            agreement.parties.append(AgreementParty(institution_id=institution_id, **values))
            changed = True
    return changed


def _sync_commitments(agreement: Agreement, entry: dict) -> bool:
    wanted = {(c["metric"], c["per"]): c["target"] for c in entry.get("commitments", ())}
    changed = False
    stored = {(c.metric, c.per): c for c in agreement.commitments}
    for key, row in stored.items():
        if key not in wanted:
            agreement.commitments.remove(row)
            changed = True
    for (metric, per), target in wanted.items():
        row = stored.get((metric, per))
        if row is None:
            agreement.commitments.append(AgreementCommitment(metric=metric, per=per, target=target))
            changed = True
        elif row.target != target:
            row.target = target
            changed = True
    return changed


def _sync_transitions(agreement: Agreement, entry: dict) -> bool:
    """Make the loader's own transition rows match the entry's history; others stay untouched."""
    rows = db.session.scalars(
        sa.select(AgreementTransition)
        .where(
            AgreementTransition.agreement_id == agreement.id,
            AgreementTransition.actor_label == DEMO_ACTOR,
        )
        .order_by(AgreementTransition.id)
    ).all()
    wanted = _transitions(entry)
    if [(r.from_status, r.to_status, r.on, r.note) for r in rows] == wanted:
        return False
    for row in rows:
        db.session.delete(row)
    for from_status, to_status, on, note in wanted:
        db.session.add(
            AgreementTransition(
                agreement_id=agreement.id,
                from_status=from_status,
                to_status=to_status,
                on=on,
                note=note,
                actor_label=DEMO_ACTOR,
            )
        )
    return True


def _upsert_agreement(
    entry: dict,
    institutions: dict[str, Institution],
    programmes: dict[str, Programme],
    agreements: dict[str, Agreement],
) -> tuple[Agreement, str]:
    values = _agreement_values(entry, programmes, agreements)
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.reference == entry["reference"]))
    if agreement is None:
        agreement = Agreement(**copy.deepcopy(values))
        db.session.add(agreement)
        outcome = "added"
    else:
        outcome = "updated" if _apply(agreement, values) else "unchanged"
    changed = _sync_parties(agreement, entry, institutions)
    changed = _sync_commitments(agreement, entry) or changed
    db.session.flush()  # its id is needed by its transitions and its renewal
    changed = _sync_transitions(agreement, entry) or changed
    if changed and outcome == "unchanged":
        outcome = "updated"
    return agreement, outcome


CurriculumKey = tuple[str, int]


def _curriculum_values(
    entry: dict, institutions: dict[str, Institution], curricula: dict[CurriculumKey, Curriculum]
) -> dict:
    label = f"Demo curriculum {entry['code']} v{entry['number']}"
    source = entry.get("derived_from")
    if source is not None and source not in curricula:
        raise ValueError(f"{label}: list its source {source[0]} v{source[1]} before it.")
    if entry["status"] is not CurriculumStatus.DRAFT and entry.get("published_at") is None:
        raise ValueError(f"{label}: a {entry['status'].value} version needs `published_at`.")
    if not entry.get("modules"):
        raise ValueError(f"{label}: give it at least one module.")
    skipped = ("owner", "derived_from", "modules")
    return {
        **CURRICULUM_DEFAULTS,
        **{k: v for k, v in entry.items() if k not in skipped},
        "owner_institution_id": institutions[entry["owner"]].id,
        "derived_from_id": curricula[source].id if source else None,
    }


def _module_values(entry: dict) -> dict[int, dict]:
    """The entry's modules by position: 1, 2, ... in the order listed."""
    return {position: dict(module) for position, module in enumerate(entry["modules"], start=1)}


def _sync_modules(curriculum: Curriculum, entry: dict) -> bool:
    wanted = _module_values(entry)
    stored = {m.position: m for m in curriculum.modules}
    changed = False
    for position, row in stored.items():
        if position not in wanted:
            curriculum.modules.remove(row)
            changed = True
    for position, values in wanted.items():
        row = stored.get(position)
        if row is None:
            curriculum.modules.append(CurriculumModule(position=position, **copy.deepcopy(values)))
            changed = True
        else:
            changed = _apply(row, values) or changed
    return changed


def _upsert_curriculum(
    entry: dict, institutions: dict[str, Institution], curricula: dict[CurriculumKey, Curriculum]
) -> tuple[Curriculum, str]:
    values = _curriculum_values(entry, institutions, curricula)
    curriculum = db.session.scalar(
        sa.select(Curriculum).where(Curriculum.code == entry["code"], Curriculum.number == entry["number"])
    )
    if curriculum is None:
        modules = [
            CurriculumModule(position=position, **copy.deepcopy(module))
            for position, module in _module_values(entry).items()
        ]
        curriculum = Curriculum(**copy.deepcopy(values), modules=modules)
        db.session.add(curriculum)
        db.session.flush()  # its id is needed by its adaptations and adoptions
        return curriculum, "added"
    changed = _apply(curriculum, values)
    if _sync_modules(curriculum, entry):
        if not changed:
            # As the API does: a module-only change still counts as a change (ETag, sync).
            curriculum.updated_at = utcnow()
        changed = True
    return curriculum, "updated" if changed else "unchanged"


def _upsert_adoption(
    entry: dict,
    institutions: dict[str, Institution],
    agreements: dict[str, Agreement],
    curricula: dict[CurriculumKey, Curriculum],
) -> str:
    code, number = entry["curriculum"]
    label = f"Demo adoption of {code} v{number} by {entry['institution']}"
    curriculum = curricula[entry["curriculum"]]
    if curriculum.status is CurriculumStatus.DRAFT:
        raise ValueError(f"{label}: a draft cannot be adopted.")
    institution = institutions[entry["institution"]]
    reference = entry.get("agreement")
    agreement = agreements[reference] if reference else None
    if agreement is not None and institution.id not in {
        p.institution_id for p in agreement.parties if p.role is PartyRole.PARTY
    }:
        raise ValueError(f"{label}: {entry['institution']} is not a party to {reference}.")
    skipped = ("curriculum", "institution", "agreement")
    values = {
        **ADOPTION_DEFAULTS,
        **{k: v for k, v in entry.items() if k not in skipped},
        "agreement_id": agreement.id if agreement else None,
    }
    adoption = db.session.scalar(
        sa.select(CurriculumAdoption).where(
            CurriculumAdoption.curriculum_id == curriculum.id,
            CurriculumAdoption.institution_id == institution.id,
        )
    )
    if adoption is None:
        db.session.add(
            CurriculumAdoption(curriculum_id=curriculum.id, institution_id=institution.id, **values)
        )
        return "added"
    return "updated" if _apply(adoption, values) else "unchanged"


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
    return participant, "updated" if _apply(participant, values) else "unchanged"


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
            changed = _apply(allocation, {"seats": seats}) or changed
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
    changed = _apply(cohort, values)
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
            changed = _apply(session, values)
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
    return enrolment, "updated" if _apply(enrolment, values) else "unchanged"


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
    for key, row in stored.items():
        if key not in wanted and key[1] in demo_enrolment_ids:
            db.session.delete(row)
            _touch(outcomes, ("session", *starts[key[0]]))
    for (session_id, enrolment_id), values in wanted.items():
        row = stored.get((session_id, enrolment_id))
        if row is None:
            db.session.add(Attendance(session_id=session_id, enrolment_id=enrolment_id, **values))
        elif not _apply(row, values):
            continue
        _touch(outcomes, ("session", *starts[session_id]))


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
        changed = _apply(cohort, {"seats_taken": sum(counts.values())})
        for allocation in cohort.seat_allocations:
            changed = _apply(allocation, {"seats_taken": counts.get(allocation.institution_id, 0)}) or changed
        if changed:
            _touch(outcomes, ("cohort", code))


def _load_cohorts(
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


def load_demo() -> str:
    """Load or refresh the demo partners, programmes, agreements, curricula, cohorts and participants.

    Return a one-line summary.
    """
    outcomes = {"added": 0, "updated": 0, "unchanged": 0}
    loaded: dict[str, Institution] = {}
    contacts = 0
    for entry in INSTITUTIONS:
        institution, outcome = _upsert_institution(entry, loaded)
        loaded[entry["code"]] = institution
        outcomes[outcome] += 1
        for contact_entry in entry.get("contacts", ()):
            outcomes[_upsert_contact(institution, contact_entry)] += 1
            contacts += 1
    db.session.flush()
    programmes: dict[str, Programme] = {}
    for entry in PROGRAMMES:
        programme, outcome = _upsert_programme(entry, loaded)
        programmes[entry["code"]] = programme
        outcomes[outcome] += 1
    db.session.flush()
    agreements: dict[str, Agreement] = {}
    for entry in AGREEMENTS:
        agreement, outcome = _upsert_agreement(entry, loaded, programmes, agreements)
        agreements[entry["reference"]] = agreement
        outcomes[outcome] += 1
    db.session.flush()
    curricula: dict[CurriculumKey, Curriculum] = {}
    for entry in CURRICULA:
        curriculum, outcome = _upsert_curriculum(entry, loaded, curricula)
        curricula[(entry["code"], entry["number"])] = curriculum
        outcomes[outcome] += 1
    db.session.flush()
    for entry in ADOPTIONS:
        outcomes[_upsert_adoption(entry, loaded, agreements, curricula)] += 1
    db.session.flush()
    for outcome in _load_cohorts(loaded, programmes, agreements, curricula).values():
        outcomes[outcome] += 1
    sessions = sum(len(entry["sessions"]) for entry in COHORTS)
    return (
        f"{len(loaded)} institutions, {contacts} contacts, {len(programmes)} programmes, "
        f"{len(agreements)} agreements, {len(curricula)} curriculum versions, {len(ADOPTIONS)} adoptions, "
        f"{len(PARTICIPANTS)} participants, {len(COHORTS)} cohorts, {sessions} sessions, "
        f"{len(ENROLMENTS)} enrolments ({outcomes['added']} added, {outcomes['updated']} updated)"
    )


def _password_matches(user: User, password: str) -> bool:
    return verify_secret(user.password_hash, password) and not needs_rehash(user.password_hash)


def reset_demo_accounts(password: str) -> list[tuple[str, str]]:
    """Create or reset the demo accounts with `password`; return (email, role) pairs."""
    try:
        PASSWORD(password)
    except ValidationError as exc:
        raise ValueError(f"Demo password rejected: {' '.join(exc.messages)}") from exc
    accounts = []
    for email, full_name, role, institution_code in DEMO_ACCOUNTS:
        institution_id = None
        if institution_code is not None:
            institution = _by_code(institution_code)
            if institution is None:
                raise LookupError(f"Institution {institution_code} is missing; run load_demo() first.")
            institution_id = institution.id
        values = {
            "full_name": full_name,
            "role": role,
            "institution_id": institution_id,
            "is_active": True,
        }
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            db.session.add(User(email=email, password_hash=hash_secret(password), **values))
        else:
            password_changed = not _password_matches(user, password)
            if password_changed:
                values["password_hash"] = hash_secret(password)
            _apply(user, values)
            db.session.flush()
            if password_changed:
                # As when an admin changes a password: sessions signed in with the old one end.
                tokens.revoke_all_for(user=user, reason="account_changed")
        accounts.append((email, role.value))
    db.session.flush()
    return accounts
