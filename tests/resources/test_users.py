"""User accounts, managed by hub administrators."""

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from hub_api.models import TokenFamily, User
from hub_api.models.enums import Role
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import audit_rows, bearer, login, reloaded, row_count, statements_for_get
from tests.problems import assert_problem

USER_KEYS = {
    "id",
    "created_at",
    "updated_at",
    "email",
    "full_name",
    "role",
    "institution_id",
    "is_active",
    "last_login_at",
}
NEW_PASSWORD = "a-brand-new-passphrase"


def user_json(user: User, **overrides) -> dict:
    """The representation the API must give of a user row (timestamps checked separately)."""
    body = {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role.value,
        "institution_id": user.institution_id,
        "is_active": user.is_active,
        "last_login_at": None,
        **overrides,
    }
    return body


def without_timestamps(item: dict) -> dict:
    assert item["created_at"].endswith("+00:00") and item["updated_at"].endswith("+00:00")
    return {k: v for k, v in item.items() if k not in ("created_at", "updated_at")}


def new_user_body(**overrides) -> dict:
    return {
        "email": "new.analyst@hub.example",
        "full_name": "Aigerim Nurlanovna",
        "password": NEW_PASSWORD,
        "role": "analyst",
        **overrides,
    }


# --- access --------------------------------------------------------------------------------

ROUTES = [
    ("get", "/api/v1/users", None),
    ("post", "/api/v1/users", new_user_body()),
    ("get", "/api/v1/users/{id}", None),
    ("patch", "/api/v1/users/{id}", {"full_name": "Changed"}),
    ("delete", "/api/v1/users/{id}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.parametrize("role", ["coordinator", "analyst"])
def test_only_hub_admins_manage_users(request, client, dbs, method, path, body, role):
    caller = request.getfixturevalue(role)
    target = UserFactory(full_name="Target")

    response = getattr(client, method)(path.format(id=target.id), json=body, headers=caller.headers)

    problem = assert_problem(response, 403)
    assert problem["type"] == "urn:hub-api:problem:forbidden"
    after = reloaded(dbs, User, target.id)
    assert after is not None and after.full_name == "Target"
    assert row_count(dbs, User) == 2
    [denied] = audit_rows(dbs, action="permission.denied")
    assert (denied.outcome, denied.actor_id) == ("denied", caller.user.id)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_anonymous_callers_are_401(client, dbs, method, path, body):
    target = UserFactory()
    response = getattr(client, method)(path.format(id=target.id), json=body)
    assert_problem(response, 401)
    assert reloaded(dbs, User, target.id) is not None


# --- list ----------------------------------------------------------------------------------


def test_list_users_sorted_by_email_with_paging_headers(client, admin, coordinator, analyst, home):
    response = client.get("/api/v1/users", headers=admin.headers)

    assert response.status_code == 200
    assert [without_timestamps(u) for u in response.json] == [
        user_json(admin.user),
        user_json(analyst.user),
        user_json(coordinator.user, institution_id=home.id),
    ]
    assert response.headers["X-Total-Count"] == "3"
    assert 'rel="first"' in response.headers["Link"]
    assert 'rel="next"' not in response.headers["Link"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("role=coordinator", ["coord@home.example", "other.coord@home.example"]),
        ("role=analyst", ["analyst@hub.example", "zed@hub.example"]),
        ("is_active=false", ["zed@hub.example"]),
        ("is_active=true&role=analyst", ["analyst@hub.example"]),
        ("q=HOME.EXAMPLE", ["coord@home.example", "other.coord@home.example"]),
        ("q=zhanna", ["other.coord@home.example"]),
        ("q=ZHANNA", ["other.coord@home.example"]),
        ("q=50%25", ["zed@hub.example"]),
        ("q=nobody", []),
        ("sort=-email", None),
    ],
)
def test_list_users_filters(client, dbs, admin, coordinator, analyst, home, query, expected):
    UserFactory(
        email="other.coord@home.example",
        full_name="Zhanna Coordinator",
        role=Role.COORDINATOR,
        institution_id=home.id,
    )
    UserFactory(email="zed@hub.example", full_name="Zed 50% analyst", is_active=False)

    response = client.get(f"/api/v1/users?{query}", headers=admin.headers)

    assert response.status_code == 200, response.json
    emails = [u["email"] for u in response.json]
    if expected is None:  # sort=-email
        expected = sorted(emails, reverse=True)
        assert len(emails) == 5
    assert emails == expected
    assert response.headers["X-Total-Count"] == str(len(expected))


def test_list_users_q_matches_cyrillic_names_in_any_case(client, dbs, admin):
    ivan = UserFactory(email="ivan@hub.example", full_name="Иван Петров")

    for q in ("иван", "ИВАН", "Петров"):
        response = client.get("/api/v1/users", query_string={"q": q}, headers=admin.headers)
        assert [u["id"] for u in response.json] == [ivan.id], q


def test_list_users_filters_by_institution(client, dbs, admin, coordinator, home, foreign):
    away = UserFactory(role=Role.COORDINATOR, institution_id=foreign.id, email="c@away.example")

    mine = client.get(f"/api/v1/users?institution_id={home.id}", headers=admin.headers)
    theirs = client.get(f"/api/v1/users?institution_id={foreign.id}", headers=admin.headers)

    assert [u["id"] for u in mine.json] == [coordinator.user.id]
    assert [u["id"] for u in theirs.json] == [away.id]


def test_list_users_pages(client, dbs, admin):
    for n in range(4):
        UserFactory(email=f"u{n}@hub.example")

    first = client.get("/api/v1/users?page_size=2", headers=admin.headers)
    second = client.get("/api/v1/users?page_size=2&page=2", headers=admin.headers)
    last = client.get("/api/v1/users?page_size=2&page=3", headers=admin.headers)

    assert [u["email"] for u in first.json] == ["admin@hub.example", "u0@hub.example"]
    assert [u["email"] for u in second.json] == ["u1@hub.example", "u2@hub.example"]
    assert [u["email"] for u in last.json] == ["u3@hub.example"]
    assert {r.headers["X-Total-Count"] for r in (first, second, last)} == {"5"}
    link = second.headers["Link"]
    for rel, page in (("first", 1), ("prev", 1), ("next", 3), ("last", 3)):
        assert f'<http://localhost/api/v1/users?page_size=2&page={page}>; rel="{rel}"' in link


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page_size=101", "page_size"),
        ("page=0", "page"),
        ("sort=password_hash", "sort"),
        ("role=superuser", "role"),
        ("is_active=maybe", "is_active"),
    ],
)
def test_list_users_rejects_bad_arguments(client, admin, query, field):
    response = client.get(f"/api/v1/users?{query}", headers=admin.headers)

    assert_problem(response, 422, error_fields={field})


