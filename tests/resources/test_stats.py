"""/api/v1/stats: dashboard figures, suppression, labels, validation, access, ETags, CSV and the demo seeds.

Every expected figure is worked out by hand from the small rosters below, with the arithmetic
in the comments, never by calling the statistics code. The default minimum cell is k = 5.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from hub_api import clock
from hub_api.demo.loader import load_demo
from hub_api.extensions import db
from hub_api.models import (
    Agreement,
    AgreementCommitment,
    Cohort,
    Curriculum,
    Enrolment,
    Institution,
    Participant,
    Programme,
    ProgrammeTarget,
)
from hub_api.models.enums import (
    AgreementKind,
    AgreementStatus,
    CohortKind,
    CohortStatus,
    CommitmentPeriod,
    DeliveryMode,
    EnrolmentStatus,
    Gender,
    InstitutionKind,
    ProgrammeMetric,
    StaffCategory,
)
from hub_api.services.stats import results as results_module
from tests.factories import InstitutionFactory
from tests.helpers import client_headers, statements_for_get
from tests.problems import assert_problem, assert_unauthorized, assert_validation
from tests.training_factories import (
    CohortFactory,
    ParticipantRowFactory,
    PublishedCurriculumFactory,
    SessionFactory,
    enrol,
)

URL = "/api/v1/stats"
TODAY = date(2026, 3, 13)
BOM = "\ufeff"

# The training metrics in the order the contract publishes them.
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

F, M = Gender.FEMALE, Gender.MALE
PSY, PVE, SEC = StaffCategory.PSYCHOLOGIST, StaffCategory.PVE_INSPECTOR, StaffCategory.SECURITY_OFFICER
NOMINATED, ENROLLED, COMPLETED = (
    EnrolmentStatus.NOMINATED,
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.COMPLETED,
)
FAILED, WITHDRAWN, NO_SHOW = EnrolmentStatus.FAILED, EnrolmentStatus.WITHDRAWN, EnrolmentStatus.NO_SHOW


# --- arranging -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch):
    """Agreement statuses, yearly commitments and ETags depend on the date: pin it."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def figures(*values, suppressed=()) -> dict:
    """The twelve training metrics, in contract order, and the `suppressed` list."""
    return {**dict(zip(METRICS, values, strict=True)), "suppressed": list(suppressed)}


def programme_row(dbs, code: str, name: dict, targets: dict | None = None) -> Programme:
    programme = Programme(code=code, name=name)
    programme.targets = [ProgrammeTarget(metric=m, target=t) for m, t in (targets or {}).items()]
    dbs.add(programme)
    dbs.commit()
    return programme


def agreement_row(dbs, reference: str, title: dict | None = None, commitments=(), **fields) -> Agreement:
    """An agreement; `commitments` are (metric, target, per) triples."""
    if fields.get("status") in (AgreementStatus.SIGNED, AgreementStatus.ACTIVE, AgreementStatus.TERMINATED):
        fields.setdefault("signed_on", date(2020, 1, 15))
    agreement = Agreement(
        reference=reference,
        title=title or {"en": f"Agreement {reference}"},
        kind=AgreementKind.MOU,
        commitments=[AgreementCommitment(metric=m, target=t, per=p) for m, t, p in commitments],
        **fields,
    )
    dbs.add(agreement)
    dbs.commit()
    return agreement


def attend(
    dbs,
    cohort: Cohort,
    institution: Institution,
    gender: Gender,
    category: StaffCategory,
    status: EnrolmentStatus,
    pre: int | None = None,
    post: int | None = None,
    satisfaction: int | None = None,
    marks: int = 0,
    present: int = 0,
) -> Enrolment:
    """A new officer of `institution` in `cohort`, with results and roll-call marks."""
    person = ParticipantRowFactory(institution_id=institution.id, gender=gender, staff_category=category)
    enrolment = enrol(dbs, cohort, person, status)
    enrolment.pre_score, enrolment.post_score, enrolment.satisfaction = pre, post, satisfaction
    enrolment.attendance_marks, enrolment.attendance_present = marks, present
    dbs.commit()
    return enrolment


def get(client, headers: dict, path: str, **params):
    return client.get(f"{URL}{path}", query_string=params, headers=headers)


