"""Published curricula with their modules, two national adaptations, and adoptions by members."""

import itertools
from dataclasses import dataclass
from datetime import date, time

from hub_api.generator import vocabulary as words
from hub_api.generator.context import (
    Context,
    bilingual,
    json_text,
    random_day,
    search_text,
    stored_time,
)
from hub_api.generator.partners import Partners
from hub_api.generator.tables import Table
from hub_api.models.enums import CurriculumStatus, InstitutionKind

ADAPTED_FROM = (0, 1)  # the first two designs are adapted nationally
PUBLISHED_FROM, PUBLISHED_TO = date(2018, 1, 10), date(2018, 12, 20)
COLUMNS = (
    "id", "code", "number", "title", "summary", "owner_institution_id", "status", "languages",
    "delivery_modes", "audiences", "standards", "derived_from_id", "published_at", "retired_at",
    "search_text", "created_at", "updated_at", "version",
)  # fmt: skip
MODULE_COLUMNS = ("id", "curriculum_id", "position", "title", "hours", "learning_outcomes")
ADOPTION_COLUMNS = (
    "id", "curriculum_id", "institution_id", "agreement_id", "adopted_on", "language", "local_title", "notes",
    "created_at", "updated_at", "version",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Curriculum:
    """What cohorts take from a curriculum: its id, title and session topics."""

    id: int
    title: tuple[str, str]
    topics: tuple[str, ...]


@dataclass
class Curricula:
    """The planned curricula and the rows of their tables."""

    curricula: list[Curriculum]
    rows: list[tuple]
    module_rows: list[tuple]
    adoption_rows: list[tuple]

    def tables(self):
        """The curricula table, their modules and adoptions."""
        yield Table("curricula", COLUMNS, self.rows)
        yield Table("curriculum_modules", MODULE_COLUMNS, self.module_rows)
        yield Table("curriculum_adoptions", ADOPTION_COLUMNS, self.adoption_rows)


def _designs():
    """(subject, source index or None) of each curriculum: the subjects, then the adaptations."""
    yield from ((subject, None) for subject in words.CURRICULA)
    yield from ((words.CURRICULA[source], source) for source in ADAPTED_FROM)


def _modules(ctx: Context) -> list[tuple[str, str]]:
    middle = ctx.rng.sample(words.MODULE_SUBJECTS, ctx.rng.randint(2, 6))
    return [words.FIRST_MODULE, *middle, words.LAST_MODULE]


def plan_curricula(ctx: Context, partners: Partners) -> Curricula:
    """Ten published designs (three by the organisation, the rest by academies) and two adaptations."""
    rng = ctx.rng
    plan = Curricula([], [], [], [])
    academies = [m for m in partners.members if m.kind == InstitutionKind.ACADEMY] or partners.members
    module_ids = itertools.count(ctx.first_ids["curriculum_modules"])
    adoption_ids = itertools.count(ctx.first_ids["curriculum_adoptions"])
    for n, ((english, russian, audiences, standards, modes), source) in enumerate(_designs()):
        curriculum_id = ctx.first_ids["curricula"] + n
        owner = partners.organisation if n < 3 else rng.choice(academies)
        if source is not None:
            english, russian = f"{english} (national adaptation)", f"{russian} (национальная адаптация)"
        code = f"{ctx.prefix}-CUR-{n + 1:02d}"
        title = bilingual(english, russian)
        published = random_day(rng, PUBLISHED_FROM, PUBLISHED_TO)
        modules = _modules(ctx)
        plan.curricula.append(Curriculum(curriculum_id, (english, russian), tuple(m[0] for m in modules)))
        derived_from = None if source is None else ctx.first_ids["curricula"] + source
        plan.rows.append(
            (curriculum_id, code, 1, json_text(title), None, owner.id, CurriculumStatus.PUBLISHED.value,
             json_text(["ru", "en"]), json_text(list(modes)), json_text(list(audiences)),
             json_text(list(standards)), derived_from, stored_time(published, time(9)), None,
             search_text(code, *title.values()), *ctx.stamp)
        )  # fmt: skip
        for position, (module_en, module_ru) in enumerate(modules, start=1):
            hours = rng.choice((2, 3, 4, 4, 6, 8)) + rng.choice((0, 0, 0.5))
            outcomes = json_text([f"Applies {module_en.lower()} in daily work"])
            module_title = json_text(bilingual(module_en, module_ru))
            plan.module_rows.append(
                (next(module_ids), curriculum_id, position, module_title, hours, outcomes)
            )
        adopters = [a for a in rng.sample(academies, min(len(academies), rng.randint(0, 3))) if a != owner]
        for adopter in adopters:
            adopted = random_day(rng, published, ctx.today).isoformat()
            plan.adoption_rows.append(
                (next(adoption_ids), curriculum_id, adopter.id, None, adopted, "ru", None, None, *ctx.stamp)
            )
    return plan
