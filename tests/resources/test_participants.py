"""/api/v1/participants: records of the officers trained, who sees them, lists as exports, erasure."""

from datetime import date

import pytest
import sqlalchemy as sa

from hub_api.models import Certificate, Enrolment, Participant
from hub_api.models.enums import EnrolmentStatus, Gender, Role, StaffCategory
from tests.conftest import sign_in
from tests.factories import InstitutionFactory, UserFactory
from tests.helpers import (
    assert_timestamp,
    audit_rows,
    client_headers,
    links,
    reloaded,
    row_count,
    with_server_fields,
)
from tests.problems import assert_problem, assert_unauthorized, assert_validation
from tests.training_factories import CohortFactory, ParticipantRowFactory, enrol

URL = "/api/v1/participants"


def one(participant_id: int) -> str:
    return f"{URL}/{participant_id}"


def full_body(**changes) -> dict:
    """Every writable field of a participant but the institution, as a partner would POST it."""
    return {
        "external_ref": "KZ-0042",
        "given_name": "Айгерим",
        "family_name": "Садыкова",
        "gender": "female",
        "staff_category": "psychologist",
        "position": "Senior psychologist",
        "region": "Kostanay",
        "email": "a.sadykova@penitentiary.example",
        "is_trainer": True,
        **changes,
    }


def expected(body_in: dict, institution_id: int, **changes) -> dict:
    """What the API answers for a participant created from `body_in` (server fields aside)."""
    return {**body_in, "institution_id": institution_id, "erased": False, "erased_at": None, **changes}


def person(institution, **fields) -> Participant:
    """A participant row of an institution, stored directly."""
    return ParticipantRowFactory(institution_id=institution.id, **fields)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.json]


@pytest.fixture
def hosted_guest(dbs, home, foreign):
    """A participant of `foreign` enrolled in a cohort that `home` hosts."""
    guest = person(foreign, given_name="Бакыт", family_name="Асанов", gender=Gender.MALE)
    enrol(dbs, CohortFactory(host_institution_id=home.id), guest)
    return guest


# --- create ---------------------------------------------------------------------------------


def test_coordinator_creates_in_own_institution_by_default(client, coordinator, dbs, home):
    body_in = full_body()

    response = client.post(URL, json=body_in, headers=coordinator.headers)

    assert response.status_code == 201, response.json
    body = response.json
    assert body == with_server_fields(body, expected(body_in, home.id))
    assert response.headers["Location"].endswith(one(body["id"]))
    assert response.headers["ETag"] == f'"{body["id"]}-1"'
    again = client.get(one(body["id"]), headers=coordinator.headers)
    assert (again.json, again.headers["ETag"]) == (body, response.headers["ETag"])
    stored = reloaded(dbs, Participant, body["id"])
    assert (stored.given_name, stored.gender, stored.search_text) == (
        "Айгерим",
        Gender.FEMALE,
        "айгерим садыкова",
    )


def test_create_with_required_fields_only(client, coordinator, home):
    body_in = {"given_name": "Ivan", "family_name": "Petrov", "gender": "male", "staff_category": "manager"}

    response = client.post(URL, json=body_in, headers=coordinator.headers)

    assert response.status_code == 201, response.json
    defaults = {"external_ref": None, "position": None, "region": None, "email": None, "is_trainer": False}
    assert response.json == with_server_fields(response.json, expected({**body_in, **defaults}, home.id))


def test_names_are_stripped(client, coordinator):
    response = client.post(
        URL, json=full_body(given_name="  Айгерим ", family_name="\tСадыкова\n"), headers=coordinator.headers
    )

    assert response.status_code == 201, response.json
    assert (response.json["given_name"], response.json["family_name"]) == ("Айгерим", "Садыкова")


def test_admin_creates_for_any_institution(client, admin, foreign):
    response = client.post(URL, json=full_body(institution_id=foreign.id), headers=admin.headers)

    assert response.status_code == 201, response.json
    assert response.json["institution_id"] == foreign.id


