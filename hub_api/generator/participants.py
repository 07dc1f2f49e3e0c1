"""Participants: officers of the member institutions, with names of their country and a staff category."""

from dataclasses import dataclass, field

from hub_api.generator import names
from hub_api.generator import vocabulary as words
from hub_api.generator.context import Context, Lottery, search_text
from hub_api.generator.partners import Institution, Partners
from hub_api.generator.tables import Table
from hub_api.models.enums import Gender, InstitutionKind, StaffCategory

OTHER_SHARE, UNDISCLOSED_SHARE = 0.005, 0.015
HOME_REGION_SHARE = 0.75
EMAIL_SHARE = 0.4
TRAINER_SHARE = {StaffCategory.INSTRUCTOR: 0.4}
DEFAULT_TRAINER_SHARE = 0.02
COLUMNS = (
    "id", "institution_id", "external_ref", "given_name", "family_name", "gender", "staff_category",
    "position", "region", "email", "is_trainer", "erased_at", "search_text", "created_at", "updated_at",
    "version",
)  # fmt: skip


@dataclass
class People:
    """The planned participants: each one's institution, by index, and the rows."""

    first_id: int
    institutions: list[Institution] = field(default_factory=list)
    by_institution: dict[int, list[int]] = field(default_factory=dict)
    trainers: dict[int, list[int]] = field(default_factory=dict)
    rows: list[tuple] = field(default_factory=list)

    def tables(self):
        """The participants table."""
        yield Table("participants", COLUMNS, self.rows)


def _categories(kind: str) -> Lottery:
    if kind == InstitutionKind.PROBATION_SERVICE:
        return Lottery.weighted(words.PROBATION_STAFF_WEIGHTS)
    return Lottery.weighted({category: share for category, (share, _, _) in words.STAFF_CATEGORIES.items()})


def _name_pools(country: str) -> Lottery:
    """The country's naming traditions by weight, each as (given names, family names) of women and men."""
    pools = {}
    for group, weight in names.COUNTRY_NAME_GROUPS[country]:
        women, men, families, feminine_adds_a = names.NAME_GROUPS[group]
        feminine = tuple((c + "а", lat + "a") for c, lat in families) if feminine_adds_a else families
        pools[(women, men), (feminine, families)] = weight
    return Lottery.weighted(pools)


def _regions(country: str) -> list[str]:
    return sorted({region for _, _, region in words.CITIES[country]})


def plan_participants(ctx: Context, scale: int, partners: Partners) -> People:
    """`scale` participants spread over the members by staff size, about 35% of them women."""
    rng = ctx.rng
    people = People(ctx.first_ids["participants"])
    weights = [words.STAFF_WEIGHT[m.kind] * rng.lognormvariate(0, 0.5) for m in partners.members]
    people.institutions = rng.choices(partners.members, weights, k=scale)
    categories = {kind: _categories(kind) for kind in words.MEMBER_KINDS}
    countries = {m.country for m in partners.members}
    naming = {country: _name_pools(country) for country in countries}
    regions = {country: _regions(country) for country in countries}
    for index, institution in enumerate(people.institutions):
        participant_id = people.first_id + index
        category = categories[institution.kind].draw(rng)
        _, women_share, positions = words.STAFF_CATEGORIES[category]
        draw = rng.random()
        if draw < OTHER_SHARE:
            gender = Gender.OTHER.value
        elif draw < OTHER_SHARE + UNDISCLOSED_SHARE:
            gender = Gender.UNDISCLOSED.value
        else:
            gender = Gender.FEMALE.value if rng.random() < women_share else Gender.MALE.value
        given_names, family_names = naming[institution.country].draw(rng)
        as_man = gender == Gender.MALE or (gender != Gender.FEMALE and rng.random() < 0.5)
        given, given_latin = rng.choice(given_names[as_man])
        family, family_latin = rng.choice(family_names[as_man])
        email = None
        if rng.random() < EMAIL_SHARE:
            email = f"{given_latin}.{family_latin}.{index + 1}@{institution.code}.example".lower()
        region = institution.region
        if rng.random() >= HOME_REGION_SHARE:
            region = rng.choice(regions[institution.country])
        is_trainer = rng.random() < TRAINER_SHARE.get(category, DEFAULT_TRAINER_SHARE)
        people.by_institution.setdefault(institution.id, []).append(index)
        if is_trainer:
            people.trainers.setdefault(institution.id, []).append(participant_id)
        people.rows.append(
            (participant_id, institution.id, f"{ctx.prefix}-P{index + 1:07d}", given, family, gender,
             category, rng.choice(positions), region, email, is_trainer, None, search_text(given, family),
             *ctx.stamp)
        )  # fmt: skip
    return people
