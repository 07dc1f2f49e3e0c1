"""Property-based proof that the statistics are exact and never single out a person.

Hypothesis draws small worlds: 2-4 institutions in 2-3 countries, 1-2 programmes, curricula and
agreements, 2-5 cohorts of random kind, delivery mode and start (2019-2021), and up to 25 officers
(some erased) with enrolments of every status (completed the likeliest), optional scores and
satisfaction, and roll-call marks; then 1-3 questions, each with its own k, 0-4 dimensions and
0-2 filters (dates on, or a day either side of, a cohort's start). Each example stores its world,
asks the API as a hub admin (unsuppressed, then suppressed), and deletes what it stored.

Every expected figure is recounted here in plain Python from the stored rows, following the
counting rules of the contract (shared/product/api.md, "Statistics (dashboards)"), never with the
implementation's code. The properties:

1. `suppress=false` (min_cell null): the rows of /stats/training, for any 0-4 dimensions and any
   filters, are exactly the non-empty groups, in code order (None last), and every code and
   figure equals the recount; so do the totals, which count each person once.
2. With suppression (k = HUB_STATS_MIN_CELL, drawn from 2 to 6), in every row and the totals:
   (a) no published count lies in 1..k-1; (b) a published rate or average divides by at least k
   (attendance_rate: by the enrolments with marks, stricter than by the marks); (c) a rate is
   hidden whenever a count it is computed from is; (d) every published value is the true one;
   (e) `suppressed` names exactly the null keys; (f) complementary: a count hidden in one row is
   hidden in another too (when there is one), and unless the total hides it as well, the hidden
   rows together hold at least k; (g) nothing is hidden without one of those reasons, and the
   complementary row is the smallest non-zero one.
3. The same for /stats/overview `training` (people and women trained per start year) and for
   /stats/cohorts/{id} (the cohort's figures and `by_gender`).
4. Erased participants count like everyone else: the recount includes them, and the run must
   have compared figures that include erased officers.
5. (h) "No hidden value may be recoverable from what the same response publishes": no hidden
   non-zero count follows, by linear algebra, from the published counts and the identities the
   contract itself implies (a total is the sum of its rows; in a female row women = completed, in
   any other row women = 0; in one cohort people_trained = completed).

Rates have 4 decimals and averages 2, rounded half-up; the contract does not say how a negative
average gain that lies exactly half-way rounds, and this file takes half away from zero (-2.125
-> -2.13), the symmetric reading.

Hypothesis runs inside each test (not around it) so that the function-scoped fixtures are set up
once, and so that, once every example has passed, the test can check that the examples really
exercised what the properties are about (hidden cells, complementary cells, erased officers...).
The runs are derandomized, so CI always sees the same examples.
"""

import contextlib
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from math import floor

import sqlalchemy as sa
from hypothesis import currently_in_test_context, example, given, note, settings
from hypothesis import strategies as st

from hub_api.models import Agreement, Cohort, Curriculum, CurriculumModule, Enrolment, Participant, Programme
from hub_api.models.enums import (
    AgreementKind,
    CohortKind,
    DeliveryMode,
    EnrolmentStatus,
    Gender,
    StaffCategory,
)
from hub_api.models.institution import Institution
from tests.factories import InstitutionFactory
from tests.training_factories import CohortFactory, ParticipantRowFactory, PublishedCurriculumFactory

URL = "/api/v1/stats"
PROPERTY_SETTINGS = {"deadline": None, "derandomize": True, "database": None, "print_blob": False}
ERASED_AT = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
STATUS_CHANGED_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
COUNTRIES = ("KZ", "KG", "TJ", "UZ")
UNUSED_COUNTRY = "TM"  # no institution is ever there: a filter that matches nothing
DIMENSIONS = (
    "country",
    "institution",
    "gender",
    "staff_category",
    "year",
    "quarter",
    "month",
    "delivery_mode",
    "cohort_kind",
    "programme",
    "curriculum",
    "agreement",
)
FILTERS = (
    "from",
    "to",
    "country",
    "institution_id",
    "programme_id",
    "curriculum_id",
    "agreement_id",
    "cohort_kind",
    "delivery_mode",
)
ID_FILTERS = {
    "institution_id": "institutions",
    "programme_id": "programmes",
    "curriculum_id": "curricula",
    "agreement_id": "agreements",
}
METRICS = (
    "nominated",
    "enrolled",
    "completed",
    "completion_rate",
    "women",
    "women_share",
    "people_trained",
    "avg_pre_score",
    "avg_post_score",
    "avg_gain",
    "avg_satisfaction",
    "attendance_rate",
)
COUNTS = ("nominated", "enrolled", "completed", "women", "people_trained")
# Each rate or average: the count it divides by, and the published counts it is computed from.
DERIVED = {
    "completion_rate": ("enrolled", ("completed", "enrolled")),
    "women_share": ("completed", ("women", "completed")),
    "avg_pre_score": ("pre_values", ()),
    "avg_post_score": ("post_values", ()),
    "avg_gain": ("gain_values", ()),
    "avg_satisfaction": ("satisfaction_values", ()),
    "attendance_rate": ("enrolments_with_marks", ()),
}
PEOPLE_METRICS = ("people_trained", "women_trained", "women_share")
PEOPLE_COUNTS = ("people_trained", "women_trained")
PEOPLE_DERIVED = {"women_share": ("people_trained", ("women_trained", "people_trained"))}
# Statuses of an enrolment that took a seat and kept it.
ENROLLED = {"enrolled", "completed", "failed", "no_show"}

