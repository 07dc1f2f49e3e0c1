"""/api/v1/institutions/{id}/contacts: named contact people, readable but never by analysts."""

from datetime import UTC, datetime

import pytest

from hub_api.models import Contact
from tests.factories import ContactFactory, InstitutionFactory
from tests.helpers import (
    assert_timestamp,
    audit_events_via_api,
    client_headers,
    links,
    reloaded,
    row_count,
    with_server_fields,
)
from tests.problems import assert_problem, assert_validation


def contacts_url(institution_id: int) -> str:
    return f"/api/v1/institutions/{institution_id}/contacts"


def contact_url(institution_id: int, contact_id: int) -> str:
    return f"{contacts_url(institution_id)}/{contact_id}"


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["name"] for item in response.json]


def expected_contact(contact: Contact, **overrides) -> dict:
    return {
        "id": contact.id,
        "institution_id": contact.institution_id,
        "name": contact.name,
        "position": contact.position,
        "email": contact.email,
        "phone": contact.phone,
        "roles": contact.roles,
        "created_at": contact.created_at.isoformat(),
        "updated_at": contact.updated_at.isoformat(),
        **overrides,
    }


BODY = {
    "name": "Aigerim Nurlanovna",
    "position": "Head of international cooperation",
    "email": "aigerim@home.example.kz",
    "phone": "+7 (7172) 55-01-02",
    "roles": ["signatory", "focal_point"],
}


@pytest.fixture
def home_contact(dbs, home):
    return ContactFactory(
        institution=home,
        name="Daniyar Seitkali",
        position="Rector",
        email="rector@home.example.kz",
        phone="+7 7172 000000",
        roles=["head", "signatory"],
    )


@pytest.fixture
def away_contact(dbs, foreign):
    return ContactFactory(institution=foreign, name="Bakyt Asanov", roles=["focal_point"])


# --- list -----------------------------------------------------------------------------------


def test_list_returns_only_this_institutions_contacts(client, admin, home, home_contact, away_contact):
    response = client.get(contacts_url(home.id), headers=admin.headers)

    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "1"
    assert response.json == [expected_contact(home_contact)]


def test_coordinator_lists_own_contacts(client, coordinator, home, home_contact):
    assert names(client.get(contacts_url(home.id), headers=coordinator.headers)) == ["Daniyar Seitkali"]


def test_catalogue_client_lists_contacts(app, client, dbs, home, home_contact):
    headers = client_headers(app, ["catalogue:read"], institution=home)
    assert names(client.get(contacts_url(home.id), headers=headers)) == ["Daniyar Seitkali"]


def test_analyst_never_sees_contacts(client, analyst, home, home_contact):
    body = assert_problem(client.get(contacts_url(home.id), headers=analyst.headers), 403)
    assert "Daniyar" not in str(body)
    assert_problem(client.get(contact_url(home.id, home_contact.id), headers=analyst.headers), 403)


def test_client_without_catalogue_scope_cannot_list(app, client, dbs, home, home_contact):
    headers = client_headers(app, ["participants:read", "stats:read"], institution=home)
    assert_problem(client.get(contacts_url(home.id), headers=headers), 403)


def test_list_without_token_is_401(client, home):
    assert_problem(client.get(contacts_url(home.id)), 401)


def test_list_of_unknown_institution_is_404(client, admin):
    assert_problem(client.get(contacts_url(424242), headers=admin.headers), 404)


def test_list_filters_by_role(client, admin, dbs, home):
    ContactFactory(institution=home, name="Signs", roles=["signatory"])
    ContactFactory(institution=home, name="Leads and signs", roles=["head", "signatory"])
    ContactFactory(institution=home, name="Focal", roles=["focal_point"])
    ContactFactory(institution=home, name="Nobody", roles=[])

    def by_role(role):
        return names(client.get(contacts_url(home.id), query_string={"role": role}, headers=admin.headers))

    assert by_role("signatory") == ["Leads and signs", "Signs"]
    assert by_role("head") == ["Leads and signs"]
    assert by_role("focal_point") == ["Focal"]
    assert by_role("trainer") == []


