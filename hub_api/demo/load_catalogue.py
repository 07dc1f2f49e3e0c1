"""Load the demo catalogue: programmes, agreements, curriculum versions and their adoptions."""

import copy
from datetime import date

import sqlalchemy as sa

from hub_api.demo.load_common import apply_changes
from hub_api.extensions import db
from hub_api.models import (
    Agreement,
    AgreementCommitment,
    AgreementParty,
    AgreementTransition,
    Curriculum,
    CurriculumAdoption,
    CurriculumModule,
    Institution,
    Programme,
    ProgrammeTarget,
)
from hub_api.models.base import utcnow
from hub_api.models.enums import AgreementStatus, CurriculumStatus, PartyRole

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
# Who the loader's lifecycle moves are by; only these transition rows are the loader's to manage.
DEMO_ACTOR = "demo"


def upsert_programme(entry: dict, institutions: dict[str, Institution]) -> tuple[Programme, str]:
    """Add or update a demo programme with its donors, implementers and targets; return it and the outcome."""
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
    changed = apply_changes(programme, values)
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
            changed = apply_changes(stored[institution_id], values) or changed
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


def upsert_agreement(
    entry: dict,
    institutions: dict[str, Institution],
    programmes: dict[str, Programme],
    agreements: dict[str, Agreement],
) -> tuple[Agreement, str]:
    """Add or update a demo agreement with its parties, commitments and moves; return it and the outcome."""
    values = _agreement_values(entry, programmes, agreements)
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.reference == entry["reference"]))
    if agreement is None:
        agreement = Agreement(**copy.deepcopy(values))
        db.session.add(agreement)
        outcome = "added"
    else:
        outcome = "updated" if apply_changes(agreement, values) else "unchanged"
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
            changed = apply_changes(row, values) or changed
    return changed


def upsert_curriculum(
    entry: dict, institutions: dict[str, Institution], curricula: dict[CurriculumKey, Curriculum]
) -> tuple[Curriculum, str]:
    """Add or update a demo curriculum version with its modules; return it and the outcome."""
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
    changed = apply_changes(curriculum, values)
    if _sync_modules(curriculum, entry):
        if not changed:
            # As the API does: a module-only change still counts as a change (ETag, sync).
            curriculum.updated_at = utcnow()
        changed = True
    return curriculum, "updated" if changed else "unchanged"


def upsert_adoption(
    entry: dict,
    institutions: dict[str, Institution],
    agreements: dict[str, Agreement],
    curricula: dict[CurriculumKey, Curriculum],
) -> str:
    """Add or update a demo adoption of a curriculum version by an institution; return the outcome."""
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
    return "updated" if apply_changes(adoption, values) else "unchanged"