STATUSES = [s.value for s in EnrolmentStatus]
GENDERS = [g.value for g in Gender]
CATEGORIES = [c.value for c in StaffCategory]
KINDS = [k.value for k in CohortKind]
MODES = [m.value for m in DeliveryMode]
_codes = itertools.count(1)


# --- the worlds Hypothesis draws --------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentSpec:
    cohort: int  # index into World.cohorts
    status: str
    pre: int | None
    post: int | None
    satisfaction: int | None
    marks: int
    present: int


@dataclass(frozen=True)
class PersonSpec:
    institution: int  # index into World.institutions
    gender: str
    staff_category: str
    erased: bool
    enrolments: tuple[EnrolmentSpec, ...]


@dataclass(frozen=True)
class CohortSpec:
    kind: str
    delivery_mode: str
    starts_on: date
    curriculum: int  # every cohort delivers a curriculum (the column is NOT NULL)
    programme: int | None
    agreement: int | None
    spare_seats: int


@dataclass(frozen=True)
class World:
    institutions: tuple[str, ...]  # the country of each
    programmes: int
    curricula: int
    agreements: int
    cohorts: tuple[CohortSpec, ...]
    people: tuple[PersonSpec, ...]


@dataclass(frozen=True)
class Query:
    group_by: tuple[str, ...]
    filters: tuple[tuple[str, object], ...]  # id filters hold an index into the world's entities
    k: int


def optional(strategy):
    return st.none() | strategy


@st.composite
def enrolment_specs(draw, cohort: int) -> EnrolmentSpec:
    scores = st.integers(0, 100)
    marks = draw(st.integers(0, 6))
    return EnrolmentSpec(
        cohort=cohort,
        status=draw(st.just("completed") | st.sampled_from(STATUSES)),  # most enrolments complete
        pre=draw(optional(scores)),
        post=draw(optional(scores)),
        satisfaction=draw(optional(st.integers(1, 5))),
        marks=marks,
        present=draw(st.integers(0, marks)),
    )


@st.composite
def person_specs(draw, institutions: int, cohorts: int) -> PersonSpec:
    count = draw(st.integers(0, cohorts))
    taken = draw(st.permutations(range(cohorts)))[:count]
    return PersonSpec(
        institution=draw(st.integers(0, institutions - 1)),
        gender=draw(st.sampled_from(GENDERS[:2]) | st.sampled_from(GENDERS)),  # a few `other`: small cells
        staff_category=draw(st.sampled_from(CATEGORIES[:3]) | st.sampled_from(CATEGORIES)),
        erased=draw(st.booleans()),
        enrolments=tuple(draw(enrolment_specs(cohort)) for cohort in sorted(taken)),
    )


@st.composite
def cohort_specs(draw, programmes: int, curricula: int, agreements: int) -> CohortSpec:
    return CohortSpec(
        kind=draw(st.sampled_from(KINDS)),
        delivery_mode=draw(st.sampled_from(MODES)),
        starts_on=draw(st.dates(date(2019, 1, 1), date(2021, 12, 31))),
        curriculum=draw(st.integers(0, curricula - 1)),
        programme=draw(optional(st.integers(0, programmes - 1))),
        agreement=draw(optional(st.integers(0, agreements - 1))),
        spare_seats=draw(st.integers(0, 3)),
    )


@st.composite
def worlds(draw) -> World:
    countries = draw(st.lists(st.sampled_from(COUNTRIES), min_size=2, max_size=3, unique=True))
    extra = draw(st.integers(0, 4 - len(countries)))
    institutions = (*countries, *(draw(st.sampled_from(countries)) for _ in range(extra)))
    programmes, curricula, agreements = (draw(st.integers(1, 2)) for _ in range(3))
    cohort_count = draw(st.integers(2, 5))
    cohorts = tuple(draw(cohort_specs(programmes, curricula, agreements)) for _ in range(cohort_count))
    people = draw(st.integers(0, 25))
    return World(
        institutions=institutions,
        programmes=programmes,
        curricula=curricula,
        agreements=agreements,
        cohorts=cohorts,
        people=tuple(draw(person_specs(len(institutions), cohort_count)) for _ in range(people)),
    )


def boundary_dates(world: World):
    """A cohort's start or a day either side (so `from` and `to` meet their bounds), or any day."""
    starts = sorted({c.starts_on for c in world.cohorts})
    near = st.builds(
        lambda day, shift: day + timedelta(days=shift), st.sampled_from(starts), st.sampled_from((-1, 0, 1))
    )
    return near | st.dates(date(2018, 10, 1), date(2022, 3, 31))


def filter_values(name: str, world: World):
    used_kinds = sorted({c.kind for c in world.cohorts})
    used_modes = sorted({c.delivery_mode for c in world.cohorts})
    choices = {
        "from": boundary_dates(world),
        "to": boundary_dates(world),
        "country": st.sampled_from([*sorted(set(world.institutions)), UNUSED_COUNTRY]),
        "institution_id": st.integers(0, len(world.institutions) - 1),
        "programme_id": st.integers(0, world.programmes - 1),
        "curriculum_id": st.integers(0, world.curricula - 1),
        "agreement_id": st.integers(0, world.agreements - 1),
        "cohort_kind": st.sampled_from(used_kinds) | st.sampled_from(KINDS),
        "delivery_mode": st.sampled_from(used_modes) | st.sampled_from(MODES),
    }
    return choices[name]