def test_list_filters_by_updated_since(client, admin, dbs, home):
    ContactFactory(institution=home, name="Old", updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    ContactFactory(institution=home, name="New")

    response = client.get(
        contacts_url(home.id),
        query_string={"updated_since": "2021-01-01T00:00:00+06:00"},
        headers=admin.headers,
    )
    assert names(response) == ["New"]
    assert response.headers["X-Total-Count"] == "1"


def test_list_sorts_by_name_and_breaks_ties_on_id(client, admin, dbs, home):
    ids = [ContactFactory(institution=home, name=name).id for name in ("Bolat", "Aida", "Bolat", "Chyngyz")]

    ascending = client.get(contacts_url(home.id), headers=admin.headers).json
    assert [(c["name"], c["id"]) for c in ascending] == [
        ("Aida", ids[1]),
        ("Bolat", ids[0]),
        ("Bolat", ids[2]),
        ("Chyngyz", ids[3]),
    ]
    descending = client.get(contacts_url(home.id), query_string={"sort": "-name"}, headers=admin.headers).json
    assert [(c["name"], c["id"]) for c in descending] == [
        ("Chyngyz", ids[3]),
        ("Bolat", ids[2]),
        ("Bolat", ids[0]),
        ("Aida", ids[1]),
    ]


def test_list_sorts_by_creation_time(client, admin, dbs, home):
    ContactFactory(institution=home, name="Second", created_at=datetime(2024, 2, 1, tzinfo=UTC))
    ContactFactory(institution=home, name="First", created_at=datetime(2024, 1, 1, tzinfo=UTC))
    ContactFactory(institution=home, name="Third", created_at=datetime(2024, 3, 1, tzinfo=UTC))

    def by(sort):
        return names(client.get(contacts_url(home.id), query_string={"sort": sort}, headers=admin.headers))

    assert by("created_at") == ["First", "Second", "Third"]
    assert by("-created_at") == ["Third", "Second", "First"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"role": "boss"}, "role"),
        ({"sort": "email"}, "sort"),
        ({"page_size": 101}, "page_size"),
        ({"page": 0}, "page"),
        ({"updated_since": "last week"}, "updated_since"),
    ],
)
def test_list_rejects_invalid_arguments(client, admin, home, params, field):
    assert_validation(client.get(contacts_url(home.id), query_string=params, headers=admin.headers), field)


def test_list_pagination_headers(client, admin, dbs, home):
    for n in range(5):
        ContactFactory(institution=home, name=f"Person {n}")

    response = client.get(
        contacts_url(home.id), query_string={"page": 2, "page_size": 2}, headers=admin.headers
    )

    assert names(response) == ["Person 2", "Person 3"]
    assert response.headers["X-Total-Count"] == "5"
    assert links(response, contacts_url(home.id)) == {
        "first": {"page": "1", "page_size": "2"},
        "prev": {"page": "1", "page_size": "2"},
        "next": {"page": "3", "page_size": "2"},
        "last": {"page": "3", "page_size": "2"},
    }


def test_list_query_count_does_not_grow_with_rows(client, admin, dbs, home, count_queries):
    ContactFactory.create_batch(2, institution=home)
    client.get(contacts_url(home.id), headers=admin.headers)  # warm up connections

    with count_queries() as few:
        small = client.get(contacts_url(home.id), headers=admin.headers)
    ContactFactory.create_batch(15, institution=home)
    ContactFactory.create_batch(3, institution=InstitutionFactory())  # another institution's
    with count_queries() as many:
        large = client.get(contacts_url(home.id), headers=admin.headers)

    assert len(small.json) == 2
    assert len(large.json) == 17
    assert len(many) == len(few), many
    assert len(many) <= 4, many  # the token's sign-in, the institution, the count and the page


# --- create ---------------------------------------------------------------------------------


