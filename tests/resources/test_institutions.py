"""/api/v1/institutions: the partner catalogue, its filters, access rules, concurrency and audit."""

from datetime import UTC, datetime

import pytest

from hub_api.models import Contact, Institution
from hub_api.models.enums import InstitutionKind, InstitutionStatus
from tests.factories import ApiClientFactory, ContactFactory, InstitutionFactory
from tests.helpers import (
    assert_timestamp,
    audit_events_via_api,
    client_headers,
    codes,
    links,
    reloaded,
    row_count,
    with_server_fields,
)
from tests.problems import assert_problem, assert_unauthorized, assert_validation

URL = "/api/v1/institutions"


def one(institution_id: int) -> str:
    return f"{URL}/{institution_id}"


FULL_BODY = {
    "code": "KTA",
    "name": {"en": "Kostanay Training Academy", "ru": "Костанайская академия", "kk": "Қостанай"},
    "short_name": "Kostanay Academy",
    "kind": "academy",
    "country": "KZ",
    "region": "Kostanay Region",
    "city": "Kostanay",
    "parent_id": None,
    "website": "https://academy.example.kz",
    "email": "info@academy.example.kz",
    "status": "active",
    "external_ids": {"lms": "KTA-1", "crm": "000123"},
}


# --- create ---------------------------------------------------------------------------------


def test_admin_creates_institution_with_every_field(client, admin):
    response = client.post(URL, json=FULL_BODY, headers=admin.headers)

    assert response.status_code == 201, response.json
    body = response.json
    assert body == with_server_fields(body, FULL_BODY)
    assert response.headers["Location"].endswith(one(body["id"]))
    assert response.headers["ETag"] == f'"{body["id"]}-1"'
    again = client.get(one(body["id"]), headers=admin.headers)
    assert again.status_code == 200
    assert again.json == body


def test_create_fills_defaults_for_optional_fields(client, admin):
    response = client.post(
        URL,
        json={"code": "MIN-1", "name": {"ky": "Академия"}, "kind": "ngo", "country": "KG"},
        headers=admin.headers,
    )

    assert response.status_code == 201, response.json
    body = response.json
    expected = {
        "code": "MIN-1",
        "name": {"ky": "Академия"},
        "short_name": None,
        "kind": "ngo",
        "country": "KG",
        "region": None,
        "city": None,
        "parent_id": None,
        "website": None,
        "email": None,
        "status": "active",
        "external_ids": {},
    }
    assert body == with_server_fields(body, expected)


def test_create_sub_unit_under_existing_parent(client, admin, home):
    body = {**FULL_BODY, "code": "KTA-EAST", "parent_id": home.id}
    response = client.post(URL, json=body, headers=admin.headers)

    assert response.status_code == 201, response.json
    assert response.json["parent_id"] == home.id


def test_create_is_audited_with_object_id(client, admin):
    created = client.post(URL, json=FULL_BODY, headers=admin.headers).json

    events = audit_events_via_api(client, admin, action="institutions.create")
    assert len(events) == 1
    event = events[0]
    assert event["object_type"] == "institutions"
    assert event["object_id"] == str(created["id"])
    assert event["actor_type"] == "user"
    assert event["actor_id"] == admin.user.id
    assert event["outcome"] == "success"
    assert event["method"] == "POST"


def test_create_requires_code_name_kind_country(client, admin):
    response = client.post(URL, json={"short_name": "Nameless"}, headers=admin.headers)

    assert_validation(response, "code", "name", "kind", "country")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "kta"}, "code"),
        ({"code": "K"}, "code"),
        ({"code": "KTA ACADEMY"}, "code"),
        ({"kind": "prison"}, "kind"),
        ({"country": "Kazakhstan"}, "country"),
        ({"country": "kz"}, "country"),
        ({"status": "closed"}, "status"),
        ({"website": "not a url"}, "website"),
        ({"email": "info-at-academy"}, "email"),
        ({"short_name": "x" * 81}, "short_name"),
        ({"parent_id": "first"}, "parent_id"),
        ({"external_ids": {"lms": 7}}, "external_ids.lms.value"),
        ({"colour": "blue"}, "colour"),
        ({"id": 99}, "id"),
        ({"created_at": "2024-01-01T00:00:00+00:00"}, "created_at"),
    ],
)
def test_create_rejects_invalid_field(client, admin, change, field):
    response = client.post(URL, json={**FULL_BODY, **change}, headers=admin.headers)

    errors = assert_validation(response, field)
    assert all(isinstance(m, str) for m in errors[field])
    assert client.get(URL, headers=admin.headers).json == []