def test_admin_must_name_the_institution(client, admin, dbs):
    errors = assert_validation(client.post(URL, json=full_body(), headers=admin.headers), "institution_id")

    assert errors == {"institution_id": ["Missing data for required field."]}
    assert row_count(dbs, Participant) == 0


def test_create_for_unknown_institution_is_422(client, admin, dbs):
    response = client.post(URL, json=full_body(institution_id=424242), headers=admin.headers)

    assert assert_validation(response, "institution_id") == {
        "institution_id": ["No institution with id 424242."]
    }
    assert row_count(dbs, Participant) == 0


def test_api_client_creates_for_its_own_institution(app, client, dbs, home):
    headers = client_headers(app, ["participants:write"], institution=home)

    response = client.post(URL, json=full_body(), headers=headers)

    assert response.status_code == 201, response.json
    assert response.json["institution_id"] == home.id


def test_coordinator_cannot_create_for_another_institution(client, admin, coordinator, dbs, foreign):
    response = client.post(URL, json=full_body(institution_id=foreign.id), headers=coordinator.headers)

    body = assert_problem(response, 403)
    assert "own institution" in body["detail"]
    assert row_count(dbs, Participant) == 0
    assert [e.path for e in audit_rows(dbs, action="permission.denied")] == [URL]


def test_external_ref_is_unique_within_an_institution_only(client, coordinator, dbs, home, foreign):
    person(foreign, external_ref="KZ-0042")
    first = client.post(URL, json=full_body(), headers=coordinator.headers)
    assert first.status_code == 201, first.json

    second = client.post(URL, json=full_body(given_name="Other"), headers=coordinator.headers)

    body = assert_problem(second, 409, errors={"external_ref": ["Already used in this institution."]})
    assert str(first.json["id"]) in body["detail"]
    assert row_count(dbs, Participant) == 2


def test_database_constraint_backs_the_reference_check(client, coordinator, dbs, home, monkeypatch):
    """Two requests racing past the check still cannot store the same reference twice."""
    person(home, external_ref="KZ-0042")
    monkeypatch.setattr("hub_api.services.participants._check_reference_free", lambda *args: None)

    response = client.post(URL, json=full_body(), headers=coordinator.headers)

    assert_problem(
        response, 409, errors={"external_ref": ["another participant of this institution has this reference"]}
    )
    assert row_count(dbs, Participant) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"given_name": None}, "given_name"),
        ({"given_name": "   "}, "given_name"),
        ({"given_name": "я" * 101}, "given_name"),
        ({"family_name": ""}, "family_name"),
        ({"gender": "unknown"}, "gender"),
        ({"gender": None}, "gender"),
        ({"staff_category": "warden"}, "staff_category"),
        ({"email": "not-an-email"}, "email"),
        ({"external_ref": "R" * 101}, "external_ref"),
        ({"external_ref": " "}, "external_ref"),
        ({"position": "p" * 201}, "position"),
        ({"region": "r" * 121}, "region"),
        ({"is_trainer": "maybe"}, "is_trainer"),
        ({"institution_id": 0}, "institution_id"),
        ({"erased": True}, "erased"),
        ({"erased_at": "2026-01-01T00:00:00Z"}, "erased_at"),
        ({"nickname": "Ace"}, "nickname"),
    ],
)
def test_create_rejects_invalid_field(client, coordinator, dbs, change, field):
    response = client.post(URL, json=full_body(**change), headers=coordinator.headers)

    assert assert_validation(response, field)[field]
    assert row_count(dbs, Participant) == 0


def test_create_requires_names_gender_and_category(client, coordinator):
    response = client.post(URL, json={"region": "Osh"}, headers=coordinator.headers)

    assert_validation(response, "given_name", "family_name", "gender", "staff_category")


def test_create_needs_participant_write_rights(app, client, analyst, dbs, home):
    reader = client_headers(app, ["participants:read", "catalogue:read"], institution=home)

    assert_unauthorized(client.post(URL, json=full_body()))
    assert_problem(client.post(URL, json=full_body(), headers=analyst.headers), 403)
    assert_problem(client.post(URL, json=full_body(), headers=reader), 403)
    assert row_count(dbs, Participant) == 0