def test_admin_adds_contact(client, admin, home):
    response = client.post(contacts_url(home.id), json=BODY, headers=admin.headers)

    assert response.status_code == 201, response.json
    body = response.json
    assert body == with_server_fields(body, {**BODY, "institution_id": home.id})
    assert response.headers["Location"].endswith(contact_url(home.id, body["id"]))
    assert response.headers["ETag"] == f'"{body["id"]}-1"'
    assert client.get(contact_url(home.id, body["id"]), headers=admin.headers).json == body


def test_create_with_name_only_fills_defaults(client, admin, home):
    response = client.post(contacts_url(home.id), json={"name": "Zarina"}, headers=admin.headers)

    assert response.status_code == 201, response.json
    body = response.json
    assert {k: body[k] for k in ("name", "position", "email", "phone", "roles")} == {
        "name": "Zarina",
        "position": None,
        "email": None,
        "phone": None,
        "roles": [],
    }


def test_coordinator_adds_contact_to_own_institution(client, coordinator, admin, dbs, home):
    response = client.post(contacts_url(home.id), json=BODY, headers=coordinator.headers)

    assert response.status_code == 201, response.json
    assert reloaded(dbs, Contact, response.json["id"]).institution_id == home.id
    events = audit_events_via_api(client, admin, action="institution_contacts.create")
    assert [(e["object_id"], e["actor_id"]) for e in events] == [
        (str(response.json["id"]), coordinator.user.id)
    ]


def test_coordinator_cannot_add_contact_to_another_institution(client, coordinator, dbs, foreign):
    assert_problem(client.post(contacts_url(foreign.id), json=BODY, headers=coordinator.headers), 403)
    assert row_count(dbs, Contact) == 0


def test_analyst_cannot_add_contact(client, analyst, dbs, home):
    assert_problem(client.post(contacts_url(home.id), json=BODY, headers=analyst.headers), 403)
    assert row_count(dbs, Contact) == 0


def test_api_client_cannot_add_contact(app, client, dbs, home):
    headers = client_headers(app, ["catalogue:read", "participants:write"], institution=home)
    assert_problem(client.post(contacts_url(home.id), json=BODY, headers=headers), 403)
    assert row_count(dbs, Contact) == 0


def test_create_without_token_is_401(client, dbs, home):
    assert_problem(client.post(contacts_url(home.id), json=BODY), 401)
    assert row_count(dbs, Contact) == 0


def test_create_under_unknown_institution_is_404(client, admin, dbs):
    assert_problem(client.post(contacts_url(424242), json=BODY, headers=admin.headers), 404)
    assert row_count(dbs, Contact) == 0


def test_create_requires_name(client, admin, home):
    assert_validation(
        client.post(contacts_url(home.id), json={"roles": ["head"]}, headers=admin.headers), "name"
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": None}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"position": "p" * 201}, "position"),
        ({"roles": ["boss"]}, "roles.0"),
        ({"roles": ["head", "head"]}, "roles"),
        ({"roles": "head"}, "roles"),
        ({"institution_id": 1}, "institution_id"),
        ({"id": 5}, "id"),
        ({"nickname": "Aika"}, "nickname"),
    ],
)
def test_create_rejects_invalid_field(client, admin, dbs, home, change, field):
    response = client.post(contacts_url(home.id), json={**BODY, **change}, headers=admin.headers)

    assert_validation(response, field)
    assert row_count(dbs, Contact) == 0