@pytest.mark.parametrize(
    "name",
    [{}, {"fr": "Académie"}, {"en": ""}, "Kostanay Academy", {"en": "x" * 301}],
    ids=["empty", "unknown-language", "empty-text", "plain-string", "too-long"],
)
def test_create_rejects_bad_multilingual_name(client, admin, name):
    response = client.post(URL, json={**FULL_BODY, "name": name}, headers=admin.headers)

    body = assert_problem(response, 422)
    assert body["errors"], body
    assert all(key == "name" or key.startswith("name.") for key in body["errors"])


def test_create_accepts_every_contract_language(client, admin):
    name = {lang: f"Academy {lang}" for lang in ("en", "ru", "kk", "ky", "tg", "uz", "tk")}
    response = client.post(URL, json={**FULL_BODY, "name": name}, headers=admin.headers)

    assert response.status_code == 201, response.json
    assert response.json["name"] == name


def test_create_rejects_unknown_country(client, admin):
    response = client.post(URL, json={**FULL_BODY, "country": "GB"}, headers=admin.headers)

    errors = assert_validation(response, "country")
    assert "GB" in errors["country"][0]


def test_create_rejects_missing_parent(client, admin):
    response = client.post(URL, json={**FULL_BODY, "parent_id": 999_999}, headers=admin.headers)

    assert_validation(response, "parent_id")


def test_create_duplicate_code_conflicts(client, admin, home):
    response = client.post(URL, json={**FULL_BODY, "code": "HOME"}, headers=admin.headers)

    assert_problem(response, 409, errors={"code": ["an institution with this code already exists"]})
    assert codes(client.get(URL, headers=admin.headers)) == ["HOME"]


def test_create_without_token_is_401(client):
    response = client.post(URL, json=FULL_BODY)

    assert_unauthorized(response)


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_create_by_non_admin_is_403(client, admin, request, role):
    actor = request.getfixturevalue(role)
    response = client.post(URL, json=FULL_BODY, headers=actor.headers)

    assert_problem(response, 403)
    assert "KTA" not in codes(client.get(URL, headers=admin.headers))


def test_create_by_api_client_is_403(app, client, dbs):
    headers = client_headers(app, ["catalogue:read", "participants:write"])
    response = client.post(URL, json=FULL_BODY, headers=headers)

    assert_problem(response, 403)


# --- read one -------------------------------------------------------------------------------


def test_get_institution_returns_whole_object_and_etag(client, analyst, dbs, home):
    sub = InstitutionFactory(
        code="HOME-EAST",
        name={"en": "East branch", "ru": "Восточный филиал"},
        short_name="East",
        kind=InstitutionKind.UNIVERSITY,
        country="KZ",
        region="East Kazakhstan",
        city="Oskemen",
        parent_id=home.id,
        website="https://east.example.kz",
        email="east@example.kz",
        status=InstitutionStatus.INACTIVE,
        external_ids={"lms": "E-1"},
    )

    response = client.get(one(sub.id), headers=analyst.headers)

    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{sub.id}-1"'
    assert response.json == {
        "id": sub.id,
        "code": "HOME-EAST",
        "name": {"en": "East branch", "ru": "Восточный филиал"},
        "short_name": "East",
        "kind": "university",
        "country": "KZ",
        "region": "East Kazakhstan",
        "city": "Oskemen",
        "parent_id": home.id,
        "website": "https://east.example.kz",
        "email": "east@example.kz",
        "status": "inactive",
        "external_ids": {"lms": "E-1"},
        "created_at": response.json["created_at"],
        "updated_at": response.json["updated_at"],
    }
    assert assert_timestamp(response.json["created_at"]) == sub.created_at