def ok(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.json


def dims_of(body: dict) -> list[dict]:
    """Each row's dimension codes and labels, without its figures."""
    return [{k: v for k, v in row.items() if k not in (*METRICS, "suppressed")} for row in body["rows"]]


# The course of May 2020: 18 officers of two institutions, one per line. Columns: institution,
# gender, staff category, status, pre score, post score, satisfaction, marks, present.
ROSTER = (
    ("home", F, PSY, COMPLETED, 40, 70, 4, 5, 5),  # 1
    ("home", F, PSY, COMPLETED, 50, 80, 5, 5, 5),  # 2
    ("home", F, PSY, COMPLETED, 60, 90, 4, 5, 4),  # 3
    ("home", F, PVE, COMPLETED, 40, 80, 5, 5, 5),  # 4
    ("home", F, PVE, COMPLETED, 50, 80, 4, 5, 5),  # 5
    ("home", F, PVE, COMPLETED, 60, 80, 5, 5, 4),  # 6
    ("home", F, PSY, FAILED, 30, 25, 3, 5, 2),  # 7
    ("home", M, SEC, COMPLETED, 45, 75, 5, 5, 5),  # 8
    ("home", M, SEC, COMPLETED, 55, 85, 5, 5, 4),  # 9
    ("home", M, SEC, COMPLETED, 65, 95, 5, 5, 4),  # 10
    ("home", M, SEC, NOMINATED, None, None, None, 0, 0),  # 11
    ("home", M, SEC, NOMINATED, None, None, None, 0, 0),  # 12
    ("foreign", M, PVE, COMPLETED, None, 60, 3, 5, 5),  # 13
    ("foreign", M, PVE, COMPLETED, None, 70, 4, 5, 4),  # 14
    ("foreign", M, PVE, COMPLETED, None, 80, 5, 5, 5),  # 15
    ("foreign", M, PVE, COMPLETED, None, 90, 4, 5, 4),  # 16
    ("foreign", M, PVE, NO_SHOW, None, None, None, 5, 0),  # 17
    ("foreign", F, PSY, WITHDRAWN, None, None, None, 0, 0),  # 18
)
# The whole course. nominated 18; enrolled (not nominated, not withdrawn) 15; completed 13;
# completion 13/15 = .8667; women 6, share 6/13 = .4615; pre (lines 1-10) 495/10 = 49.5; post
# (1-10: 760, 13-16: 300) 1060/14 = 75.71; gain (1-10) 265/10 = 26.5; satisfaction (45 + 16)
# 61/14 = 4.36; attendance (present 43 + 18) 61 of 75 marks = .8133.
COURSE_TOTALS = figures(18, 15, 13, 0.8667, 6, 0.4615, 13, 49.5, 75.71, 26.5, 4.36, 0.8133)
# Lines 1-7 and 18: pre 330/7 = 47.14, post 505/7 = 72.14, gain 175/7 = 25.0, satisfaction 30/7 =
# 4.29, attendance 30/35 = .8571.
COURSE_WOMEN = figures(8, 7, 6, 0.8571, 6, 1.0, 6, 47.14, 72.14, 25.0, 4.29, 0.8571)
# Lines 8-17: pre 165/3 = 55.0 and gain 90/3 = 30.0 (three values, below k), post 555/7 = 79.29,
# satisfaction 31/7 = 4.43, attendance 31/40 = .775.
COURSE_MEN_RAW = figures(10, 8, 7, 0.875, 0, 0.0, 7, 55.0, 79.29, 30.0, 4.43, 0.775)
COURSE_MEN = {
    **COURSE_MEN_RAW,
    "avg_pre_score": None,
    "avg_gain": None,
    "suppressed": ["avg_pre_score", "avg_gain"],
}
# Beside the men, the women's same averages are hidden too: a lone hidden average gets a partner.
COURSE_WOMEN_BESIDE_MEN = {
    **COURSE_WOMEN,
    "avg_pre_score": None,
    "avg_gain": None,
    "suppressed": ["avg_pre_score", "avg_gain"],
}


@dataclass
class Course:
    """The May 2020 course and what it belongs to."""

    cohort: Cohort
    programme: Programme
    agreement: Agreement
    curriculum: Curriculum
    home: Institution
    foreign: Institution

    def urls(self) -> list[str]:
        """A path of every statistic that covers this course."""
        return [
            "/overview",
            "/training?group_by=institution,gender",
            f"/cohorts/{self.cohort.id}",
            f"/programmes/{self.programme.id}",
            f"/agreements/{self.agreement.id}",
        ]


@pytest.fixture
def course(dbs, home, foreign) -> Course:
    """One completed in-person course of May 2020 with the 18 officers of ROSTER."""
    programme = programme_row(
        dbs,
        "PRISON-STAFF",
        {"en": "Prison staff programme", "ru": "Программа для персонала"},
        {ProgrammeMetric.PARTICIPANTS_TRAINED: 26, ProgrammeMetric.WOMEN_TRAINED: 4},
    )
    agreement = agreement_row(
        dbs,
        "MOU-KOSTANAY",
        {"en": "Kostanay MoU"},
        [(ProgrammeMetric.PARTICIPANTS_TRAINED, 10, CommitmentPeriod.TOTAL)],
        status=AgreementStatus.ACTIVE,
        effective_from=date(2020, 1, 1),
    )
    curriculum = PublishedCurriculumFactory(
        code="PVE-BASICS", title={"en": "PVE basics", "ru": "Основы ПНЭ"}, owner_institution_id=home.id
    )
    cohort = CohortFactory(
        code="STATS-2020",
        kind=CohortKind.COURSE,
        status=CohortStatus.COMPLETED,
        curriculum_id=curriculum.id,
        host_institution_id=home.id,
        programme_id=programme.id,
        agreement_id=agreement.id,
        delivery_mode=DeliveryMode.IN_PERSON,
        starts_on=date(2020, 5, 11),
        ends_on=date(2020, 5, 22),
        capacity=20,
    )
    where = {"home": home, "foreign": foreign}
    for institution, *line in ROSTER:
        attend(dbs, cohort, where[institution], *line)
    return Course(cohort, programme, agreement, curriculum, home, foreign)


# --- one cohort --------------------------------------------------------------------------------


def test_cohort_figures_with_seats_and_genders(client, analyst, course):
    body = ok(get(client, analyst.headers, f"/cohorts/{course.cohort.id}"))

    assert body == {
        "cohort_id": course.cohort.id,
        "code": "STATS-2020",
        "min_cell": 5,
        "capacity": 20,
        "seats_taken": 17,  # all but the withdrawn officer
        "fill_rate": 0.85,  # 17/20
        **COURSE_TOTALS,
        "by_gender": [
            {"gender": "female", "gender_label": "female", **COURSE_WOMEN_BESIDE_MEN},
            {"gender": "male", "gender_label": "male", **COURSE_MEN},
        ],
    }


def test_cohort_figures_unsuppressed_for_an_admin(client, admin, course):
    body = ok(get(client, admin.headers, f"/cohorts/{course.cohort.id}", suppress="false"))

    assert body["min_cell"] is None
    assert body["by_gender"][1] == {"gender": "male", "gender_label": "male", **COURSE_MEN_RAW}
    assert {key: body[key] for key in (*METRICS, "suppressed")} == COURSE_TOTALS


def test_cohort_gender_labels_in_russian(client, analyst, course):
    body = ok(get(client, analyst.headers, f"/cohorts/{course.cohort.id}", lang="ru"))

    assert [(row["gender"], row["gender_label"]) for row in body["by_gender"]] == [
        ("female", "женщины"),
        ("male", "мужчины"),
    ]


def test_cohort_without_enrolments_publishes_zeros(client, analyst, course, dbs):
    empty = CohortFactory(code="EMPTY-1", capacity=12, curriculum_id=course.curriculum.id)

    body = ok(get(client, analyst.headers, f"/cohorts/{empty.id}"))

    # Zero counts are published; every rate divides by zero (or by fewer than k) and is hidden.
    derived = ("completion_rate", "women_share", "avg_pre_score", "avg_post_score", "avg_gain")
    derived += ("avg_satisfaction", "attendance_rate")
    assert body == {
        "cohort_id": empty.id,
        "code": "EMPTY-1",
        "min_cell": 5,
        "capacity": 12,
        "seats_taken": 0,
        "fill_rate": 0.0,
        **figures(0, 0, 0, None, 0, None, 0, None, None, None, None, None, suppressed=derived),
        "by_gender": [],
    }


# --- training: grouping, labels and periods ---------------------------------------------------


def test_training_without_group_by_gives_totals_only(client, analyst, course):
    body = ok(get(client, analyst.headers, "/training"))

    assert body == {"group_by": [], "min_cell": 5, "rows": [], "totals": COURSE_TOTALS}


def test_training_by_institution_hides_small_cells_and_their_complement(client, analyst, course):
    body = ok(get(client, analyst.headers, "/training", group_by="institution"))

    # Home (lines 1-12): completed 9 and people 9 are hidden as the complement of the foreign
    # cells (4 each), and the rates built on them with them. Foreign (13-18): completed 4 and
    # people 4 are below k; averages rest on 0 or 4 values, so Home's hide with them as partners.
    # Attendance: 5 people with marks.
    home_row = figures(12, 10, None, None, 6, None, None, None, None, None, None, 0.86)
    home_row["suppressed"] = [
        "completed",
        "completion_rate",
        "women_share",
        "people_trained",
        "avg_pre_score",
        "avg_post_score",
        "avg_gain",
        "avg_satisfaction",
    ]
    foreign_row = figures(6, 5, None, None, 0, None, None, None, None, None, None, 0.72)
    foreign_row["suppressed"] = [
        "completed",
        "completion_rate",
        "women_share",
        "people_trained",
        "avg_pre_score",
        "avg_post_score",
        "avg_gain",
        "avg_satisfaction",
    ]
    assert body == {
        "group_by": ["institution"],
        "min_cell": 5,
        "rows": [
            {"institution": course.home.id, "institution_label": "Home Academy", **home_row},
            {"institution": course.foreign.id, "institution_label": "Away Academy", **foreign_row},
        ],
        # The hidden cells hold 9 + 4 = 13 >= k completions, so the totals stay published.
        "totals": COURSE_TOTALS,
    }


def test_training_by_institution_unsuppressed_for_an_admin(client, admin, course):
    body = ok(get(client, admin.headers, "/training", group_by="institution", suppress="false"))

    assert body["min_cell"] is None
    assert body["rows"] == [
        # Lines 1-12: post 760/10, satisfaction 45/10, attendance 43/50.
        {
            "institution": course.home.id,
            "institution_label": "Home Academy",
            **figures(12, 10, 9, 0.9, 6, 0.6667, 9, 49.5, 76.0, 26.5, 4.5, 0.86),
        },
        # Lines 13-18: post 300/4, satisfaction 16/4, attendance 18/25.
        {
            "institution": course.foreign.id,
            "institution_label": "Away Academy",
            **figures(6, 5, 4, 0.8, 0, 0.0, 4, None, 75.0, None, 4.0, 0.72),
        },
    ]
    assert body["totals"] == COURSE_TOTALS


def test_training_by_country_and_gender(client, admin, course):
    body = ok(get(client, admin.headers, "/training", group_by="country,gender", suppress="false"))

    kg = {"country": "KG", "country_label": "Kyrgyzstan"}
    kz = {"country": "KZ", "country_label": "Kazakhstan"}
    assert body == {
        "group_by": ["country", "gender"],
        "min_cell": None,
        "rows": [
            # Line 18 only: withdrawn, so nothing but the nomination.
            {
                **kg,
                "gender": "female",
                "gender_label": "female",
                **figures(1, 0, 0, None, 0, None, 0, None, None, None, None, None),
            },
            # Lines 13-17: post 300/4, satisfaction 16/4, attendance 18/25.
            {
                **kg,
                "gender": "male",
                "gender_label": "male",
                **figures(5, 5, 4, 0.8, 0, 0.0, 4, None, 75.0, None, 4.0, 0.72),
            },
            # Lines 1-7: as the women of the course without the withdrawn one.
            {
                **kz,
                "gender": "female",
                "gender_label": "female",
                **figures(7, 7, 6, 0.8571, 6, 1.0, 6, 47.14, 72.14, 25.0, 4.29, 0.8571),
            },
            # Lines 8-12: pre 165/3, post 255/3, gain 90/3, satisfaction 15/3, attendance 13/15.
            {
                **kz,
                "gender": "male",
                "gender_label": "male",
                **figures(5, 3, 3, 1.0, 0, 0.0, 3, 55.0, 85.0, 30.0, 5.0, 0.8667),
            },
        ],
        "totals": COURSE_TOTALS,
    }


def test_training_by_four_dimensions_in_russian(client, admin, course):
    body = ok(
        get(
            client,
            admin.headers,
            "/training",
            group_by="quarter,delivery_mode,cohort_kind,staff_category",
            suppress="false",
            lang="ru",
        )
    )

    same = {
        "quarter": "2020-Q2",
        "quarter_label": "2 кв. 2020",
        "delivery_mode": "in_person",
        "delivery_mode_label": "очно",
        "cohort_kind": "course",
        "cohort_kind_label": "курс",
    }
    assert body["group_by"] == ["quarter", "delivery_mode", "cohort_kind", "staff_category"]
    assert body["rows"] == [
        # Lines 1, 2, 3, 7, 18: pre 180/4, post 265/4, gain 85/4, satisfaction 16/4, 16 of 20 marks.
        {
            **same,
            "staff_category": "psychologist",
            "staff_category_label": "психолог",
            **figures(5, 4, 3, 0.75, 3, 1.0, 3, 45.0, 66.25, 21.25, 4.0, 0.8),
        },
        # Lines 4-6, 13-17: pre 150/3, post 540/7, gain 90/3, satisfaction 30/7, 32 of 40 marks.
        {
            **same,
            "staff_category": "pve_inspector",
            "staff_category_label": "инспектор по ПНЭ",
            **figures(8, 8, 7, 0.875, 3, 0.4286, 7, 50.0, 77.14, 30.0, 4.29, 0.8),
        },
        # Lines 8-12.
        {
            **same,
            "staff_category": "security_officer",
            "staff_category_label": "сотрудник безопасности",
            **figures(5, 3, 3, 1.0, 0, 0.0, 3, 55.0, 85.0, 30.0, 5.0, 0.8667),
        },
    ]
    assert body["totals"] == COURSE_TOTALS


def test_training_counts_each_person_once_in_totals(client, admin, course, dbs):
    # Three of the course's completers complete a second cohort in 2021.
    again = CohortFactory(
        code="STATS-2021",
        curriculum_id=course.curriculum.id,
        starts_on=date(2021, 4, 5),
        ends_on=date(2021, 4, 9),
    )
    completers = dbs.scalars(
        sa.select(Enrolment).where(Enrolment.cohort_id == course.cohort.id, Enrolment.status == COMPLETED)
    ).all()[:3]
    for enrolment in completers:
        participant = dbs.get(Participant, enrolment.participant_id)
        enrol(dbs, again, participant, COMPLETED)

    body = ok(get(client, admin.headers, "/training", group_by="year", suppress="false"))

    assert [(row["year"], row["completed"], row["people_trained"]) for row in body["rows"]] == [
        ("2020", 13, 13),
        ("2021", 3, 3),
    ]
    # 16 completions, but 13 distinct people.
    assert (body["totals"]["completed"], body["totals"]["people_trained"]) == (16, 13)


LABEL_DIMENSIONS = (
    "country,institution,gender,staff_category",
    "programme,curriculum,agreement,delivery_mode",
)


def course_labels(course: Course, lang: str) -> list[list[dict]]:
    """The dimension columns of LABEL_DIMENSIONS' rows, in English or Russian."""
    ru = lang == "ru"
    home = {
        "institution": course.home.id,
        "institution_label": "Домашняя" if ru else "Home Academy",
    }
    # Away Academy has no Russian name, the agreement no Russian title: both fall back to English.
    foreign = {"institution": course.foreign.id, "institution_label": "Away Academy"}
    kg = {"country": "KG", "country_label": "Кыргызстан" if ru else "Kyrgyzstan"}
    kz = {"country": "KZ", "country_label": "Казахстан" if ru else "Kazakhstan"}
    women = {"gender": "female", "gender_label": "женщины" if ru else "female"}
    men = {"gender": "male", "gender_label": "мужчины" if ru else "male"}
    psy = {"staff_category": "psychologist", "staff_category_label": "психолог" if ru else "psychologist"}
    pve = {
        "staff_category": "pve_inspector",
        "staff_category_label": "инспектор по ПНЭ" if ru else "PVE inspector",
    }
    sec = {
        "staff_category": "security_officer",
        "staff_category_label": "сотрудник безопасности" if ru else "security officer",
    }
    people = [
        {**kg, **foreign, **women, **psy},
        {**kg, **foreign, **men, **pve},
        {**kz, **home, **women, **psy},
        {**kz, **home, **women, **pve},
        {**kz, **home, **men, **sec},
    ]
    delivery = {
        "programme": course.programme.id,
        "programme_label": "Программа для персонала" if ru else "Prison staff programme",
        "curriculum": course.curriculum.id,
        "curriculum_label": "Основы ПНЭ (v1)" if ru else "PVE basics (v1)",
        "agreement": course.agreement.id,
        "agreement_label": "Kostanay MoU",
        "delivery_mode": "in_person",
        "delivery_mode_label": "очно" if ru else "in person",
    }
    return [people, [delivery]]


@pytest.mark.parametrize(
    ("params", "headers", "lang"),
    [
        ({}, {}, "en"),
        ({"lang": "ru"}, {}, "ru"),
        ({}, {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}, "ru"),
        ({"lang": "en"}, {"Accept-Language": "ru"}, "en"),
        # Nothing here has a Tajik name: English throughout.
        ({"lang": "tg"}, {}, "en"),
        ({}, {"Accept-Language": "fr, de;q=0.5"}, "en"),
    ],
    ids=["default", "lang-ru", "accept-language-ru", "lang-beats-header", "tg-falls-back", "unknown-header"],
)
def test_training_labels_in_the_callers_language(client, admin, course, params, headers, lang):
    for group_by, expected in zip(LABEL_DIMENSIONS, course_labels(course, lang), strict=True):
        response = get(client, {**admin.headers, **headers}, "/training", group_by=group_by, **params)

        assert dims_of(ok(response)) == expected, group_by


@pytest.fixture
def spread(dbs, home, foreign):
    """Four cohorts of 1, 2, 4 and 8 officers: a filter's nominated total names the cohorts it keeps.

    | cohort | starts     | kind    | mode       | programme | curriculum | agreement | officers of |
    | c1 (1) | 2020-02-10 | course  | in_person  | P1        | K1         | A1        | home (KZ)   |
    | c2 (2) | 2020-05-18 | webinar | online     | P1        | K2         | none      | foreign (KG)|
    | c4 (4) | 2020-06-01 | tot     | blended    | P2        | K1         | A1        | third (KZ)  |
    | c8 (8) | 2021-01-15 | course  | e_learning | none      | K2         | A2        | foreign (KG)|
    """
    third = InstitutionFactory(
        code="THIRD", name={"en": "Third Service", "ru": "Третья служба"}, country="KZ"
    )
    p1 = programme_row(dbs, "P1", {"en": "Programme One"})
    p2 = programme_row(dbs, "P2", {"en": "Programme Two"})
    k1 = PublishedCurriculumFactory(code="K1", title={"en": "Curriculum K1"}, owner_institution_id=home.id)
    k2 = PublishedCurriculumFactory(code="K2", title={"en": "Curriculum K2"}, owner_institution_id=home.id)
    a1 = agreement_row(dbs, "A1")
    a2 = agreement_row(dbs, "A2")
    plan = [
        ("c1", 1, date(2020, 2, 10), CohortKind.COURSE, DeliveryMode.IN_PERSON, p1, k1, a1, home),
        ("c2", 2, date(2020, 5, 18), CohortKind.WEBINAR, DeliveryMode.ONLINE, p1, k2, None, foreign),
        ("c4", 4, date(2020, 6, 1), CohortKind.TOT, DeliveryMode.BLENDED, p2, k1, a1, third),
        ("c8", 8, date(2021, 1, 15), CohortKind.COURSE, DeliveryMode.E_LEARNING, None, k2, a2, foreign),
    ]
    cohorts = {}
    for code, size, starts_on, kind, mode, programme, curriculum, agreement, institution in plan:
        cohort = CohortFactory(
            code=code,
            kind=kind,
            delivery_mode=mode,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=4),
            programme_id=programme.id if programme else None,
            curriculum_id=curriculum.id,
            agreement_id=agreement.id if agreement else None,
            host_institution_id=home.id,
        )
        for _ in range(size):
            attend(dbs, cohort, institution, M, PVE, COMPLETED)
        cohorts[code] = cohort
    return {
        **cohorts,
        "home": home,
        "foreign": foreign,
        "third": third,
        "p1": p1,
        "p2": p2,
        "k1": k1,
        "k2": k2,
        "a1": a1,
        "a2": a2,
    }