def test_create_with_idempotency_key_creates_once(client, admin, dbs, home):
    headers = {**admin.headers, "Idempotency-Key": "contact-retry-1"}
    first = client.post(contacts_url(home.id), json=BODY, headers=headers)
    second = client.post(contacts_url(home.id), json=BODY, headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.json == first.json
    assert row_count(dbs, Contact) == 1


# --- read one -------------------------------------------------------------------------------


def test_get_contact_returns_whole_object_and_etag(client, admin, home, home_contact):
    response = client.get(contact_url(home.id, home_contact.id), headers=admin.headers)

    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{home_contact.id}-1"'
    assert response.json == expected_contact(
        home_contact,
        name="Daniyar Seitkali",
        position="Rector",
        email="rector@home.example.kz",
        phone="+7 7172 000000",
        roles=["head", "signatory"],
        institution_id=home.id,
    )


def test_coordinator_reads_own_contact(client, coordinator, home, home_contact):
    response = client.get(contact_url(home.id, home_contact.id), headers=coordinator.headers)
    assert response.status_code == 200
    assert response.json["name"] == "Daniyar Seitkali"


def test_contact_under_another_institutions_path_is_404(client, admin, home, foreign, home_contact):
    body = assert_problem(client.get(contact_url(foreign.id, home_contact.id), headers=admin.headers), 404)
    assert "Daniyar" not in body["detail"]


def test_unknown_contact_is_404(client, admin, home):
    assert_problem(client.get(contact_url(home.id, 424242), headers=admin.headers), 404)


def test_get_contact_without_token_is_401(client, home, home_contact):
    assert_problem(client.get(contact_url(home.id, home_contact.id)), 401)


# --- update ---------------------------------------------------------------------------------


def test_coordinator_updates_own_contact(client, coordinator, admin, dbs, home, home_contact):
    changes = {"position": "Vice-rector", "phone": None, "roles": ["focal_point"]}
    response = client.patch(contact_url(home.id, home_contact.id), json=changes, headers=coordinator.headers)

    assert response.status_code == 200, response.json
    body = response.json
    assert body == expected_contact(home_contact, **changes, updated_at=body["updated_at"])
    assert assert_timestamp(body["updated_at"]) > home_contact.updated_at
    assert response.headers["ETag"] == f'"{home_contact.id}-2"'
    assert reloaded(dbs, Contact, home_contact.id).roles == ["focal_point"]
    events = audit_events_via_api(client, admin, action="institution_contacts.update")
    assert [(e["object_id"], e["actor_id"], e["details"]) for e in events] == [
        (str(home_contact.id), coordinator.user.id, {"fields": ["phone", "position", "roles"]})
    ]


def test_admin_updates_any_contact(client, admin, dbs, foreign, away_contact):
    response = client.patch(
        contact_url(foreign.id, away_contact.id), json={"name": "Bakyt A."}, headers=admin.headers
    )

    assert response.status_code == 200, response.json
    assert reloaded(dbs, Contact, away_contact.id).name == "Bakyt A."


def test_coordinator_cannot_update_another_institutions_contact(
    client, coordinator, dbs, foreign, away_contact
):
    response = client.patch(
        contact_url(foreign.id, away_contact.id), json={"name": "X"}, headers=coordinator.headers
    )

    assert_problem(response, 403)
    assert reloaded(dbs, Contact, away_contact.id).name == "Bakyt Asanov"


def test_update_through_wrong_institution_path_is_404(
    client, coordinator, admin, dbs, home, foreign, away_contact
):
    # Not even the admin can reach a contact through another institution's path.
    for actor in (coordinator, admin):
        response = client.patch(
            contact_url(home.id, away_contact.id), json={"name": "X"}, headers=actor.headers
        )
        assert_problem(response, 404)
    assert reloaded(dbs, Contact, away_contact.id).name == "Bakyt Asanov"


def test_analyst_cannot_update_contact(client, analyst, dbs, home, home_contact):
    response = client.patch(
        contact_url(home.id, home_contact.id), json={"name": "X"}, headers=analyst.headers
    )
    assert_problem(response, 403)
    assert reloaded(dbs, Contact, home_contact.id).name == "Daniyar Seitkali"


def test_update_without_token_is_401(client, home, home_contact):
    assert_problem(client.patch(contact_url(home.id, home_contact.id), json={"name": "X"}), 401)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"name": " "}, "name"),
        ({"roles": None}, "roles"),
        ({"roles": ["signatory", "boss"]}, "roles.1"),
        ({"email": "nope"}, "email"),
        ({"institution_id": 2}, "institution_id"),
        ({"created_at": "2024-01-01T00:00:00Z"}, "created_at"),
    ],
)
def test_update_rejects_invalid_field(client, admin, dbs, home, home_contact, change, field):
    response = client.patch(contact_url(home.id, home_contact.id), json=change, headers=admin.headers)

    assert_validation(response, field)
    assert reloaded(dbs, Contact, home_contact.id).version == 1