def test_get_unknown_institution_is_404(client, admin):
    body = assert_problem(client.get(one(424242), headers=admin.headers), 404)
    assert "424242" in body["detail"]


def test_get_without_token_is_401(client, home):
    assert_problem(client.get(one(home.id)), 401)


def test_get_with_garbage_token_is_401(client, home):
    response = client.get(one(home.id), headers={"Authorization": "Bearer not.a.token"})
    assert_problem(response, 401)


@pytest.mark.parametrize("role", ["admin", "coordinator", "analyst"])
def test_every_user_role_reads_institutions(client, request, role, foreign):
    actor = request.getfixturevalue(role)
    assert client.get(one(foreign.id), headers=actor.headers).status_code == 200
    assert "AWAY" in codes(client.get(URL, headers=actor.headers))


def test_api_client_needs_catalogue_scope(app, client, dbs, home):
    reader = client_headers(app, ["catalogue:read"], institution=home)
    other = client_headers(app, ["stats:read", "participants:read"], institution=home)

    assert client.get(one(home.id), headers=reader).status_code == 200
    assert codes(client.get(URL, headers=reader)) == ["HOME"]
    assert_problem(client.get(one(home.id), headers=other), 403)
    assert_problem(client.get(URL, headers=other), 403)


# --- list -----------------------------------------------------------------------------------


def test_list_returns_plain_array_of_whole_objects(client, analyst, home):
    response = client.get(URL, headers=analyst.headers)

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "1"
    assert response.json == [
        {
            "id": home.id,
            "code": "HOME",
            "name": {"en": "Home Academy", "ru": "Домашняя"},
            "short_name": None,
            "kind": "academy",
            "country": "KZ",
            "region": None,
            "city": None,
            "parent_id": None,
            "website": None,
            "email": None,
            "status": "active",
            "external_ids": {},
            "created_at": response.json[0]["created_at"],
            "updated_at": response.json[0]["updated_at"],
        }
    ]


def test_list_without_token_is_401(client):
    assert_problem(client.get(URL), 401)


@pytest.fixture
def catalogue(dbs, home, foreign):
    """A small catalogue: HOME (KZ) and AWAY (KG) plus sub-units, kinds and statuses."""
    return {
        "east": InstitutionFactory(
            code="HOME-EAST",
            name={"en": "East Branch", "ru": "Восточный филиал"},
            parent_id=home.id,
            kind=InstitutionKind.UNIVERSITY,
        ),
        "west": InstitutionFactory(
            code="HOME-WEST",
            name={"en": "West Branch", "kk": "Батыс филиалы"},
            short_name="Westside",
            parent_id=home.id,
            status=InstitutionStatus.INACTIVE,
        ),
        "ministry": InstitutionFactory(
            code="MOJ-TJ",
            name={"tg": "Вазорати адлия", "ru": "Министерство юстиции"},
            kind=InstitutionKind.MINISTRY,
            country="TJ",
        ),
        "donor": InstitutionFactory(
            code="EU_DONOR",
            name={"en": "European Donor 100%"},
            kind=InstitutionKind.DONOR,
            country="BE",
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "KZ"}, ["HOME", "HOME-EAST", "HOME-WEST"]),
        ({"country": "KG"}, ["AWAY"]),
        ({"country": "US"}, []),
        ({"kind": "ministry"}, ["MOJ-TJ"]),
        ({"kind": "academy"}, ["AWAY", "HOME", "HOME-WEST"]),
        ({"status": "inactive"}, ["HOME-WEST"]),
        ({"status": "active"}, ["AWAY", "EU_DONOR", "HOME", "HOME-EAST", "MOJ-TJ"]),
        ({"country": "KZ", "status": "active"}, ["HOME", "HOME-EAST"]),
        ({"q": "home-e"}, ["HOME-EAST"]),
        ({"q": "westside"}, ["HOME-WEST"]),
        ({"q": "ФИЛИАЛ"}, ["HOME-EAST", "HOME-WEST"]),
        ({"q": "восточный"}, ["HOME-EAST"]),
        ({"q": "БАТЫС"}, ["HOME-WEST"]),
        ({"q": "министерство"}, ["MOJ-TJ"]),
        ({"q": "branch"}, ["HOME-EAST", "HOME-WEST"]),
        ({"q": "%"}, ["EU_DONOR"]),
        ({"q": "U_D"}, ["EU_DONOR"]),
        ({"q": "no such thing"}, []),
    ],
)
def test_list_filters(client, analyst, catalogue, params, expected):
    assert codes(client.get(URL, query_string=params, headers=analyst.headers)) == expected


