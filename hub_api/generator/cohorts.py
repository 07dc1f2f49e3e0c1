"""Cohorts of 2019-2027: kind, host, links, dates and a status true to them, and a session schedule."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from hub_api.generator import vocabulary as words
from hub_api.generator.agreements import Agreement
from hub_api.generator.context import Context, bilingual
from hub_api.generator.curricula import Curricula, Curriculum
from hub_api.generator.partners import Institution, Partners
from hub_api.generator.programmes import Programmes
from hub_api.models.enums import CohortKind, CohortStatus, DeliveryMode

ENROLMENTS_PER_COHORT = 25
MIN_COHORTS = 12
YEAR_WEIGHTS = {2019: 6, 2020: 5, 2021: 7, 2022: 9, 2023: 10, 2024: 11, 2025: 12, 2026: 12, 2027: 9}
AGREEMENT_SHARE = 0.35  # of cohorts run under an agreement in force, hosted by one of its parties
PROGRAMME_SHARE = 0.55  # of cohorts paid for by a programme running at the time
OPEN_WITHIN = timedelta(days=120)
IN_PERSON = DeliveryMode.IN_PERSON.value
ONLINE = DeliveryMode.ONLINE.value
BLENDED = DeliveryMode.BLENDED.value
E_LEARNING = DeliveryMode.E_LEARNING.value
PLANNED = CohortStatus.PLANNED.value
OPEN = CohortStatus.OPEN.value
IN_PROGRESS = CohortStatus.IN_PROGRESS.value
COMPLETED = CohortStatus.COMPLETED.value
CANCELLED = CohortStatus.CANCELLED.value


@dataclass(frozen=True)
class KindProfile:
    """How a kind of cohort usually runs."""

    weight: int
    modes: dict[str, int]
    days: tuple[int, int]
    sessions: tuple[int, int]
    size: int


PROFILES = {
    CohortKind.COURSE.value: KindProfile(42, {IN_PERSON: 70, BLENDED: 15, ONLINE: 15}, (3, 11), (4, 8), 22),
    CohortKind.WEBINAR.value: KindProfile(14, {ONLINE: 1}, (0, 3), (1, 3), 45),
    CohortKind.TOT.value: KindProfile(8, {IN_PERSON: 80, BLENDED: 20}, (4, 9), (5, 8), 14),
    CohortKind.E_LEARNING.value: KindProfile(10, {E_LEARNING: 1}, (20, 55), (3, 6), 40),
    CohortKind.SEMINAR.value: KindProfile(14, {IN_PERSON: 70, ONLINE: 30}, (0, 2), (2, 4), 28),
    CohortKind.STUDY_VISIT.value: KindProfile(6, {IN_PERSON: 1}, (3, 6), (3, 6), 10),
    CohortKind.EXCHANGE_VISIT.value: KindProfile(6, {IN_PERSON: 1}, (4, 9), (3, 6), 8),
}
# Session slots in UTC (09:00 and 14:00 in Central Asia at UTC+5): in person half days, online two hours.
SLOTS = {
    "long": (("04:00:00.000000", "07:30:00.000000"), ("09:00:00.000000", "12:30:00.000000")),
    "short": (("05:00:00.000000", "07:00:00.000000"), ("09:00:00.000000", "11:00:00.000000")),
}
SLOT_MINUTES = {"long": 210, "short": 120}


@dataclass(slots=True)
class Cohort:
    """A planned cohort; the enrolment planner fills in its seats, capacity and allocations."""

    id: int
    code: str
    kind: str
    status: str
    host: Institution
    curriculum: Curriculum
    programme_id: int | None
    agreement_id: int | None
    mode: str
    language: str
    starts_on: date
    ends_on: date
    schedule: list[tuple[int, int]]  # (day offset, slot) of each session
    first_session_id: int
    held: int  # sessions already given, each with a roll call
    size: float  # enrolments wanted, relative to other cohorts
    capacity: int = 0
    seats_taken: int = 0
    allocations: dict[int, list[int]] = field(default_factory=dict)  # institution id: [seats, taken]

    @property
    def minutes(self) -> int:
        """Length of each session."""
        return SLOT_MINUTES[self._slot_kind]

    @property
    def _slot_kind(self) -> str:
        return "long" if self.mode in (IN_PERSON, BLENDED) else "short"

    def title(self) -> dict:
        """The cohort's title: its format, curriculum and month."""
        prefix_en, prefix_ru = words.COHORT_TITLE_PREFIXES[self.kind]
        month_en, month_ru = words.MONTHS[self.starts_on.month - 1]
        english, russian = self.curriculum.title
        year = self.starts_on.year
        return bilingual(
            f"{prefix_en}{english}, {month_en} {year}", f"{prefix_ru}{russian}, {month_ru} {year}"
        )

    @property
    def seats_allocated(self) -> int:
        """Seats reserved for institutions, in all."""
        return sum(seats for seats, _ in self.allocations.values())

    def sessions(self):
        """(starts_at, ends_at, topic, mode) of each session."""
        topics, slots = self.curriculum.topics, SLOTS[self._slot_kind]
        for n, (offset, slot) in enumerate(self.schedule):
            day = (self.starts_on + timedelta(days=offset)).isoformat()
            starts, ends = slots[slot]
            mode = (IN_PERSON, ONLINE)[n % 2] if self.mode == BLENDED else self.mode
            yield f"{day} {starts}", f"{day} {ends}", topics[n % len(topics)], mode