@st.composite
def queries(draw, world: World) -> Query:
    group_by = draw(st.lists(st.sampled_from(DIMENSIONS), unique=True, max_size=4))
    names = draw(st.lists(st.sampled_from(FILTERS), unique=True, max_size=2))
    filters = {name: draw(filter_values(name, world)) for name in names}
    if "from" in filters and "to" in filters and filters["from"] > filters["to"]:
        filters["from"], filters["to"] = filters["to"], filters["from"]
    return Query(tuple(group_by), tuple(sorted(filters.items())), draw(st.integers(2, 6)))


@st.composite
def scenarios(draw) -> tuple[World, list[Query]]:
    """A world and one to three questions about it."""
    world = draw(worlds())
    return world, draw(st.lists(queries(world), min_size=1, max_size=3))


# --- storing a world, and what the statistics may read of it ------------------------------------


@dataclass(frozen=True)
class Fact:
    """One stored enrolment, with everything the counting rules read about it."""

    participant: int
    erased: bool
    gender: str
    staff_category: str
    institution: int
    country: str
    cohort: int
    starts_on: date
    kind: str
    delivery_mode: str
    programme: int | None
    curriculum: int
    agreement: int | None
    status: str
    pre: int | None
    post: int | None
    satisfaction: int | None
    marks: int
    present: int


@dataclass
class Stored:
    """The ids a world got, per entity in the order of its spec, and its enrolments as facts."""

    institutions: list[int] = field(default_factory=list)
    programmes: list[int] = field(default_factory=list)
    curricula: list[int] = field(default_factory=list)
    agreements: list[int] = field(default_factory=list)
    cohorts: list[int] = field(default_factory=list)
    participants: list[int] = field(default_factory=list)
    seats: dict[int, tuple[int, int]] = field(default_factory=dict)  # cohort id -> (taken, capacity)
    facts: list[Fact] = field(default_factory=list)


def _flushed(dbs, rows: list) -> list[int]:
    dbs.add_all(rows)
    dbs.flush()
    return [row.id for row in rows]


def _participant(spec: PersonSpec, institution_id: int) -> Participant:
    columns = {"institution_id": institution_id, "gender": spec.gender, "staff_category": spec.staff_category}
    if spec.erased:  # as erasure leaves them: anonymous facts only
        identity = ("external_ref", "given_name", "family_name", "email", "position")
        columns |= {"erased_at": ERASED_AT, **dict.fromkeys(identity)}
    return ParticipantRowFactory.build(**columns)


def _cohort(spec: CohortSpec, ids: Stored, seats_taken: int) -> Cohort:
    return CohortFactory.build(
        kind=spec.kind,
        delivery_mode=spec.delivery_mode,
        starts_on=spec.starts_on,
        ends_on=spec.starts_on + timedelta(days=4),
        curriculum_id=ids.curricula[spec.curriculum],
        host_institution_id=ids.institutions[0],
        programme_id=None if spec.programme is None else ids.programmes[spec.programme],
        agreement_id=None if spec.agreement is None else ids.agreements[spec.agreement],
        capacity=max(1, seats_taken + spec.spare_seats),
        seats_taken=seats_taken,
    )


def _enrolment(e: EnrolmentSpec, person: Participant, ids: Stored) -> Enrolment:
    return Enrolment(
        cohort_id=ids.cohorts[e.cohort],
        participant_id=person.id,
        institution_id=person.institution_id,
        status=e.status,
        status_changed_at=STATUS_CHANGED_AT,
        pre_score=e.pre,
        post_score=e.post,
        satisfaction=e.satisfaction,
        attendance_marks=e.marks,
        attendance_present=e.present,
    )


def _fact(world: World, person: PersonSpec, e: EnrolmentSpec, participant_id: int, ids: Stored) -> Fact:
    """What the contract lets a statistic read of one enrolment, from the spec it was stored from."""
    cohort = world.cohorts[e.cohort]
    return Fact(
        participant=participant_id,
        erased=person.erased,
        gender=person.gender,
        staff_category=person.staff_category,
        institution=ids.institutions[person.institution],
        country=world.institutions[person.institution],
        cohort=ids.cohorts[e.cohort],
        starts_on=cohort.starts_on,
        kind=cohort.kind,
        delivery_mode=cohort.delivery_mode,
        programme=None if cohort.programme is None else ids.programmes[cohort.programme],
        curriculum=ids.curricula[cohort.curriculum],
        agreement=None if cohort.agreement is None else ids.agreements[cohort.agreement],
        status=e.status,
        pre=e.pre,
        post=e.post,
        satisfaction=e.satisfaction,
        marks=e.marks,
        present=e.present,
    )


