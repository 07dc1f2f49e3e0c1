"""Rows of the planned cohorts, their seat allocations, sessions and session trainers."""

from collections.abc import Iterator

from hub_api.generator.cohorts import BLENDED, IN_PERSON, Cohort
from hub_api.generator.context import Context, json_text, search_text
from hub_api.generator.participants import People
from hub_api.generator.tables import Table, numbered

TRAINER_SHARE = 0.8  # of sessions with a trainer from the host's own staff, where it has some
COLUMNS = (
    "id", "code", "title", "kind", "status", "curriculum_id", "host_institution_id", "programme_id",
    "agreement_id", "delivery_mode", "country", "city", "language", "starts_on", "ends_on", "capacity",
    "seats_taken", "search_text", "created_at", "updated_at", "version",
)  # fmt: skip
ALLOCATION_COLUMNS = ("id", "cohort_id", "institution_id", "seats", "seats_taken")
SESSION_COLUMNS = (
    "id",
    "cohort_id",
    "starts_at",
    "ends_at",
    "topic",
    "mode",
    "created_at",
    "updated_at",
    "version",
)
TRAINER_COLUMNS = ("session_id", "participant_id")


def _cohort_row(ctx: Context, c: Cohort) -> tuple:
    title = c.title()
    city = c.host.city if c.mode in (IN_PERSON, BLENDED) else None
    return (
        c.id, c.code, json_text(title), c.kind, c.status, c.curriculum.id, c.host.id, c.programme_id,
        c.agreement_id, c.mode, c.host.country, city, c.language, c.starts_on.isoformat(),
        c.ends_on.isoformat(), c.capacity, c.seats_taken, search_text(c.code, *title.values()), *ctx.stamp,
    )  # fmt: skip


def _session_rows(ctx: Context, cohorts: list[Cohort]) -> Iterator[tuple]:
    for c in cohorts:
        for n, session in enumerate(c.sessions()):
            yield (c.first_session_id + n, c.id, *session, *ctx.stamp)


def _trainer_rows(ctx: Context, cohorts: list[Cohort], people: People) -> Iterator[tuple]:
    for c in cohorts:
        trainers = people.trainers.get(c.host.id)
        for n in range(len(c.schedule) if trainers else 0):
            if ctx.rng.random() < TRAINER_SHARE:
                yield (c.first_session_id + n, ctx.rng.choice(trainers))


def cohort_tables(ctx: Context, cohorts: list[Cohort], people: People) -> Iterator[Table]:
    """The cohorts table, seat allocations, sessions and their trainers, in writing order."""
    yield Table("cohorts", COLUMNS, [_cohort_row(ctx, c) for c in cohorts])
    allocations = (
        (c.id, institution_id, seats, taken)
        for c in cohorts
        for institution_id, (seats, taken) in sorted(c.allocations.items())
    )
    first = ctx.first_ids["cohort_seat_allocations"]
    yield Table("cohort_seat_allocations", ALLOCATION_COLUMNS, numbered(first, allocations))
    yield Table("cohort_sessions", SESSION_COLUMNS, _session_rows(ctx, cohorts))
    yield Table("cohort_session_trainers", TRAINER_COLUMNS, _trainer_rows(ctx, cohorts, people))