# --- read one -------------------------------------------------------------------------------


def test_get_returns_every_field_and_etag(client, coordinator, dbs, home):
    stored = person(home, external_ref="KZ-1", region="Astana", email="o@service.example", is_trainer=True)

    response = client.get(one(stored.id), headers=coordinator.headers)

    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{stored.id}-1"'
    assert response.json == {
        "id": stored.id,
        "institution_id": home.id,
        "external_ref": "KZ-1",
        "given_name": stored.given_name,
        "family_name": stored.family_name,
        "gender": "female",
        "staff_category": "psychologist",
        "position": None,
        "region": "Astana",
        "email": "o@service.example",
        "is_trainer": True,
        "erased": False,
        "erased_at": None,
        "created_at": response.json["created_at"],
        "updated_at": response.json["updated_at"],
    }
    assert assert_timestamp(response.json["created_at"]) == stored.created_at


def test_another_institutions_participant_is_404_like_a_missing_one(client, coordinator, dbs, foreign):
    stranger = person(foreign)

    hidden = assert_problem(client.get(one(stranger.id), headers=coordinator.headers), 404)
    missing = assert_problem(client.get(one(424242), headers=coordinator.headers), 404)

    assert hidden["detail"] == f"There is no participant with id {stranger.id}."
    assert missing["detail"] == "There is no participant with id 424242."


def test_host_coordinator_reads_guest_enrolled_in_its_cohort(client, coordinator, hosted_guest):
    response = client.get(one(hosted_guest.id), headers=coordinator.headers)

    assert response.status_code == 200, response.json
    assert response.json["family_name"] == "Асанов"


def test_reading_needs_participant_read_rights(app, client, analyst, dbs, home):
    stored = person(home)
    catalogue_only = client_headers(app, ["catalogue:read", "stats:read"], institution=home)

    assert_unauthorized(client.get(one(stored.id)))
    for headers in (analyst.headers, catalogue_only):
        assert_problem(client.get(one(stored.id), headers=headers), 403)
        assert_problem(client.get(URL, headers=headers), 403)


# --- list -----------------------------------------------------------------------------------


def test_coordinator_lists_own_and_hosted_guests_only(client, coordinator, dbs, home, foreign, hosted_guest):
    own = person(home, family_name="Абаева")
    person(foreign, family_name="Бекова")  # not enrolled with home: out of sight
    other_host = InstitutionFactory(code="OTHER")
    enrol(dbs, CohortFactory(host_institution_id=other_host.id), person(foreign, family_name="Ведова"))

    response = client.get(URL, headers=coordinator.headers)

    assert ids(response) == [own.id, hosted_guest.id]  # by family name: Абаева, Асанов
    assert response.headers["X-Total-Count"] == "2"


def test_admin_lists_everyone(client, admin, dbs, home, foreign):
    people = [person(home), person(foreign), person(InstitutionFactory())]

    response = client.get(URL, query_string={"sort": "created_at"}, headers=admin.headers)

    assert ids(response) == [p.id for p in people]


def test_api_client_lists_its_own_institutions_participants(app, client, dbs, home, foreign):
    own = person(home)
    person(foreign)
    institution_client = client_headers(app, ["participants:read"], institution=home)
    hub_client = client_headers(app, ["participants:read"])

    assert ids(client.get(URL, headers=institution_client)) == [own.id]
    assert client.get(URL, headers=hub_client).headers["X-Total-Count"] == "2"


def test_list_pages_with_link_and_total(client, admin, dbs, home):
    people = [person(home, family_name=f"Family{n:02d}") for n in range(5)]

    response = client.get(URL, query_string={"page": 2, "page_size": 2}, headers=admin.headers)

    assert ids(response) == [people[2].id, people[3].id]
    assert response.headers["X-Total-Count"] == "5"
    assert {rel: query["page"] for rel, query in links(response, URL).items()} == {
        "first": "1",
        "prev": "1",
        "next": "3",
        "last": "3",
    }