def store(dbs, world: World, ids: Stored) -> None:
    """Insert the world in one transaction, filling `ids` as rows get them."""
    ids.institutions += _flushed(dbs, [InstitutionFactory.build(country=c) for c in world.institutions])
    programmes = [Programme(code=f"PROP-P{next(_codes)}", name={"en": "P"}) for _ in range(world.programmes)]
    ids.programmes += _flushed(dbs, programmes)
    agreements = [
        Agreement(reference=f"PROP-A{next(_codes)}", title={"en": "A"}, kind=AgreementKind.MOU)
        for _ in range(world.agreements)
    ]
    ids.agreements += _flushed(dbs, agreements)
    owner = ids.institutions[0]
    curricula = [PublishedCurriculumFactory.build(owner_institution_id=owner) for _ in range(world.curricula)]
    ids.curricula += _flushed(dbs, curricula)
    taken = Counter(e.cohort for p in world.people for e in p.enrolments if e.status != "withdrawn")
    cohorts = [_cohort(spec, ids, taken[n]) for n, spec in enumerate(world.cohorts)]
    ids.cohorts += _flushed(dbs, cohorts)
    ids.seats = {c.id: (c.seats_taken, c.capacity) for c in cohorts}
    people = [_participant(p, ids.institutions[p.institution]) for p in world.people]
    ids.participants += _flushed(dbs, people)
    for row, spec in zip(people, world.people, strict=True):
        dbs.add_all(_enrolment(e, row, ids) for e in spec.enrolments)
        ids.facts += [_fact(world, spec, e, row.id, ids) for e in spec.enrolments]
    dbs.commit()


def remove(dbs, ids: Stored) -> None:
    """Delete what `store` inserted, dependants first."""
    dbs.rollback()
    steps = (
        (Enrolment.cohort_id, ids.cohorts),
        (Participant.id, ids.participants),
        (Cohort.id, ids.cohorts),
        (CurriculumModule.curriculum_id, ids.curricula),
        (Curriculum.id, ids.curricula),
        (Agreement.id, ids.agreements),
        (Programme.id, ids.programmes),
        (Institution.id, ids.institutions),
    )
    for column, values in steps:
        if values:
            dbs.execute(sa.delete(column.class_).where(column.in_(values)))
    dbs.commit()
    dbs.expunge_all()


@contextlib.contextmanager
def stored(dbs, world: World):
    """The world in the database for the duration of one example."""
    ids = Stored()
    try:
        store(dbs, world, ids)
        yield ids
    finally:
        remove(dbs, ids)


@contextlib.contextmanager
def min_cell(app, k: int):
    """HUB_STATS_MIN_CELL set to k for one example, then put back."""
    before = app.config["HUB_STATS_MIN_CELL"]
    app.config["HUB_STATS_MIN_CELL"] = k
    try:
        yield
    finally:
        app.config["HUB_STATS_MIN_CELL"] = before


def resolved(query: Query, ids: Stored) -> dict:
    """The query's filters with entity indexes replaced by the ids they got."""
    return {
        name: getattr(ids, ID_FILTERS[name])[value] if name in ID_FILTERS else value
        for name, value in query.filters
    }


def training_params(group_by, filters: dict) -> dict:
    params = {
        name: value.isoformat() if isinstance(value, date) else str(value) for name, value in filters.items()
    }
    if group_by:
        params["group_by"] = ",".join(group_by)
    return params


def get_json(client, actor, path: str, params: dict) -> dict:
    if currently_in_test_context():
        note(f"GET {path} {params}")
    response = client.get(f"{URL}{path}", query_string=params, headers=actor.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


# --- the recount: the contract's counting rules in plain Python ----------------------------------


@dataclass(frozen=True)
class Truth:
    """The true figures of one group, and the counts its rates and averages divide by."""

    values: dict
    bases: dict


def rounded(numerator: int, denominator: int, places: int) -> float | None:
    """numerator / denominator to `places` decimals, half-up (away from zero); None for a zero divisor."""
    if denominator == 0:
        return None
    scaled = Fraction(numerator, denominator) * 10**places
    magnitude = floor(abs(scaled) + Fraction(1, 2))
    return float(Fraction(magnitude if scaled >= 0 else -magnitude, 10**places))


def code_of(fact: Fact, dimension: str):
    """The code of a fact's group along one dimension, as the contract spells it."""
    start = fact.starts_on
    return {
        "country": fact.country,
        "institution": fact.institution,
        "gender": fact.gender,
        "staff_category": fact.staff_category,
        "year": f"{start.year:04d}",
        "quarter": f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}",
        "month": f"{start.year:04d}-{start.month:02d}",
        "delivery_mode": fact.delivery_mode,
        "cohort_kind": fact.kind,
        "programme": fact.programme,
        "curriculum": fact.curriculum,
        "agreement": fact.agreement,
    }[dimension]


def matches(fact: Fact, filters: dict) -> bool:
    tests = {
        "from": lambda v: fact.starts_on >= v,
        "to": lambda v: fact.starts_on <= v,
        "country": lambda v: fact.country == v,
        "institution_id": lambda v: fact.institution == v,
        "programme_id": lambda v: fact.programme == v,
        "curriculum_id": lambda v: fact.curriculum == v,
        "agreement_id": lambda v: fact.agreement == v,
        "cohort_kind": lambda v: fact.kind == v,
        "delivery_mode": lambda v: fact.delivery_mode == v,
    }
    return all(tests[name](value) for name, value in filters.items())


def code_order(codes: tuple) -> tuple:
    """Rows sort by their codes, a missing code (None) after every other."""
    return tuple((code is None, "" if code is None else code) for code in codes)