@pytest.mark.parametrize(
    ("filters", "nominated"),
    [
        ({}, 15),
        ({"from": "2020-05-18"}, 2 + 4 + 8),  # from is inclusive
        ({"to": "2020-05-18"}, 1 + 2),  # and so is to
        ({"from": "2020-05-18", "to": "2020-05-18"}, 2),
        ({"from": "2020-02-11", "to": "2020-05-17"}, 0),
        ({"country": "KZ"}, 1 + 4),
        ({"country": "KG"}, 2 + 8),
        ({"country": "TJ"}, 0),
        ({"institution_id": "home"}, 1),
        ({"institution_id": "third"}, 4),
        ({"programme_id": "p1"}, 1 + 2),
        ({"programme_id": "p2"}, 4),
        ({"curriculum_id": "k1"}, 1 + 4),
        ({"curriculum_id": "k2"}, 2 + 8),
        ({"agreement_id": "a1"}, 1 + 4),
        ({"agreement_id": "a2"}, 8),
        ({"cohort_kind": "course"}, 1 + 8),
        ({"cohort_kind": "tot"}, 4),
        ({"cohort_kind": "seminar"}, 0),
        ({"delivery_mode": "online"}, 2),
        ({"delivery_mode": "e_learning"}, 8),
        ({"from": "2020-01-01", "to": "2020-12-31", "cohort_kind": "course"}, 1),
        ({"country": "KG", "curriculum_id": "k2", "delivery_mode": "online"}, 2),
    ],
)
def test_training_filters(client, admin, spread, filters, nominated):
    # Ids are named in the parameters and resolved here.
    params = {key: spread[value].id if key.endswith("_id") else value for key, value in filters.items()}

    body = ok(get(client, admin.headers, "/training", suppress="false", **params))

    assert body["totals"]["nominated"] == nominated
    assert body["totals"]["people_trained"] == nominated  # every officer completed once


def test_training_filters_apply_to_rows_too(client, admin, spread):
    body = ok(
        get(
            client, admin.headers, "/training", group_by="cohort_kind", cohort_kind="course", suppress="false"
        )
    )

    assert [(row["cohort_kind"], row["nominated"]) for row in body["rows"]] == [("course", 9)]


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        ("year", [("2020", "2020", 7), ("2021", "2021", 8)]),
        ("quarter", [("2020-Q1", "Q1 2020", 1), ("2020-Q2", "Q2 2020", 6), ("2021-Q1", "Q1 2021", 8)]),
        (
            "month",
            [
                ("2020-02", "Feb 2020", 1),
                ("2020-05", "May 2020", 2),
                ("2020-06", "Jun 2020", 4),
                ("2021-01", "Jan 2021", 8),
            ],
        ),
    ],
)
def test_training_periods_by_cohort_start(client, admin, spread, group_by, expected):
    body = ok(get(client, admin.headers, "/training", group_by=group_by, suppress="false"))

    assert [(row[group_by], row[f"{group_by}_label"], row["nominated"]) for row in body["rows"]] == expected


def test_training_period_labels_in_russian(client, admin, spread):
    quarters = ok(get(client, admin.headers, "/training", group_by="quarter", lang="ru"))
    months = ok(get(client, admin.headers, "/training", group_by="month", lang="ru"))

    assert [row["quarter_label"] for row in quarters["rows"]] == ["1 кв. 2020", "2 кв. 2020", "1 кв. 2021"]
    assert [row["month_label"] for row in months["rows"]] == ["фев 2020", "май 2020", "июн 2020", "янв 2021"]


def test_training_rows_are_ordered_by_codes_with_none_last(client, admin, spread):
    by_kind = ok(get(client, admin.headers, "/training", group_by="country,cohort_kind", suppress="false"))
    by_programme = ok(
        get(client, admin.headers, "/training", group_by="programme", suppress="false", lang="ru")
    )

    assert [(r["country"], r["cohort_kind"], r["nominated"]) for r in by_kind["rows"]] == [
        ("KG", "course", 8),
        ("KG", "webinar", 2),
        ("KZ", "course", 1),
        ("KZ", "tot", 4),
    ]
    assert [(r["programme"], r["programme_label"], r["nominated"]) for r in by_programme["rows"]] == [
        (spread["p1"].id, "Programme One", 3),
        (spread["p2"].id, "Programme Two", 4),
        (None, "нет", 8),
    ]


def test_training_groups_without_enrolments_do_not_appear(client, admin, spread):
    body = ok(
        get(client, admin.headers, "/training", group_by="delivery_mode", to="2020-05-31", suppress="false")
    )

    # Blended (c4, June) and e-learning (c8, 2021) start after `to`.
    assert [row["delivery_mode"] for row in body["rows"]] == ["in_person", "online"]


def test_training_labels_use_a_kazakh_name_where_one_exists(client, admin, course):
    body = ok(get(client, admin.headers, "/training", group_by="country", lang="kk"))

    # The seeded countries: Kazakhstan has a Kazakh name, Kyrgyzstan only English and Russian.
    assert [(row["country"], row["country_label"]) for row in body["rows"]] == [
        ("KG", "Kyrgyzstan"),
        ("KZ", "Қазақстан"),
    ]


# --- overview ---------------------------------------------------------------------------------


