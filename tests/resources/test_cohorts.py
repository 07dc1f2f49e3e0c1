"""/api/v1/cohorts: deliveries of a published curriculum, their seats, lifecycle and lists."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from hub_api.models import (
    Agreement,
    AgreementParty,
    Cohort,
    CohortSession,
    Enrolment,
    Programme,
    SeatAllocation,
)
from hub_api.models.enums import (
    AgreementKind,
    CohortKind,
    CohortStatus,
    CurriculumStatus,
    DeliveryMode,
    EnrolmentStatus,
    PartyRole,
    Role,
)
from tests.conftest import sign_in
from tests.factories import InstitutionFactory, UserFactory
from tests.helpers import (
    assert_timestamp,
    audit_rows,
    client_headers,
    codes,
    links,
    reloaded,
    row_count,
    statements_for_get,
    with_server_fields,
)
from tests.problems import assert_problem, assert_unauthorized, assert_validation
from tests.training_factories import (
    CohortFactory,
    ParticipantRowFactory,
    PublishedCurriculumFactory,
    SessionFactory,
    enrol,
)

URL = "/api/v1/cohorts"
RETIRED_AT = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
# The lifecycle as the contract states it: where each status may go next.
LIFECYCLE = {
    "planned": ["open", "cancelled"],
    "open": ["in_progress", "cancelled"],
    "in_progress": ["completed", "cancelled"],
    "completed": [],
    "cancelled": [],
}
LEGAL_MOVES = [(source, target) for source, targets in LIFECYCLE.items() for target in targets]
ILLEGAL_MOVES = [
    (source, target) for source in LIFECYCLE for target in LIFECYCLE if target not in LIFECYCLE[source]
]


def one(cohort_id: int) -> str:
    return f"{URL}/{cohort_id}"


def transitions(cohort_id: int) -> str:
    return f"{one(cohort_id)}/transitions"


def allocation(institution, seats: int) -> SeatAllocation:
    """A seat allocation row, for a cohort the factory stores."""
    return SeatAllocation(institution_id=institution.id, seats=seats, seats_taken=0)


def if_match(actor, etag: str) -> dict:
    return {**actor.headers, "If-Match": etag}


@pytest.fixture
def guest(dbs):
    """A third partner, from Tajikistan."""
    return InstitutionFactory(code="TJ-ACAD", name={"en": "Tajik Academy"}, country="TJ")


@pytest.fixture
def curriculum(dbs):
    """A published curriculum version that cohorts can deliver."""
    return PublishedCurriculumFactory(code="UNODC-VEP")


@pytest.fixture
def programme(dbs):
    row = Programme(code="PVE-CA", name={"en": "Preventing violent extremism in Central Asia"})
    dbs.add(row)
    dbs.commit()
    return row


def make_agreement(dbs, reference: str, *institutions) -> Agreement:
    """An agreement whose parties (role `party`) are these institutions."""
    agreement = Agreement(
        reference=reference,
        title={"en": reference},
        kind=AgreementKind.MOU,
        parties=[AgreementParty(institution_id=i.id, role=PartyRole.PARTY) for i in institutions],
    )
    dbs.add(agreement)
    dbs.commit()
    return agreement


@pytest.fixture
def mou(dbs, home, foreign):
    """The MoU between the home and the foreign academy."""
    return make_agreement(dbs, "MOU-2024-KZ-KG", home, foreign)


@pytest.fixture
def foreign_coordinator(app, dbs, foreign):
    """A coordinator of the `foreign` institution."""
    user = UserFactory(role=Role.COORDINATOR, institution_id=foreign.id, email="coord@away.example")
    return sign_in(app, user)


def full_body(home, curriculum, programme, mou, foreign, guest) -> dict:
    """Every writable field of a cohort hosted by `home`, as a coordinator would POST it."""
    allocations = [{"institution_id": foreign.id, "seats": 6}, {"institution_id": guest.id, "seats": 4}]
    return {
        "code": "KTA-PVE-2026-01",
        "title": {"en": "Preventing violent extremism in prisons", "ru": "Профилактика экстремизма"},
        "kind": "course",
        "curriculum_id": curriculum.id,
        "host_institution_id": home.id,
        "programme_id": programme.id,
        "agreement_id": mou.id,
        "delivery_mode": "blended",
        "country": "KZ",
        "city": "Kostanay",
        "language": "ru",
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-13",
        "capacity": 24,
        # The larger institution id first: the API answers in institution order, whatever it is sent.
        "seat_allocations": sorted(allocations, key=lambda a: -a["institution_id"]),
    }


def minimal_body(home, curriculum, **changes) -> dict:
    """The required fields only."""
    return {
        "code": "KTA-MIN-01",
        "title": {"kk": "Қысқа курс"},
        "kind": "webinar",
        "curriculum_id": curriculum.id,
        "host_institution_id": home.id,
        "delivery_mode": "online",
        "language": "kk",
        "starts_on": "2026-04-01",
        "ends_on": "2026-04-01",
        "capacity": 50,
        **changes,
    }


@pytest.fixture
def body(home, foreign, guest, curriculum, programme, mou) -> dict:
    return full_body(home, curriculum, programme, mou, foreign, guest)


def create(client, actor, payload: dict) -> dict:
    response = client.post(URL, json=payload, headers=actor.headers)
    assert response.status_code == 201, response.json
    return response.json


def stored(dbs, cohort_id: int) -> Cohort | None:
    return reloaded(dbs, Cohort, cohort_id)


def stored_allocations(dbs, cohort_id: int) -> list[tuple[int, int, int]]:
    """(institution_id, seats, seats_taken) of a cohort's allocations as the database holds them."""
    dbs.expire_all()
    rows = dbs.execute(
        sa.select(SeatAllocation.institution_id, SeatAllocation.seats, SeatAllocation.seats_taken)
        .where(SeatAllocation.cohort_id == cohort_id)
        .order_by(SeatAllocation.institution_id)
    )
    return [tuple(row) for row in rows]


# --- create ---------------------------------------------------------------------------------


def test_coordinator_creates_a_planned_cohort_with_allocations(client, coordinator, dbs, body):
    response = client.post(URL, json=body, headers=coordinator.headers)

    assert response.status_code == 201, response.json
    created = response.json
    allocations = sorted(body["seat_allocations"], key=lambda a: a["institution_id"])
    expected = {
        **body,
        "seat_allocations": [{**a, "seats_taken": 0} for a in allocations],
        "status": "planned",
        "enrolled_count": 0,
        "seats_left": 24,
    }
    assert created == with_server_fields(created, expected)
    assert response.headers["Location"].endswith(one(created["id"]))
    again = client.get(one(created["id"]), headers=coordinator.headers)
    assert again.status_code == 200
    assert again.json == created
    assert again.headers["ETag"] == response.headers["ETag"]
    row = stored(dbs, created["id"])
    assert (row.code, row.status, row.seats_taken) == ("KTA-PVE-2026-01", CohortStatus.PLANNED, 0)
    assert stored_allocations(dbs, created["id"]) == [
        (a["institution_id"], a["seats"], 0) for a in allocations
    ]


def test_create_with_required_fields_only_fills_defaults(client, admin, foreign, curriculum):
    payload = minimal_body(foreign, curriculum)

    created = create(client, admin, payload)

    expected = {
        **payload,
        "programme_id": None,
        "agreement_id": None,
        "country": "KG",  # the host's country
        "city": None,
        "seat_allocations": [],
        "status": "planned",
        "enrolled_count": 0,
        "seats_left": 50,
    }
    assert created == with_server_fields(created, expected)