def recount(facts: list[Fact]) -> Truth:
    """The training metrics of a group of enrolments."""
    completed = [f for f in facts if f.status == "completed"]
    pre = [f.pre for f in facts if f.pre is not None]
    post = [f.post for f in facts if f.post is not None]
    gains = [f.post - f.pre for f in facts if f.pre is not None and f.post is not None]
    satisfaction = [f.satisfaction for f in facts if f.satisfaction is not None]
    counts = {
        "nominated": len(facts),
        "enrolled": sum(f.status in ENROLLED for f in facts),
        "completed": len(completed),
        "women": sum(f.gender == "female" for f in completed),
        "people_trained": len({f.participant for f in completed}),
    }
    values = {
        **counts,
        "completion_rate": rounded(counts["completed"], counts["enrolled"], 4),
        "women_share": rounded(counts["women"], counts["completed"], 4),
        "avg_pre_score": rounded(sum(pre), len(pre), 2),
        "avg_post_score": rounded(sum(post), len(post), 2),
        "avg_gain": rounded(sum(gains), len(gains), 2),
        "avg_satisfaction": rounded(sum(satisfaction), len(satisfaction), 2),
        "attendance_rate": rounded(sum(f.present for f in facts), sum(f.marks for f in facts), 4),
    }
    bases = {
        **counts,
        "pre_values": len(pre),
        "post_values": len(post),
        "gain_values": len(gains),
        "satisfaction_values": len(satisfaction),
        "enrolments_with_marks": sum(f.marks > 0 for f in facts),
    }
    return Truth({key: values[key] for key in METRICS}, bases)


def recount_people(facts: list[Fact]) -> Truth:
    """People and women trained: distinct participants with a completed enrolment."""
    trained = {f.participant for f in facts if f.status == "completed"}
    women = {f.participant for f in facts if f.status == "completed" and f.gender == "female"}
    counts = {"people_trained": len(trained), "women_trained": len(women)}
    return Truth({**counts, "women_share": rounded(len(women), len(trained), 4)}, counts)


def grouped(facts: list[Fact], key, measure) -> list[tuple]:
    """(codes, truth) per non-empty group of `key(fact)`, in code order."""
    groups = defaultdict(list)
    for fact in facts:
        groups[key(fact)].append(fact)
    return [(codes, measure(groups[codes])) for codes in sorted(groups, key=code_order)]


def expected_training(facts: list[Fact], group_by: tuple, filters: dict) -> tuple[list[tuple], Truth]:
    selected = [f for f in facts if matches(f, filters)]
    rows = grouped(selected, lambda f: tuple(code_of(f, d) for d in group_by), recount) if group_by else []
    return rows, recount(selected)


# --- checking the answers -------------------------------------------------------------------


def figures(document: dict, keys) -> dict:
    return {key: document[key] for key in keys}


def assert_exact(published: dict, truth: Truth, keys) -> None:
    """Unsuppressed: every figure is the true one, and nothing is named as hidden."""
    assert figures(published, keys) == truth.values
    assert published["suppressed"] == []


def assert_training_exact(body: dict, group_by: tuple, rows: list[tuple], total: Truth) -> None:
    assert body["group_by"] == list(group_by)
    assert body["min_cell"] is None
    assert [tuple(row[d] for d in group_by) for row in body["rows"]] == [codes for codes, _ in rows]
    row_keys = {*group_by, *(f"{d}_label" for d in group_by), *METRICS, "suppressed"}
    for row, (_, truth) in zip(body["rows"], rows, strict=True):
        assert set(row) == row_keys
        assert all(isinstance(row[f"{d}_label"], str) and row[f"{d}_label"] for d in group_by)
        assert_exact(row, truth, METRICS)
    assert set(body["totals"]) == {*METRICS, "suppressed"}
    assert_exact(body["totals"], total, METRICS)


def assert_cell_protected(published: dict, truth: Truth, k: int, counts, derived: dict) -> None:
    """Properties (a)-(e), and (g) for rates, in one row or total."""
    hidden = {key for key in truth.values if published[key] is None}
    named = published["suppressed"]
    assert len(named) == len(set(named)) and set(named) == hidden, "(e) suppressed names the null keys"
    for key, value in truth.values.items():
        if key not in hidden:
            assert published[key] == value, f"(d) {key} published as the true value"
    for name in counts:
        if name not in hidden:
            assert not 0 < truth.values[name] < k, f"(a) {name}={truth.values[name]} published, k={k}"
    for name, (divisor, inputs) in derived.items():
        too_few = truth.bases[divisor] < k
        from_hidden = any(count in hidden for count in inputs)
        if name not in hidden:
            assert not too_few, f"(b) {name} published over {divisor}={truth.bases[divisor]} < k={k}"
            assert not from_hidden, f"(c) {name} published though a count it comes from is hidden"


def rate_hidden_for_a_reason(published: dict, truth: Truth, k: int, name: str, derived: dict) -> bool:
    """A rate hidden because its divisor is small or a count it comes from is hidden."""
    divisor, inputs = derived[name]
    return truth.bases[divisor] < k or any(published[count] is None for count in inputs)


def assert_rates_complemented(rows: list[dict], truths: list[Truth], k: int, derived: dict) -> None:
    """(f) and (g) for rates: a lone hidden rate gets one partner, the smallest divisor; no other."""
    for name, (divisor, _) in derived.items():
        reasoned = [i for i, r in enumerate(rows) if rate_hidden_for_a_reason(r, truths[i], k, name, derived)]
        hidden = [i for i, row in enumerate(rows) if row[name] is None]
        partners = [i for i in hidden if i not in reasoned and truths[i].values[name] is not None]
        shown = [i for i, row in enumerate(rows) if row[name] is not None]
        assert len(partners) <= (1 if len(reasoned) == 1 else 0), f"(g) {name}: hidden without a reason"
        if len(reasoned) == 1 and shown:
            assert len(partners) == 1, f"(f) {name}: a lone hidden rate and no partner"
        for i in partners:
            smallest = min(truths[j].bases[divisor] for j in [*shown, i])
            assert truths[i].bases[divisor] == smallest, f"(g) {name}: partner is not the smallest divisor"