@pytest.mark.parametrize(
    ("query", "expected_refs"),
    [
        ({"gender": "male"}, ["M-1"]),
        ({"staff_category": "manager"}, ["M-1"]),
        ({"is_trainer": "true"}, ["T-1"]),
        ({"is_trainer": "false"}, ["M-1", "P-1"]),
        ({"region": "Osh"}, ["P-1"]),
        ({"external_ref": "T-1"}, ["T-1"]),
        ({"q": "ЖАННА"}, ["T-1"]),
        ({"q": "m-1"}, ["M-1"]),
        ({"q": "officer@"}, ["P-1"]),
        ({"q": "%"}, []),
        ({"erased": "false"}, ["M-1", "P-1", "T-1"]),
    ],
)
def test_list_filters(client, admin, dbs, home, query, expected_refs):
    person(
        home, external_ref="M-1", family_name="A", gender=Gender.MALE, staff_category=StaffCategory.MANAGER
    )
    person(home, external_ref="P-1", family_name="B", region="Osh", email="officer@service.example")
    person(home, external_ref="T-1", family_name="C", given_name="Жанна", is_trainer=True, email=None)

    response = client.get(URL, query_string=query, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert [item["external_ref"] for item in response.json] == expected_refs


def test_list_filters_by_institution_and_erasure(client, admin, dbs, home, foreign):
    kept = person(home)
    erased = person(home)
    abroad = person(foreign)
    assert client.delete(one(erased.id), headers=admin.headers).status_code == 204

    assert ids(client.get(URL, query_string={"erased": "true"}, headers=admin.headers)) == [erased.id]
    by_home = client.get(
        URL, query_string={"institution_id": home.id, "sort": "created_at"}, headers=admin.headers
    )
    assert ids(by_home) == [kept.id, erased.id]
    assert ids(client.get(URL, query_string={"institution_id": foreign.id}, headers=admin.headers)) == [
        abroad.id
    ]


def test_list_sorts_descending_with_erased_last(client, admin, dbs, home):
    first, second, erased = person(home, family_name="A"), person(home, family_name="B"), person(home)
    client.delete(one(erased.id), headers=admin.headers)

    assert ids(client.get(URL, query_string={"sort": "-family_name"}, headers=admin.headers)) == [
        second.id,
        first.id,
        erased.id,
    ]


@pytest.mark.parametrize(
    "query",
    [{"sort": "email"}, {"gender": "robot"}, {"is_trainer": "sometimes"}, {"page_size": 101}, {"name": "x"}],
)
def test_list_rejects_bad_arguments(client, admin, query):
    assert_validation(client.get(URL, query_string=query, headers=admin.headers), next(iter(query)))


def test_list_query_count_does_not_grow_with_rows(client, coordinator, dbs, home, count_queries):
    person(home)
    client.get(URL, headers=coordinator.headers)  # warm up connections

    with count_queries() as few:
        small = client.get(URL, headers=coordinator.headers)
    for _ in range(29):
        person(home)
    with count_queries() as many:
        large = client.get(URL, query_string={"page_size": 50}, headers=coordinator.headers)

    assert (len(small.json), len(large.json)) == (1, 30)
    assert len(many) == len(few), many
    assert len(many) <= 4, many  # the token's sign-in, the count, the page, the audit event


def test_each_list_is_audited_as_an_export_without_personal_text(client, coordinator, dbs, home):
    person(home, given_name="Жанна", region="Osh")
    person(home, region="Osh")

    client.get(
        URL, query_string={"q": "Жанна", "region": "Osh", "page_size": 10}, headers=coordinator.headers
    )
    client.get(URL, headers=coordinator.headers)

    events = audit_rows(dbs, action="participants.export")
    assert [(e.actor_id, e.object_type, e.outcome) for e in events] == [
        (coordinator.user.id, "participants", "success")
    ] * 2
    assert events[0].details == {
        "count": 1,
        "total": 1,
        "filters": {"region": "Osh", "page": 1, "page_size": 10, "sort": "family_name"},
        "text_filters": ["q"],
    }
    assert events[1].details["count"] == 2
    assert "Жанна" not in str([e.details for e in events])


def test_export_event_records_the_change_tracking_time(client, admin, dbs, home):
    person(home, external_ref="KZ-1")

    response = client.get(
        URL,
        query_string={"updated_since": "2020-01-01T05:00:00+05:00", "external_ref": "KZ-1"},
        headers=admin.headers,
    )

    assert len(response.json) == 1
    [event] = audit_rows(dbs, action="participants.export")
    assert event.details["filters"]["updated_since"] == "2020-01-01T00:00:00+00:00"
    assert (event.details["text_filters"], "KZ-1" in str(event.details)) == (["external_ref"], False)


def test_refused_list_is_not_an_export(client, analyst, dbs):
    assert_problem(client.get(URL, headers=analyst.headers), 403)
    assert audit_rows(dbs, action="participants.export") == []


# --- update ---------------------------------------------------------------------------------


def test_coordinator_changes_own_participant(client, coordinator, dbs, home):
    stored = person(home, external_ref="KZ-1")
    changes = {"family_name": " Садыкова-Ли ", "email": None, "is_trainer": True, "external_ref": "KZ-2"}

    response = client.patch(one(stored.id), json=changes, headers=coordinator.headers)

    assert response.status_code == 200, response.json
    assert response.json["family_name"] == "Садыкова-Ли"
    assert (response.json["email"], response.json["is_trainer"], response.json["external_ref"]) == (
        None,
        True,
        "KZ-2",
    )
    assert response.headers["ETag"] == f'"{stored.id}-2"'
    assert reloaded(dbs, Participant, stored.id).search_text == f"{stored.given_name.casefold()} садыкова-ли"
    [event] = audit_rows(dbs, action="participants.update")
    assert event.details == {"fields": ["email", "external_ref", "family_name", "is_trainer"]}


def test_patch_honours_if_match(client, coordinator, dbs, home):
    stored = person(home)
    stale = {**coordinator.headers, "If-Match": f'"{stored.id}-0"'}
    current = {**coordinator.headers, "If-Match": f'"{stored.id}-1"'}

    assert_problem(client.patch(one(stored.id), json={"region": "Osh"}, headers=stale), 412)
    assert client.patch(one(stored.id), json={"region": "Osh"}, headers=current).status_code == 200
    assert_problem(client.patch(one(stored.id), json={"region": "Aktau"}, headers=current), 412)
    assert reloaded(dbs, Participant, stored.id).region == "Osh"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"institution_id": 1}, "institution_id"),
        ({"given_name": None}, "given_name"),
        ({"family_name": " "}, "family_name"),
        ({"gender": "x"}, "gender"),
        ({"email": "@"}, "email"),
        ({"id": 5}, "id"),
    ],
)
def test_patch_rejects_invalid_field(client, coordinator, dbs, home, change, field):
    stored = person(home)

    assert_validation(client.patch(one(stored.id), json=change, headers=coordinator.headers), field)
    assert reloaded(dbs, Participant, stored.id).version == 1