def test_create_is_audited_with_its_allocations(client, coordinator, dbs, body):
    created = create(client, coordinator, body)

    events = audit_rows(dbs, action="cohorts.create")
    assert [(e.object_type, e.object_id) for e in events] == [("cohorts", str(created["id"]))]
    assert (events[0].actor_type, events[0].actor_id, events[0].path) == ("user", coordinator.user.id, URL)
    assert len(audit_rows(dbs, action="cohort_seat_allocations.create")) == 2


def test_create_requires_its_fields(client, admin, dbs):
    response = client.post(URL, json={"city": "Bishkek"}, headers=admin.headers)

    assert_validation(
        response,
        "code",
        "title",
        "kind",
        "curriculum_id",
        "host_institution_id",
        "delivery_mode",
        "language",
        "starts_on",
        "ends_on",
        "capacity",
    )
    assert row_count(dbs, Cohort) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "kta-pve"}, "code"),
        ({"code": "K"}, "code"),
        ({"title": {}}, "title"),
        ({"title": {"fr": "Cours"}}, "title.fr.key"),
        ({"kind": "lecture"}, "kind"),
        ({"delivery_mode": "radio"}, "delivery_mode"),
        ({"language": "fr"}, "language"),
        ({"country": "kz"}, "country"),
        ({"country": "KAZ"}, "country"),
        ({"city": "x" * 121}, "city"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"ends_on": "2026-03-01"}, "ends_on"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"capacity": 9}, "seat_allocations"),  # below the 6 + 4 seats allocated
        ({"curriculum_id": 0}, "curriculum_id"),
        ({"programme_id": "pve"}, "programme_id"),
        ({"agreement_id": -1}, "agreement_id"),
        ({"host_institution_id": None}, "host_institution_id"),
        ({"seat_allocations": None}, "seat_allocations"),
        ({"status": "open"}, "status"),
        ({"enrolled_count": 0}, "enrolled_count"),
        ({"seats_left": 24}, "seats_left"),
        ({"id": 7}, "id"),
        ({"venue": "Hall A"}, "venue"),
    ],
)
def test_create_rejects_invalid_field(client, admin, dbs, body, change, field):
    response = client.post(URL, json={**body, **change}, headers=admin.headers)

    errors = assert_validation(response, field)
    assert errors[field]
    assert row_count(dbs, Cohort) == 0


@pytest.mark.parametrize(
    ("allocations", "field"),
    [
        (lambda f, g: [{"institution_id": f.id, "seats": 0}], "seat_allocations.0.seats"),
        (lambda f, g: [{"institution_id": f.id}], "seat_allocations.0.seats"),
        (lambda f, g: [{"institution_id": 0, "seats": 2}], "seat_allocations.0.institution_id"),
        (
            lambda f, g: [{"institution_id": f.id, "seats": 2, "seats_taken": 1}],
            "seat_allocations.0.seats_taken",
        ),
        (
            lambda f, g: [{"institution_id": f.id, "seats": 2}, {"institution_id": f.id, "seats": 3}],
            "seat_allocations",
        ),
        (
            lambda f, g: [{"institution_id": f.id, "seats": 20}, {"institution_id": g.id, "seats": 5}],
            "seat_allocations",
        ),
    ],
    ids=[
        "zero-seats",
        "no-seats",
        "bad-institution",
        "seats-taken",
        "duplicate-institution",
        "over-capacity",
    ],
)
def test_create_rejects_invalid_allocations(client, admin, dbs, body, foreign, guest, allocations, field):
    response = client.post(
        URL, json={**body, "seat_allocations": allocations(foreign, guest)}, headers=admin.headers
    )

    assert_validation(response, field)
    assert row_count(dbs, Cohort) == 0
    assert row_count(dbs, SeatAllocation) == 0


def test_create_with_allocations_equal_to_the_capacity(client, admin, body, foreign, guest):
    allocations = [{"institution_id": foreign.id, "seats": 20}, {"institution_id": guest.id, "seats": 4}]

    created = create(client, admin, {**body, "seat_allocations": allocations})

    assert sum(a["seats"] for a in created["seat_allocations"]) == created["capacity"] == 24


@pytest.mark.parametrize("status", [CurriculumStatus.DRAFT, CurriculumStatus.RETIRED])
def test_create_refuses_a_curriculum_that_is_not_published(client, admin, dbs, body, status):
    curriculum = PublishedCurriculumFactory(
        status=status,
        published_at=None if status is CurriculumStatus.DRAFT else RETIRED_AT,
        retired_at=RETIRED_AT if status is CurriculumStatus.RETIRED else None,
    )

    response = client.post(URL, json={**body, "curriculum_id": curriculum.id}, headers=admin.headers)

    errors = assert_validation(response, "curriculum_id")
    assert errors == {"curriculum_id": [f"Not published (it is {status.value})."]}
    assert row_count(dbs, Cohort) == 0


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("curriculum_id", "curriculum"),
        ("host_institution_id", "institution"),
        ("programme_id", "programme"),
        ("agreement_id", "agreement"),
    ],
)
def test_create_with_an_unknown_reference_is_422(client, admin, dbs, body, field, label):
    response = client.post(URL, json={**body, field: 424242}, headers=admin.headers)

    errors = assert_validation(response, field)
    assert errors == {field: [f"No {label} with id 424242."]}
    assert row_count(dbs, Cohort) == 0


def test_create_allocating_seats_to_an_unknown_institution_is_422(client, admin, dbs, body):
    payload = {**body, "seat_allocations": [{"institution_id": 424242, "seats": 2}]}

    errors = assert_validation(client.post(URL, json=payload, headers=admin.headers), "seat_allocations")

    assert errors == {"seat_allocations": ["No institution with id 424242."]}
    assert row_count(dbs, Cohort) == 0


def test_create_in_an_unknown_country_is_422(client, admin, dbs, body):
    errors = assert_validation(
        client.post(URL, json={**body, "country": "ZZ"}, headers=admin.headers), "country"
    )

    assert errors == {"country": ["ZZ is not a known country code."]}
    assert row_count(dbs, Cohort) == 0


def test_create_under_an_agreement_the_host_is_not_party_to_is_422(client, admin, dbs, body, foreign, guest):
    other = make_agreement(dbs, "MOU-KG-TJ", foreign, guest)

    response = client.post(URL, json={**body, "agreement_id": other.id}, headers=admin.headers)

    errors = assert_validation(response, "agreement_id")
    assert errors == {
        "agreement_id": [f"Institution {body['host_institution_id']} is not among its parties."]
    }
    assert row_count(dbs, Cohort) == 0


def test_create_with_a_used_code_conflicts(client, admin, dbs, body):
    CohortFactory(code="KTA-PVE-2026-01")

    assert_problem(
        client.post(URL, json=body, headers=admin.headers), 409, errors={"code": ["Already used."]}
    )
    assert row_count(dbs, Cohort) == 1


def test_create_without_token_is_401(client, dbs, body):
    assert_unauthorized(client.post(URL, json=body))
    assert row_count(dbs, Cohort) == 0


def test_analyst_cannot_create(client, analyst, dbs, body):
    assert_problem(client.post(URL, json=body, headers=analyst.headers), 403)
    assert row_count(dbs, Cohort) == 0


def test_coordinator_cannot_create_a_cohort_another_institution_hosts(
    client, coordinator, dbs, body, foreign
):
    payload = {**body, "host_institution_id": foreign.id, "agreement_id": None}

    assert_problem(client.post(URL, json=payload, headers=coordinator.headers), 403)
    assert row_count(dbs, Cohort) == 0
    denied = audit_rows(dbs, action="permission.denied")
    assert [(e.actor_id, e.path) for e in denied] == [(coordinator.user.id, URL)]