@pytest.fixture
def hub(dbs, course):
    """The course plus two institutions, agreements in every effective status, and more cohorts.

    Agreements: the course's MoU (active, open-ended), SOON (active, ends in 30 days), LATER (active,
    ends in 200 days), OLD (active, ends in 10 days, but its renewal NEW is active: superseded),
    NEW (active), GONE (active, ended last June: expired), DRAFT, SIGNED and ENDED (terminated).
    Cohorts: the course (completed), one completed in 2021 with three men trained, one planned,
    one open and one cancelled.
    """
    InstitutionFactory(
        code="PSC", name={"en": "Penal Service", "ru": "КУИС"}, kind=InstitutionKind.PENITENTIARY_SERVICE
    )
    InstitutionFactory(
        code="UNODC", name={"en": "UNODC"}, kind=InstitutionKind.INTERNATIONAL_ORGANISATION, country="AT"
    )
    active = {"status": AgreementStatus.ACTIVE, "effective_from": date(2024, 1, 1)}
    agreement_row(dbs, "SOON", expires_on=TODAY + timedelta(days=30), **active)
    agreement_row(dbs, "LATER", expires_on=TODAY + timedelta(days=200), **active)
    old = agreement_row(dbs, "OLD", expires_on=TODAY + timedelta(days=10), **active)
    agreement_row(dbs, "NEW", expires_on=TODAY + timedelta(days=400), predecessor_id=old.id, **active)
    agreement_row(dbs, "GONE", expires_on=date(2025, 6, 30), **active)
    agreement_row(dbs, "DRAFT")
    agreement_row(dbs, "SIGNED", status=AgreementStatus.SIGNED)
    agreement_row(dbs, "ENDED", status=AgreementStatus.TERMINATED)
    same = {"curriculum_id": course.curriculum.id, "host_institution_id": course.home.id}
    later = CohortFactory(
        code="STATS-2021", status=CohortStatus.COMPLETED, starts_on=date(2021, 3, 1), **same
    )
    for _ in range(3):
        attend(dbs, later, course.home, M, SEC, COMPLETED)
    CohortFactory(code="PLANNED-1", status=CohortStatus.PLANNED, **same)
    CohortFactory(code="OPEN-1", status=CohortStatus.OPEN, **same)
    CohortFactory(code="CANCELLED-1", status=CohortStatus.CANCELLED, **same)
    return course


def overview_body(ru: bool) -> dict:
    """The hub's overview as an analyst reads it, labels in English or Russian."""

    def entry(key, code, en, ru_label, count):
        return {key: code, f"{key}_label": ru_label if ru else en, "count": count}

    hidden = ["people_trained", "women_share"]
    return {
        "min_cell": 5,
        "institutions": {
            "total": 4,
            "by_country": [
                entry("country", "AT", "Austria", "Австрия", 1),
                entry("country", "KG", "Kyrgyzstan", "Кыргызстан", 1),
                entry("country", "KZ", "Kazakhstan", "Казахстан", 2),
            ],
            "by_kind": [
                entry("kind", "academy", "academy", "академия", 2),
                entry(
                    "kind",
                    "international_organisation",
                    "international organisation",
                    "международная организация",
                    1,
                ),
                entry("kind", "penitentiary_service", "penitentiary service", "пенитенциарная служба", 1),
            ],
        },
        "agreements": {
            "total": 9,
            "by_status": [
                entry("status", "active", "active", "действует", 4),  # the course's MoU, SOON, LATER, NEW
                entry("status", "draft", "draft", "проект", 1),
                entry("status", "expired", "expired", "истекло", 1),  # GONE
                entry("status", "signed", "signed", "подписано", 1),
                entry("status", "superseded", "superseded", "заменено", 1),  # OLD
                entry("status", "terminated", "terminated", "расторгнуто", 1),
            ],
            # SOON only: OLD ends within 90 days too, but reads superseded.
            "expiring_within_90_days": 1,
        },
        "cohorts": {
            "total": 5,
            "by_status": [
                entry("status", "cancelled", "cancelled", "отменена", 1),
                entry("status", "completed", "completed", "завершена", 2),
                entry("status", "open", "open", "открыта", 1),
                entry("status", "planned", "planned", "запланирована", 1),
            ],
        },
        # 2021's three people are hidden, so 2020's 13 are too; together they hold 16 >= k, and
        # the total is published: 16 people, 6 women, 6/16 = .375.
        "training": {
            "people_trained": 16,
            "women_trained": 6,
            "women_share": 0.375,
            "suppressed": [],
            "by_year": [
                {
                    "year": "2020",
                    "people_trained": None,
                    "women_trained": 6,
                    "women_share": None,
                    "suppressed": hidden,
                },
                {
                    "year": "2021",
                    "people_trained": None,
                    "women_trained": 0,
                    "women_share": None,
                    "suppressed": hidden,
                },
            ],
        },
    }


def test_overview_sections(client, analyst, hub):
    assert ok(get(client, analyst.headers, "/overview")) == overview_body(ru=False)


def test_overview_in_russian(client, analyst, hub):
    assert ok(get(client, analyst.headers, "/overview", lang="ru")) == overview_body(ru=True)


def test_overview_unsuppressed_for_an_admin(client, admin, hub):
    body = ok(get(client, admin.headers, "/overview", suppress="false"))

    assert body["min_cell"] is None
    assert body["training"] == {
        "people_trained": 16,
        "women_trained": 6,
        "women_share": 0.375,
        "suppressed": [],
        "by_year": [
            {
                "year": "2020",
                "people_trained": 13,
                "women_trained": 6,
                "women_share": 0.4615,
                "suppressed": [],
            },
            {"year": "2021", "people_trained": 3, "women_trained": 0, "women_share": 0.0, "suppressed": []},
        ],
    }


def test_overview_reads_an_agreement_expired_the_day_after_it_ends(client, analyst, hub, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY + timedelta(days=31))  # SOON ended yesterday

    agreements = ok(get(client, analyst.headers, "/overview"))["agreements"]

    counts = {entry["status"]: entry["count"] for entry in agreements["by_status"]}
    assert (counts["active"], counts["expired"]) == (3, 2)
    # OLD has ended as well, but it was superseded first.
    assert counts["superseded"] == 1
    assert agreements["expiring_within_90_days"] == 0


# --- programme targets --------------------------------------------------------------------------


@pytest.fixture
def delivery(dbs, home, foreign):
    """A programme's cohorts, where some people complete more than one.

    | cohort | kind   | status    | completed by             | also                |
    | A 2021 | course | completed | W1-W6, M1, M2            | M3 withdrawn        |
    | B 2021 | tot    | completed | W1, W2, M1, M4           | W7 failed           |
    | E 2022 | tot    | completed | W1, M4, M5               |                     |
    | C 2022 | course | open      |                          | M6, M7 nominated    |
    | D 2022 | course | completed | five others (another programme)                |
    """
    programme = programme_row(
        dbs,
        "DELIVERY",
        {"en": "Delivery programme"},
        {
            ProgrammeMetric.PARTICIPANTS_TRAINED: 20,
            ProgrammeMetric.WOMEN_TRAINED: 4,
            ProgrammeMetric.COHORTS_COMPLETED: 4,
            ProgrammeMetric.TRAINERS_CERTIFIED: 8,
        },
    )
    other = programme_row(dbs, "OTHER", {"en": "Another programme"})
    curriculum = PublishedCurriculumFactory(owner_institution_id=home.id)

    def cohort(code, kind, status, starts_on, programme_id=programme.id):
        return CohortFactory(
            code=code,
            kind=kind,
            status=status,
            starts_on=starts_on,
            programme_id=programme_id,
            curriculum_id=curriculum.id,
            host_institution_id=home.id,
        )

    a = cohort("A", CohortKind.COURSE, CohortStatus.COMPLETED, date(2021, 3, 1))
    b = cohort("B", CohortKind.TOT, CohortStatus.COMPLETED, date(2021, 9, 1))
    e = cohort("E", CohortKind.TOT, CohortStatus.COMPLETED, date(2022, 2, 1))
    c = cohort("C", CohortKind.COURSE, CohortStatus.OPEN, date(2022, 6, 1))
    d = cohort("D", CohortKind.COURSE, CohortStatus.COMPLETED, date(2022, 3, 1), other.id)
    w = [ParticipantRowFactory(institution_id=home.id, gender=F) for _ in range(7)]
    m = [ParticipantRowFactory(institution_id=foreign.id, gender=M) for _ in range(7)]
    for person in [*w[:6], m[0], m[1]]:
        enrol(dbs, a, person, COMPLETED)
    enrol(dbs, a, m[2], WITHDRAWN)
    for person in (w[0], w[1], m[0], m[3]):
        enrol(dbs, b, person, COMPLETED)
    enrol(dbs, b, w[6], FAILED)
    for person in (w[0], m[3], m[4]):
        enrol(dbs, e, person, COMPLETED)
    enrol(dbs, c, m[5], NOMINATED)
    enrol(dbs, c, m[6], NOMINATED)
    for _ in range(5):
        attend(dbs, d, home, F, PSY, COMPLETED)
    return programme


def test_programme_targets_against_delivery(client, analyst, delivery):
    body = ok(get(client, analyst.headers, f"/programmes/{delivery.id}"))

    assert body == {
        "programme_id": delivery.id,
        "code": "DELIVERY",
        "min_cell": 5,
        "targets": [
            # A, B and E; C is still open and D belongs to another programme.
            {
                "metric": "cohorts_completed",
                "target": 4,
                "actual": 3,
                "share_reached": 0.75,
                "suppressed": [],
            },
            # W1-W6, M1, M2, M4, M5: 10 people over 15 completions.
            {
                "metric": "participants_trained",
                "target": 20,
                "actual": 10,
                "share_reached": 0.5,
                "suppressed": [],
            },
            # W1, W2, M1, M4, M5 completed a ToT (W1 and M4 twice).
            {
                "metric": "trainers_certified",
                "target": 8,
                "actual": 5,
                "share_reached": 0.625,
                "suppressed": [],
            },
            # W1-W6, though women completed nine times; the share may exceed 1.
            {"metric": "women_trained", "target": 4, "actual": 6, "share_reached": 1.5, "suppressed": []},
        ],
    }


def test_programme_without_targets_lists_none(client, analyst, dbs):
    programme = programme_row(dbs, "NO-TARGETS", {"en": "Untargeted"})

    body = ok(get(client, analyst.headers, f"/programmes/{programme.id}"))

    assert body == {"programme_id": programme.id, "code": "NO-TARGETS", "min_cell": 5, "targets": []}


# --- agreement commitments ----------------------------------------------------------------------