def assert_complemented(
    name: str, rows: list[dict], truths: list[Truth], total: dict, total_truth, k, *, exact: bool = True
) -> Counter:
    """Properties (f) and (g) for one count across the rows and the total; tallies what happened.

    `exact` is False for counts that further rules may hide (ties, a split by gender): then (g)
    is not asserted, since those rules hide more than the plain complement does."""
    values = [truth.values[name] for truth in truths]
    hidden = [i for i, row in enumerate(rows) if row[name] is None]
    small = [i for i, value in enumerate(values) if 0 < value < k]
    hidden_sum = sum(values[i] for i in hidden)
    total_hidden = total[name] is None
    if hidden:
        assert len(hidden) >= 2 or total_hidden, f"(f) {name}: a lone hidden row, and the total published"
        if len(rows) >= 2:
            assert len(hidden) >= 2, f"(f) {name}: one row hidden, and no second one"
        if not total_hidden:
            assert hidden_sum >= k, f"(f) {name}: hidden rows hold {hidden_sum} < k={k}, total published"
    partners = [i for i in hidden if i not in small]
    total_small = 0 < total_truth.values[name] < k
    by_complement = bool(hidden) and (hidden_sum < k or len(hidden) < 2)
    if total_small or by_complement:
        assert total_hidden, f"(f) {name}: the total must be hidden"
    if exact:
        assert len(partners) <= (1 if len(small) == 1 else 0), f"(g) {name}: rows hidden without a reason"
        published_nonzero = [values[j] for j in range(len(rows)) if j not in hidden and values[j] > 0]
        for i in partners:
            assert all(values[i] <= v for v in published_nonzero), f"(g) {name}: complement not the smallest"
        assert total_hidden == (total_small or by_complement), f"(g) {name}: total hidden iff it must be"
    return Counter(
        {"complementary row": len(partners), "total hidden by complement": by_complement and not total_small}
    )


# Counts that the tie (people trained with completions) or the split by gender may hide further.
LINKED = {"completed", "people_trained", "women"}


def assert_protected(
    rows: list[dict], truths: list[Truth], total: dict, total_truth: Truth, k, counts, derived
):
    """Every suppression property over one response's rows and total; tallies what happened."""
    for published, truth in [*zip(rows, truths, strict=True), (total, total_truth)]:
        assert_cell_protected(published, truth, k, counts, derived)
    assert_rates_complemented(rows, truths, k, derived)
    seen = Counter()
    for name in counts:
        exact = name not in LINKED or counts is PEOPLE_COUNTS
        seen += assert_complemented(name, rows, truths, total, total_truth, k, exact=exact)
    for published in [*rows, total]:
        seen["hidden count"] += any(published[c] is None for c in counts)
        seen["hidden rate"] += any(published[r] is None for r in derived)
        seen["published rate"] += any(published[r] is not None for r in derived)
    return seen


def dimension_cells(body_rows: list[dict], group_by) -> list[dict]:
    """Each row's codes and labels, without its figures."""
    return [{key: row[key] for key in (*group_by, *(f"{d}_label" for d in group_by))} for row in body_rows]


def assert_covered(seen: Counter, wanted: tuple[str, ...]) -> None:
    """The examples exercised every case the properties are about (else they prove little)."""
    assert [case for case in wanted if not seen[case]] == [], dict(seen)


def data_coverage(selected: list[Fact], group_by: tuple, rows: list[tuple], total: Truth) -> Counter:
    seen = Counter()
    seen["erased officer counted"] += any(f.erased for f in selected)
    seen["erased officer trained"] += any(f.erased and f.status == "completed" for f in selected)
    seen["missing code (None)"] += any(None in codes for codes, _ in rows)
    seen["four dimensions"] += len(group_by) == 4
    seen["no enrolments"] += total.values["nominated"] == 0
    gains = [truth.values["avg_gain"] for _, truth in rows] + [total.values["avg_gain"]]
    seen["negative average gain"] += any(gain is not None and gain < 0 for gain in gains)
    return seen


# --- the properties ---------------------------------------------------------------------------


def completions_by_gender(**people: int) -> World:
    """One cohort of 2020 in which `people[gender]` officers of each gender all completed."""
    cohort = CohortSpec("course", "in_person", date(2020, 5, 11), 0, None, None, 0)
    completed = (EnrolmentSpec(0, "completed", None, None, None, 0, 0),)
    return World(
        institutions=("KZ",),
        programmes=1,
        curricula=1,
        agreements=1,
        cohorts=(cohort,),
        people=tuple(
            PersonSpec(0, gender, "psychologist", False, completed)
            for gender, count in people.items()
            for _ in range(count)
        ),
    )