def test_api_client_cannot_create_whatever_its_scopes(app, client, dbs, home, body):
    scopes = ["catalogue:read", "participants:write", "enrolments:write", "webhooks:manage"]
    headers = client_headers(app, scopes, institution=home)

    assert_problem(client.post(URL, json=body, headers=headers), 403)
    assert row_count(dbs, Cohort) == 0


# --- read one -------------------------------------------------------------------------------


@pytest.fixture
def running(dbs, home, foreign, guest, curriculum, programme, mou):
    """An open cohort hosted by `home`: 12 seats, 4 for `foreign` (2 held), 3 for `guest` (1 held)."""
    cohort = CohortFactory(
        code="KTA-PVE-2026-01",
        title={"en": "PVE course", "ru": "Курс ПНЭ"},
        kind=CohortKind.COURSE,
        curriculum_id=curriculum.id,
        host_institution_id=home.id,
        programme_id=programme.id,
        agreement_id=mou.id,
        delivery_mode=DeliveryMode.BLENDED,
        country="KZ",
        city="Kostanay",
        language="ru",
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 13),
        capacity=12,
        seat_allocations=[allocation(foreign, 4), allocation(guest, 3)],
    )
    enrol(dbs, cohort, ParticipantRowFactory(institution_id=foreign.id))
    enrol(dbs, cohort, ParticipantRowFactory(institution_id=foreign.id), EnrolmentStatus.NOMINATED)
    enrol(dbs, cohort, ParticipantRowFactory(institution_id=foreign.id), EnrolmentStatus.WITHDRAWN)
    enrol(dbs, cohort, ParticipantRowFactory(institution_id=guest.id), EnrolmentStatus.COMPLETED)
    return cohort


