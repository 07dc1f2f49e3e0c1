"""Seat accounting: atomic, conditional counter updates that hold capacity under any concurrency.

Every change locks the cohort row first and the allocation row second, always in that order, so
concurrent enrolments, withdrawals and cohort changes queue up instead of deadlocking. A seat is
taken only by an UPDATE whose WHERE clause re-checks the room left, and CHECK constraints on both
counters back it up in the database."""

import sqlalchemy as sa

from hub_api.errors import Conflict
from hub_api.extensions import db
from hub_api.models import Cohort, SeatAllocation
from hub_api.models.base import utcnow
from hub_api.models.enums import CohortStatus


def _bump_cohort(cohort: Cohort, delta: int, *conditions) -> bool:
    """Change the cohort's seat counter (a new version for ETags) where the conditions hold."""
    result = db.session.execute(
        sa.update(Cohort)
        .where(Cohort.id == cohort.id, *conditions)
        .values(seats_taken=Cohort.seats_taken + delta, version=Cohort.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(cohort, ["seats_taken", "version", "updated_at"])
    return result.rowcount == 1


def _bump_allocation(cohort_id: int, institution_id: int, delta: int, *conditions) -> bool:
    result = db.session.execute(
        sa.update(SeatAllocation)
        .where(
            SeatAllocation.cohort_id == cohort_id,
            SeatAllocation.institution_id == institution_id,
            *conditions,
        )
        .values(seats_taken=SeatAllocation.seats_taken + delta)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _has_allocations(cohort_id: int) -> bool:
    return (
        db.session.scalar(sa.select(SeatAllocation.id).where(SeatAllocation.cohort_id == cohort_id).limit(1))
        is not None
    )


def take(cohort: Cohort, institution_id: int) -> None:
    """Take a seat for a participant of `institution_id`, or 409 and change nothing."""
    took = _bump_cohort(cohort, +1, Cohort.status == CohortStatus.OPEN, Cohort.seats_taken < Cohort.capacity)
    if not took:
        db.session.refresh(cohort)
        if cohort.status is not CohortStatus.OPEN:
            raise Conflict(f"The cohort is {cohort.status.value}; nominations need an open cohort.")
        raise Conflict(f"The cohort is full: all {cohort.capacity} seats are taken.")
    if not _has_allocations(cohort.id):
        return
    if _bump_allocation(cohort.id, institution_id, +1, SeatAllocation.seats_taken < SeatAllocation.seats):
        return
    _bump_cohort(cohort, -1)  # give back the seat taken above; we still hold the row lock
    seats = db.session.scalar(
        sa.select(SeatAllocation.seats).where(
            SeatAllocation.cohort_id == cohort.id, SeatAllocation.institution_id == institution_id
        )
    )
    if seats is None:
        raise Conflict(f"Institution {institution_id} has no seats allocated in this cohort.")
    raise Conflict(f"Institution {institution_id} has used all {seats} of its allocated seats.")


def release(cohort: Cohort, institution_id: int) -> None:
    """Give back a seat held by a participant of `institution_id`."""
    _bump_cohort(cohort, -1, Cohort.seats_taken > 0)
    _bump_allocation(cohort.id, institution_id, -1, SeatAllocation.seats_taken > 0)