def test_list_filters_by_parent(client, analyst, catalogue, home):
    response = client.get(URL, query_string={"parent_id": home.id}, headers=analyst.headers)

    assert codes(response) == ["HOME-EAST", "HOME-WEST"]
    assert response.headers["X-Total-Count"] == "2"


def test_list_filters_by_updated_since(client, analyst, dbs):
    InstitutionFactory(code="OLD", updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    InstitutionFactory(code="EDGE", updated_at=datetime(2024, 6, 1, 7, 0, tzinfo=UTC))
    InstitutionFactory(code="NEW")

    since = client.get(
        URL, query_string={"updated_since": "2024-06-01T12:00:00+05:00"}, headers=analyst.headers
    )
    assert codes(since) == ["EDGE", "NEW"]
    assert since.headers["X-Total-Count"] == "2"
    later = client.get(URL, query_string={"updated_since": "2024-06-01T07:00:01Z"}, headers=analyst.headers)
    assert codes(later) == ["NEW"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "prison"}, "kind"),
        ({"country": "kz"}, "country"),
        ({"status": "closed"}, "status"),
        ({"parent_id": "top"}, "parent_id"),
        ({"q": ""}, "q"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"sort": "name"}, "sort"),
        ({"sort": "-secret"}, "sort"),
        ({"page": 0}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
    ],
)
def test_list_rejects_invalid_arguments(client, analyst, params, field):
    assert_validation(client.get(URL, query_string=params, headers=analyst.headers), field)


def test_list_sorts_by_code_by_default_and_descending(client, analyst, dbs):
    for code in ("CC", "AA", "BB"):
        InstitutionFactory(code=code)

    assert codes(client.get(URL, headers=analyst.headers)) == ["AA", "BB", "CC"]
    descending = client.get(URL, query_string={"sort": "-code"}, headers=analyst.headers)
    assert codes(descending) == ["CC", "BB", "AA"]


def test_list_sort_ties_break_on_id_in_the_sort_direction(client, analyst, dbs):
    rows = [
        InstitutionFactory(code="Z1", country="KZ"),
        InstitutionFactory(code="A1", country="KG"),
        InstitutionFactory(code="Y1", country="KZ"),
        InstitutionFactory(code="B1", country="KG"),
        InstitutionFactory(code="X1", country="KZ"),
    ]
    ids = {row.code: row.id for row in rows}

    ascending = client.get(URL, query_string={"sort": "country"}, headers=analyst.headers).json
    assert [i["id"] for i in ascending] == [ids[c] for c in ("A1", "B1", "Z1", "Y1", "X1")]
    descending = client.get(URL, query_string={"sort": "-country"}, headers=analyst.headers).json
    assert [i["id"] for i in descending] == [ids[c] for c in ("X1", "Y1", "Z1", "B1", "A1")]
    # Page boundaries fall inside the tie and still neither repeat nor skip a row.
    paged = []
    for page in (1, 2, 3):
        params = {"sort": "country", "page": page, "page_size": 2}
        paged += [i["id"] for i in client.get(URL, query_string=params, headers=analyst.headers).json]
    assert paged == [i["id"] for i in ascending]


def test_list_sorts_by_several_keys(client, analyst, dbs):
    InstitutionFactory(code="B-KZ", country="KZ", kind=InstitutionKind.NGO)
    InstitutionFactory(code="A-KZ", country="KZ", kind=InstitutionKind.ACADEMY)
    InstitutionFactory(code="C-KG", country="KG", kind=InstitutionKind.DONOR)

    response = client.get(URL, query_string={"sort": "-country,kind"}, headers=analyst.headers)
    assert codes(response) == ["A-KZ", "B-KZ", "C-KG"]


