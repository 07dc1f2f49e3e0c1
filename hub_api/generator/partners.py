"""Institutions: an international organisation, donors, and the member services whose staff train."""

import itertools
from dataclasses import dataclass

from hub_api.generator import vocabulary as words
from hub_api.generator.context import Context, bilingual, json_text, search_text
from hub_api.generator.tables import Table
from hub_api.models.enums import InstitutionKind, InstitutionStatus

PARTICIPANTS_PER_INSTITUTION = 400
MIN_INSTITUTIONS = 8
NEIGHBOUR_SHARE = 0.06
INACTIVE_SHARE = 0.03
PARENT_SHARE = 0.5
# Services that may sit under their country's ministry of justice.
SERVICE_KINDS = (InstitutionKind.PENITENTIARY_SERVICE, InstitutionKind.PROBATION_SERVICE)
COLUMNS = (
    "id", "code", "name", "short_name", "kind", "country", "region", "city", "parent_id", "website",
    "email", "status", "external_ids", "search_text", "created_at", "updated_at", "version",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Institution:
    """What later planners need to know of an institution."""

    id: int
    code: str
    kind: str
    country: str
    city: str
    region: str


@dataclass
class Partners:
    """The planned institutions, by part, and their rows."""

    organisation: Institution
    donors: list[Institution]
    members: list[Institution]
    rows: list[tuple]

    def tables(self):
        """The institutions table."""
        yield Table("institutions", COLUMNS, self.rows)


def _countries(ctx: Context, codes) -> list[str]:
    return [code for code in codes if code in ctx.countries]


def _member_places(ctx: Context, count: int):
    """(country, kind) of each member: an academy in every Central Asian state first, then a mix."""
    central = _countries(ctx, words.CENTRAL_ASIA_WEIGHTS)
    weights = [words.CENTRAL_ASIA_WEIGHTS[code] for code in central]
    neighbours = _countries(ctx, words.NEIGHBOURS) or central
    for n in range(count):
        if n < len(central):
            yield central[n], InstitutionKind.ACADEMY.value
            continue
        if ctx.rng.random() < NEIGHBOUR_SHARE:
            country = ctx.rng.choice(neighbours)
        else:
            country = ctx.rng.choices(central, weights)[0]
        yield country, ctx.rng.choices(words.MEMBER_KINDS, words.MEMBER_KIND_WEIGHTS)[0]


class _Builder:
    """Makes institution rows with ids, codes and names numbered in order."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.ids = itertools.count(ctx.first_ids["institutions"])
        self.rows: list[tuple] = []

    def add(self, kind: str, country: str, *, parent: Institution | None = None, active: bool = True):
        """Plan one institution and return it."""
        ctx, number = self.ctx, len(self.rows) + 1
        city, city_ru, region = ctx.rng.choice(words.CITIES[country])
        english, russian, abbreviation = words.INSTITUTION_NAMES[kind]
        country_name = ctx.countries[country]
        values = {
            "n": number,
            "city": city,
            "city_ru": city_ru,
            "country": country_name.get("en", country),
            "country_ru": country_name.get("ru", country),
        }
        name = bilingual(english.format(**values), russian.format(**values))
        code = f"{ctx.prefix}-{country}-{abbreviation}-{number:04d}"
        short_name = f"{abbreviation} {city} {number}"
        institution = Institution(next(self.ids), code, kind, country, city, region)
        domain = f"{code.lower()}.example"
        status = InstitutionStatus.ACTIVE if active else InstitutionStatus.INACTIVE
        self.rows.append(
            (institution.id, code, json_text(name), short_name, kind, country, region, city,
             parent.id if parent else None, f"https://{domain}", f"info@{domain}", status.value, "{}",
             search_text(code, short_name, *name.values()), *ctx.stamp)
        )  # fmt: skip
        return institution


def plan_institutions(ctx: Context, scale: int) -> Partners:
    """About one institution per 400 participants (at least 8), over Central Asia and its neighbours."""
    total = max(MIN_INSTITUTIONS, round(scale / PARTICIPANTS_PER_INSTITUTION))
    donor_count = max(2, total // 40)
    builder = _Builder(ctx)
    organisation = builder.add(InstitutionKind.INTERNATIONAL_ORGANISATION.value, "KZ")
    donor_countries = _countries(ctx, words.DONOR_COUNTRIES)
    donors = [
        builder.add(InstitutionKind.DONOR.value, donor_countries[n % len(donor_countries)])
        for n in range(donor_count)
    ]
    members: list[Institution] = []
    ministries: dict[str, Institution] = {}
    for country, kind in _member_places(ctx, total - donor_count - 1):
        if kind == InstitutionKind.MINISTRY and country in ministries:
            kind = InstitutionKind.PENITENTIARY_SERVICE.value  # one ministry of justice per country
        parent = None
        if kind in SERVICE_KINDS and ctx.rng.random() < PARENT_SHARE:
            parent = ministries.get(country)
        active = len(members) < len(words.CENTRAL_ASIA_WEIGHTS) or ctx.rng.random() >= INACTIVE_SHARE
        member = builder.add(kind, country, parent=parent, active=active)
        if kind == InstitutionKind.MINISTRY:
            ministries[country] = member
        members.append(member)
    return Partners(organisation, donors, members, builder.rows)