def check_training(client, admin, ids: Stored, query: Query) -> Counter:
    filters = resolved(query, ids)
    rows, total = expected_training(ids.facts, query.group_by, filters)
    params = training_params(query.group_by, filters)

    exact = get_json(client, admin, "/training", {**params, "suppress": "false"})
    assert_training_exact(exact, query.group_by, rows, total)

    body = get_json(client, admin, "/training", params)
    assert body["group_by"] == list(query.group_by)
    assert body["min_cell"] == query.k
    assert dimension_cells(body["rows"], query.group_by) == dimension_cells(exact["rows"], query.group_by)
    truths = [truth for _, truth in rows]
    seen = assert_protected(body["rows"], truths, body["totals"], total, query.k, COUNTS, DERIVED)
    selected = [f for f in ids.facts if matches(f, filters)]
    return seen + data_coverage(selected, query.group_by, rows, total)


def test_training_figures_are_exact_and_protect_small_groups(app, client, admin, dbs):
    seen = Counter()

    @settings(max_examples=40, **PROPERTY_SETTINGS)
    @given(scenarios())
    # Two small rows that together hold fewer than k: the total must be hidden too (rare when drawn).
    @example((completions_by_gender(female=10, male=1, other=1), [Query(("gender",), (), 5)]))
    def check(scenario):
        world, questions = scenario
        with stored(dbs, world) as ids:
            for query in questions:
                with min_cell(app, query.k):
                    seen.update(check_training(client, admin, ids, query))

    check()
    assert_covered(
        seen,
        (
            "erased officer counted",
            "erased officer trained",
            "missing code (None)",
            "four dimensions",
            "no enrolments",
            "negative average gain",
            "hidden count",
            "hidden rate",
            "published rate",
            "complementary row",
            "total hidden by complement",
        ),
    )


def assert_people_exact(training: dict, by_year: list[tuple], total: Truth) -> None:
    assert [(row["year"],) for row in training["by_year"]] == [codes for codes, _ in by_year]
    for row, (_, truth) in zip(training["by_year"], by_year, strict=True):
        assert set(row) == {"year", *PEOPLE_METRICS, "suppressed"}
        assert_exact(row, truth, PEOPLE_METRICS)
    assert set(training) == {*PEOPLE_METRICS, "suppressed", "by_year"}
    assert_exact(training, total, PEOPLE_METRICS)


def check_overview(client, admin, ids: Stored, k: int) -> Counter:
    by_year = grouped(ids.facts, lambda f: (f"{f.starts_on.year:04d}",), recount_people)
    total = recount_people(ids.facts)

    exact = get_json(client, admin, "/overview", {"suppress": "false"})
    assert exact["min_cell"] is None
    assert_people_exact(exact["training"], by_year, total)

    body = get_json(client, admin, "/overview", {})
    assert body["min_cell"] == k
    training = body["training"]
    assert [row["year"] for row in training["by_year"]] == [codes[0] for codes, _ in by_year]
    truths = [truth for _, truth in by_year]
    return assert_protected(training["by_year"], truths, training, total, k, PEOPLE_COUNTS, PEOPLE_DERIVED)


def check_cohort(client, admin, ids: Stored, cohort_id: int, k: int) -> Counter:
    facts = [f for f in ids.facts if f.cohort == cohort_id]
    genders = grouped(facts, lambda f: (f.gender,), recount)
    whole = recount(facts)
    taken, capacity = ids.seats[cohort_id]
    seats = {"capacity": capacity, "seats_taken": taken, "fill_rate": rounded(taken, capacity, 4)}

    exact = get_json(client, admin, f"/cohorts/{cohort_id}", {"suppress": "false"})
    assert exact["cohort_id"] == cohort_id
    assert exact["min_cell"] is None
    assert figures(exact, seats) == seats
    assert [(row["gender"],) for row in exact["by_gender"]] == [codes for codes, _ in genders]
    for row, (_, truth) in zip(exact["by_gender"], genders, strict=True):
        assert set(row) == {"gender", "gender_label", *METRICS, "suppressed"}
        assert_exact(row, truth, METRICS)
    assert_exact(exact, whole, METRICS)

    body = get_json(client, admin, f"/cohorts/{cohort_id}", {})
    assert body["min_cell"] == k
    assert [row["gender"] for row in body["by_gender"]] == [codes[0] for codes, _ in genders]
    truths = [truth for _, truth in genders]
    return assert_protected(body["by_gender"], truths, body, whole, k, COUNTS, DERIVED)


def test_overview_and_cohort_figures_are_exact_and_protect_small_groups(app, client, admin, dbs):
    seen = Counter()

    @settings(max_examples=25, **PROPERTY_SETTINGS)
    @given(worlds(), st.integers(2, 6))
    def check(world, k):
        with stored(dbs, world) as ids, min_cell(app, k):
            tallies = Counter(
                {f"overview {case}": n for case, n in check_overview(client, admin, ids, k).items()}
            )
            for cohort_id in ids.cohorts:
                cohort = check_cohort(client, admin, ids, cohort_id, k)
                tallies += Counter({f"cohort {case}": n for case, n in cohort.items()})
        tallies["erased officer trained"] += any(f.erased and f.status == "completed" for f in ids.facts)
        seen.update(tallies)

    check()
    assert_covered(
        seen,
        (
            "erased officer trained",
            "overview hidden count",
            "overview published rate",
            "overview complementary row",
            "cohort hidden count",
            "cohort hidden rate",
            "cohort published rate",
            "cohort complementary row",
        ),
    )


# --- (h) no hidden count can be worked back through the identities the contract states ----------

ADDITIVE = ("nominated", "enrolled", "completed", "women")  # a total is the sum of its rows