def test_get_returns_the_cohort_with_seats_and_etag(client, analyst, running, home, foreign, guest):
    response = client.get(one(running.id), headers=analyst.headers)

    assert response.status_code == 200
    body = response.json
    allocations = sorted(
        [
            {"institution_id": foreign.id, "seats": 4, "seats_taken": 2},
            {"institution_id": guest.id, "seats": 3, "seats_taken": 1},
        ],
        key=lambda a: a["institution_id"],
    )
    assert body == {
        "id": running.id,
        "code": "KTA-PVE-2026-01",
        "title": {"en": "PVE course", "ru": "Курс ПНЭ"},
        "kind": "course",
        "status": "open",
        "curriculum_id": running.curriculum_id,
        "host_institution_id": home.id,
        "programme_id": running.programme_id,
        "agreement_id": running.agreement_id,
        "delivery_mode": "blended",
        "country": "KZ",
        "city": "Kostanay",
        "language": "ru",
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-13",
        "capacity": 12,
        "seat_allocations": allocations,
        "enrolled_count": 3,  # the withdrawn participant gave the seat back
        "seats_left": 9,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert_timestamp(body["created_at"])
    assert response.headers["ETag"].startswith('"')
    assert client.get(one(running.id), headers=analyst.headers).headers["ETag"] == response.headers["ETag"]


@pytest.mark.parametrize("role", ["admin", "coordinator", "analyst"])
def test_every_user_role_reads_every_cohort(client, request, dbs, foreign, role):
    cohort = CohortFactory(code="AWAY-01", host_institution_id=foreign.id)
    actor = request.getfixturevalue(role)

    assert client.get(one(cohort.id), headers=actor.headers).json["code"] == "AWAY-01"
    assert codes(client.get(URL, headers=actor.headers)) == ["AWAY-01"]


def test_api_client_reads_with_catalogue_scope_only(app, client, dbs, home):
    cohort = CohortFactory(code="READ-ME")
    reader = client_headers(app, ["catalogue:read"], institution=home)
    other = client_headers(app, ["participants:read", "stats:read"], institution=home)

    assert client.get(one(cohort.id), headers=reader).json["code"] == "READ-ME"
    assert codes(client.get(URL, headers=reader)) == ["READ-ME"]
    assert_problem(client.get(one(cohort.id), headers=other), 403)
    assert_problem(client.get(URL, headers=other), 403)


def test_get_unknown_cohort_is_404(client, admin):
    body = assert_problem(client.get(one(424242), headers=admin.headers), 404)
    assert "424242" in body["detail"]


def test_get_without_token_is_401(client, dbs):
    cohort = CohortFactory()
    assert_unauthorized(client.get(one(cohort.id)))
    assert_unauthorized(client.get(URL))


def test_a_seat_taken_changes_the_etag_and_the_seats_left(client, admin, dbs, running, foreign):
    before = client.get(one(running.id), headers=admin.headers)
    officer = ParticipantRowFactory(institution_id=foreign.id)

    nominated = client.post(
        f"{one(running.id)}/enrolments", json={"participant_id": officer.id}, headers=admin.headers
    )
    assert nominated.status_code == 201, nominated.json

    after = client.get(one(running.id), headers=admin.headers)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert (after.json["enrolled_count"], after.json["seats_left"]) == (4, 8)
    assert [
        a["seats_taken"] for a in after.json["seat_allocations"] if a["institution_id"] == foreign.id
    ] == [3]
    stale = client.patch(
        one(running.id), json={"city": "Astana"}, headers=if_match(admin, before.headers["ETag"])
    )
    assert_problem(stale, 412)
    assert stored(dbs, running.id).city == "Kostanay"


# --- update ---------------------------------------------------------------------------------


@pytest.fixture
def planned(dbs, home, foreign, curriculum, mou):
    """A planned cohort of `home`, 20 seats, 5 of them for `foreign`."""
    return CohortFactory(
        code="KTA-PLAN-01",
        status=CohortStatus.PLANNED,
        curriculum_id=curriculum.id,
        host_institution_id=home.id,
        agreement_id=mou.id,
        capacity=20,
        seat_allocations=[allocation(foreign, 5)],
    )


def test_patch_changes_fields_and_replaces_allocations(client, coordinator, dbs, planned, foreign, guest):
    before = client.get(one(planned.id), headers=coordinator.headers)
    changes = {
        "title": {"en": "Spring course", "kk": "Көктемгі курс"},
        "kind": "tot",
        "delivery_mode": "online",
        "country": "KG",
        "city": None,
        "language": "en",
        "starts_on": "2026-04-06",
        "ends_on": "2026-04-10",
        "capacity": 15,
        "agreement_id": None,
        "seat_allocations": [{"institution_id": guest.id, "seats": 7}],
    }

    response = client.patch(
        one(planned.id), json=changes, headers=if_match(coordinator, before.headers["ETag"])
    )

    assert response.status_code == 200, response.json
    body = response.json
    assert body == {
        **before.json,
        **changes,
        "seat_allocations": [{"institution_id": guest.id, "seats": 7, "seats_taken": 0}],
        "seats_left": 15,
        "updated_at": body["updated_at"],
    }
    assert assert_timestamp(body["updated_at"]) > assert_timestamp(before.json["updated_at"])
    assert response.headers["ETag"] != before.headers["ETag"]
    again = client.get(one(planned.id), headers=coordinator.headers)
    assert (again.json, again.headers["ETag"]) == (body, response.headers["ETag"])
    assert stored_allocations(dbs, planned.id) == [(guest.id, 7, 0)]


def test_patch_keeps_what_it_does_not_mention(client, admin, dbs, planned, foreign):
    before = client.get(one(planned.id), headers=admin.headers).json

    response = client.patch(one(planned.id), json={"city": "Astana"}, headers=admin.headers)

    assert response.status_code == 200, response.json
    unchanged = {k: v for k, v in before.items() if k not in {"city", "updated_at"}}
    assert {k: response.json[k] for k in unchanged} == unchanged
    assert response.json["city"] == "Astana"
    assert stored_allocations(dbs, planned.id) == [(foreign.id, 5, 0)]


def test_patch_of_allocations_alone_is_a_new_version_of_the_cohort(client, admin, dbs, planned, foreign):
    before = client.get(one(planned.id), headers=admin.headers)
    changes = {"seat_allocations": [{"institution_id": foreign.id, "seats": 8}]}

    response = client.patch(one(planned.id), json=changes, headers=if_match(admin, before.headers["ETag"]))

    assert response.status_code == 200, response.json
    assert response.json["seat_allocations"] == [{"institution_id": foreign.id, "seats": 8, "seats_taken": 0}]
    assert response.headers["ETag"] != before.headers["ETag"]
    assert assert_timestamp(response.json["updated_at"]) > assert_timestamp(before.json["updated_at"])
    since = client.get(URL, query_string={"updated_since": before.json["updated_at"]}, headers=admin.headers)
    assert codes(since) == ["KTA-PLAN-01"]


def test_patch_can_drop_every_allocation(client, admin, dbs, planned):
    response = client.patch(one(planned.id), json={"seat_allocations": []}, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert response.json["seat_allocations"] == []
    assert stored_allocations(dbs, planned.id) == []


def test_patch_is_audited_with_the_changed_fields(client, admin, dbs, planned):
    client.patch(one(planned.id), json={"city": "Astana", "capacity": 30}, headers=admin.headers)

    events = audit_rows(dbs, action="cohorts.update", object_id=str(planned.id))
    assert [e.details["fields"] for e in events] == [["capacity", "city"]]
    assert (events[0].actor_id, events[0].method) == (admin.user.id, "PATCH")


def test_patch_keeps_the_seats_each_institution_holds(client, admin, dbs, running, foreign, guest):
    changes = {
        "seat_allocations": [
            {"institution_id": guest.id, "seats": 1},
            {"institution_id": foreign.id, "seats": 2},
        ]
    }

    response = client.patch(one(running.id), json=changes, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert {
        a["institution_id"]: (a["seats"], a["seats_taken"]) for a in response.json["seat_allocations"]
    } == {
        foreign.id: (2, 2),
        guest.id: (1, 1),
    }
    assert sorted(stored_allocations(dbs, running.id)) == sorted([(foreign.id, 2, 2), (guest.id, 1, 1)])


def test_patch_of_an_allocation_below_the_seats_its_institution_holds_conflicts(
    client, admin, dbs, running, foreign, guest
):
    changes = {
        "seat_allocations": [
            {"institution_id": foreign.id, "seats": 1},
            {"institution_id": guest.id, "seats": 3},
        ]
    }

    assert_problem(
        client.patch(one(running.id), json=changes, headers=admin.headers),
        409,
        errors={"seat_allocations": ["Below the seats already taken."]},
    )
    assert sorted(stored_allocations(dbs, running.id)) == sorted([(foreign.id, 4, 2), (guest.id, 3, 1)])


@pytest.mark.parametrize("with_allocations", [False, True])
def test_patch_of_the_capacity_below_the_seats_taken_conflicts(client, admin, dbs, running, with_allocations):
    changes = {"capacity": 2, **({"seat_allocations": []} if with_allocations else {})}

    assert_problem(
        client.patch(one(running.id), json=changes, headers=admin.headers),
        409,
        errors={"capacity": ["Below the seats already taken."]},
    )
    assert stored(dbs, running.id).capacity == 12
    assert len(stored_allocations(dbs, running.id)) == 2


def test_patch_leaving_out_an_institution_that_holds_seats_conflicts(
    client, admin, dbs, running, foreign, guest
):
    changes = {"seat_allocations": [{"institution_id": foreign.id, "seats": 9}]}  # guest holds a seat

    assert_problem(
        client.patch(one(running.id), json=changes, headers=admin.headers),
        409,
        errors={"seat_allocations": ["Below the seats already taken."]},
    )
    assert sorted(stored_allocations(dbs, running.id)) == sorted([(foreign.id, 4, 2), (guest.id, 3, 1)])


def test_allocations_introduced_after_nominations_must_cover_the_seats_held(
    client, admin, dbs, home, foreign, guest
):
    cohort = CohortFactory(host_institution_id=home.id, capacity=10)
    enrol(dbs, cohort, ParticipantRowFactory(institution_id=guest.id))
    url = one(cohort.id)

    leaves_guest_out = {"seat_allocations": [{"institution_id": foreign.id, "seats": 10}]}
    assert_problem(
        client.patch(url, json=leaves_guest_out, headers=admin.headers),
        409,
        errors={"seat_allocations": ["Below the seats already taken."]},
    )
    assert stored_allocations(dbs, cohort.id) == []

    covered = {
        "seat_allocations": [
            {"institution_id": foreign.id, "seats": 9},
            {"institution_id": guest.id, "seats": 1},
        ]
    }
    response = client.patch(url, json=covered, headers=admin.headers)
    assert response.status_code == 200, response.json
    assert stored_allocations(dbs, cohort.id) == sorted([(foreign.id, 9, 0), (guest.id, 1, 1)])
    assert response.json["seats_left"] == 9


def test_dropping_every_allocation_keeps_the_seats_held(client, admin, dbs, running):
    response = client.patch(one(running.id), json={"seat_allocations": []}, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert (response.json["seat_allocations"], response.json["enrolled_count"]) == ([], 3)
    assert stored_allocations(dbs, running.id) == []


def test_patch_of_the_capacity_to_the_seats_taken(client, admin, running):
    response = client.patch(one(running.id), json={"capacity": 7}, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert (response.json["capacity"], response.json["seats_left"]) == (7, 4)


def test_patch_of_the_capacity_below_the_allocations_is_422(client, admin, dbs, planned):
    assert_validation(
        client.patch(one(planned.id), json={"capacity": 4}, headers=admin.headers), "seat_allocations"
    )
    assert stored(dbs, planned.id).capacity == 20


def test_patch_of_allocations_beyond_the_capacity_is_422(client, admin, dbs, planned, foreign, guest):
    changes = {
        "seat_allocations": [
            {"institution_id": foreign.id, "seats": 15},
            {"institution_id": guest.id, "seats": 6},
        ]
    }

    assert_validation(client.patch(one(planned.id), json=changes, headers=admin.headers), "seat_allocations")
    assert stored_allocations(dbs, planned.id) == [(foreign.id, 5, 0)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_on": "2026-03-01"}, "ends_on"),  # before the stored start
        ({"starts_on": "2026-03-14"}, "ends_on"),  # after the stored end
        ({"starts_on": "2026-04-02", "ends_on": "2026-04-01"}, "ends_on"),
    ],
)
def test_patch_that_ends_before_it_starts_is_422(client, admin, dbs, planned, change, field):
    assert_validation(client.patch(one(planned.id), json=change, headers=admin.headers), field)
    row = stored(dbs, planned.id)
    assert (row.starts_on, row.ends_on) == (date(2026, 3, 2), date(2026, 3, 13))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": None}, "code"),
        ({"code": "lower"}, "code"),
        ({"title": None}, "title"),
        ({"kind": "lecture"}, "kind"),
        ({"delivery_mode": None}, "delivery_mode"),
        ({"country": None}, "country"),
        ({"capacity": 0}, "capacity"),
        ({"starts_on": None}, "starts_on"),
        ({"curriculum_id": None}, "curriculum_id"),
        ({"host_institution_id": "home"}, "host_institution_id"),
        ({"seat_allocations": None}, "seat_allocations"),
        ({"status": "open"}, "status"),
        ({"enrolled_count": 1}, "enrolled_count"),
        ({"seats_left": 1}, "seats_left"),
        ({"venue": "Hall A"}, "venue"),
    ],
)
def test_patch_rejects_invalid_field(client, admin, dbs, planned, change, field):
    assert_validation(client.patch(one(planned.id), json=change, headers=admin.headers), field)
    assert stored(dbs, planned.id).version == planned.version


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("curriculum_id", "curriculum"),
        ("host_institution_id", "institution"),
        ("programme_id", "programme"),
        ("agreement_id", "agreement"),
    ],
)
def test_patch_to_an_unknown_reference_is_422(client, admin, dbs, planned, field, label):
    errors = assert_validation(
        client.patch(one(planned.id), json={field: 424242}, headers=admin.headers), field
    )

    assert errors == {field: [f"No {label} with id 424242."]}
    assert stored(dbs, planned.id).version == planned.version


