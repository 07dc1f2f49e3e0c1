"""Cohort rules: a published curriculum, allocations within capacity, and a one-way lifecycle."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from hub_api.access.objects import ensure_can_move_cohort, ensure_hosts_cohort
from hub_api.auth.principal import Principal
from hub_api.errors import Conflict, ValidationFailed
from hub_api.extensions import db
from hub_api.models import (
    Agreement,
    Cohort,
    Curriculum,
    Enrolment,
    Institution,
    Programme,
    SeatAllocation,
)
from hub_api.models.base import utcnow
from hub_api.models.enrolment import SEAT_HOLDING
from hub_api.models.enums import CohortStatus, CurriculumStatus
from hub_api.queries import search_matches
from hub_api.services.institutions import check_country
from hub_api.services.lookups import get_or_404, require_reference
from hub_api.webhooks import outbox

NEXT_STATUSES = {
    CohortStatus.PLANNED: (CohortStatus.OPEN, CohortStatus.CANCELLED),
    CohortStatus.OPEN: (CohortStatus.IN_PROGRESS, CohortStatus.CANCELLED),
    CohortStatus.IN_PROGRESS: (CohortStatus.COMPLETED, CohortStatus.CANCELLED),
    CohortStatus.COMPLETED: (),
    CohortStatus.CANCELLED: (),
}
FINAL_STATUSES = (CohortStatus.COMPLETED, CohortStatus.CANCELLED)


def has_seats_for(institution_id: int):
    """An open cohort where this institution can still take a seat.

    With allocations, only an allocated institution with seats left can; without, anyone while
    the cohort has room."""
    allocation = sa.select(SeatAllocation.id).where(SeatAllocation.cohort_id == Cohort.id)
    own_room = allocation.where(
        SeatAllocation.institution_id == institution_id,
        SeatAllocation.seats_taken < SeatAllocation.seats,
    ).exists()
    return sa.and_(
        Cohort.status == CohortStatus.OPEN,
        Cohort.seats_taken < Cohort.capacity,
        sa.or_(~allocation.exists(), own_room),
    )


def cohorts_query(filters: dict) -> sa.Select:
    """Cohorts matching the list filters, allocations loaded."""
    stmt = sa.select(Cohort).options(selectinload(Cohort.seat_allocations))
    for name in (
        "status",
        "kind",
        "host_institution_id",
        "programme_id",
        "agreement_id",
        "curriculum_id",
        "delivery_mode",
        "country",
    ):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Cohort, name) == filters[name])
    if filters.get("starts_from") is not None:
        stmt = stmt.where(Cohort.starts_on >= filters["starts_from"])
    if filters.get("starts_to") is not None:
        stmt = stmt.where(Cohort.starts_on <= filters["starts_to"])
    if filters.get("has_seats_for") is not None:
        stmt = stmt.where(has_seats_for(filters["has_seats_for"]))
    if filters.get("q"):
        stmt = stmt.where(search_matches(Cohort.search_text, filters["q"]))
    return stmt


def get_cohort(cohort_id: int) -> Cohort:
    """The cohort, or 404."""
    return get_or_404(Cohort, cohort_id, label="cohort")


def lock(cohort: Cohort) -> None:
    """Reload the cohort under a row lock: seat changes and other edits of it wait their turn."""
    db.session.refresh(cohort, with_for_update=True)


def _check_code_free(code: str, cohort_id: int | None = None) -> None:
    clash = db.session.scalar(sa.select(Cohort.id).where(Cohort.code == code, Cohort.id != cohort_id))
    if clash is not None:
        raise Conflict(f"Cohort code {code} is already used.", errors={"code": ["Already used."]})


def _check_curriculum(curriculum_id: int) -> None:
    curriculum = require_reference(Curriculum, curriculum_id, field="curriculum_id", label="curriculum")
    if curriculum.status is not CurriculumStatus.PUBLISHED:
        raise ValidationFailed(
            f"Curriculum {curriculum_id} is {curriculum.status.value}; a cohort needs a published version.",
            errors={"curriculum_id": [f"Not published (it is {curriculum.status.value})."]},
        )


def _check_agreement(agreement_id: int | None, host_institution_id: int) -> None:
    agreement = require_reference(Agreement, agreement_id, field="agreement_id", label="agreement")
    if agreement is not None and host_institution_id not in {p.institution_id for p in agreement.parties}:
        raise ValidationFailed(
            "The host institution is not a party to that agreement.",
            errors={"agreement_id": [f"Institution {host_institution_id} is not among its parties."]},
        )


def _seats_held_by(cohort_id: int) -> dict[int, int]:
    """Seats held in the cohort per participant institution."""
    rows = db.session.execute(
        sa.select(Enrolment.institution_id, sa.func.count())
        .where(Enrolment.cohort_id == cohort_id, Enrolment.status.in_(SEAT_HOLDING))
        .group_by(Enrolment.institution_id)
    )
    return dict(rows.all())


def _replace_allocations(cohort: Cohort, specs: list[dict]) -> None:
    """Replace the allocations; an institution keeps the seats its participants already hold."""
    for spec in specs:
        require_reference(Institution, spec["institution_id"], field="seat_allocations", label="institution")
    held = _seats_held_by(cohort.id) if cohort.id is not None else {}
    wanted = {spec["institution_id"]: spec["seats"] for spec in specs}
    if specs:  # with allocations, an institution left out is one allocated no seats at all
        wanted.update({i: 0 for i in held if i not in wanted})
    for institution_id, seats in wanted.items():
        taken = held.get(institution_id, 0)
        if taken > seats:
            raise Conflict(
                f"Institution {institution_id} already holds {taken} seats; "
                f"its allocation cannot drop to {seats}.",
                errors={"seat_allocations": ["Below the seats already taken."]},
            )
    existing = {a.institution_id: a for a in cohort.seat_allocations}
    allocations = []
    for spec in sorted(specs, key=lambda s: s["institution_id"]):  # listed as they are read back
        taken = held.get(spec["institution_id"], 0)
        allocation = existing.pop(spec["institution_id"], None) or SeatAllocation(
            institution_id=spec["institution_id"]
        )
        allocation.seats, allocation.seats_taken = spec["seats"], taken
        allocations.append(allocation)
    for dropped in existing.values():
        db.session.delete(dropped)  # explicit, so the audit trail records the removal
    cohort.seat_allocations = allocations


def _apply(cohort: Cohort, data: dict) -> None:
    data = dict(data)
    host_id = data.get("host_institution_id", cohort.host_institution_id)
    host = require_reference(Institution, host_id, field="host_institution_id", label="institution")
    if "curriculum_id" in data and data["curriculum_id"] != cohort.curriculum_id:
        _check_curriculum(data["curriculum_id"])
    require_reference(Programme, data.get("programme_id"), field="programme_id", label="programme")
    if "agreement_id" in data or "host_institution_id" in data:
        _check_agreement(data.get("agreement_id", cohort.agreement_id), host_id)
    check_country(data.get("country"))
    if data.get("country") is None and cohort.country is None:
        data["country"] = host.country
    allocations = data.pop("seat_allocations", None)
    for key, value in data.items():
        setattr(cohort, key, value)
    if cohort.ends_on < cohort.starts_on:
        raise ValidationFailed(
            "The cohort cannot end before it starts.", errors={"ends_on": ["Before starts_on."]}
        )
    # Before any query below autoflushes the new capacity into the database's CHECK constraint.
    if cohort.seats_taken > cohort.capacity:
        raise Conflict(
            f"{cohort.seats_taken} seats are already taken; the capacity cannot drop to {cohort.capacity}.",
            errors={"capacity": ["Below the seats already taken."]},
        )
    if allocations is not None:
        _replace_allocations(cohort, allocations)
    allocated = sum(a.seats for a in cohort.seat_allocations)
    if allocated > cohort.capacity:
        raise ValidationFailed(
            f"The allocations add up to {allocated} seats, more than the capacity of {cohort.capacity}.",
            errors={"seat_allocations": ["More seats than the capacity."]},
        )


def create_cohort(*, principal: Principal, data: dict) -> Cohort:
    """Create a planned cohort; coordinators only for their own institution."""
    ensure_hosts_cohort(principal, data["host_institution_id"])
    _check_code_free(data["code"])
    cohort = Cohort(status=CohortStatus.PLANNED, seats_taken=0, seat_allocations=[])
    _apply(cohort, data)
    db.session.add(cohort)
    db.session.flush()
    return cohort


def update_cohort(*, principal: Principal, cohort: Cohort, changes: dict) -> Cohort:
    """Change a cohort that is not yet completed or cancelled."""
    ensure_hosts_cohort(principal, cohort.host_institution_id)
    lock(cohort)
    new_host = changes.get("host_institution_id", cohort.host_institution_id)
    if new_host != cohort.host_institution_id:
        ensure_can_move_cohort(principal)
    if cohort.status in FINAL_STATUSES:
        raise Conflict(f"The cohort is {cohort.status.value}; it can no longer change.")
    new_curriculum = changes.get("curriculum_id", cohort.curriculum_id)
    if new_curriculum != cohort.curriculum_id and cohort.status is not CohortStatus.PLANNED:
        raise Conflict("The curriculum can change only while the cohort is planned.")
    if "code" in changes:
        _check_code_free(changes["code"], cohort.id)
    _apply(cohort, changes)
    cohort.updated_at = utcnow()  # allocation-only changes still count as a change (ETag, sync)
    db.session.flush()
    return cohort


def delete_cohort(*, principal: Principal, cohort: Cohort) -> None:
    """Remove a planned cohort that has no enrolments."""
    ensure_hosts_cohort(principal, cohort.host_institution_id)
    if cohort.status is not CohortStatus.PLANNED:
        raise Conflict(f"Only planned cohorts can be deleted; this one is {cohort.status.value}. Cancel it.")
    if db.session.scalar(sa.select(Enrolment.id).where(Enrolment.cohort_id == cohort.id).limit(1)):
        raise Conflict("The cohort has enrolments; cancel it instead.")
    db.session.delete(cohort)
    db.session.flush()


def transition(*, principal: Principal, cohort: Cohort, to) -> Cohort:
    """Move the cohort along its lifecycle, or 409 naming the moves allowed from here."""
    ensure_hosts_cohort(principal, cohort.host_institution_id)
    lock(cohort)
    allowed = NEXT_STATUSES[cohort.status]
    if to not in allowed:
        names = ", ".join(s.value for s in allowed) or "none (the cohort is final)"
        raise Conflict(
            f"A cohort that is {cohort.status.value} cannot move to {to.value}; allowed: {names}.",
            errors={"to": [f"Allowed: {names}"]},
        )
    cohort.status = to
    db.session.flush()
    outbox.cohort_moved(cohort)
    return cohort