def test_list_pagination_headers(client, analyst, dbs):
    for n in range(7):
        InstitutionFactory(code=f"P{n}")

    response = client.get(URL, query_string={"page": 2, "page_size": 3}, headers=analyst.headers)

    assert codes(response) == ["P3", "P4", "P5"]
    assert response.headers["X-Total-Count"] == "7"
    assert response.headers["Link"].startswith(f"<http://localhost{URL}?")
    assert links(response, URL) == {
        "first": {"page": "1", "page_size": "3"},
        "prev": {"page": "1", "page_size": "3"},
        "next": {"page": "3", "page_size": "3"},
        "last": {"page": "3", "page_size": "3"},
    }
    last = client.get(URL, query_string={"page": 3, "page_size": 3}, headers=analyst.headers)
    assert codes(last) == ["P6"]
    assert set(links(last, URL)) == {"first", "prev", "last"}
    beyond = client.get(URL, query_string={"page": 9, "page_size": 3}, headers=analyst.headers)
    assert beyond.json == []
    assert beyond.headers["X-Total-Count"] == "7"
    assert links(beyond, URL)["prev"] == {"page": "3", "page_size": "3"}


def test_list_links_keep_filters_and_sort(client, analyst, dbs):
    for n in range(3):
        InstitutionFactory(code=f"KG{n}", country="KG")
    InstitutionFactory(code="KZ0", country="KZ")

    params = {"country": "KG", "sort": "-code", "page_size": 2}
    response = client.get(URL, query_string=params, headers=analyst.headers)

    assert codes(response) == ["KG2", "KG1"]
    assert response.headers["X-Total-Count"] == "3"
    kept = {"country": "KG", "sort": "-code", "page_size": "2"}
    assert links(response, URL) == {
        "first": {**kept, "page": "1"},
        "next": {**kept, "page": "2"},
        "last": {**kept, "page": "2"},
    }
    following = client.get(URL, query_string=links(response, URL)["next"], headers=analyst.headers)
    assert codes(following) == ["KG0"]


def test_empty_list_has_one_page(client, analyst):
    response = client.get(URL, headers=analyst.headers)

    assert response.json == []
    assert response.headers["X-Total-Count"] == "0"
    assert links(response, URL) == {
        "first": {"page": "1", "page_size": "20"},
        "last": {"page": "1", "page_size": "20"},
    }


def test_list_default_page_size_is_20(client, analyst, dbs):
    InstitutionFactory.create_batch(23)

    response = client.get(URL, headers=analyst.headers)

    assert len(response.json) == 20
    assert response.headers["X-Total-Count"] == "23"
    assert links(response, URL)["next"] == {"page": "2", "page_size": "20"}
    assert len(client.get(URL, query_string={"page_size": 100}, headers=analyst.headers).json) == 23


def test_list_query_count_does_not_grow_with_rows(client, admin, dbs, count_queries, home):
    InstitutionFactory.create_batch(2, parent_id=home.id)
    client.get(URL, headers=admin.headers)  # warm up connections

    with count_queries() as few:
        small = client.get(URL, headers=admin.headers)
    for _ in range(15):
        ContactFactory(institution=InstitutionFactory(parent_id=home.id))
    with count_queries() as many:
        large = client.get(URL, headers=admin.headers)

    assert len(small.json) == 3
    assert len(large.json) == 18
    assert len(many) == len(few), many
    assert len(many) <= 3, many  # the token's sign-in, the count and the page


# --- update ---------------------------------------------------------------------------------