def test_patch_to_an_unknown_country_is_422(client, admin, planned):
    assert_validation(client.patch(one(planned.id), json={"country": "ZZ"}, headers=admin.headers), "country")


def test_patch_to_an_agreement_the_host_is_not_party_to_is_422(client, admin, dbs, planned, foreign, guest):
    other = make_agreement(dbs, "MOU-KG-TJ", foreign, guest)

    assert_validation(
        client.patch(one(planned.id), json={"agreement_id": other.id}, headers=admin.headers), "agreement_id"
    )
    assert stored(dbs, planned.id).agreement_id == planned.agreement_id


def test_admin_moves_a_cohort_to_another_host(client, admin, dbs, planned, foreign):
    response = client.patch(one(planned.id), json={"host_institution_id": foreign.id}, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert response.json["host_institution_id"] == foreign.id
    assert stored(dbs, planned.id).host_institution_id == foreign.id


def test_moving_a_cohort_to_a_host_outside_its_agreement_is_422(client, admin, dbs, planned, guest):
    response = client.patch(one(planned.id), json={"host_institution_id": guest.id}, headers=admin.headers)

    assert_validation(response, "agreement_id")
    assert stored(dbs, planned.id).host_institution_id == planned.host_institution_id


def test_coordinator_cannot_move_its_cohort_to_another_host(client, coordinator, dbs, planned, home, foreign):
    response = client.patch(
        one(planned.id), json={"host_institution_id": foreign.id}, headers=coordinator.headers
    )

    assert_problem(response, 403)
    assert stored(dbs, planned.id).host_institution_id == home.id
    same = client.patch(one(planned.id), json={"host_institution_id": home.id}, headers=coordinator.headers)
    assert same.status_code == 200, same.json


def test_curriculum_changes_while_planned(client, admin, dbs, planned):
    newer = PublishedCurriculumFactory()

    response = client.patch(one(planned.id), json={"curriculum_id": newer.id}, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert stored(dbs, planned.id).curriculum_id == newer.id


def test_curriculum_change_to_a_draft_is_422(client, admin, dbs, planned):
    draft = PublishedCurriculumFactory(status=CurriculumStatus.DRAFT, published_at=None)

    errors = assert_validation(
        client.patch(one(planned.id), json={"curriculum_id": draft.id}, headers=admin.headers),
        "curriculum_id",
    )

    assert errors == {"curriculum_id": ["Not published (it is draft)."]}
    assert stored(dbs, planned.id).curriculum_id == planned.curriculum_id


@pytest.mark.parametrize("status", [CohortStatus.OPEN, CohortStatus.IN_PROGRESS])
def test_curriculum_change_after_planned_conflicts(client, admin, dbs, home, curriculum, status):
    cohort = CohortFactory(status=status, host_institution_id=home.id, curriculum_id=curriculum.id)
    newer = PublishedCurriculumFactory()

    body = assert_problem(
        client.patch(one(cohort.id), json={"curriculum_id": newer.id}, headers=admin.headers), 409
    )

    assert "planned" in body["detail"]
    assert stored(dbs, cohort.id).curriculum_id == curriculum.id
    same = client.patch(
        one(cohort.id), json={"curriculum_id": curriculum.id, "city": "Astana"}, headers=admin.headers
    )
    assert same.status_code == 200, same.json


@pytest.mark.parametrize("status", [CohortStatus.COMPLETED, CohortStatus.CANCELLED])
def test_patch_of_a_final_cohort_conflicts(client, admin, coordinator, dbs, home, status):
    cohort = CohortFactory(status=status, host_institution_id=home.id, city="Kostanay")

    for actor in (admin, coordinator):
        body = assert_problem(
            client.patch(one(cohort.id), json={"city": "Astana"}, headers=actor.headers), 409
        )
        assert status.value in body["detail"]
    assert stored(dbs, cohort.id).city == "Kostanay"


def test_patch_to_a_used_code_conflicts(client, admin, dbs, planned):
    CohortFactory(code="TAKEN-01")

    assert_problem(
        client.patch(one(planned.id), json={"code": "TAKEN-01"}, headers=admin.headers),
        409,
        errors={"code": ["Already used."]},
    )
    assert stored(dbs, planned.id).code == "KTA-PLAN-01"
    kept = client.patch(one(planned.id), json={"code": "KTA-PLAN-01"}, headers=admin.headers)
    assert kept.status_code == 200, kept.json


def test_patch_with_stale_if_match_is_412(client, admin, dbs, planned):
    etag = client.get(one(planned.id), headers=admin.headers).headers["ETag"]
    first = client.patch(one(planned.id), json={"city": "Astana"}, headers=if_match(admin, etag))
    assert first.status_code == 200

    stale = client.patch(one(planned.id), json={"city": "Almaty"}, headers=if_match(admin, etag))

    body = assert_problem(stale, 412)
    assert first.headers["ETag"] in body["detail"]
    assert stored(dbs, planned.id).city == "Astana"


def test_patch_without_if_match_is_accepted(client, admin, planned):
    assert client.patch(one(planned.id), json={"city": "Astana"}, headers=admin.headers).status_code == 200


def test_patch_without_token_is_401(client, dbs, planned):
    assert_unauthorized(client.patch(one(planned.id), json={"city": "Astana"}))
    assert stored(dbs, planned.id).city == "Kostanay"


@pytest.mark.parametrize("role", ["foreign_coordinator", "analyst"])
def test_patch_refused_to_others_than_the_host(client, request, dbs, planned, role):
    actor = request.getfixturevalue(role)

    assert_problem(client.patch(one(planned.id), json={"city": "Bishkek"}, headers=actor.headers), 403)
    assert stored(dbs, planned.id).city == "Kostanay"


def test_patch_by_api_client_is_403(app, client, dbs, home, planned):
    headers = client_headers(app, ["catalogue:read", "enrolments:write"], institution=home)
    assert_problem(client.patch(one(planned.id), json={"city": "Astana"}, headers=headers), 403)


def test_patch_unknown_cohort_is_404(client, admin):
    assert_problem(client.patch(one(424242), json={"city": "Astana"}, headers=admin.headers), 404)


# --- delete ---------------------------------------------------------------------------------


def test_delete_a_planned_cohort_with_its_allocations_and_sessions(client, coordinator, dbs, planned):
    session = SessionFactory(cohort_id=planned.id)
    cohort_id, session_id = planned.id, session.id

    response = client.delete(one(cohort_id), headers=coordinator.headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert_problem(client.get(one(cohort_id), headers=coordinator.headers), 404)
    assert stored(dbs, cohort_id) is None
    assert row_count(dbs, SeatAllocation) == 0
    assert reloaded(dbs, CohortSession, session_id) is None
    assert [e.object_id for e in audit_rows(dbs, action="cohorts.delete")] == [str(cohort_id)]


@pytest.mark.parametrize(
    "status", [CohortStatus.OPEN, CohortStatus.IN_PROGRESS, CohortStatus.COMPLETED, CohortStatus.CANCELLED]
)
def test_delete_of_a_cohort_past_planning_conflicts(client, admin, dbs, home, status):
    cohort = CohortFactory(status=status, host_institution_id=home.id)

    body = assert_problem(client.delete(one(cohort.id), headers=admin.headers), 409)

    assert status.value in body["detail"]
    assert stored(dbs, cohort.id) is not None


@pytest.mark.parametrize("enrolment_status", [EnrolmentStatus.NOMINATED, EnrolmentStatus.WITHDRAWN])
def test_delete_of_a_cohort_with_enrolments_conflicts(client, admin, dbs, planned, foreign, enrolment_status):
    enrol(dbs, planned, ParticipantRowFactory(institution_id=foreign.id), enrolment_status)

    body = assert_problem(client.delete(one(planned.id), headers=admin.headers), 409)

    assert "enrolments" in body["detail"]
    assert stored(dbs, planned.id) is not None
    assert row_count(dbs, Enrolment) == 1


def test_delete_with_stale_if_match_is_412(client, admin, dbs, planned):
    etag = client.get(one(planned.id), headers=admin.headers).headers["ETag"]
    assert client.patch(one(planned.id), json={"city": "Astana"}, headers=admin.headers).status_code == 200

    assert_problem(client.delete(one(planned.id), headers=if_match(admin, etag)), 412)
    assert stored(dbs, planned.id) is not None


def test_delete_with_current_if_match(client, admin, dbs, planned):
    etag = client.get(one(planned.id), headers=admin.headers).headers["ETag"]

    assert client.delete(one(planned.id), headers=if_match(admin, etag)).status_code == 204
    assert stored(dbs, planned.id) is None


def test_delete_without_token_is_401(client, dbs, planned):
    assert_unauthorized(client.delete(one(planned.id)))
    assert stored(dbs, planned.id) is not None


@pytest.mark.parametrize("role", ["foreign_coordinator", "analyst"])
def test_delete_refused_to_others_than_the_host(client, request, dbs, planned, role):
    actor = request.getfixturevalue(role)

    assert_problem(client.delete(one(planned.id), headers=actor.headers), 403)
    assert stored(dbs, planned.id) is not None


def test_delete_unknown_cohort_is_404(client, admin):
    assert_problem(client.delete(one(424242), headers=admin.headers), 404)


# --- lifecycle ------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), LEGAL_MOVES)
def test_every_move_of_the_lifecycle(client, coordinator, dbs, home, source, target):
    cohort = CohortFactory(status=CohortStatus(source), host_institution_id=home.id)
    before = client.get(one(cohort.id), headers=coordinator.headers)

    response = client.post(transitions(cohort.id), json={"to": target}, headers=coordinator.headers)

    assert response.status_code == 200, response.json
    assert response.json == {**before.json, "status": target, "updated_at": response.json["updated_at"]}
    assert response.headers["ETag"] != before.headers["ETag"]
    assert client.get(one(cohort.id), headers=coordinator.headers).headers["ETag"] == response.headers["ETag"]
    assert stored(dbs, cohort.id).status is CohortStatus(target)
    events = audit_rows(dbs, action="cohorts.update", object_id=str(cohort.id))
    assert [(e.details["fields"], e.path) for e in events] == [(["status"], transitions(cohort.id))]


@pytest.mark.parametrize(("source", "target"), ILLEGAL_MOVES)
def test_every_other_move_conflicts_naming_the_allowed_ones(client, admin, dbs, home, source, target):
    cohort = CohortFactory(status=CohortStatus(source), host_institution_id=home.id)
    allowed = ", ".join(LIFECYCLE[source]) or "none (the cohort is final)"

    response = client.post(transitions(cohort.id), json={"to": target}, headers=admin.headers)

    assert_problem(response, 409, errors={"to": [f"Allowed: {allowed}"]})
    assert stored(dbs, cohort.id).status is CohortStatus(source)


def test_a_cohort_walks_its_whole_lifecycle(client, admin, dbs, planned):
    for target in ("open", "in_progress", "completed"):
        response = client.post(transitions(planned.id), json={"to": target}, headers=admin.headers)
        assert response.json["status"] == target, response.json

    assert_problem(
        client.post(transitions(planned.id), json={"to": "cancelled"}, headers=admin.headers),
        409,
        errors={"to": ["Allowed: none (the cohort is final)"]},
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "to"),
        ({"to": "archived"}, "to"),
        ({"to": None}, "to"),
        ({"to": "open", "on": "2026-03-01"}, "on"),
    ],
)
def test_transition_rejects_invalid_body(client, admin, dbs, planned, payload, field):
    assert_validation(client.post(transitions(planned.id), json=payload, headers=admin.headers), field)
    assert stored(dbs, planned.id).status is CohortStatus.PLANNED


@pytest.mark.parametrize("role", ["foreign_coordinator", "analyst"])
def test_transition_refused_to_others_than_the_host(client, request, dbs, planned, role):
    actor = request.getfixturevalue(role)

    assert_problem(client.post(transitions(planned.id), json={"to": "open"}, headers=actor.headers), 403)
    assert stored(dbs, planned.id).status is CohortStatus.PLANNED


def test_transition_by_api_client_is_403(app, client, dbs, home, planned):
    headers = client_headers(app, ["catalogue:read", "enrolments:write"], institution=home)
    assert_problem(client.post(transitions(planned.id), json={"to": "open"}, headers=headers), 403)


def test_transition_without_token_is_401(client, dbs, planned):
    assert_unauthorized(client.post(transitions(planned.id), json={"to": "open"}))
    assert stored(dbs, planned.id).status is CohortStatus.PLANNED


def test_transition_of_unknown_cohort_is_404(client, admin):
    assert_problem(client.post(transitions(424242), json={"to": "open"}, headers=admin.headers), 404)


# --- list -----------------------------------------------------------------------------------


def test_list_returns_plain_array_of_whole_objects(client, analyst, running):
    response = client.get(URL, headers=analyst.headers)

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "1"
    assert response.json == [client.get(one(running.id), headers=analyst.headers).json]
    assert response.json[0]["seats_left"] == 9


@pytest.fixture
def catalogue(dbs, home, foreign, guest, programme, mou):
    """Five cohorts of three hosts; returns the ids of what the filters name."""
    pve = PublishedCurriculumFactory(code="UNODC-VEP")
    nmr = PublishedCurriculumFactory(code="NMR-ELEARN")
    rows = [
        CohortFactory(
            code="KTA-PVE-2026-01",
            title={"en": "Preventing violent extremism", "ru": "Профилактика экстремизма"},
            kind=CohortKind.COURSE,
            status=CohortStatus.OPEN,
            host_institution_id=home.id,
            curriculum_id=pve.id,
            programme_id=programme.id,
            agreement_id=mou.id,
            delivery_mode=DeliveryMode.IN_PERSON,
            country="KZ",
            starts_on=date(2026, 3, 2),
            ends_on=date(2026, 3, 13),
        ),
        CohortFactory(
            code="KTA-TOT-2026",
            title={"ru": "Подготовка тренеров"},
            kind=CohortKind.TOT,
            status=CohortStatus.PLANNED,
            host_institution_id=home.id,
            curriculum_id=pve.id,
            programme_id=programme.id,
            delivery_mode=DeliveryMode.BLENDED,
            country="KZ",
            starts_on=date(2026, 5, 11),
            ends_on=date(2026, 5, 15),
        ),
        CohortFactory(
            code="AWAY-WEB-01",
            title={"en": "The Nelson Mandela Rules webinar"},
            kind=CohortKind.WEBINAR,
            status=CohortStatus.OPEN,
            host_institution_id=foreign.id,
            curriculum_id=nmr.id,
            agreement_id=mou.id,
            delivery_mode=DeliveryMode.ONLINE,
            country="KG",
            starts_on=date(2026, 2, 10),
            ends_on=date(2026, 2, 10),
        ),
        CohortFactory(
            code="AWAY-SEM-2025",
            title={"ky": "Семинар: Эффективные коммуникации"},
            kind=CohortKind.SEMINAR,
            status=CohortStatus.COMPLETED,
            host_institution_id=foreign.id,
            curriculum_id=nmr.id,
            programme_id=programme.id,
            delivery_mode=DeliveryMode.IN_PERSON,
            country="KG",
            starts_on=date(2025, 11, 3),
            ends_on=date(2025, 11, 5),
        ),
        CohortFactory(
            code="TJ-EL-01",
            title={"tg": "Омӯзиши электронӣ"},
            kind=CohortKind.E_LEARNING,
            status=CohortStatus.CANCELLED,
            host_institution_id=guest.id,
            curriculum_id=nmr.id,
            delivery_mode=DeliveryMode.E_LEARNING,
            country="TJ",
            starts_on=date(2026, 9, 1),
            ends_on=date(2026, 12, 1),
        ),
    ]
    assert len(rows) == 5
    return {
        "home": home.id,
        "foreign": foreign.id,
        "guest": guest.id,
        "programme": programme.id,
        "mou": mou.id,
        "pve": pve.id,
        "nmr": nmr.id,
    }


BY_START = ["AWAY-SEM-2025", "AWAY-WEB-01", "KTA-PVE-2026-01", "KTA-TOT-2026", "TJ-EL-01"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, BY_START),
        ({"status": "open"}, ["AWAY-WEB-01", "KTA-PVE-2026-01"]),
        ({"status": "planned"}, ["KTA-TOT-2026"]),
        ({"status": "cancelled"}, ["TJ-EL-01"]),
        ({"status": "in_progress"}, []),
        ({"kind": "tot"}, ["KTA-TOT-2026"]),
        ({"kind": "seminar"}, ["AWAY-SEM-2025"]),
        ({"kind": "exchange_visit"}, []),
        ({"host_institution_id": "home"}, ["KTA-PVE-2026-01", "KTA-TOT-2026"]),
        ({"host_institution_id": "foreign"}, ["AWAY-SEM-2025", "AWAY-WEB-01"]),
        ({"programme_id": "programme"}, ["AWAY-SEM-2025", "KTA-PVE-2026-01", "KTA-TOT-2026"]),
        ({"agreement_id": "mou"}, ["AWAY-WEB-01", "KTA-PVE-2026-01"]),
        ({"curriculum_id": "nmr"}, ["AWAY-SEM-2025", "AWAY-WEB-01", "TJ-EL-01"]),
        ({"curriculum_id": "pve"}, ["KTA-PVE-2026-01", "KTA-TOT-2026"]),
        ({"delivery_mode": "in_person"}, ["AWAY-SEM-2025", "KTA-PVE-2026-01"]),
        ({"delivery_mode": "online"}, ["AWAY-WEB-01"]),
        ({"country": "KG"}, ["AWAY-SEM-2025", "AWAY-WEB-01"]),
        ({"country": "UZ"}, []),
        ({"starts_from": "2026-03-02"}, ["KTA-PVE-2026-01", "KTA-TOT-2026", "TJ-EL-01"]),
        ({"starts_to": "2026-03-02"}, ["AWAY-SEM-2025", "AWAY-WEB-01", "KTA-PVE-2026-01"]),
        (
            {"starts_from": "2026-01-01", "starts_to": "2026-05-11"},
            ["AWAY-WEB-01", "KTA-PVE-2026-01", "KTA-TOT-2026"],
        ),
        ({"starts_from": "2026-02-10", "starts_to": "2026-02-10"}, ["AWAY-WEB-01"]),
        ({"q": "экстремизм"}, ["KTA-PVE-2026-01"]),
        ({"q": "ЭКСТРЕМИЗМ"}, ["KTA-PVE-2026-01"]),
        ({"q": "подготовка ТРЕНЕРОВ"}, ["KTA-TOT-2026"]),
        ({"q": "коммуникации"}, ["AWAY-SEM-2025"]),
        ({"q": "омӯзиши"}, ["TJ-EL-01"]),
        ({"q": "MANDELA"}, ["AWAY-WEB-01"]),
        ({"q": "away"}, ["AWAY-SEM-2025", "AWAY-WEB-01"]),
        ({"q": "kta-pve"}, ["KTA-PVE-2026-01"]),
        ({"q": "2026"}, ["KTA-PVE-2026-01", "KTA-TOT-2026"]),
        ({"q": "%"}, []),
        ({"q": "_"}, []),
        ({"status": "open", "country": "KZ"}, ["KTA-PVE-2026-01"]),
        ({"host_institution_id": "foreign", "status": "completed", "q": "семинар"}, ["AWAY-SEM-2025"]),
    ],
)
def test_list_filters(client, analyst, catalogue, params, expected):
    query = {k: catalogue.get(v, v) if k.endswith("_id") else v for k, v in params.items()}

    response = client.get(URL, query_string=query, headers=analyst.headers)

    assert codes(response) == expected
    assert response.headers["X-Total-Count"] == str(len(expected))


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("starts_on", BY_START),
        ("-starts_on", list(reversed(BY_START))),
        ("code", sorted(BY_START)),
        ("-code", sorted(BY_START, reverse=True)),
    ],
)
def test_list_sorts(client, analyst, catalogue, sort, expected):
    assert codes(client.get(URL, query_string={"sort": sort}, headers=analyst.headers)) == expected