def _schedule(days: int, count: int) -> list[tuple[int, int]]:
    """Spread `count` sessions over `days` days, morning first, at most two a day."""
    count = min(count, 2 * days)
    schedule: list[tuple[int, int]] = []
    for n in range(count):
        offset = n * days // count
        schedule.append((offset, 1 if schedule and schedule[-1][0] == offset else 0))
    return schedule


def _status(ctx: Context, starts_on: date, ends_on: date) -> str:
    """Past cohorts completed (a few cancelled), current ones in progress, future ones planned or open."""
    draw = ctx.rng.random()
    if ends_on < ctx.today:
        return CANCELLED if draw < 0.04 else COMPLETED
    if starts_on <= ctx.today:
        return CANCELLED if draw < 0.03 else IN_PROGRESS
    if draw < 0.02:
        return CANCELLED
    soon = starts_on - ctx.today <= OPEN_WITHIN
    return OPEN if draw < (0.85 if soon else 0.25) else PLANNED


def _held(ctx: Context, status: str, starts_on: date, schedule: list[tuple[int, int]]) -> int:
    if status == COMPLETED:
        return len(schedule)
    if status == IN_PROGRESS:
        return sum(1 for offset, _ in schedule if starts_on + timedelta(days=offset) < ctx.today)
    return 0


class _Planner:
    """Draws cohorts one by one: kind, host, dates, links, schedule."""

    def __init__(
        self,
        ctx: Context,
        partners: Partners,
        programmes: Programmes,
        agreements: list[Agreement],
        curricula: Curricula,
    ):
        self.ctx, self.programmes, self.curricula = ctx, programmes, curricula
        self.hosts = [*partners.members, partners.organisation]
        self.host_weights = [words.HOST_WEIGHT[h.kind] for h in self.hosts]
        self.agreements = agreements
        self.in_force: dict[date, list[Agreement]] = {}  # by the day a cohort starts
        self.next_session_id = ctx.first_ids["cohort_sessions"]

    def _day(self) -> date:
        rng = self.ctx.rng
        year = rng.choices(tuple(YEAR_WEIGHTS), tuple(YEAR_WEIGHTS.values()))[0]
        return date(year, 1, 1) + timedelta(days=rng.randrange(365))

    def _under_agreement(self, host: Institution, starts_on: date) -> tuple[Institution, int | None]:
        """Most cohorts keep the host drawn for them; some run under an agreement, hosted by a party."""
        rng = self.ctx.rng
        if starts_on not in self.in_force:
            self.in_force[starts_on] = [a for a in self.agreements if a.in_force_on(starts_on)]
        in_force = self.in_force[starts_on]
        if not in_force or rng.random() >= AGREEMENT_SHARE:
            return host, None
        agreement = rng.choice(in_force)
        return rng.choice(agreement.members), agreement.id

    def _programme_id(self, starts_on: date) -> int | None:
        running = self.programmes.covering(starts_on)
        if running and self.ctx.rng.random() < PROGRAMME_SHARE:
            return self.ctx.rng.choice(running).id
        return None

    def cohort(self, number: int, kind: str, host: Institution) -> Cohort:
        """Plan the cohort numbered `number`."""
        rng, profile = self.ctx.rng, PROFILES[kind]
        starts_on = self._day()
        host, agreement_id = self._under_agreement(host, starts_on)
        ends_on = starts_on + timedelta(days=rng.randint(*profile.days))
        status = _status(self.ctx, starts_on, ends_on)
        schedule = _schedule((ends_on - starts_on).days + 1, rng.randint(*profile.sessions))
        languages = words.LANGUAGES_BY_COUNTRY.get(host.country, words.DEFAULT_LANGUAGES)
        size = 0.0 if status == PLANNED else profile.size * rng.uniform(0.6, 1.4)
        first_session_id, self.next_session_id = self.next_session_id, self.next_session_id + len(schedule)
        return Cohort(
            id=self.ctx.first_ids["cohorts"] + number,
            code=f"{self.ctx.prefix}-C{number + 1:06d}",
            kind=kind,
            status=status,
            host=host,
            curriculum=rng.choice(self.curricula.curricula),
            programme_id=self._programme_id(starts_on),
            agreement_id=agreement_id,
            mode=rng.choices(tuple(profile.modes), tuple(profile.modes.values()))[0],
            language=rng.choices(*zip(*languages, strict=True))[0],
            starts_on=starts_on,
            ends_on=ends_on,
            schedule=schedule,
            first_session_id=first_session_id,
            held=_held(self.ctx, status, starts_on, schedule),
            size=size * (0.3 if status == CANCELLED else 1),
            capacity=round(profile.size * rng.uniform(1.0, 1.3)),
        )


def plan_cohorts(
    ctx: Context,
    enrolments: int,
    partners: Partners,
    programmes: Programmes,
    agreements: list[Agreement],
    curricula: Curricula,
) -> list[Cohort]:
    """About one cohort per 25 enrolments, hosted mostly by academies."""
    planner = _Planner(ctx, partners, programmes, agreements, curricula)
    count = max(MIN_COHORTS, round(enrolments / ENROLMENTS_PER_COHORT))
    kinds = ctx.rng.choices(tuple(PROFILES), [p.weight for p in PROFILES.values()], k=count)
    hosts = ctx.rng.choices(planner.hosts, planner.host_weights, k=count)
    return [planner.cohort(n, kind, host) for n, (kind, host) in enumerate(zip(kinds, hosts, strict=True))]