def test_update_with_stale_if_match_is_412(client, coordinator, dbs, home, home_contact):
    url = contact_url(home.id, home_contact.id)
    etag = client.get(url, headers=coordinator.headers).headers["ETag"]
    first = client.patch(url, json={"position": "Dean"}, headers={**coordinator.headers, "If-Match": etag})
    assert first.status_code == 200

    stale = client.patch(url, json={"position": "Provost"}, headers={**coordinator.headers, "If-Match": etag})

    assert_problem(stale, 412)
    assert reloaded(dbs, Contact, home_contact.id).position == "Dean"


def test_update_with_current_or_without_if_match_is_accepted(client, coordinator, home, home_contact):
    url = contact_url(home.id, home_contact.id)
    etag = client.get(url, headers=coordinator.headers).headers["ETag"]

    current = client.patch(url, json={"position": "Dean"}, headers={**coordinator.headers, "If-Match": etag})
    unconditional = client.patch(url, json={"position": "Provost"}, headers=coordinator.headers)

    assert current.status_code == 200, current.json
    assert unconditional.status_code == 200, unconditional.json
    assert unconditional.json["position"] == "Provost"
    assert unconditional.headers["ETag"] == f'"{home_contact.id}-3"'


# --- delete ---------------------------------------------------------------------------------


def test_coordinator_deletes_own_contact(client, coordinator, admin, dbs, home, home_contact):
    contact_id = home_contact.id
    response = client.delete(contact_url(home.id, contact_id), headers=coordinator.headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert_problem(client.get(contact_url(home.id, contact_id), headers=coordinator.headers), 404)
    assert reloaded(dbs, Contact, contact_id) is None
    events = audit_events_via_api(client, admin, action="institution_contacts.delete")
    assert [(e["object_id"], e["actor_id"]) for e in events] == [(str(contact_id), coordinator.user.id)]


def test_coordinator_cannot_delete_another_institutions_contact(
    client, coordinator, dbs, foreign, away_contact
):
    assert_problem(client.delete(contact_url(foreign.id, away_contact.id), headers=coordinator.headers), 403)
    assert reloaded(dbs, Contact, away_contact.id) is not None


def test_delete_through_wrong_institution_path_is_404(client, admin, dbs, home, away_contact):
    assert_problem(client.delete(contact_url(home.id, away_contact.id), headers=admin.headers), 404)
    assert reloaded(dbs, Contact, away_contact.id) is not None


def test_analyst_cannot_delete_contact(client, analyst, dbs, home, home_contact):
    assert_problem(client.delete(contact_url(home.id, home_contact.id), headers=analyst.headers), 403)
    assert reloaded(dbs, Contact, home_contact.id) is not None


def test_delete_without_token_is_401(client, dbs, home, home_contact):
    assert_problem(client.delete(contact_url(home.id, home_contact.id)), 401)
    assert reloaded(dbs, Contact, home_contact.id) is not None


def test_delete_with_stale_if_match_is_412(client, admin, dbs, home, home_contact):
    response = client.delete(
        contact_url(home.id, home_contact.id), headers={**admin.headers, "If-Match": f'"{home_contact.id}-9"'}
    )
    assert_problem(response, 412)
    assert reloaded(dbs, Contact, home_contact.id) is not None


def test_delete_with_current_if_match(client, admin, dbs, home, home_contact):
    url = contact_url(home.id, home_contact.id)
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    assert client.delete(url, headers={**admin.headers, "If-Match": etag}).status_code == 204
    assert row_count(dbs, Contact) == 0