def test_list_sorts_ties_by_id(client, analyst, dbs):
    first, second, third = (CohortFactory(code=code) for code in ("ZZ-1", "AA-2", "MM-3"))

    ascending = client.get(URL, query_string={"sort": "starts_on"}, headers=analyst.headers)
    descending = client.get(URL, query_string={"sort": "-starts_on"}, headers=analyst.headers)

    assert [c["id"] for c in ascending.json] == [first.id, second.id, third.id]
    assert [c["id"] for c in descending.json] == [third.id, second.id, first.id]


def test_list_pagination_headers(client, analyst, catalogue):
    response = client.get(URL, query_string={"page": 2, "page_size": 2}, headers=analyst.headers)

    assert codes(response) == BY_START[2:4]
    assert response.headers["X-Total-Count"] == "5"
    assert links(response, URL) == {
        "first": {"page": "1", "page_size": "2"},
        "prev": {"page": "1", "page_size": "2"},
        "next": {"page": "3", "page_size": "2"},
        "last": {"page": "3", "page_size": "2"},
    }
    last = client.get(URL, query_string=links(response, URL)["last"], headers=analyst.headers)
    assert codes(last) == BY_START[4:]
    assert set(links(last, URL)) == {"first", "prev", "last"}


def test_list_links_keep_filters(client, analyst, catalogue):
    params = {"country": "KZ", "page_size": 1, "sort": "-starts_on"}

    response = client.get(URL, query_string=params, headers=analyst.headers)

    assert codes(response) == ["KTA-TOT-2026"]
    assert response.headers["X-Total-Count"] == "2"
    following = client.get(URL, query_string=links(response, URL)["next"], headers=analyst.headers)
    assert codes(following) == ["KTA-PVE-2026-01"]