def identities(rows: list[dict], by_gender: bool, one_enrolment_each: bool) -> list[dict]:
    """Linear identities every reader knows, each {(row index or "total", count): coefficient} = 0."""
    equations = []
    if rows:
        for name in ADDITIVE:
            equations.append({**{(i, name): 1 for i in range(len(rows))}, ("total", name): -1})
    if by_gender:
        for i, row in enumerate(rows):
            female = row["gender"] == "female"
            equations.append({(i, "women"): 1, (i, "completed"): -1} if female else {(i, "women"): 1})
    if one_enrolment_each:
        for cell in [*range(len(rows)), "total"]:
            equations.append({(cell, "people_trained"): 1, (cell, "completed"): -1})
    return equations


def solved(equations: list[tuple[dict, Fraction]]) -> dict:
    """The unknowns that a consistent system of `sum(coefficient * unknown) = constant` fixes."""
    unknowns = sorted({x for coefficients, _ in equations for x in coefficients}, key=repr)
    matrix = [[Fraction(c.get(x, 0)) for x in unknowns] + [Fraction(b)] for c, b in equations]
    pivots, top = [], 0
    for column in range(len(unknowns)):
        pivot = next((i for i in range(top, len(matrix)) if matrix[i][column]), None)
        if pivot is None:
            continue
        matrix[top], matrix[pivot] = matrix[pivot], matrix[top]
        matrix[top] = [value / matrix[top][column] for value in matrix[top]]
        for i, line in enumerate(matrix):
            if i != top and line[column]:
                matrix[i] = [a - line[column] * b for a, b in zip(line, matrix[top], strict=True)]
        pivots.append((top, column))
        top += 1
    fixed = {}
    for line, column in pivots:
        if not any(value for j, value in enumerate(matrix[line][:-1]) if j != column):
            fixed[unknowns[column]] = matrix[line][-1]
    return fixed


def worked_back(rows: list[dict], total: dict, equations: list[dict]) -> dict:
    """The hidden cells whose value follows from the published ones and the identities."""

    def published(cell):
        return (total if cell[0] == "total" else rows[cell[0]])[cell[1]]

    system = []
    for equation in equations:
        unknown = {cell: c for cell, c in equation.items() if published(cell) is None}
        if unknown:
            known = sum(c * published(cell) for cell, c in equation.items() if cell not in unknown)
            system.append((unknown, -known))
    return solved(system)


def assert_nothing_worked_back(rows, truths: list[Truth], total: dict, total_truth: Truth, equations) -> None:
    """(h) No hidden non-zero count can be recovered (a hidden zero reveals nobody)."""

    def true(cell):
        return (total_truth if cell[0] == "total" else truths[cell[0]]).values[cell[1]]

    recovered = worked_back(rows, total, equations)
    assert {cell: true(cell) for cell in recovered} == recovered  # the solver itself is right
    leaks = {cell: int(value) for cell, value in recovered.items() if value > 0}
    assert leaks == {}, f"(h) hidden counts worked back from the response: {leaks}"


def check_recovery(client, admin, ids: Stored, query: Query) -> None:
    filters = resolved(query, ids)
    rows, total = expected_training(ids.facts, query.group_by, filters)
    body = get_json(client, admin, "/training", training_params(query.group_by, filters))
    equations = identities(body["rows"], "gender" in query.group_by, one_enrolment_each=False)
    assert_nothing_worked_back(body["rows"], [t for _, t in rows], body["totals"], total, equations)
    for cohort_id in ids.cohorts:
        facts = [f for f in ids.facts if f.cohort == cohort_id]
        genders = grouped(facts, lambda f: (f.gender,), recount)
        body = get_json(client, admin, f"/cohorts/{cohort_id}", {})
        equations = identities(body["by_gender"], by_gender=True, one_enrolment_each=True)
        assert_nothing_worked_back(
            body["by_gender"], [t for _, t in genders], body, recount(facts), equations
        )


def test_no_hidden_count_can_be_worked_back(app, client, admin, dbs):
    @settings(max_examples=40, **PROPERTY_SETTINGS)
    @given(scenarios())
    def check(scenario):
        world, questions = scenario
        with stored(dbs, world) as ids:
            for query in questions:
                with min_cell(app, query.k):
                    check_recovery(client, admin, ids, query)

    check()


def test_two_men_among_ten_stay_hidden_in_a_cohort_by_gender(app, client, admin, dbs):
    with stored(dbs, completions_by_gender(female=8, male=2)) as ids, min_cell(app, 5):
        body = get_json(client, admin, f"/cohorts/{ids.cohorts[0]}", {})
        men = body["by_gender"][1]
        assert (men["gender"], men["completed"]) == ("male", None)  # 2 < k: hidden
        equations = identities(body["by_gender"], by_gender=True, one_enrolment_each=True)
        assert worked_back(body["by_gender"], body, equations).get((1, "completed")) is None


def test_two_men_among_ten_stay_hidden_in_training_by_gender(app, client, admin, dbs):
    with stored(dbs, completions_by_gender(female=8, male=2)), min_cell(app, 5):
        body = get_json(client, admin, "/training", {"group_by": "gender"})
        men = body["rows"][1]
        assert (men["gender"], men["completed"]) == ("male", None)  # 2 < k: hidden
        # Published: the totals' completed 10 and women 8, so the completions of men are 10 - 8 = 2.
        equations = identities(body["rows"], by_gender=True, one_enrolment_each=False)
        assert worked_back(body["rows"], body["totals"], equations).get((1, "completed")) is None