@pytest.fixture
def commitments(dbs, home, foreign):
    """An MoU of 2021-2023 committing 10 trained a year and 5 women in all.

    Linked cohorts: April 2021 (3 women and 3 men complete) and October 2023 (3 women and 4 men
    complete); a 2022 cohort outside the agreement trains five more, who do not count.
    """
    agreement = agreement_row(
        dbs,
        "MOU-2021",
        {"en": "MoU 2021-2023"},
        [
            (ProgrammeMetric.PARTICIPANTS_TRAINED, 10, CommitmentPeriod.YEAR),
            (ProgrammeMetric.WOMEN_TRAINED, 5, CommitmentPeriod.TOTAL),
        ],
        status=AgreementStatus.ACTIVE,
        effective_from=date(2021, 1, 1),
        expires_on=date(2023, 12, 31),
    )
    curriculum = PublishedCurriculumFactory(owner_institution_id=home.id)
    same = {"curriculum_id": curriculum.id, "host_institution_id": home.id, "status": CohortStatus.COMPLETED}
    spring = CohortFactory(code="X-2021", starts_on=date(2021, 4, 1), agreement_id=agreement.id, **same)
    autumn = CohortFactory(code="Y-2023", starts_on=date(2023, 10, 2), agreement_id=agreement.id, **same)
    unlinked = CohortFactory(code="Z-2022", starts_on=date(2022, 5, 2), **same)
    for cohort, women, men in ((spring, 3, 3), (autumn, 3, 4), (unlinked, 0, 5)):
        for gender, count in ((F, women), (M, men)):
            for _ in range(count):
                attend(dbs, cohort, home if gender is F else foreign, gender, PVE, COMPLETED)
    return agreement


def test_agreement_commitments_per_year_and_in_total(client, analyst, commitments):
    body = ok(get(client, analyst.headers, f"/agreements/{commitments.id}"))

    hidden = ["actual", "share_reached"]
    assert body == {
        "agreement_id": commitments.id,
        "reference": "MOU-2021",
        "status": "expired",  # active, but ended 2023-12-31
        "min_cell": 5,
        "commitments": [
            # Every year of the agreement, 2022 with nothing; 6 + 0 + 7 = 13 of 3 x 10.
            {
                "metric": "participants_trained",
                "target": 10,
                "per": "year",
                "actual": 13,
                "share_reached": 0.4333,
                "suppressed": [],
                "by_year": [
                    {"year": "2021", "actual": 6, "share_reached": 0.6, "suppressed": []},
                    {"year": "2022", "actual": 0, "share_reached": 0.0, "suppressed": []},
                    {"year": "2023", "actual": 7, "share_reached": 0.7, "suppressed": []},
                ],
            },
            # 6 women of 5; each year's 3 is hidden, but the two hidden cells hold 6 >= k.
            {
                "metric": "women_trained",
                "target": 5,
                "per": "total",
                "actual": 6,
                "share_reached": 1.2,
                "suppressed": [],
                "by_year": [
                    {"year": "2021", "actual": None, "share_reached": None, "suppressed": hidden},
                    {"year": "2023", "actual": None, "share_reached": None, "suppressed": hidden},
                ],
            },
        ],
    }


def test_agreement_commitments_unsuppressed_for_an_admin(client, admin, commitments):
    body = ok(get(client, admin.headers, f"/agreements/{commitments.id}", suppress="false"))

    assert body["min_cell"] is None
    assert body["commitments"][1]["by_year"] == [
        {"year": "2021", "actual": 3, "share_reached": 0.6, "suppressed": []},
        {"year": "2023", "actual": 3, "share_reached": 0.6, "suppressed": []},
    ]


def test_yearly_commitment_of_an_open_ended_agreement_runs_to_this_year(client, analyst, dbs):
    agreement = agreement_row(
        dbs,
        "OPEN-ENDED",
        commitments=[(ProgrammeMetric.COHORTS_COMPLETED, 2, CommitmentPeriod.YEAR)],
        status=AgreementStatus.ACTIVE,
        effective_from=date(2024, 7, 1),
    )

    body = ok(get(client, analyst.headers, f"/agreements/{agreement.id}"))

    # 2024, 2025 and 2026 (the pinned today), nothing delivered: 0 of 3 x 2.
    assert body["status"] == "active"
    assert body["commitments"] == [
        {
            "metric": "cohorts_completed",
            "target": 2,
            "per": "year",
            "actual": 0,
            "share_reached": 0.0,
            "suppressed": [],
            "by_year": [
                {"year": str(y), "actual": 0, "share_reached": 0.0, "suppressed": []}
                for y in (2024, 2025, 2026)
            ],
        }
    ]


# --- suppression basics, per statistic -------------------------------------------------------


@pytest.fixture
def trio(dbs, home):
    """A completed ToT of March 2022 that three men of `home` complete, in a programme and an MoU."""
    programme = programme_row(
        dbs,
        "TRIO",
        {"en": "Trio programme"},
        {
            ProgrammeMetric.PARTICIPANTS_TRAINED: 10,
            ProgrammeMetric.WOMEN_TRAINED: 5,
            ProgrammeMetric.COHORTS_COMPLETED: 1,
            ProgrammeMetric.TRAINERS_CERTIFIED: 2,
        },
    )
    agreement = agreement_row(
        dbs,
        "MOU-TRIO",
        commitments=[(ProgrammeMetric.PARTICIPANTS_TRAINED, 10, CommitmentPeriod.TOTAL)],
        status=AgreementStatus.ACTIVE,
        effective_from=date(2022, 1, 1),
        expires_on=date(2022, 12, 31),
    )
    cohort = CohortFactory(
        code="TRIO-2022",
        kind=CohortKind.TOT,
        status=CohortStatus.COMPLETED,
        starts_on=date(2022, 3, 1),
        programme_id=programme.id,
        agreement_id=agreement.id,
        curriculum_id=PublishedCurriculumFactory(owner_institution_id=home.id).id,
        host_institution_id=home.id,
    )
    for _ in range(3):
        attend(dbs, cohort, home, M, SEC, COMPLETED)
    return {
        "overview": "/overview",
        "training": "/training",
        "cohort": f"/cohorts/{cohort.id}",
        "programme": f"/programmes/{programme.id}",
        "agreement": f"/agreements/{agreement.id}",
    }


STATISTICS = ("overview", "training", "cohort", "programme", "agreement")
# The trio's figures: every rate and average lacks k values, so it is hidden whatever the counts.
TRIO_HIDDEN = figures(
    None,
    None,
    None,
    None,
    0,  # zero is published
    None,
    None,
    None,
    None,
    None,
    None,
    None,
    suppressed=[name for name in METRICS if name != "women"],
)
TRIO_RAW = figures(3, 3, 3, 1.0, 0, 0.0, 3, None, None, None, None, None)
HIDE = ["actual", "share_reached"]
TRIO_PEOPLE_HIDDEN = {
    "people_trained": None,
    "women_trained": 0,
    "women_share": None,
    "suppressed": ["people_trained", "women_share"],
}
TRIO_PEOPLE_RAW = {"people_trained": 3, "women_trained": 0, "women_share": 0.0, "suppressed": []}


def trio_part(statistic: str, body: dict):
    """The part of a statistic's body the trio's three people show up in."""
    if statistic == "overview":
        return body["training"]
    if statistic == "training":
        return body["totals"]
    if statistic == "cohort":
        return {**{key: body[key] for key in (*METRICS, "suppressed")}, "by_gender": body["by_gender"]}
    return body["targets"] if statistic == "programme" else body["commitments"]


TRIO_EXPECTED = {
    # statistic: (as published with k = 5, as a hub admin reads it unsuppressed)
    "overview": (
        {**TRIO_PEOPLE_HIDDEN, "by_year": [{"year": "2022", **TRIO_PEOPLE_HIDDEN}]},
        {**TRIO_PEOPLE_RAW, "by_year": [{"year": "2022", **TRIO_PEOPLE_RAW}]},
    ),
    "training": (TRIO_HIDDEN, TRIO_RAW),
    "cohort": (
        {**TRIO_HIDDEN, "by_gender": [{"gender": "male", "gender_label": "male", **TRIO_HIDDEN}]},
        {**TRIO_RAW, "by_gender": [{"gender": "male", "gender_label": "male", **TRIO_RAW}]},
    ),
    "programme": (
        [
            # Cohorts are not people: a count of one is published.
            {"metric": "cohorts_completed", "target": 1, "actual": 1, "share_reached": 1.0, "suppressed": []},
            {
                "metric": "participants_trained",
                "target": 10,
                "actual": None,
                "share_reached": None,
                "suppressed": HIDE,
            },
            {
                "metric": "trainers_certified",
                "target": 2,
                "actual": None,
                "share_reached": None,
                "suppressed": HIDE,
            },
            {"metric": "women_trained", "target": 5, "actual": 0, "share_reached": 0.0, "suppressed": []},
        ],
        [
            {"metric": "cohorts_completed", "target": 1, "actual": 1, "share_reached": 1.0, "suppressed": []},
            {
                "metric": "participants_trained",
                "target": 10,
                "actual": 3,
                "share_reached": 0.3,
                "suppressed": [],
            },
            {
                "metric": "trainers_certified",
                "target": 2,
                "actual": 3,
                "share_reached": 1.5,
                "suppressed": [],
            },
            {"metric": "women_trained", "target": 5, "actual": 0, "share_reached": 0.0, "suppressed": []},
        ],
    ),
    "agreement": (
        [
            {
                "metric": "participants_trained",
                "target": 10,
                "per": "total",
                "actual": None,
                "share_reached": None,
                "suppressed": HIDE,
                "by_year": [{"year": "2022", "actual": None, "share_reached": None, "suppressed": HIDE}],
            }
        ],
        [
            {
                "metric": "participants_trained",
                "target": 10,
                "per": "total",
                "actual": 3,
                "share_reached": 0.3,
                "suppressed": [],
                "by_year": [{"year": "2022", "actual": 3, "share_reached": 0.3, "suppressed": []}],
            }
        ],
    ),
}


@pytest.mark.parametrize("statistic", STATISTICS)
def test_a_count_of_three_is_hidden_and_named_and_zero_is_published(client, analyst, trio, statistic):
    body = ok(get(client, analyst.headers, trio[statistic]))

    assert body["min_cell"] == 5
    assert trio_part(statistic, body) == TRIO_EXPECTED[statistic][0]


@pytest.mark.parametrize("statistic", STATISTICS)
def test_suppress_false_gives_an_admin_the_raw_figures(client, admin, trio, statistic):
    body = ok(get(client, admin.headers, trio[statistic], suppress="false"))

    assert body["min_cell"] is None
    assert trio_part(statistic, body) == TRIO_EXPECTED[statistic][1]