def test_list_filters_by_updated_since(client, analyst, dbs):
    CohortFactory(code="OLD-01", updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    CohortFactory(code="NEW-01")

    response = client.get(
        URL, query_string={"updated_since": "2024-01-01T00:00:00Z"}, headers=analyst.headers
    )

    assert codes(response) == ["NEW-01"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"kind": "lecture"}, "kind"),
        ({"host_institution_id": 0}, "host_institution_id"),
        ({"programme_id": "pve"}, "programme_id"),
        ({"agreement_id": -1}, "agreement_id"),
        ({"curriculum_id": 0}, "curriculum_id"),
        ({"delivery_mode": "radio"}, "delivery_mode"),
        ({"country": "kz"}, "country"),
        ({"starts_from": "2026-13-01"}, "starts_from"),
        ({"starts_to": "spring"}, "starts_to"),
        ({"starts_from": "2026-03-03", "starts_to": "2026-03-02"}, "starts_from"),
        ({"has_seats_for": 0}, "has_seats_for"),
        ({"q": ""}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"sort": "title"}, "sort"),
        ({"sort": "-capacity"}, "sort"),
        ({"page": 0}, "page"),
        ({"page_size": 101}, "page_size"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"host": 1}, "host"),
    ],
)
def test_list_rejects_invalid_arguments(client, analyst, params, field):
    assert_validation(client.get(URL, query_string=params, headers=analyst.headers), field)