def test_patch_to_a_used_reference_conflicts(client, coordinator, dbs, home):
    person(home, external_ref="KZ-1")
    stored = person(home, external_ref="KZ-2")

    response = client.patch(one(stored.id), json={"external_ref": "KZ-1"}, headers=coordinator.headers)
    assert_problem(response, 409, errors={"external_ref": ["Already used in this institution."]})
    same = client.patch(one(stored.id), json={"external_ref": "KZ-2"}, headers=coordinator.headers)
    assert same.status_code == 200, same.json


def test_patch_of_an_erased_participant_conflicts(client, coordinator, dbs, home):
    stored = person(home)
    client.delete(one(stored.id), headers=coordinator.headers)

    body = assert_problem(
        client.patch(one(stored.id), json={"region": "Osh"}, headers=coordinator.headers), 409
    )
    assert "erased" in body["detail"]


def test_host_coordinator_cannot_change_a_guest(client, coordinator, dbs, hosted_guest):
    assert_problem(
        client.patch(one(hosted_guest.id), json={"region": "Osh"}, headers=coordinator.headers), 403
    )
    assert_problem(client.delete(one(hosted_guest.id), headers=coordinator.headers), 403)
    assert reloaded(dbs, Participant, hosted_guest.id).erased_at is None


def test_invisible_participant_cannot_be_changed_or_erased(client, coordinator, dbs, foreign):
    stranger = person(foreign)

    assert_problem(client.patch(one(stranger.id), json={"region": "Osh"}, headers=coordinator.headers), 404)
    assert_problem(client.delete(one(stranger.id), headers=coordinator.headers), 404)
    assert reloaded(dbs, Participant, stranger.id).version == 1