def test_admin_updates_any_field(client, admin, dbs, foreign, home):
    changes = {
        "code": "AWAY-2",
        "name": {"ru": "Выездная академия"},
        "kind": "penitentiary_service",
        "country": "UZ",
        "parent_id": home.id,
        "status": "inactive",
        "city": "Tashkent",
        "external_ids": {"lms": "AW-2"},
    }
    response = client.patch(one(foreign.id), json=changes, headers=admin.headers)

    assert response.status_code == 200, response.json
    body = response.json
    assert body == {
        "id": foreign.id,
        "code": "AWAY-2",
        "name": {"ru": "Выездная академия"},
        "short_name": None,
        "kind": "penitentiary_service",
        "country": "UZ",
        "region": None,
        "city": "Tashkent",
        "parent_id": home.id,
        "website": None,
        "email": None,
        "status": "inactive",
        "external_ids": {"lms": "AW-2"},
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert response.headers["ETag"] == f'"{foreign.id}-2"'
    assert assert_timestamp(body["updated_at"]) > foreign.updated_at
    assert client.get(one(foreign.id), headers=admin.headers).json == body


def test_update_refreshes_search(client, admin, analyst, foreign):
    client.patch(one(foreign.id), json={"name": {"ru": "Бишкекская академия"}}, headers=admin.headers)

    assert codes(client.get(URL, query_string={"q": "бишкек"}, headers=analyst.headers)) == ["AWAY"]
    assert codes(client.get(URL, query_string={"q": "away academy"}, headers=analyst.headers)) == []


def test_update_can_clear_optional_fields(client, admin, dbs, home):
    sub = InstitutionFactory(parent_id=home.id, short_name="Sub", city="Almaty")

    response = client.patch(
        one(sub.id), json={"parent_id": None, "short_name": None, "city": None}, headers=admin.headers
    )

    assert response.status_code == 200, response.json
    assert (response.json["parent_id"], response.json["short_name"], response.json["city"]) == (
        None,
        None,
        None,
    )


def test_coordinator_updates_own_profile(client, coordinator, admin, dbs, home):
    changes = {
        "name": {"en": "Home Training Academy", "ru": "Домашняя академия"},
        "short_name": "HTA",
        "region": "Akmola",
        "city": "Astana",
        "website": "https://home.example.kz",
        "email": "office@home.example.kz",
        "external_ids": {"lms": "H-1"},
    }
    response = client.patch(one(home.id), json=changes, headers=coordinator.headers)

    assert response.status_code == 200, response.json
    assert {k: response.json[k] for k in changes} == changes
    stored = reloaded(dbs, Institution, home.id)
    assert stored.short_name == "HTA"
    assert stored.name == changes["name"]
    events = audit_events_via_api(client, admin, action="institutions.update", object_id=str(home.id))
    assert len(events) == 1
    assert events[0]["actor_id"] == coordinator.user.id
    assert events[0]["details"]["fields"] == sorted(changes)


@pytest.mark.parametrize(
    "change",
    [
        {"code": "HOME-2"},
        {"kind": "ministry"},
        {"country": "KG"},
        {"parent_id": None},
        {"status": "inactive"},
        {"code": "HOME"},
    ],
    ids=["code", "kind", "country", "parent_id", "status", "same-code"],
)
def test_coordinator_cannot_change_identity_fields(client, coordinator, dbs, home, change):
    response = client.patch(
        one(home.id), json={"short_name": "Sneaky", **change}, headers=coordinator.headers
    )

    body = assert_problem(response, 403)
    assert next(iter(change)) in body["detail"]
    stored = reloaded(dbs, Institution, home.id)
    assert (stored.short_name, stored.version) == (None, 1)


def test_coordinator_cannot_update_another_institution(client, coordinator, admin, dbs, foreign):
    response = client.patch(one(foreign.id), json={"city": "Osh"}, headers=coordinator.headers)

    assert_problem(response, 403)
    assert reloaded(dbs, Institution, foreign.id).city is None
    refusals = audit_events_via_api(client, admin, action="permission.denied")
    assert [(e["outcome"], e["actor_id"], e["path"]) for e in refusals] == [
        ("denied", coordinator.user.id, one(foreign.id))
    ]


def test_analyst_cannot_update(client, analyst, dbs, home):
    assert_problem(client.patch(one(home.id), json={"city": "Osh"}, headers=analyst.headers), 403)
    assert reloaded(dbs, Institution, home.id).city is None


def test_api_client_cannot_update(app, client, dbs, home):
    headers = client_headers(app, ["catalogue:read"], institution=home)
    assert_problem(client.patch(one(home.id), json={"city": "Osh"}, headers=headers), 403)


def test_update_without_token_is_401(client, home):
    assert_problem(client.patch(one(home.id), json={"city": "Osh"}), 401)


def test_update_unknown_institution_is_404(client, admin):
    assert_problem(client.patch(one(424242), json={"city": "Osh"}, headers=admin.headers), 404)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": None}, "code"),
        ({"name": None}, "name"),
        ({"kind": None}, "kind"),
        ({"country": None}, "country"),
        ({"status": None}, "status"),
        ({"code": "lower"}, "code"),
        ({"email": "nope"}, "email"),
        ({"website": "ftp//x"}, "website"),
        ({"colour": "blue"}, "colour"),
        ({"version": 7}, "version"),
        ({"updated_at": "2024-01-01T00:00:00Z"}, "updated_at"),
    ],
)
def test_update_rejects_invalid_field(client, admin, dbs, home, change, field):
    response = client.patch(one(home.id), json=change, headers=admin.headers)

    assert_validation(response, field)
    assert reloaded(dbs, Institution, home.id).version == 1


