"""Enrolments with outcomes, scores and seat counters, the roll calls of those confirmed, and certificates."""

import base64
import itertools
import random
from datetime import date, time, timedelta

from hub_api.generator.cohorts import Cohort
from hub_api.generator.context import Context, Lottery, stored_time
from hub_api.generator.participants import People
from hub_api.generator.partners import Partners
from hub_api.generator.seating import seat_participants
from hub_api.generator.tables import Table
from hub_api.models.enums import CohortStatus, EnrolmentStatus

NOMINATED = EnrolmentStatus.NOMINATED.value
ENROLLED = EnrolmentStatus.ENROLLED.value
COMPLETED = EnrolmentStatus.COMPLETED.value
FAILED = EnrolmentStatus.FAILED.value
WITHDRAWN = EnrolmentStatus.WITHDRAWN.value
NO_SHOW = EnrolmentStatus.NO_SHOW.value
CONFIRMED = (ENROLLED, COMPLETED, FAILED, NO_SHOW)
# Enrolment statuses by cohort status, with their weights; planned cohorts take no nominations.
OUTCOMES = {
    CohortStatus.COMPLETED: {COMPLETED: 82, FAILED: 4, NO_SHOW: 6, WITHDRAWN: 8},
    CohortStatus.IN_PROGRESS: {ENROLLED: 88, NOMINATED: 2, NO_SHOW: 2, WITHDRAWN: 8},
    CohortStatus.OPEN: {NOMINATED: 55, ENROLLED: 38, WITHDRAWN: 7},
    CohortStatus.CANCELLED: {WITHDRAWN: 85, NOMINATED: 10, ENROLLED: 5},
}
# Roll calls: the completed or enrolled miss at most one session, the failed about a third.
MISSES_ONE = {COMPLETED: 0.25, ENROLLED: 0.2}
LATE_MINUTES = (0, 0, 0, 0, 0, 5, 10, 15)
# Test scores out of 100 (the pre-test, and the post-test's gain on it) and satisfaction from 1 to 5.
PRE_SCORES = {
    COMPLETED: Lottery.normal(50, 13, 0, 100),
    FAILED: Lottery.normal(40, 13, 0, 100),
    ENROLLED: Lottery.normal(48, 14, 0, 100),
}
GAINS = {COMPLETED: Lottery.normal(22, 9, -100, 100), FAILED: Lottery.normal(3, 8, -100, 100)}
SATISFACTION = {
    COMPLETED: Lottery.weighted({1: 1, 2: 2, 3: 10, 4: 40, 5: 47}),
    FAILED: Lottery.weighted({1: 8, 2: 15, 3: 35, 4: 30, 5: 12}),
}
CODE_BYTES = 18  # 24 URL-safe characters, as the app issues them
COLUMNS = (
    "id", "cohort_id", "participant_id", "institution_id", "status", "status_changed_at", "pre_score",
    "post_score", "satisfaction", "attendance_marks", "attendance_present", "created_at", "updated_at",
    "version",
)  # fmt: skip
ATTENDANCE_COLUMNS = ("id", "session_id", "enrolment_id", "present", "minutes")
CERTIFICATE_COLUMNS = (
    "id", "enrolment_id", "number", "code", "issued_on", "revoked_at", "created_at", "updated_at", "version",
)  # fmt: skip


def _results(rng: random.Random, status: str) -> tuple[int | None, int | None, int | None]:
    """Pre- and post-test scores and satisfaction for a realistic share of those who took part."""
    pre = post = satisfaction = None
    if status in (COMPLETED, FAILED):
        if rng.random() < 0.7:
            pre = PRE_SCORES[status].draw(rng)
            post = min(100, max(0, pre + GAINS[status].draw(rng)))
        if rng.random() < (0.65 if status == COMPLETED else 0.5):
            satisfaction = SATISFACTION[status].draw(rng)
    elif status == ENROLLED and rng.random() < 0.6:
        pre = PRE_SCORES[status].draw(rng)
    return pre, post, satisfaction