@pytest.mark.parametrize("statistic", STATISTICS)
def test_suppress_true_is_the_default_for_an_admin(client, admin, trio, statistic):
    body = ok(get(client, admin.headers, trio[statistic], suppress="true"))

    assert trio_part(statistic, body) == TRIO_EXPECTED[statistic][0]


@pytest.fixture
def callers(app, analyst, coordinator, home):
    """Readers of statistics other than hub admins, as Authorization headers."""
    return {
        "analyst": analyst.headers,
        "coordinator": coordinator.headers,
        "institution client": client_headers(app, ["stats:read"], institution=home),
        "hub client": client_headers(app, ["stats:read", "catalogue:read"]),
    }


@pytest.mark.parametrize("caller", ["analyst", "coordinator", "institution client", "hub client"])
@pytest.mark.parametrize("statistic", STATISTICS)
def test_suppress_false_is_forbidden_to_anyone_but_an_admin(client, callers, trio, statistic, caller):
    response = get(client, callers[caller], trio[statistic], suppress="false")

    body = assert_problem(response, 403)
    assert "suppress=false" in body["detail"]


# --- validation ---------------------------------------------------------------------------------


def test_unknown_dimension_is_rejected_naming_the_allowed_ones(client, analyst):
    response = get(client, analyst.headers, "/training", group_by="country,region")

    [message] = assert_validation(response, "group_by")["group_by"]
    assert "region" in message
    assert all(name in message for name in DIMENSIONS), message


def test_more_than_four_dimensions_are_rejected(client, analyst):
    response = get(client, analyst.headers, "/training", group_by="country,gender,year,cohort_kind,programme")

    [message] = assert_validation(response, "group_by")["group_by"]
    assert "4" in message


def test_a_repeated_dimension_is_rejected(client, analyst):
    response = get(client, analyst.headers, "/training", group_by="gender,year,gender")

    assert_validation(response, "group_by")


TRAINING_PARAMETERS = (
    "agreement_id, cohort_kind, country, curriculum_id, delivery_mode, format, from, group_by, "
    "institution_id, lang, programme_id, suppress, to"
)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/training", TRAINING_PARAMETERS),
        ("/overview", "format, lang, suppress"),
        ("/cohorts/1", "format, lang, suppress"),
        ("/programmes/1", "format, lang, suppress"),
        ("/agreements/1", "format, lang, suppress"),
    ],
)
def test_unknown_parameter_is_rejected_listing_the_allowed_ones(client, analyst, path, allowed):
    # Checked before the id is looked up: nothing with id 1 exists.
    response = client.get(f"{URL}{path}?colour=red", headers=analyst.headers)

    [message] = assert_validation(response, "colour")["colour"]
    assert message.endswith(f"takes: {allowed}."), message


def test_a_filter_of_training_is_unknown_to_the_overview(client, analyst):
    response = get(client, analyst.headers, "/overview", group_by="country")

    assert_validation(response, "group_by")


def test_from_after_to_is_rejected(client, analyst):
    response = get(client, analyst.headers, "/training", **{"from": "2021-01-01", "to": "2020-12-31"})

    assert_validation(response, "from")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "xlsx"}, "format"),
        ({"lang": "fr"}, "lang"),
        ({"lang": "RU"}, "lang"),
        ({"suppress": "maybe"}, "suppress"),
        ({"from": "2020-13-01"}, "from"),
        ({"to": "20.05.2020"}, "to"),
        ({"country": "Kazakhstan"}, "country"),
        ({"institution_id": "0"}, "institution_id"),
        ({"programme_id": "x"}, "programme_id"),
        ({"cohort_kind": "lecture"}, "cohort_kind"),
        ({"delivery_mode": "radio"}, "delivery_mode"),
    ],
)
def test_bad_argument_is_a_validation_problem(client, analyst, params, field):
    response = get(client, analyst.headers, "/training", **params)

    assert_validation(response, field)


@pytest.mark.parametrize("params", [{"format": "pdf"}, {"lang": "de"}])
@pytest.mark.parametrize("path", ["/overview", "/cohorts/1", "/programmes/1", "/agreements/1"])
def test_bad_format_or_language_is_rejected_by_every_statistic(client, analyst, path, params):
    response = client.get(f"{URL}{path}", query_string=params, headers=analyst.headers)

    assert_validation(response, *params)


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(5), ids=STATISTICS)
def test_anonymous_caller_gets_401(client, course, index):
    response = client.get(URL + course.urls()[index])

    assert_unauthorized(response)


@pytest.mark.parametrize(
    "scopes", [["catalogue:read"], ["catalogue:read", "participants:read", "enrolments:write"]]
)
@pytest.mark.parametrize("index", range(5), ids=STATISTICS)
def test_client_without_stats_read_gets_403(client, app, course, index, scopes):
    headers = client_headers(app, scopes, institution=course.home)

    response = client.get(URL + course.urls()[index], headers=headers)

    assert_problem(response, 403)


@pytest.mark.parametrize("caller", ["admin", "analyst", "coordinator", "institution client", "hub client"])
def test_every_reader_of_statistics_gets_200(client, request, callers, course, caller):
    headers = request.getfixturevalue("admin").headers if caller == "admin" else callers[caller]

    for path in course.urls():
        ok(client.get(URL + path, headers=headers))


def test_coordinator_sees_hub_wide_figures(client, admin, coordinator, course):
    path = "/training?group_by=institution"

    as_coordinator = ok(client.get(URL + path, headers=coordinator.headers))

    assert as_coordinator == ok(client.get(URL + path, headers=admin.headers))
    assert [row["institution"] for row in as_coordinator["rows"]] == [course.home.id, course.foreign.id]
    assert as_coordinator["totals"] == COURSE_TOTALS


@pytest.mark.parametrize("reader", ["coordinator", "institution client"])
def test_coordinator_and_institution_client_may_filter_to_another_institution(
    client, callers, course, reader
):
    body = ok(get(client, callers[reader], "/training", institution_id=course.foreign.id))

    # Lines 13-18, suppressed exactly as the foreign row of the by-institution table.
    expected = figures(6, 5, None, None, 0, None, None, None, None, None, None, 0.72)
    expected["suppressed"] = [
        "completed",
        "completion_rate",
        "women_share",
        "people_trained",
        "avg_pre_score",
        "avg_post_score",
        "avg_gain",
        "avg_satisfaction",
    ]
    assert body["totals"] == expected


# --- not found ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "noun"), [("cohorts", "cohort"), ("programmes", "programme"), ("agreements", "agreement")]
)
def test_nonexistent_id_is_a_404_problem(client, analyst, course, kind, noun):
    response = client.get(f"{URL}/{kind}/987654", headers=analyst.headers)

    body = assert_problem(response, 404)
    assert body["detail"] == f"There is no {noun} with id 987654."


@pytest.mark.parametrize("kind", ["cohorts", "programmes", "agreements"])
@pytest.mark.parametrize("bad", ["0", "-1", "abc", "99999999999"])
def test_an_id_that_cannot_exist_is_a_404_problem(client, analyst, kind, bad):
    response = client.get(f"{URL}/{kind}/{bad}", headers=analyst.headers)

    assert_problem(response, 404)


def test_an_id_of_another_kind_is_not_found(client, analyst, dbs, course):
    # Agreements until the newest has an id that no cohort and no programme has.
    extra = [agreement_row(dbs, f"EXTRA-{n}") for n in range(3)]
    agreement_id = extra[-1].id
    assert agreement_id not in set(dbs.scalars(sa.select(Cohort.id))) | set(
        dbs.scalars(sa.select(Programme.id))
    )

    ok(get(client, analyst.headers, f"/agreements/{agreement_id}"))
    for kind, noun in (("cohorts", "cohort"), ("programmes", "programme")):
        body = assert_problem(client.get(f"{URL}/{kind}/{agreement_id}", headers=analyst.headers), 404)
        assert body["detail"] == f"There is no {noun} with id {agreement_id}."


# --- ETags --------------------------------------------------------------------------------------


def conditional(client, headers: dict, path: str, etag: str):
    return client.get(f"{URL}{path}", headers={**headers, "If-None-Match": etag})


@pytest.mark.parametrize("index", range(5), ids=STATISTICS)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_every_statistic_has_an_etag_and_private_cache_control(client, analyst, course, index, fmt):
    path = course.urls()[index]
    separator = "&" if "?" in path else "?"

    response = client.get(f"{URL}{path}{separator}format={fmt}", headers=analyst.headers)

    assert response.status_code == 200, response.get_data(as_text=True)
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2, etag
    assert "private" in response.headers["Cache-Control"]
    assert {"Accept", "Accept-Language", "Authorization"} <= {
        part.strip() for part in response.headers["Vary"].split(",")
    }


@pytest.mark.parametrize("index", range(5), ids=STATISTICS)
def test_if_none_match_gives_304_without_running_the_aggregates(
    client, analyst, course, count_queries, index
):
    path = course.urls()[index]
    first = client.get(URL + path, headers=analyst.headers)
    assert first.status_code == 200

    with count_queries() as statements:
        again = conditional(client, analyst.headers, path, first.headers["ETag"])

    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert "private" in again.headers["Cache-Control"]
    # Signing in and the data's fingerprint; nothing that reads enrolments or cohorts.
    assert len(statements) <= 3, statements
    assert not [s for s in statements if "enrolments" in s or "cohorts" in s], statements


def test_csv_download_answers_304_to_its_own_etag(client, analyst, course):
    first = get(client, analyst.headers, "/training", group_by="gender", format="csv")

    again = conditional(
        client, analyst.headers, "/training?group_by=gender&format=csv", first.headers["ETag"]
    )

    assert again.status_code == 304
    assert again.data == b""


@pytest.mark.parametrize(
    "sent",
    ['"older", {etag}', "W/{etag}", "*"],
    ids=["in-a-list", "weak", "star"],
)
def test_if_none_match_compares_as_rfc_9110_says(client, analyst, course, sent):
    # If-None-Match uses the weak comparison (RFC 9110, 13.1.2): a proxy that compresses the
    # response (nginx with gzip) weakens the ETag, and clients send back what they received.
    path = f"/cohorts/{course.cohort.id}"
    etag = client.get(URL + path, headers=analyst.headers).headers["ETag"]

    again = conditional(client, analyst.headers, path, sent.format(etag=etag))

    assert again.status_code == 304