def test_list_users_query_count_does_not_grow_with_rows(client, dbs, admin, home, count_queries):
    def run() -> int:
        return statements_for_get(count_queries, client, "/api/v1/users?page_size=100", admin.headers)

    UserFactory(role=Role.COORDINATOR, institution_id=home.id)
    few = run()
    for _ in range(15):
        UserFactory(role=Role.COORDINATOR, institution_id=home.id)
    assert run() == few
    assert few <= 4


# --- create --------------------------------------------------------------------------------


def test_create_user(client, dbs, admin, home):
    response = client.post(
        "/api/v1/users",
        json=new_user_body(email="New.Coord@Home.Example", role="coordinator", institution_id=home.id),
        headers=admin.headers,
    )

    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == USER_KEYS
    user_id = body["id"]
    assert without_timestamps(body) == {
        "id": user_id,
        "email": "new.coord@home.example",
        "full_name": "Aigerim Nurlanovna",
        "role": "coordinator",
        "institution_id": home.id,
        "is_active": True,
        "last_login_at": None,
    }
    assert response.headers["Location"].endswith(f"/api/v1/users/{user_id}")
    assert response.headers["ETag"] == f'"{user_id}-1"'
    assert NEW_PASSWORD not in response.get_data(as_text=True)
    stored = reloaded(dbs, User, user_id)
    assert stored.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(stored.password_hash, NEW_PASSWORD)
    [event] = audit_rows(dbs, action="users.create", object_id=str(user_id))
    assert (event.actor_id, event.object_type, event.object_id) == (admin.user.id, "users", str(user_id))
    assert event.request_id == response.headers["X-Request-ID"]
    # The new account can sign in with its password, and the list shows it.
    assert login(client, "new.coord@home.example", NEW_PASSWORD).status_code == 200
    fetched = client.get(response.headers["Location"], headers=admin.headers)
    assert fetched.json["id"] == user_id and fetched.json["last_login_at"] is not None