def test_writing_needs_participant_write_rights(app, client, analyst, dbs, home):
    stored = person(home)
    reader = client_headers(app, ["participants:read"], institution=home)

    assert_unauthorized(client.patch(one(stored.id), json={"region": "Osh"}))
    assert_unauthorized(client.delete(one(stored.id)))
    for headers in (analyst.headers, reader):
        assert_problem(client.patch(one(stored.id), json={"region": "Osh"}, headers=headers), 403)
        assert_problem(client.delete(one(stored.id), headers=headers), 403)
    assert reloaded(dbs, Participant, stored.id).version == 1


def test_admin_changes_any_participant(client, admin, dbs, foreign):
    stored = person(foreign)

    response = client.patch(one(stored.id), json={"staff_category": "manager"}, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert response.json["staff_category"] == "manager"


# --- erasure --------------------------------------------------------------------------------


def test_erasure_keeps_the_anonymous_facts_and_the_row(client, coordinator, dbs, home):
    stored = person(
        home,
        external_ref="KZ-1",
        gender=Gender.MALE,
        staff_category=StaffCategory.PVE_INSPECTOR,
        position="Inspector",
        region="Kostanay",
        email="x@service.example",
        is_trainer=True,
    )

    response = client.delete(one(stored.id), headers=coordinator.headers)

    assert response.status_code == 204, response.get_data(as_text=True)
    erased = reloaded(dbs, Participant, stored.id)
    assert [
        getattr(erased, c) for c in ("external_ref", "given_name", "family_name", "email", "position")
    ] == [None] * 5
    assert erased.search_text is None
    assert (erased.gender, erased.staff_category, erased.institution_id) == (
        Gender.MALE,
        StaffCategory.PVE_INSPECTOR,
        home.id,
    )
    assert (erased.region, erased.is_trainer) == ("Kostanay", True)
    assert erased.erased_at is not None
    shown = client.get(one(stored.id), headers=coordinator.headers).json
    assert (shown["erased"], shown["given_name"], assert_timestamp(shown["erased_at"])) == (
        True,
        None,
        erased.erased_at,
    )
    assert row_count(dbs, Participant) == 1


def test_erasure_is_audited(client, coordinator, dbs, home):
    stored = person(home)

    client.delete(one(stored.id), headers=coordinator.headers)

    [erase] = audit_rows(dbs, action="participants.erase")
    assert (erase.object_type, erase.object_id, erase.actor_id) == (
        "participants",
        str(stored.id),
        coordinator.user.id,
    )
    [update] = audit_rows(dbs, action="participants.update")
    assert update.details == {"fields": ["email", "erased_at", "external_ref", "family_name", "given_name"]}


def test_second_erasure_conflicts(client, coordinator, dbs, home):
    stored = person(home)
    assert client.delete(one(stored.id), headers=coordinator.headers).status_code == 204

    assert_problem(client.delete(one(stored.id), headers=coordinator.headers), 409)
    assert len(audit_rows(dbs, action="participants.erase")) == 1


def test_erasure_frees_the_external_ref(client, coordinator, dbs, home):
    stored = person(home, external_ref="KZ-0042")
    client.delete(one(stored.id), headers=coordinator.headers)

    response = client.post(URL, json=full_body(), headers=coordinator.headers)

    assert response.status_code == 201, response.json
    assert response.json["external_ref"] == "KZ-0042"
    assert row_count(dbs, Participant) == 2


def test_erasure_keeps_enrolments_and_revokes_certificates(client, admin, dbs, home, foreign):
    stored = person(foreign)
    completed = enrol(dbs, CohortFactory(host_institution_id=home.id), stored, EnrolmentStatus.COMPLETED)
    enrolled = enrol(dbs, CohortFactory(host_institution_id=home.id), stored)
    dbs.add(
        Certificate(
            enrolment_id=completed.id, number="HUB-2026-000001", code="c" * 24, issued_on=date(2026, 3, 13)
        )
    )
    dbs.commit()

    assert client.delete(one(stored.id), headers=admin.headers).status_code == 204

    dbs.expire_all()
    assert dbs.scalars(sa.select(Certificate)).one().revoked_at is not None
    assert {e.id: e.status for e in dbs.scalars(sa.select(Enrolment))} == {
        completed.id: EnrolmentStatus.COMPLETED,
        enrolled.id: EnrolmentStatus.ENROLLED,
    }


def test_erasure_honours_if_match(client, coordinator, dbs, home):
    stored = person(home)

    response = client.delete(one(stored.id), headers={**coordinator.headers, "If-Match": f'"{stored.id}-7"'})

    assert_problem(response, 412)
    assert reloaded(dbs, Participant, stored.id).erased_at is None


def test_api_client_erases_its_own_institutions_participant(app, client, dbs, home, foreign):
    own, stranger = person(home), person(foreign)
    writer = client_headers(app, ["participants:read", "participants:write"], institution=home)

    assert client.delete(one(own.id), headers=writer).status_code == 204
    assert_problem(client.delete(one(stranger.id), headers=writer), 404)


def test_guest_coordinator_erases_its_participant_enrolled_elsewhere(app, client, dbs, home, foreign):
    guest = person(foreign)
    enrol(dbs, CohortFactory(host_institution_id=home.id), guest)
    guest_coordinator = sign_in(
        app, UserFactory(role=Role.COORDINATOR, institution_id=foreign.id, email="coord@away.example")
    )

    assert client.delete(one(guest.id), headers=guest_coordinator.headers).status_code == 204
    assert reloaded(dbs, Participant, guest.id).erased_at is not None


# --- what a host sees of its guests -----------------------------------------------------------


@pytest.fixture
def guest_coordinator(app, dbs, foreign):
    """A coordinator of `foreign`, whose participant attends a cohort `home` hosts."""
    user = UserFactory(role=Role.COORDINATOR, institution_id=foreign.id, email="coord@away.example")
    return sign_in(app, user)


@pytest.fixture
def detailed_guest(dbs, home, foreign):
    """A participant of `foreign` with every detail filled in, enrolled in a cohort `home` hosts."""
    guest = person(
        foreign,
        external_ref="KG-0042",
        given_name="Бакыт",
        family_name="Асанов",
        gender=Gender.MALE,
        staff_category=StaffCategory.PVE_INSPECTOR,
        position="Senior inspector",
        region="Osh",
        email="b.asanov@away.example",
        is_trainer=True,
    )
    enrol(dbs, CohortFactory(host_institution_id=home.id), guest)
    return guest


def guest_record(guest, **changes) -> dict:
    """The whole record of `detailed_guest`, server fields aside."""
    return {
        "id": guest.id,
        "institution_id": guest.institution_id,
        "external_ref": "KG-0042",
        "given_name": "Бакыт",
        "family_name": "Асанов",
        "gender": "male",
        "staff_category": "pve_inspector",
        "position": "Senior inspector",
        "region": "Osh",
        "email": "b.asanov@away.example",
        "is_trainer": True,
        "erased": False,
        "erased_at": None,
        **changes,
    }


def without_server_times(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in ("created_at", "updated_at")}


def test_a_host_reads_a_guests_names_and_category_but_not_its_contact_details(
    client, coordinator, guest_coordinator, detailed_guest
):
    as_host = client.get(one(detailed_guest.id), headers=coordinator.headers)
    as_owner = client.get(one(detailed_guest.id), headers=guest_coordinator.headers)

    assert as_host.status_code == 200, as_host.json
    hidden = {"external_ref": None, "position": None, "region": None, "email": None}
    assert without_server_times(as_host.json) == guest_record(detailed_guest, **hidden)
    assert as_owner.status_code == 200, as_owner.json
    assert without_server_times(as_owner.json) == guest_record(detailed_guest)
    [listed] = [p for p in client.get(URL, headers=coordinator.headers).json if p["id"] == detailed_guest.id]
    assert without_server_times(listed) == guest_record(detailed_guest, **hidden)


@pytest.mark.parametrize("query", [{"external_ref": "KG-0042"}, {"region": "Osh"}])
def test_a_hosts_filters_on_guests_details_find_only_its_own(
    client, coordinator, guest_coordinator, dbs, home, detailed_guest, query
):
    own = person(home, external_ref="KG-0042", region="Osh")

    assert ids(client.get(URL, query_string=query, headers=coordinator.headers)) == [own.id]
    assert ids(client.get(URL, query_string=query, headers=guest_coordinator.headers)) == [detailed_guest.id]


@pytest.mark.parametrize("text", ["b.asanov@away.example", "asanov@away", "KG-0042", "kg-00"])
def test_a_hosts_search_never_matches_a_guests_email_or_reference(
    client, coordinator, guest_coordinator, dbs, home, detailed_guest, text
):
    person(home, external_ref="KZ-0001", email="own@home.example")

    assert ids(client.get(URL, query_string={"q": text}, headers=coordinator.headers)) == []
    assert ids(client.get(URL, query_string={"q": text}, headers=guest_coordinator.headers)) == [
        detailed_guest.id
    ]


@pytest.mark.parametrize("text", ["АСАНОВ", "асанов", "аСаН"])
def test_a_host_finds_a_guest_by_its_cyrillic_name_in_any_case(
    client, coordinator, dbs, home, detailed_guest, text
):
    person(home, family_name="Садыкова")

    assert ids(client.get(URL, query_string={"q": text}, headers=coordinator.headers)) == [detailed_guest.id]


# --- names: required on creation, null once erased --------------------------------------------


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"given_name": None}, {"given_name"}),
        ({"family_name": None}, {"family_name"}),
        ({"given_name": None, "family_name": None}, {"given_name", "family_name"}),
    ],
)
def test_create_with_a_null_name_is_422_naming_it(client, coordinator, dbs, change, fields):
    response = client.post(URL, json=full_body(**change), headers=coordinator.headers)

    errors = assert_validation(response, *fields)
    assert errors == {name: ["Field may not be null."] for name in fields}
    assert row_count(dbs, Participant) == 0


def test_a_null_name_is_reported_along_with_the_other_errors(client, coordinator, dbs):
    response = client.post(URL, json=full_body(given_name=None, gender="robot"), headers=coordinator.headers)

    errors = assert_validation(response, "given_name", "gender")
    assert errors["given_name"] == ["Field may not be null."]
    assert row_count(dbs, Participant) == 0


def test_an_erased_participant_reads_with_null_names_as_the_contract_allows(client, coordinator, dbs, home):
    stored = person(home, position="Inspector", email="x@service.example")
    assert client.delete(one(stored.id), headers=coordinator.headers).status_code == 204

    response = client.get(one(stored.id), headers=coordinator.headers)

    assert response.status_code == 200, response.json
    shown = response.json
    assert [shown[k] for k in ("given_name", "family_name", "external_ref", "email", "position")] == [
        None
    ] * 5
    assert shown["erased"] is True
    spec = client.get("/api/v1/openapi.json").get_json()
    properties = spec["components"]["schemas"]["Participant"]["properties"]
    for name, value in shown.items():
        if value is None:
            declared = properties[name]
            types = declared.get("type")
            nullable = declared.get("nullable") is True or "null" in (
                types if isinstance(types, list) else [types]
            )
            assert nullable, (name, declared)