def test_a_stale_etag_gets_the_full_response(client, analyst, course):
    response = conditional(client, analyst.headers, f"/cohorts/{course.cohort.id}", '"not-the-current-one"')

    assert ok(response)["nominated"] == 18


@pytest.mark.parametrize(
    ("statistic", "figure"),
    [
        ("overview", lambda body: body["training"]["people_trained"]),
        ("training", lambda body: body["totals"]["people_trained"]),
        ("cohort", lambda body: body["people_trained"]),
        ("programme", lambda body: body["targets"][0]["actual"]),
        ("agreement", lambda body: body["commitments"][0]["actual"]),
    ],
)
def test_a_new_completion_changes_the_etag_and_the_figures(client, analyst, course, dbs, statistic, figure):
    path = course.urls()[STATISTICS.index(statistic)]
    first = client.get(URL + path, headers=analyst.headers)
    assert figure(ok(first)) == 13

    attend(dbs, course.cohort, course.foreign, F, PSY, COMPLETED)  # a fourteenth person trained
    again = conditional(client, analyst.headers, path, first.headers["ETag"])

    assert figure(ok(again)) == 14
    assert again.headers["ETag"] != first.headers["ETag"]


def test_renaming_an_institution_through_the_api_changes_the_etag_and_the_label(
    client, admin, analyst, course
):
    path = "/training?group_by=institution"
    first = client.get(URL + path, headers=analyst.headers)
    assert ok(first)["rows"][0]["institution_label"] == "Home Academy"

    renamed = client.patch(
        f"/api/v1/institutions/{course.home.id}",
        json={"name": {"en": "Kostanay Academy", "ru": "Костанайская академия"}},
        headers=admin.headers,
    )
    assert renamed.status_code == 200, renamed.json
    again = conditional(client, analyst.headers, path, first.headers["ETag"])

    assert ok(again)["rows"][0]["institution_label"] == "Kostanay Academy"
    assert again.headers["ETag"] != first.headers["ETag"]


def test_attendance_recorded_through_the_api_changes_the_etag_and_the_rate(client, admin, analyst, dbs, home):
    cohort = CohortFactory(host_institution_id=home.id)  # open, from 2 March 2026
    session = SessionFactory(cohort_id=cohort.id)
    officers = [ParticipantRowFactory(institution_id=home.id) for _ in range(5)]
    for officer in officers:
        enrol(dbs, cohort, officer, ENROLLED)
    path = f"/cohorts/{cohort.id}"
    first = client.get(URL + path, headers=analyst.headers)
    assert ok(first)["attendance_rate"] is None  # no marks yet

    roll = [{"participant_id": o.id, "present": n != 0} for n, o in enumerate(officers)]
    recorded = client.put(
        f"/api/v1/cohorts/{cohort.id}/sessions/{session.id}/attendance", json=roll, headers=admin.headers
    )
    assert recorded.status_code == 200, recorded.json
    again = conditional(client, analyst.headers, path, first.headers["ETag"])

    assert ok(again)["attendance_rate"] == 0.8  # 4 present of 5 marks, 5 people marked
    assert again.headers["ETag"] != first.headers["ETag"]


def test_language_format_and_suppression_each_have_their_own_etag(client, admin, course):
    path = f"/cohorts/{course.cohort.id}"
    variants = {
        "default": ({}, {}),
        "lang=ru": ({"lang": "ru"}, {}),
        "Accept-Language: ru": ({}, {"Accept-Language": "ru"}),
        "format=csv": ({"format": "csv"}, {}),
        "Accept: text/csv": ({}, {"Accept": "text/csv"}),
        "suppress=false": ({"suppress": "false"}, {}),
    }

    etags = {}
    for name, (params, headers) in variants.items():
        response = get(client, {**admin.headers, **headers}, path, **params)
        assert response.status_code == 200, name
        etags[name] = response.headers["ETag"]

    assert len(set(etags.values())) == len(etags), etags
    assert get(client, admin.headers, path, lang="ru").headers["ETag"] == etags["lang=ru"]  # stable


def test_a_json_etag_does_not_answer_for_the_csv(client, analyst, course):
    path = f"/cohorts/{course.cohort.id}"
    json_etag = client.get(URL + path, headers=analyst.headers).headers["ETag"]

    as_csv = client.get(
        URL + path, headers={**analyst.headers, "Accept": "text/csv", "If-None-Match": json_etag}
    )

    assert as_csv.status_code == 200
    assert as_csv.mimetype == "text/csv"


def test_the_etag_changes_with_the_day(client, analyst, course, monkeypatch):
    # Agreements expire by the calendar alone, so yesterday's copy may be stale without any write.
    first = get(client, analyst.headers, "/overview")
    monkeypatch.setattr(clock, "today", lambda: TODAY + timedelta(days=1))

    again = conditional(client, analyst.headers, "/overview", first.headers["ETag"])

    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]


# --- shared results -------------------------------------------------------------------------------


def reads_enrolments(statements: list[str]) -> list[str]:
    return [s for s in statements if "enrolments" in s or "cohorts" in s]


@pytest.mark.parametrize("index", range(5), ids=STATISTICS)
def test_a_second_reader_of_the_same_figures_is_served_without_recounting(
    client, analyst, coordinator, course, count_queries, index
):
    path = course.urls()[index]
    first = client.get(URL + path, headers=analyst.headers)
    assert first.status_code == 200

    with count_queries() as statements:
        again = client.get(URL + path, headers=coordinator.headers)  # another caller, no If-None-Match

    assert again.status_code == 200
    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert not reads_enrolments(statements), statements


def test_shared_figures_are_recounted_after_a_write_through_the_api(client, admin, analyst, course):
    path = "/training?group_by=institution"
    before = ok(client.get(URL + path, headers=analyst.headers))
    assert before["rows"][0]["institution_label"] == "Home Academy"

    renamed = client.patch(
        f"/api/v1/institutions/{course.home.id}",
        json={"name": {"en": "Kostanay Academy"}},
        headers=admin.headers,
    )
    assert renamed.status_code == 200, renamed.json

    assert (
        ok(client.get(URL + path, headers=analyst.headers))["rows"][0]["institution_label"]
        == "Kostanay Academy"
    )


def test_shared_figures_keep_suppressed_and_raw_apart(client, admin, course):
    path = f"/cohorts/{course.cohort.id}"
    suppressed = ok(get(client, admin.headers, path))
    raw = ok(get(client, admin.headers, path, suppress="false"))

    assert suppressed["min_cell"] == 5 and raw["min_cell"] is None
    assert ok(get(client, admin.headers, path))["min_cell"] == 5  # the raw copy did not replace it


def test_with_no_cache_budget_every_request_recounts(
    app, client, analyst, course, count_queries, monkeypatch
):
    monkeypatch.setitem(app.extensions, results_module.EXTENSION, results_module.ResultCache(0))
    path = f"/cohorts/{course.cohort.id}"
    first = client.get(URL + path, headers=analyst.headers)

    with count_queries() as statements:
        again = client.get(URL + path, headers=analyst.headers)

    assert again.data == first.data
    assert reads_enrolments(statements), statements


# --- CSV -----------------------------------------------------------------------------------------


def csv_lines(response) -> list[list[str]]:
    """A CSV download's lines, after checking it is one: text/csv, attachment, BOM, CRLF."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.data.startswith(BOM.encode("utf-8"))
    text = response.data.decode("utf-8")[1:]
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


def cell(value) -> str:
    """A JSON value as the CSV writes it (for values that need no formula guard)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def split(text: str) -> list[str]:
    """A CSV line written out by hand (no cell holds a comma) as its cells."""
    return text.split(",")


TRAINING_BY_INSTITUTION_CSV = [
    ["institution", "institution_label", *METRICS, "suppressed"],
    split(
        "1,Home Academy,12,10,,,6,,,,,,,0.86,completed;completion_rate;women_share;people_trained;"
        "avg_pre_score;avg_post_score;avg_gain;avg_satisfaction"
    ),
    split(
        "2,Away Academy,6,5,,,0,,,,,,,0.72,completed;completion_rate;women_share;people_trained;"
        "avg_pre_score;avg_post_score;avg_gain;avg_satisfaction"
    ),
    split("total,,18,15,13,0.8667,6,0.4615,13,49.5,75.71,26.5,4.36,0.8133,"),
]


def test_training_csv_by_institution(client, analyst, course):
    assert (course.home.id, course.foreign.id) == (1, 2)  # as written in the expected lines

    response = get(client, analyst.headers, "/training", group_by="institution", format="csv")

    assert csv_lines(response) == TRAINING_BY_INSTITUTION_CSV
    assert response.headers["Content-Disposition"] == 'attachment; filename="training.csv"'


def test_accept_text_csv_gives_the_same_download(client, analyst, course):
    by_header = client.get(
        f"{URL}/training?group_by=institution", headers={**analyst.headers, "Accept": "text/csv"}
    )

    assert csv_lines(by_header) == TRAINING_BY_INSTITUTION_CSV


@pytest.mark.parametrize(
    ("params", "accept", "mimetype"),
    [
        ({}, "application/json", "application/json"),
        ({}, "text/csv;q=0.5, application/json", "application/json"),
        ({}, "*/*", "application/json"),
        ({"format": "json"}, "text/csv", "application/json"),
        ({"format": "csv"}, "application/json", "text/csv"),
    ],
)
def test_format_argument_beats_the_accept_header(client, analyst, course, params, accept, mimetype):
    response = get(client, {**analyst.headers, "Accept": accept}, "/training", **params)

    assert response.status_code == 200
    assert response.mimetype == mimetype


@pytest.mark.parametrize(
    "group_by",
    ["institution,gender", "country,staff_category,month,curriculum", "gender,institution", "cohort_kind"],
)
def test_training_csv_is_the_json_as_a_table(client, analyst, course, group_by):
    body = ok(get(client, analyst.headers, "/training", group_by=group_by, lang="ru"))

    lines = csv_lines(get(client, analyst.headers, "/training", group_by=group_by, lang="ru", format="csv"))

    dims = [key for name in group_by.split(",") for key in (name, f"{name}_label")]
    header = [*dims, *METRICS, "suppressed"]
    assert lines[0] == header
    assert lines[1:-1] == [[cell(row[key]) for key in header] for row in body["rows"]]
    assert lines[-1] == ["total"] + [""] * (len(dims) - 1) + [
        cell(body["totals"][k]) for k in header[len(dims) :]
    ]