def test_update_rejects_empty_name(client, admin, home):
    assert_validation(client.patch(one(home.id), json={"name": {}}, headers=admin.headers), "name")


def test_update_rejects_unknown_country(client, admin, home):
    response = client.patch(one(home.id), json={"country": "ZZ"}, headers=admin.headers)
    assert_validation(response, "country")


def test_update_rejects_missing_parent(client, admin, home):
    response = client.patch(one(home.id), json={"parent_id": 999_999}, headers=admin.headers)
    assert_validation(response, "parent_id")


def test_update_refuses_own_parent(client, admin, dbs, home):
    response = client.patch(one(home.id), json={"parent_id": home.id}, headers=admin.headers)

    assert_validation(response, "parent_id")
    assert reloaded(dbs, Institution, home.id).parent_id is None


def test_update_refuses_parent_cycle_through_sub_units(client, admin, dbs, home):
    child = InstitutionFactory(parent_id=home.id)
    grandchild = InstitutionFactory(parent_id=child.id)

    response = client.patch(one(home.id), json={"parent_id": grandchild.id}, headers=admin.headers)

    errors = assert_validation(response, "parent_id")
    assert "cycle" in errors["parent_id"][0]
    assert reloaded(dbs, Institution, home.id).parent_id is None


def test_update_moves_sub_unit_to_another_parent(client, admin, dbs, home, foreign):
    child = InstitutionFactory(parent_id=home.id)
    grandchild = InstitutionFactory(parent_id=child.id)

    response = client.patch(one(grandchild.id), json={"parent_id": foreign.id}, headers=admin.headers)

    assert response.status_code == 200, response.json
    assert reloaded(dbs, Institution, grandchild.id).parent_id == foreign.id


def test_update_to_duplicate_code_conflicts(client, admin, dbs, home, foreign):
    response = client.patch(one(foreign.id), json={"code": "HOME"}, headers=admin.headers)

    assert_problem(response, 409, errors={"code": ["an institution with this code already exists"]})
    assert reloaded(dbs, Institution, foreign.id).code == "AWAY"


def test_update_with_stale_if_match_is_412(client, admin, dbs, home):
    etag = client.get(one(home.id), headers=admin.headers).headers["ETag"]
    first = client.patch(one(home.id), json={"city": "Astana"}, headers={**admin.headers, "If-Match": etag})
    assert first.status_code == 200
    assert first.headers["ETag"] != etag

    stale = client.patch(one(home.id), json={"city": "Almaty"}, headers={**admin.headers, "If-Match": etag})

    body = assert_problem(stale, 412)
    assert first.headers["ETag"] in body["detail"]
    assert reloaded(dbs, Institution, home.id).city == "Astana"