def _roll_call(rng: random.Random, status: str, held: int) -> int:
    """A bit per session held, set where the participant was present."""
    everything = (1 << held) - 1
    if status == NO_SHOW:
        return 0
    if status == FAILED:
        return everything & ~sum(1 << n for n in rng.sample(range(held), held // 3 + 1))
    return everything ^ (1 << rng.randrange(held)) if rng.random() < MISSES_ONE[status] else everything


def _changed_at(ctx: Context, cohort: Cohort) -> dict[str, str]:
    """When each status was reached: nominations weeks before the start, outcomes on the last day.

    Nothing is dated after the start of today, so that a seed gives the same data all day."""
    latest = stored_time(ctx.today)

    def days_before_start(days: int) -> str:
        return min(stored_time(cohort.starts_on - timedelta(days=days)), latest)

    settled = min(stored_time(cohort.ends_on, time(12)), latest)
    return {
        NOMINATED: days_before_start(21),
        ENROLLED: days_before_start(7),
        WITHDRAWN: days_before_start(3),
        COMPLETED: settled,
        FAILED: settled,
        NO_SHOW: settled,
    }


class Training:
    """Enrolment and certificate rows, and the roll calls to expand into attendance rows."""

    def __init__(self, ctx: Context, people: People):
        self.ctx, self.people = ctx, people
        self.enrolment_ids = itertools.count(ctx.first_ids["enrolments"])
        self.certificate_ids = itertools.count(ctx.first_ids["certificates"])
        self.rows: list[tuple] = []
        self.certificate_rows: list[tuple] = []
        self.roll_calls: list[tuple[int, Cohort, int]] = []  # (enrolment id, cohort, presence mask)

    def tables(self):
        """The enrolments, attendance and certificates tables."""
        yield Table("enrolments", COLUMNS, self.rows)
        yield Table("attendance", ATTENDANCE_COLUMNS, self._attendance_rows())
        yield Table("certificates", CERTIFICATE_COLUMNS, self.certificate_rows)

    def _attendance_rows(self):
        ids = itertools.count(self.ctx.first_ids["attendance"])
        for enrolment_id, cohort, mask in self.roll_calls:
            first_session, minutes = cohort.first_session_id, cohort.minutes
            for n in range(cohort.held):
                late = LATE_MINUTES[(enrolment_id + n) % len(LATE_MINUTES)]
                present = mask >> n & 1 == 1
                yield (next(ids), first_session + n, enrolment_id, present, minutes - late if present else 0)

    def _certify(self, enrolment_id: int, issued_on: date) -> None:
        code = base64.urlsafe_b64encode(self.ctx.rng.randbytes(CODE_BYTES)).decode()
        number = f"HUB-{issued_on.year}-{enrolment_id:06d}"
        row = (
            next(self.certificate_ids),
            enrolment_id,
            number,
            code,
            issued_on.isoformat(),
            None,
            *self.ctx.stamp,
        )
        self.certificate_rows.append(row)

    def enrol(self, cohort: Cohort, members: list[int]) -> None:
        """Plan the enrolments of one cohort and keep its seat counters."""
        rng, stamp, people = self.ctx.rng, self.ctx.stamp, self.people
        outcomes = OUTCOMES[cohort.status]
        statuses = rng.choices(tuple(outcomes), tuple(outcomes.values()), k=len(members))
        changed_at = _changed_at(self.ctx, cohort)
        for participant, status in zip(members, statuses, strict=True):
            enrolment_id, institution_id = next(self.enrolment_ids), people.institutions[participant].id
            marks = present = 0
            if cohort.held and status in CONFIRMED:
                mask = _roll_call(rng, status, cohort.held)
                marks, present = cohort.held, mask.bit_count()
                self.roll_calls.append((enrolment_id, cohort, mask))
            if status != WITHDRAWN:
                cohort.seats_taken += 1
                if institution_id in cohort.allocations:
                    cohort.allocations[institution_id][1] += 1
            pre, post, satisfaction = _results(rng, status)
            participant_id = people.first_id + participant
            self.rows.append(
                (enrolment_id, cohort.id, participant_id, institution_id, status, changed_at[status],
                 pre, post, satisfaction, marks, present, *stamp)
            )  # fmt: skip
            if status == COMPLETED:
                self._certify(enrolment_id, cohort.ends_on)


def plan_enrolments(ctx: Context, cohorts: list[Cohort], people: People, partners: Partners) -> Training:
    """About five enrolments per participant, then outcomes, and capacities that hold them all."""
    training = Training(ctx, people)
    for cohort, members in zip(cohorts, seat_participants(ctx, cohorts, people, partners), strict=True):
        if members:
            training.enrol(cohort, members)
        cohort.capacity = max(
            cohort.capacity, cohort.seats_taken + ctx.rng.randint(0, 3), cohort.seats_allocated
        )
    return training
