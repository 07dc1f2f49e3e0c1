"""Donor-funded programmes over 2018-2029, with their donors, implementers and targets."""

from dataclasses import dataclass
from datetime import date

from hub_api.generator import vocabulary as words
from hub_api.generator.context import Context, bilingual, json_text, search_text
from hub_api.generator.partners import Partners
from hub_api.generator.tables import Table
from hub_api.models.enums import InstitutionKind, ProgrammeMetric

# (first year, years) of each programme.
PERIODS = ((2018, 5), (2020, 4), (2021, 6), (2023, 4), (2025, 4))
COLUMNS = (
    "id", "code", "name", "description", "starts_on", "ends_on", "search_text",
    "created_at", "updated_at", "version",
)  # fmt: skip
LINK_COLUMNS = ("programme_id", "institution_id")
TARGET_COLUMNS = ("programme_id", "metric", "target")


@dataclass(frozen=True, slots=True)
class Programme:
    """A programme's id and period, to link cohorts and agreements that fall within it."""

    id: int
    starts_on: date
    ends_on: date


@dataclass
class Programmes:
    """The planned programmes and the rows of their tables."""

    programmes: list[Programme]
    rows: list[tuple]
    donor_rows: list[tuple]
    implementer_rows: list[tuple]
    target_rows: list[tuple]

    def covering(self, day: date) -> list[Programme]:
        """The programmes running on that day."""
        return [p for p in self.programmes if p.starts_on <= day <= p.ends_on]

    def tables(self):
        """The programmes table and its link and target tables."""
        yield Table("programmes", COLUMNS, self.rows)
        yield Table("programme_donors", LINK_COLUMNS, self.donor_rows)
        yield Table("programme_implementers", LINK_COLUMNS, self.implementer_rows)
        yield Table("programme_targets", TARGET_COLUMNS, self.target_rows)


def _targets(ctx: Context, scale: int, years: int) -> dict[str, int]:
    trained = max(10, round(scale * years / 20 * ctx.rng.uniform(0.8, 1.2)))
    return {
        ProgrammeMetric.PARTICIPANTS_TRAINED.value: trained,
        ProgrammeMetric.WOMEN_TRAINED.value: round(trained * 0.3),
        ProgrammeMetric.COHORTS_COMPLETED.value: max(1, trained // 20),
        ProgrammeMetric.TRAINERS_CERTIFIED.value: max(1, trained // 50),
    }


def plan_programmes(ctx: Context, scale: int, partners: Partners) -> Programmes:
    """Five programmes, each funded by one or two donors and run by the organisation and academies."""
    plan = Programmes([], [], [], [], [])
    academies = [m for m in partners.members if m.kind == InstitutionKind.ACADEMY] or partners.members
    for n, (first_year, years) in enumerate(PERIODS):
        english, russian = words.PROGRAMMES[n % len(words.PROGRAMMES)]
        starts_on = date(first_year, ctx.rng.randint(1, 12), 1)
        ends_on = date(first_year + years, starts_on.month, 1)
        programme = Programme(ctx.first_ids["programmes"] + n, starts_on, ends_on)
        code = f"{ctx.prefix}-PRG-{n + 1}"
        name = bilingual(
            f"{english} ({starts_on.year}-{ends_on.year})", f"{russian} ({starts_on.year}-{ends_on.year})"
        )
        description = f"Synthetic programme: {english.lower()}, {years} years."
        plan.programmes.append(programme)
        plan.rows.append(
            (programme.id, code, json_text(name), description, starts_on.isoformat(), ends_on.isoformat(),
             search_text(code, *name.values()), *ctx.stamp)
        )  # fmt: skip
        for donor in ctx.rng.sample(partners.donors, min(len(partners.donors), ctx.rng.randint(1, 2))):
            plan.donor_rows.append((programme.id, donor.id))
        implementers = [
            partners.organisation,
            *ctx.rng.sample(academies, min(len(academies), ctx.rng.randint(1, 3))),
        ]
        plan.implementer_rows.extend((programme.id, i.id) for i in implementers)
        plan.target_rows.extend(
            (programme.id, metric, target) for metric, target in _targets(ctx, scale, years).items()
        )
    return plan