@pytest.fixture
def seats(dbs, home, foreign, guest):
    """Open cohorts with and without allocations, some of them out of room for someone."""
    made = {}

    def add(code: str, status=CohortStatus.OPEN, capacity=10, allocations=(), holders=()):
        cohort = CohortFactory(
            code=code,
            status=status,
            capacity=capacity,
            seat_allocations=[allocation(i, n) for i, n in allocations],
        )
        for institution in holders:
            enrol(dbs, cohort, ParticipantRowFactory(institution_id=institution.id))
        made[code] = cohort

    add("ALLOCATED", allocations=[(home, 2), (foreign, 3)], holders=[home, home, foreign])
    add("FREE-FOR-ALL", capacity=3, holders=[guest])
    add("FULL", capacity=2, holders=[foreign, guest])
    add("PLANNED", status=CohortStatus.PLANNED)
    add("RUNNING", status=CohortStatus.IN_PROGRESS)
    add("GUEST-ONLY", capacity=5, allocations=[(guest, 1)], holders=[guest])
    return made


@pytest.mark.parametrize(
    ("institution", "expected"),
    [
        ("home", ["FREE-FOR-ALL"]),  # its allocation is used up; not allocated in GUEST-ONLY
        ("foreign", ["ALLOCATED", "FREE-FOR-ALL"]),
        ("guest", ["FREE-FOR-ALL"]),  # not allocated in ALLOCATED; its one seat is taken
        ("nobody", ["FREE-FOR-ALL"]),
    ],
)
def test_has_seats_for_keeps_open_cohorts_with_room_for_the_institution(
    client, analyst, dbs, seats, request, institution, expected
):
    institution_id = 424242 if institution == "nobody" else request.getfixturevalue(institution).id

    response = client.get(URL, query_string={"has_seats_for": institution_id}, headers=analyst.headers)

    assert codes(response) == expected


def test_has_seats_for_follows_seats_taken_and_given_back(client, admin, dbs, seats, guest, foreign):
    guest_seat = dbs.scalar(sa.select(Enrolment.id).where(Enrolment.cohort_id == seats["GUEST-ONLY"].id))
    withdrawn = client.patch(
        f"/api/v1/enrolments/{guest_seat}", json={"status": "withdrawn"}, headers=admin.headers
    )
    assert withdrawn.status_code == 200, withdrawn.json
    assert codes(client.get(URL, query_string={"has_seats_for": guest.id}, headers=admin.headers)) == [
        "FREE-FOR-ALL",
        "GUEST-ONLY",
    ]

    for _ in range(2):
        officer = ParticipantRowFactory(institution_id=foreign.id)
        taken = client.post(
            f"{one(seats['FREE-FOR-ALL'].id)}/enrolments",
            json={"participant_id": officer.id},
            headers=admin.headers,
        )
        assert taken.status_code == 201, taken.json

    assert codes(client.get(URL, query_string={"has_seats_for": guest.id}, headers=admin.headers)) == [
        "GUEST-ONLY"
    ]
    assert codes(client.get(URL, query_string={"has_seats_for": foreign.id}, headers=admin.headers)) == [
        "ALLOCATED"
    ]


def test_list_query_count_does_not_grow_with_rows(client, admin, dbs, home, foreign, guest, count_queries):
    curriculum = PublishedCurriculumFactory()

    def add_cohorts(count: int) -> None:
        for _ in range(count):
            CohortFactory(
                curriculum_id=curriculum.id,
                host_institution_id=home.id,
                seat_allocations=[allocation(foreign, 3), allocation(guest, 2)],
            )

    listing = f"{URL}?page_size=100"
    add_cohorts(1)
    client.get(listing, headers=admin.headers)  # warm up connections
    few = statements_for_get(count_queries, client, listing, admin.headers)
    add_cohorts(24)

    many = statements_for_get(count_queries, client, listing, admin.headers)

    items = client.get(listing, headers=admin.headers).json
    assert len(items) == 25
    assert all(len(c["seat_allocations"]) == 2 for c in items)
    assert many == few


# --- dates the hub can schedule ---------------------------------------------------------------

OUT_OF_RANGE_DATES = [
    ({"starts_on": "1949-12-31"}, ["starts_on"]),
    ({"starts_on": "0001-01-01"}, ["starts_on"]),
    ({"ends_on": "2200-01-01"}, ["ends_on"]),
    ({"ends_on": "9999-12-31"}, ["ends_on"]),
    ({"starts_on": "2200-01-01", "ends_on": "2200-01-02"}, ["starts_on", "ends_on"]),
    ({"starts_on": "1900-01-01", "ends_on": "1900-01-02"}, ["starts_on", "ends_on"]),
]


@pytest.mark.parametrize(("change", "fields"), OUT_OF_RANGE_DATES)
def test_create_with_a_date_outside_1950_to_2199_is_422(client, admin, dbs, body, change, fields):
    response = client.post(URL, json={**body, **change}, headers=admin.headers)

    errors = assert_validation(response, *fields)
    assert all(errors[name] for name in fields)
    assert row_count(dbs, Cohort) == 0


@pytest.mark.parametrize(("change", "fields"), OUT_OF_RANGE_DATES)
def test_patch_to_a_date_outside_1950_to_2199_is_422(client, admin, dbs, planned, change, fields):
    response = client.patch(one(planned.id), json=change, headers=admin.headers)

    assert_validation(response, *fields)
    row = stored(dbs, planned.id)
    assert (row.starts_on, row.ends_on, row.version) == (date(2026, 3, 2), date(2026, 3, 13), planned.version)


def test_the_first_and_last_schedulable_days_are_accepted(client, admin, dbs, body, planned):
    created = create(client, admin, {**body, "starts_on": "1950-01-01", "ends_on": "2199-12-31"})

    assert (created["starts_on"], created["ends_on"]) == ("1950-01-01", "2199-12-31")
    patched = client.patch(
        one(planned.id), json={"starts_on": "1950-01-01", "ends_on": "2199-12-31"}, headers=admin.headers
    )
    assert patched.status_code == 200, patched.json
    assert (patched.json["starts_on"], patched.json["ends_on"]) == ("1950-01-01", "2199-12-31")
    row = stored(dbs, planned.id)
    assert (row.starts_on, row.ends_on) == (date(1950, 1, 1), date(2199, 12, 31))
