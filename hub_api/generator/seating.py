"""Who sits in which cohort: allocated seats first, then mostly cohorts of one's own country."""

from dataclasses import dataclass

from hub_api.generator.cohorts import Cohort
from hub_api.generator.context import Context
from hub_api.generator.participants import People
from hub_api.generator.partners import Partners
from hub_api.models.enums import CohortKind, CohortStatus

ENROLMENTS_PER_PARTICIPANT = 5
# How many cohorts a participant joins, from 1 to 10: about 5 on average.
WANTED_WEIGHTS = (9, 11, 12, 13, 13, 12, 10, 8, 7, 5)
LOCAL_SHARE = 0.75  # of enrolments in a cohort of the participant's own country
ALLOCATED_SHARE = 0.12  # of the cohorts of these kinds that allocate their seats to institutions
ALLOCATED_KINDS = (CohortKind.COURSE, CohortKind.TOT, CohortKind.SEMINAR)
ATTEMPTS = 4  # draws before giving up a seat the participant already holds


class _Pool:
    """Seats to hand out, shuffled: taken in turn, and once used up either gone or dealt again."""

    def __init__(self, cohorts: list[int], *, endless: bool):
        self.cohorts, self.endless, self.position = cohorts, endless, 0

    def take(self) -> int | None:
        """The next cohort index, or None when the pool is used up."""
        if not self.cohorts or (self.position >= len(self.cohorts) and not self.endless):
            return None
        cohort = self.cohorts[self.position % len(self.cohorts)]
        self.position += 1
        return cohort


@dataclass
class _Seating:
    """Which participants sit in which cohorts, each at most once."""

    wanted: list[int]
    picks: list[list[int]]
    members: list[list[int]]

    def seat(self, participant: int, cohort: int) -> bool:
        """Seat the participant unless already there or already in as many cohorts as wanted."""
        picks = self.picks[participant]
        if cohort in picks or len(picks) >= self.wanted[participant]:
            return False
        picks.append(cohort)
        self.members[cohort].append(participant)
        return True


def _allocate(
    ctx: Context, cohorts: list[Cohort], people: People, partners: Partners, seating: _Seating
) -> None:
    """Give some cohorts seats allocated to two to four institutions of the host's country, and fill them."""
    rng = ctx.rng
    by_country: dict[str, list[int]] = {}
    for member in partners.members:
        if member.id in people.by_institution:
            by_country.setdefault(member.country, []).append(member.id)
    for index, cohort in enumerate(cohorts):
        if cohort.size == 0 or cohort.kind not in ALLOCATED_KINDS or rng.random() >= ALLOCATED_SHARE:
            continue
        candidates = by_country.get(cohort.host.country, [])
        for institution_id in rng.sample(candidates, min(len(candidates), rng.randint(2, 4))):
            seats = rng.randint(3, 8)
            filled = (
                rng.randint(0, seats) if cohort.status == CohortStatus.OPEN else seats - rng.randint(0, 2)
            )
            staff = people.by_institution[institution_id]
            for participant in rng.sample(staff, min(filled, len(staff))):
                seating.seat(participant, index)
            cohort.allocations[institution_id] = [seats, 0]


def _fill(ctx: Context, cohorts: list[Cohort], people: People, seating: _Seating) -> None:
    """Seat everyone in as many cohorts as wanted: mostly of their own country, sized as planned."""
    rng = ctx.rng
    open_cohorts = [i for i, c in enumerate(cohorts) if c.size > 0 and not c.allocations]
    budget = sum(seating.wanted) - sum(len(p) for p in seating.picks)
    per_size = budget / max(1.0, sum(cohorts[i].size for i in open_cohorts))
    local: dict[str, list[int]] = {}
    anywhere: list[int] = []
    for index in open_cohorts:
        slots = max(1, round(cohorts[index].size * per_size))
        own = round(slots * LOCAL_SHARE)
        local.setdefault(cohorts[index].host.country, []).extend([index] * own)
        anywhere.extend([index] * (slots - own))
    for slots in (*local.values(), anywhere):
        rng.shuffle(slots)
    local_pools = {country: _Pool(slots, endless=False) for country, slots in local.items()}
    everywhere = _Pool(anywhere, endless=True)
    for participant, institution in enumerate(people.institutions):
        own_country = local_pools.get(institution.country)
        for _ in range(seating.wanted[participant] - len(seating.picks[participant])):
            for _ in range(ATTEMPTS):
                cohort = own_country.take() if own_country and rng.random() < LOCAL_SHARE else None
                if cohort is None:
                    cohort = everywhere.take()
                if cohort is None or seating.seat(participant, cohort):
                    break


def seat_participants(
    ctx: Context, cohorts: list[Cohort], people: People, partners: Partners
) -> list[list[int]]:
    """The participants (by index) of each cohort, each at most once, about five cohorts each."""
    wanted = ctx.rng.choices(range(1, len(WANTED_WEIGHTS) + 1), WANTED_WEIGHTS, k=len(people.institutions))
    seating = _Seating(wanted, [[] for _ in wanted], [[] for _ in cohorts])
    _allocate(ctx, cohorts, people, partners, seating)
    _fill(ctx, cohorts, people, seating)
    return seating.members