@pytest.mark.parametrize("if_match", [None, "*", "current"])
def test_update_accepts_current_star_or_absent_if_match(client, admin, home, if_match):
    headers = dict(admin.headers)
    if if_match == "current":
        headers["If-Match"] = client.get(one(home.id), headers=admin.headers).headers["ETag"]
    elif if_match:
        headers["If-Match"] = if_match

    response = client.patch(one(home.id), json={"city": "Astana"}, headers=headers)

    assert response.status_code == 200, response.json
    assert response.json["city"] == "Astana"


# --- delete ---------------------------------------------------------------------------------


def test_admin_deletes_institution_and_its_contacts(client, admin, dbs, foreign):
    foreign_id = foreign.id
    contact_id = ContactFactory(institution=foreign).id

    response = client.delete(one(foreign_id), headers=admin.headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert_problem(client.get(one(foreign_id), headers=admin.headers), 404)
    assert reloaded(dbs, Institution, foreign_id) is None
    assert reloaded(dbs, Contact, contact_id) is None
    events = audit_events_via_api(client, admin, action="institutions.delete")
    assert [e["object_id"] for e in events] == [str(foreign_id)]


def test_delete_with_sub_units_conflicts(client, admin, dbs, home):
    InstitutionFactory(parent_id=home.id)

    body = assert_problem(client.delete(one(home.id), headers=admin.headers), 409)

    assert body["type"].endswith("conflict")
    assert "sub-units" in body["detail"]
    assert reloaded(dbs, Institution, home.id) is not None


def test_delete_with_user_accounts_conflicts(client, admin, coordinator, dbs, home):
    body = assert_problem(client.delete(one(home.id), headers=admin.headers), 409)

    assert "user accounts" in body["detail"]
    assert reloaded(dbs, Institution, home.id) is not None


def test_delete_with_api_clients_conflicts(app, client, admin, dbs, foreign):
    ApiClientFactory(institution_id=foreign.id)

    body = assert_problem(client.delete(one(foreign.id), headers=admin.headers), 409)

    assert "API clients" in body["detail"]
    assert reloaded(dbs, Institution, foreign.id) is not None


def test_delete_of_an_agreement_party_or_programme_donor_conflicts(client, admin, dbs, home, foreign):
    third = InstitutionFactory(code="DONOR")
    programme = client.post(
        "/api/v1/programmes",
        json={"code": "P-1", "name": {"en": "P"}, "donor_ids": [third.id]},
        headers=admin.headers,
    )
    assert programme.status_code == 201
    agreement = client.post(
        "/api/v1/agreements",
        json={
            "reference": "MOU-1",
            "title": {"en": "MoU"},
            "kind": "mou",
            "parties": [{"institution_id": home.id}, {"institution_id": foreign.id}],
        },
        headers=admin.headers,
    )
    assert agreement.status_code == 201

    party = assert_problem(client.delete(one(foreign.id), headers=admin.headers), 409)
    donor = assert_problem(client.delete(one(third.id), headers=admin.headers), 409)

    assert "agreements it is party to" in party["detail"]
    assert "programmes it funds" in donor["detail"]
    assert reloaded(dbs, Institution, foreign.id) is not None


def test_delete_with_stale_if_match_is_412(client, admin, dbs, foreign):
    response = client.delete(one(foreign.id), headers={**admin.headers, "If-Match": f'"{foreign.id}-0"'})

    assert_problem(response, 412)
    assert reloaded(dbs, Institution, foreign.id) is not None


def test_delete_with_current_if_match(client, admin, foreign):
    etag = client.get(one(foreign.id), headers=admin.headers).headers["ETag"]
    response = client.delete(one(foreign.id), headers={**admin.headers, "If-Match": etag})
    assert response.status_code == 204


@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_delete_by_non_admin_is_403(client, request, dbs, home, foreign, role):
    actor = request.getfixturevalue(role)
    for institution in (home, foreign):
        assert_problem(client.delete(one(institution.id), headers=actor.headers), 403)
    assert row_count(dbs, Institution) == 2


def test_delete_without_token_is_401(client, dbs, foreign):
    assert_problem(client.delete(one(foreign.id)), 401)
    assert reloaded(dbs, Institution, foreign.id) is not None


def test_delete_unknown_institution_is_404(client, admin):
    assert_problem(client.delete(one(424242), headers=admin.headers), 404)