def test_create_inactive_hub_admin(client, dbs, admin):
    response = client.post(
        "/api/v1/users",
        json=new_user_body(email="second@hub.example", role="hub_admin", is_active=False),
        headers=admin.headers,
    )

    assert response.status_code == 201
    assert (response.json["role"], response.json["is_active"]) == ("hub_admin", False)
    assert login(client, "second@hub.example", NEW_PASSWORD).status_code == 401


def test_create_user_with_a_taken_email_is_409(client, dbs, admin, analyst):
    response = client.post(
        "/api/v1/users", json=new_user_body(email="Analyst@Hub.Example"), headers=admin.headers
    )

    body = assert_problem(response, 409, errors={"email": ["a user with this email already exists"]})
    assert body["type"] == "urn:hub-api:problem:conflict"
    assert row_count(dbs, User) == 2
    assert audit_rows(dbs, action="users.create", actor_id=admin.user.id) == []


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"role": "coordinator"}, {"institution_id": ["A coordinator must belong to an institution."]}),
        (
            {"role": "coordinator", "institution_id": None},
            {"institution_id": ["A coordinator must belong to an institution."]},
        ),
        ({"password": "short-pass1"}, {"password": ["Use between 12 and 256 characters."]}),
        ({"password": None}, {"password": ["Field may not be null."]}),
        ({"email": "not-an-email"}, {"email": ["Not a valid email address."]}),
        ({"role": "root"}, {"role": ["Must be one of: hub_admin, coordinator, analyst."]}),
        ({"full_name": ""}, {"full_name": ["Length must be between 1 and 200."]}),
        ({"is_admin": True}, {"is_admin": ["Unknown field."]}),
        ({"id": 99}, {"id": ["Unknown field."]}),
        ({"last_login_at": "2024-01-01T00:00:00Z"}, {"last_login_at": ["Unknown field."]}),
        ({"password_hash": "$argon2id$x"}, {"password_hash": ["Unknown field."]}),
    ],
)
def test_create_user_validation(client, dbs, admin, changes, errors):
    response = client.post("/api/v1/users", json=new_user_body(**changes), headers=admin.headers)

    body = assert_problem(response, 422, errors=errors)
    assert body["type"] == "urn:hub-api:problem:validation-error"
    assert row_count(dbs, User) == 1


@pytest.mark.parametrize("missing", ["email", "full_name", "password", "role"])
def test_create_user_requires_fields(client, dbs, admin, missing):
    body = new_user_body()
    del body[missing]
    response = client.post("/api/v1/users", json=body, headers=admin.headers)
    assert_problem(response, 422, errors={missing: ["Missing data for required field."]})


def test_create_user_with_unknown_institution_is_422(client, dbs, admin):
    response = client.post(
        "/api/v1/users",
        json=new_user_body(role="coordinator", institution_id=9999),
        headers=admin.headers,
    )
    assert_problem(response, 422, errors={"institution_id": ["No institution with id 9999."]})


# --- get -----------------------------------------------------------------------------------


def test_get_user(client, admin, coordinator, home):
    response = client.get(f"/api/v1/users/{coordinator.user.id}", headers=admin.headers)

    assert response.status_code == 200
    assert without_timestamps(response.json) == user_json(coordinator.user, institution_id=home.id)
    assert response.headers["ETag"] == f'"{coordinator.user.id}-1"'


def test_get_unknown_user_is_404(client, admin):
    body = assert_problem(client.get("/api/v1/users/9999", headers=admin.headers), 404)
    assert body["detail"] == "There is no user with id 9999."


# --- change --------------------------------------------------------------------------------


def patch(client, admin, user_id: int, changes: dict, **headers):
    return client.patch(f"/api/v1/users/{user_id}", json=changes, headers={**admin.headers, **headers})