def test_training_csv_header_is_the_json_keys_in_order(client, analyst, course):
    # Read the JSON text itself: the order of the keys on the wire is what a BI tool sees.
    response = get(client, analyst.headers, "/training", group_by="institution,gender")
    row = next(iter(response.json["rows"]))

    header = csv_lines(
        get(client, analyst.headers, "/training", group_by="institution,gender", format="csv")
    )[0]

    assert list(row) == header


def test_training_csv_without_group_by_is_the_totals(client, analyst, course):
    lines = csv_lines(get(client, analyst.headers, "/training", format="csv"))

    assert lines == [
        [*METRICS, "suppressed"],
        ["18", "15", "13", "0.8667", "6", "0.4615", "13", "49.5", "75.71", "26.5", "4.36", "0.8133", ""],
    ]


def test_cohort_csv_has_a_line_per_gender_then_the_total(client, analyst, course):
    lines = csv_lines(get(client, analyst.headers, f"/cohorts/{course.cohort.id}", format="csv"))

    assert lines == [
        ["gender", "gender_label", "capacity", "seats_taken", "fill_rate", *METRICS, "suppressed"],
        split("female,female,20,17,0.85,8,7,6,0.8571,6,1.0,6,,72.14,,4.29,0.8571,avg_pre_score;avg_gain"),
        split("male,male,20,17,0.85,10,8,7,0.875,0,0.0,7,,79.29,,4.43,0.775,avg_pre_score;avg_gain"),
        split("total,,20,17,0.85,18,15,13,0.8667,6,0.4615,13,49.5,75.71,26.5,4.36,0.8133,"),
    ]


def test_programme_csv_has_a_line_per_target(client, analyst, trio):
    lines = csv_lines(get(client, analyst.headers, trio["programme"], format="csv"))

    assert lines == [
        ["metric", "target", "actual", "share_reached", "suppressed"],
        ["cohorts_completed", "1", "1", "1.0", ""],
        ["participants_trained", "10", "", "", "actual;share_reached"],
        ["trainers_certified", "2", "", "", "actual;share_reached"],
        ["women_trained", "5", "0", "0.0", ""],
    ]


def test_agreement_csv_has_a_line_per_year_then_the_commitment(client, analyst, commitments):
    lines = csv_lines(get(client, analyst.headers, f"/agreements/{commitments.id}", format="csv"))

    hidden = "actual;share_reached"
    assert lines == [
        ["metric", "per", "year", "target", "actual", "share_reached", "suppressed"],
        ["participants_trained", "year", "2021", "10", "6", "0.6", ""],
        ["participants_trained", "year", "2022", "10", "0", "0.0", ""],
        ["participants_trained", "year", "2023", "10", "7", "0.7", ""],
        ["participants_trained", "year", "total", "10", "13", "0.4333", ""],
        ["women_trained", "total", "2021", "5", "", "", hidden],
        ["women_trained", "total", "2023", "5", "", "", hidden],
        ["women_trained", "total", "total", "5", "6", "1.2", ""],
    ]


def test_overview_csv_in_russian(client, analyst, hub):
    lines = csv_lines(get(client, analyst.headers, "/overview", format="csv", lang="ru"))

    hidden = "people_trained;women_share"
    assert lines == [
        split("section,dimension,code,label,count,people_trained,women_trained,women_share,suppressed"),
        ["institutions", "country", "AT", "Австрия", "1", "", "", "", ""],
        ["institutions", "country", "KG", "Кыргызстан", "1", "", "", "", ""],
        ["institutions", "country", "KZ", "Казахстан", "2", "", "", "", ""],
        ["institutions", "kind", "academy", "академия", "2", "", "", "", ""],
        [
            "institutions",
            "kind",
            "international_organisation",
            "международная организация",
            "1",
            "",
            "",
            "",
            "",
        ],
        ["institutions", "kind", "penitentiary_service", "пенитенциарная служба", "1", "", "", "", ""],
        ["institutions", "total", "", "", "4", "", "", "", ""],
        ["agreements", "status", "active", "действует", "4", "", "", "", ""],
        ["agreements", "status", "draft", "проект", "1", "", "", "", ""],
        ["agreements", "status", "expired", "истекло", "1", "", "", "", ""],
        ["agreements", "status", "signed", "подписано", "1", "", "", "", ""],
        ["agreements", "status", "superseded", "заменено", "1", "", "", "", ""],
        ["agreements", "status", "terminated", "расторгнуто", "1", "", "", "", ""],
        ["agreements", "total", "", "", "9", "", "", "", ""],
        ["agreements", "expiring_within_90_days", "", "", "1", "", "", "", ""],
        ["cohorts", "status", "cancelled", "отменена", "1", "", "", "", ""],
        ["cohorts", "status", "completed", "завершена", "2", "", "", "", ""],
        ["cohorts", "status", "open", "открыта", "1", "", "", "", ""],
        ["cohorts", "status", "planned", "запланирована", "1", "", "", "", ""],
        ["cohorts", "total", "", "", "5", "", "", "", ""],
        ["training", "year", "2020", "2020", "", "", "6", "", hidden],
        ["training", "year", "2021", "2021", "", "", "0", "", hidden],
        ["training", "total", "", "", "", "16", "6", "0.375", ""],
    ]


RISKY_NAMES = ('=HYPERLINK("http://x")', "-1+2", "@cmd", "+x", "\tx", "\rx")


@pytest.fixture
def risky(dbs, home):
    """An institution per formula-looking name, each with two officers; the first also loses 5.5 points."""
    cohort = CohortFactory(curriculum_id=PublishedCurriculumFactory(owner_institution_id=home.id).id)
    institutions = []
    for n, name in enumerate(RISKY_NAMES):
        institution = InstitutionFactory(code=f"RISKY{n}", name={"en": name})
        scores = [(50, 45), (50, 44)] if n == 0 else [(None, None), (None, None)]  # gains -5 and -6
        for pre, post in scores:
            attend(dbs, cohort, institution, F, PSY, COMPLETED, pre, post)
        institutions.append(institution)
    return institutions


def test_csv_guards_formula_looking_labels_and_keeps_negative_numbers(client, admin, risky):
    params = {"group_by": "institution", "suppress": "false"}
    body = ok(get(client, admin.headers, "/training", **params))

    lines = csv_lines(get(client, admin.headers, "/training", format="csv", **params))

    assert [row["institution_label"] for row in body["rows"]] == list(RISKY_NAMES)  # JSON stays as is
    header = lines[0]
    label, gain = header.index("institution_label"), header.index("avg_gain")
    assert [line[label] for line in lines[1:-1]] == ["'" + name for name in RISKY_NAMES]
    assert lines[1][gain] == "-5.5"
    assert lines[1][header.index("avg_post_score")] == "44.5"
    assert lines[-1][gain] == "-5.5"


# --- query count -----------------------------------------------------------------------------------


def add_groups(dbs, home, count: int) -> None:
    """`count` officers, each of a new institution in a cohort of a new curriculum, programme and MoU."""
    for _ in range(count):
        n = InstitutionFactory().id
        cohort = CohortFactory(
            curriculum_id=PublishedCurriculumFactory(owner_institution_id=home.id).id,
            programme_id=programme_row(dbs, f"GRP-{n}", {"en": f"Programme {n}"}).id,
            agreement_id=agreement_row(dbs, f"GRP-{n}").id,
            host_institution_id=home.id,
        )
        attend(dbs, cohort, dbs.get(Institution, n), F, PSY, COMPLETED)


def test_training_by_four_entities_runs_no_query_per_group(client, analyst, dbs, home, count_queries):
    path = f"{URL}/training?group_by=institution,curriculum,programme,agreement"
    add_groups(dbs, home, 1)
    for_one = statements_for_get(count_queries, client, path, analyst.headers)
    add_groups(dbs, home, 19)

    for_twenty = statements_for_get(count_queries, client, path, analyst.headers)

    rows = ok(client.get(path, headers=analyst.headers))["rows"]
    assert len(rows) == 20
    # Ordered by institution id as a number (10 after 9), and labelled from the entities.
    assert [row["institution"] for row in rows] == sorted(row["institution"] for row in rows)
    assert all(row["programme_label"] == f"Programme {row['institution']}" for row in rows)
    assert for_twenty == for_one


# --- the demo data's seeds -----------------------------------------------------------------------


@pytest.fixture
def demo(app, dbs) -> dict:
    """The demo data set, loaded as `hub-api demo load` does; its curricula and cohorts by code."""
    with app.app_context():
        load_demo()
        db.session.commit()
    curricula = {(c.code, c.number): c.id for c in dbs.scalars(sa.select(Curriculum))}
    cohorts = {c.code: c.id for c in dbs.scalars(sa.select(Cohort))}
    return {"curricula": curricula, "cohorts": cohorts}


def test_demo_pve_batches_of_2020_trained_56_officers_6_of_them_women(client, analyst, demo):
    # The two February courses at Kostanay and the Pavlodar webinar are the cohorts of the first
    # version of the Kostanay PVE modules; the media webinar of 13-29 May has its own curriculum.
    modules = demo["curricula"][("KTA-PVE-MODULES", 1)]

    body = ok(get(client, analyst.headers, "/training", curriculum_id=modules))

    totals = body["totals"]
    assert (totals["completed"], totals["people_trained"], totals["women"]) == (56, 56, 6)
    assert totals["women_share"] == 0.1071  # "11% women"


def test_demo_pve_batches_by_dates_add_up_to_56(client, admin, demo):
    def trained(**dates):
        totals = ok(get(client, admin.headers, "/training", suppress="false", **dates))["totals"]
        return totals["people_trained"], totals["women"]

    february = trained(**{"from": "2020-02-01", "to": "2020-02-29"})
    pavlodar = trained(**{"from": "2020-05-18", "to": "2020-05-21"})
    spring = trained(**{"from": "2020-02-01", "to": "2020-05-31"})

    assert (february[0] + pavlodar[0], february[1] + pavlodar[1]) == (56, 6)
    # The same window also holds the media webinar (from 13 May) and its 29 focal points.
    assert spring[0] == 56 + 29


def test_demo_media_webinar_gathered_29_focal_points(client, analyst, demo):
    body = ok(get(client, analyst.headers, f"/cohorts/{demo['cohorts']['PSC-MEDIA-2020-01']}"))

    assert (body["nominated"], body["completed"], body["people_trained"]) == (29, 29, 29)
    assert body["women"] == 15
