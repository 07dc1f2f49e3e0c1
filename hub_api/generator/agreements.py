"""Agreements between member institutions: parties, commitments, lifecycle history and renewals."""

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

from hub_api.generator import vocabulary as words
from hub_api.generator.context import (
    Context,
    bilingual,
    random_day,
    weighted_sample,
)
from hub_api.generator.partners import Institution, Partners
from hub_api.generator.programmes import Programmes
from hub_api.models.enums import (
    AgreementKind,
    AgreementStatus,
    CommitmentPeriod,
    CooperationArea,
    PartyRole,
    ProgrammeMetric,
)

PARTICIPANTS_PER_AGREEMENT = 2000
MIN_AGREEMENTS = 6
FIRST_SIGNING = date(2016, 1, 1)
YEAR = timedelta(days=365)
DRAFT = AgreementStatus.DRAFT.value
NEGOTIATION = AgreementStatus.NEGOTIATION.value
SIGNED = AgreementStatus.SIGNED.value
ACTIVE = AgreementStatus.ACTIVE.value
TERMINATED = AgreementStatus.TERMINATED.value
# Active agreements that are planned apart: one already past its end (it reads `expired`), and
# one that renews itself with no end date.
LAPSED, OPEN_ENDED = "lapsed", "open_ended"
# Every status appears even in the smallest run; the rest are drawn by weight.
FIRST_STATUSES = (LAPSED, ACTIVE, SIGNED, NEGOTIATION, DRAFT, TERMINATED)
STATUS_WEIGHTS = {DRAFT: 8, NEGOTIATION: 10, SIGNED: 10, ACTIVE: 52, OPEN_ENDED: 10, TERMINATED: 10}
LIFECYCLE = (DRAFT, NEGOTIATION, SIGNED, ACTIVE, TERMINATED)
KIND_WEIGHTS = {
    AgreementKind.MOU: 45,
    AgreementKind.COOPERATION_AGREEMENT: 25,
    AgreementKind.WORKPLAN: 15,
    AgreementKind.LETTER_OF_INTENT: 10,
    AgreementKind.ADDENDUM: 5,
}
KINDS = tuple(k.value for k in KIND_WEIGHTS)
KIND_CODES = {
    "mou": "MOU",
    "cooperation_agreement": "COOP",
    "workplan": "WP",
    "letter_of_intent": "LOI",
    "addendum": "ADD",
}
AREAS = tuple(a.value for a in CooperationArea if a is not CooperationArea.OTHER)
METRICS = tuple(m.value for m in ProgrammeMetric)
YEARLY_TARGETS = {
    ProgrammeMetric.PARTICIPANTS_TRAINED: (20, 80),
    ProgrammeMetric.WOMEN_TRAINED: (5, 25),
    ProgrammeMetric.COHORTS_COMPLETED: (1, 4),
    ProgrammeMetric.TRAINERS_CERTIFIED: (2, 10),
}


@dataclass
class Agreement:
    """An agreement's terms, and what cohorts need: its member parties and when it is in force."""

    id: int
    reference: str
    kind: str
    title: dict
    areas: list[str]
    programme_id: int | None
    parties: list[tuple[Institution, str]]
    commitments: list[tuple[str, int, str]]
    status: str = DRAFT
    signed_on: date | None = None
    effective_from: date | None = None
    expires_on: date | None = None
    ended_on: date | None = None
    predecessor_id: int | None = None
    history: list[tuple[str, str, date]] = field(default_factory=list)

    @property
    def members(self) -> list[Institution]:
        """The institutions that are parties proper, which may host cohorts under the agreement."""
        return [institution for institution, role in self.parties if role == PartyRole.PARTY]

    def in_force_on(self, day: date) -> bool:
        """Whether a cohort starting that day can run under this agreement."""
        if self.status not in (SIGNED, ACTIVE, TERMINATED) or self.effective_from is None:
            return False
        end = self.ended_on or self.expires_on or date.max
        return self.effective_from <= day <= end


def _lifecycle(agreement: Agreement, dates: dict[str, date]) -> None:
    """Record the moves from draft up to the agreement's status, dated by `dates`."""
    path = LIFECYCLE[: LIFECYCLE.index(agreement.status) + 1]
    agreement.history = [(before, after, dates[after]) for before, after in itertools.pairwise(path)]


def _date_original(ctx: Context, agreement: Agreement, status: str) -> None:
    rng, today = ctx.rng, ctx.today
    if status == LAPSED:
        expires = today - timedelta(days=rng.randint(30, 600))
        effective = expires - rng.randint(3, 5) * YEAR
        signed = effective - timedelta(days=rng.randint(0, 60))
    elif status in (ACTIVE, OPEN_ENDED, TERMINATED):
        latest = today - (3 * YEAR if status == TERMINATED else timedelta(days=60))
        signed = random_day(rng, FIRST_SIGNING, latest)
        effective = signed + timedelta(days=rng.randint(0, 60))
        expires = None if status == OPEN_ENDED else effective + rng.randint(3, 6) * YEAR
    elif status == SIGNED:
        signed = today - timedelta(days=rng.randint(10, 300))
        effective = today + timedelta(days=rng.randint(10, 120))
        expires = effective + rng.randint(3, 5) * YEAR
    else:
        signed = effective = expires = None
    agreement.status = ACTIVE if status in (LAPSED, OPEN_ENDED) else status
    agreement.signed_on, agreement.effective_from, agreement.expires_on = signed, effective, expires
    opened = (signed or today) - timedelta(days=rng.randint(30, 150))
    dates = {NEGOTIATION: opened, SIGNED: signed, ACTIVE: effective}
    if agreement.status == TERMINATED:
        agreement.ended_on = random_day(rng, effective + timedelta(days=200), min(today, expires))
        dates[TERMINATED] = agreement.ended_on
    _lifecycle(agreement, dates)