def test_patch_user_with_and_without_if_match(client, dbs, admin, analyst):
    first = patch(
        client, admin, analyst.user.id, {"full_name": "Dana"}, **{"If-Match": f'"{analyst.user.id}-1"'}
    )

    assert first.status_code == 200, first.json
    assert without_timestamps(first.json) == user_json(analyst.user, full_name="Dana")
    assert first.headers["ETag"] == f'"{analyst.user.id}-2"'

    stale = patch(
        client, admin, analyst.user.id, {"full_name": "Stale"}, **{"If-Match": f'"{analyst.user.id}-1"'}
    )
    body = assert_problem(stale, 412)
    assert f'"{analyst.user.id}-2"' in body["detail"]
    assert reloaded(dbs, User, analyst.user.id).full_name == "Dana"

    blind = patch(client, admin, analyst.user.id, {"full_name": "Blind", "email": "Dana@Hub.Example"})
    assert blind.status_code == 200
    assert (blind.json["full_name"], blind.json["email"]) == ("Blind", "dana@hub.example")
    assert blind.headers["ETag"] == f'"{analyst.user.id}-3"'
    events = audit_rows(dbs, action="users.update", object_id=str(analyst.user.id))
    assert [e.details for e in events] == [
        {"fields": ["full_name"]},
        {"fields": ["email", "full_name"]},
    ]
    # Nobody's sessions ended for a rename.
    assert client.get("/api/v1/auth/me", headers=analyst.headers).status_code == 200


def test_disabling_a_user_kills_their_tokens_at_once(client, dbs, admin, analyst):
    second = login(client, analyst.user.email).json

    response = patch(client, admin, analyst.user.id, {"is_active": False})

    assert response.status_code == 200
    assert response.json["is_active"] is False
    assert_problem(client.get("/api/v1/auth/me", headers=analyst.headers), 401)
    assert_problem(
        client.get("/api/v1/auth/me", headers=bearer(second["access_token"])),
        401,
    )
    refresh = bearer(analyst.tokens["refresh_token"])
    assert_problem(client.post("/api/v1/auth/refresh", headers=refresh), 401)
    assert_problem(login(client, analyst.user.email), 401)
    dbs.expire_all()
    families = dbs.scalars(sa.select(TokenFamily).where(TokenFamily.user_id == analyst.user.id))
    assert {f.revoked_reason for f in families} == {"account_changed"}
    # Re-enabling lets the person sign in again, but the old tokens stay dead.
    assert patch(client, admin, analyst.user.id, {"is_active": True}).status_code == 200
    assert login(client, analyst.user.email).status_code == 200
    assert_problem(client.get("/api/v1/auth/me", headers=analyst.headers), 401)
    # The admin's own session is untouched.
    assert client.get("/api/v1/auth/me", headers=admin.headers).status_code == 200


def test_changing_a_password_kills_live_tokens(client, dbs, admin, analyst):
    response = patch(client, admin, analyst.user.id, {"password": NEW_PASSWORD})

    assert response.status_code == 200
    assert "password" not in response.json and NEW_PASSWORD not in response.get_data(as_text=True)
    assert_problem(client.get("/api/v1/auth/me", headers=analyst.headers), 401)
    assert_problem(login(client, analyst.user.email, TEST_PASSWORD), 401)
    assert login(client, analyst.user.email, NEW_PASSWORD).status_code == 200
    stored = reloaded(dbs, User, analyst.user.id)
    assert stored.password_hash.startswith("$argon2id$")
    [event] = audit_rows(dbs, action="users.update", object_id=str(analyst.user.id))
    assert event.details == {"fields": ["password_hash"]}


@pytest.mark.parametrize("changes", [{"is_active": False}, {"role": "analyst"}, {"role": "coordinator"}])
def test_admin_cannot_disable_or_demote_itself(client, dbs, admin, home, changes):
    if changes.get("role") == "coordinator":
        changes = {**changes, "institution_id": home.id}

    response = patch(client, admin, admin.user.id, changes)

    body = assert_problem(response, 409)
    assert body["detail"] == "You cannot disable or demote your own account; ask another hub admin."
    stored = reloaded(dbs, User, admin.user.id)
    assert (stored.role, stored.is_active) == (Role.HUB_ADMIN, True)
    assert client.get("/api/v1/auth/me", headers=admin.headers).status_code == 200