class _Planner:
    """Plans original agreements and renewals, numbering them in order."""

    def __init__(self, ctx: Context, partners: Partners, programmes: Programmes):
        self.ctx, self.partners, self.programmes = ctx, partners, programmes
        self.weights = [words.HOST_WEIGHT[m.kind] for m in partners.members]
        self.agreements: list[Agreement] = []

    def _parties(self) -> list[tuple[Institution, str]]:
        rng, partners = self.ctx.rng, self.partners
        members = weighted_sample(rng, partners.members, self.weights, 2 if rng.random() < 0.7 else 3)
        parties = [(member, PartyRole.PARTY.value) for member in members]
        if rng.random() < 0.4:
            parties.append((partners.organisation, PartyRole.SUPPORTING.value))
        if rng.random() < 0.1:
            parties.append((rng.choice(partners.donors), PartyRole.WITNESS.value))
        return parties

    def _commitments(self) -> list[tuple[str, int, str]]:
        rng = self.ctx.rng
        if not self.agreements:  # the first one promises both a yearly and a lifetime target
            periods = (CommitmentPeriod.YEAR.value, CommitmentPeriod.TOTAL.value)
            metrics = (ProgrammeMetric.PARTICIPANTS_TRAINED.value, ProgrammeMetric.COHORTS_COMPLETED.value)
        else:
            metrics = rng.sample(METRICS, rng.randint(1, 3))
            periods = [rng.choice(tuple(p.value for p in CommitmentPeriod)) for _ in metrics]
        commitments = []
        for metric, per in zip(metrics, periods, strict=True):
            target = rng.randint(*YEARLY_TARGETS[ProgrammeMetric(metric)])
            commitments.append((metric, target * (4 if per == CommitmentPeriod.TOTAL else 1), per))
        return commitments

    def original(self, status: str) -> Agreement:
        """A new agreement, dated to fit `status`."""
        rng, number = self.ctx.rng, len(self.agreements) + 1
        kind = rng.choices(KINDS, tuple(KIND_WEIGHTS.values()))[0]
        parties = self._parties()
        english, russian = rng.choice(words.AGREEMENT_TITLES)
        cities = " - ".join(institution.city for institution, _ in parties[:2])
        agreement = Agreement(
            id=self.ctx.first_ids["agreements"] + len(self.agreements),
            reference=f"{self.ctx.prefix}-{KIND_CODES[kind]}-{number:04d}",
            kind=kind,
            title=bilingual(f"{english} ({cities})", f"{russian} ({cities})"),
            areas=sorted(rng.sample(AREAS, rng.randint(1, 3))),
            programme_id=None,
            parties=parties,
            commitments=self._commitments(),
        )
        _date_original(self.ctx, agreement, status)
        running = self.programmes.covering(agreement.signed_on or self.ctx.today)
        if running and rng.random() < 0.5:
            agreement.programme_id = rng.choice(running).id
        self.agreements.append(agreement)
        return agreement

    def renewal(self, predecessor: Agreement) -> Agreement:
        """A successor with the same terms from the day the predecessor ends; active once that day is past."""
        rng, today = self.ctx.rng, self.ctx.today
        renewal = Agreement(
            id=self.ctx.first_ids["agreements"] + len(self.agreements),
            reference=f"{predecessor.reference}-R",
            kind=predecessor.kind,
            title=predecessor.title,
            areas=predecessor.areas,
            programme_id=predecessor.programme_id,
            parties=predecessor.parties,
            commitments=predecessor.commitments,
            predecessor_id=predecessor.id,
            effective_from=predecessor.expires_on,
            expires_on=predecessor.expires_on + rng.randint(3, 5) * YEAR,
        )
        opened = min(today, predecessor.expires_on) - timedelta(days=rng.randint(60, 120))
        if predecessor.expires_on <= today:
            renewal.status = ACTIVE
            renewal.signed_on = predecessor.expires_on - timedelta(days=rng.randint(10, 50))
        else:
            renewal.status = NEGOTIATION
        _lifecycle(renewal, {NEGOTIATION: opened, SIGNED: renewal.signed_on, ACTIVE: renewal.effective_from})
        self.agreements.append(renewal)
        return renewal


def plan_agreements(ctx: Context, scale: int, partners: Partners, programmes: Programmes) -> list[Agreement]:
    """About one agreement per 2,000 participants (at least 6), plus renewals of some active ones."""
    count = max(MIN_AGREEMENTS, round(scale / PARTICIPANTS_PER_AGREEMENT))
    planner = _Planner(ctx, partners, programmes)
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    for n in range(count):
        planner.original(
            FIRST_STATUSES[n] if n < len(FIRST_STATUSES) else ctx.rng.choices(statuses, weights)[0]
        )
    # The lapsed first agreement stays unrenewed, so that some agreement always reads `expired`.
    renewable = [a for a in planner.agreements[1:] if a.status == ACTIVE and a.expires_on is not None]
    for predecessor in ctx.rng.sample(renewable, min(len(renewable), max(1, count // 8))):
        planner.renewal(predecessor)
    return planner.agreements