def test_admin_may_rename_itself_and_disable_another_admin(client, dbs, admin):
    other = UserFactory(role=Role.HUB_ADMIN, email="other.admin@hub.example")

    assert patch(client, admin, admin.user.id, {"full_name": "Me", "role": "hub_admin"}).status_code == 200
    response = patch(client, admin, other.id, {"is_active": False, "role": "analyst"})

    assert response.status_code == 200
    assert (response.json["role"], response.json["is_active"]) == ("analyst", False)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"role": "coordinator"}, {"institution_id": ["Required for coordinators."]}),
        ({"institution_id": 9999}, {"institution_id": ["No institution with id 9999."]}),
        ({"password": "too-short"}, {"password": ["Use between 12 and 256 characters."]}),
        ({"email": None}, {"email": ["Field may not be null."]}),
        ({"role": None}, {"role": ["Field may not be null."]}),
        ({"is_active": None}, {"is_active": ["Field may not be null."]}),
        ({"version": 7}, {"version": ["Unknown field."]}),
    ],
)
def test_patch_user_validation(client, dbs, admin, analyst, changes, errors):
    response = patch(client, admin, analyst.user.id, changes)

    assert_problem(response, 422, errors=errors)
    stored = reloaded(dbs, User, analyst.user.id)
    assert (stored.role, stored.institution_id, stored.version) == (Role.ANALYST, None, 1)


def test_coordinator_keeps_an_institution(client, dbs, admin, coordinator):
    response = patch(client, admin, coordinator.user.id, {"institution_id": None})
    assert_problem(response, 422, errors={"institution_id": ["Required for coordinators."]})


def test_patch_to_a_taken_email_is_409(client, dbs, admin, analyst):
    response = patch(client, admin, analyst.user.id, {"email": "ADMIN@hub.example"})

    assert_problem(response, 409, errors={"email": ["a user with this email already exists"]})
    assert reloaded(dbs, User, analyst.user.id).email == "analyst@hub.example"


def test_patch_unknown_user_is_404(client, admin):
    assert_problem(patch(client, admin, 9999, {"full_name": "X"}), 404)


# --- delete --------------------------------------------------------------------------------


def test_delete_user(client, dbs, admin, analyst):
    user_id, email = analyst.user.id, analyst.user.email

    response = client.delete(f"/api/v1/users/{user_id}", headers=admin.headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert reloaded(dbs, User, user_id) is None
    assert_problem(client.get(f"/api/v1/users/{user_id}", headers=admin.headers), 404)
    assert_problem(client.get("/api/v1/auth/me", headers=analyst.headers), 401)
    assert_problem(login(client, email), 401)
    assert dbs.scalars(sa.select(TokenFamily).where(TokenFamily.user_id == user_id)).all() == []
    [event] = audit_rows(dbs, action="users.delete")
    assert (event.actor_id, event.object_type, event.object_id) == (admin.user.id, "users", str(user_id))
    # The email can be given to a new account afterwards.
    recreated = client.post("/api/v1/users", json=new_user_body(email=email), headers=admin.headers)
    assert recreated.status_code == 201


def test_delete_with_stale_if_match_is_412(client, dbs, admin, analyst):
    response = client.delete(
        f"/api/v1/users/{analyst.user.id}", headers={**admin.headers, "If-Match": '"1-99"'}
    )

    user_id = analyst.user.id
    assert_problem(response, 412)
    assert reloaded(dbs, User, user_id) is not None
    current = client.delete(
        f"/api/v1/users/{user_id}", headers={**admin.headers, "If-Match": f'"{user_id}-1"'}
    )
    assert current.status_code == 204


def test_admin_cannot_delete_itself(client, dbs, admin):
    response = client.delete(f"/api/v1/users/{admin.user.id}", headers=admin.headers)

    body = assert_problem(response, 409)
    assert body["detail"] == "You cannot delete your own account."
    assert reloaded(dbs, User, admin.user.id) is not None


def test_delete_unknown_user_is_404(client, admin):
    assert_problem(client.delete("/api/v1/users/9999", headers=admin.headers), 404)
