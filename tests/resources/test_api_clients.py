"""Partner-system credentials: the secret shown once, rotation, revocation, and deletion."""

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from hub_api.models import ApiClient, TokenFamily
from tests.factories import TEST_PASSWORD, ApiClientFactory
from tests.helpers import audit_rows, bearer, client_credentials, reloaded, row_count, statements_for_get
from tests.problems import assert_problem

CLIENT_KEYS = {
    "id",
    "created_at",
    "updated_at",
    "client_id",
    "name",
    "institution_id",
    "scopes",
    "is_active",
    "secret_rotated_at",
    "last_used_at",
}
UNKNOWN_SCOPE = [
    "Must be one of: catalogue:read, participants:read, participants:write, "
    "enrolments:write, stats:read, webhooks:manage."
]


def token_for(client, client_id: str, secret: str = TEST_PASSWORD) -> dict:
    response = client_credentials(client, client_id, secret)
    assert response.status_code == 200, response.json
    return bearer(response.json["access_token"])


def create(client, admin, **body):
    payload = {"name": "Home LMS", "scopes": ["catalogue:read"], **body}
    return client.post("/api/v1/api-clients", json=payload, headers=admin.headers)


# --- access --------------------------------------------------------------------------------

ROUTES = [
    ("get", "/api/v1/api-clients", None),
    ("post", "/api/v1/api-clients", {"name": "X", "scopes": ["catalogue:read"]}),
    ("get", "/api/v1/api-clients/{id}", None),
    ("patch", "/api/v1/api-clients/{id}", {"is_active": False}),
    ("post", "/api/v1/api-clients/{id}/rotate-secret", None),
    ("delete", "/api/v1/api-clients/{id}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.parametrize("role", ["coordinator", "analyst", "api_client"])
def test_only_hub_admins_manage_api_clients(request, client, dbs, home, method, path, body, role):
    target = ApiClientFactory(name="Target")
    if role == "api_client":
        every_scope = ApiClientFactory(scopes=["catalogue:read", "webhooks:manage", "stats:read"])
        headers = token_for(client, every_scope.client_id)
    else:
        headers = request.getfixturevalue(role).headers

    response = getattr(client, method)(path.format(id=target.id), json=body, headers=headers)

    assert_problem(response, 403)
    after = reloaded(dbs, ApiClient, target.id)
    assert (after.name, after.is_active, after.secret_hash) == ("Target", True, target.secret_hash)
    assert client_credentials(client, target.client_id, TEST_PASSWORD).status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_anonymous_callers_are_401(client, dbs, method, path, body):
    target = ApiClientFactory()
    response = getattr(client, method)(path.format(id=target.id), json=body)
    assert_problem(response, 401)


# --- create and read -----------------------------------------------------------------------


def test_create_shows_the_secret_once(client, dbs, admin, home):
    response = create(client, admin, institution_id=home.id, scopes=["participants:read", "catalogue:read"])

    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == CLIENT_KEYS | {"client_secret"}
    pk, secret = body["id"], body["client_secret"]
    assert body["client_id"].startswith("hub_") and len(body["client_id"]) == 28
    assert len(secret) >= 40
    assert {k: v for k, v in body.items() if k not in ("created_at", "updated_at", "secret_rotated_at")} == {
        "id": pk,
        "client_id": body["client_id"],
        "client_secret": secret,
        "name": "Home LMS",
        "institution_id": home.id,
        "scopes": ["participants:read", "catalogue:read"],
        "is_active": True,
        "last_used_at": None,
    }
    assert body["secret_rotated_at"].endswith("+00:00")
    assert response.headers["Location"].endswith(f"/api/v1/api-clients/{pk}")
    assert response.headers["ETag"] == f'"{pk}-1"'
    row = reloaded(dbs, ApiClient, pk)
    assert row.secret_hash.startswith("$argon2id$") and secret not in row.secret_hash
    assert PasswordHasher().verify(row.secret_hash, secret)

    fetched = client.get(f"/api/v1/api-clients/{pk}", headers=admin.headers)
    assert fetched.status_code == 200
    assert set(fetched.json) == CLIENT_KEYS
    assert fetched.headers["ETag"] == f'"{pk}-1"'
    listed = client.get("/api/v1/api-clients", headers=admin.headers)
    assert [set(c) for c in listed.json] == [CLIENT_KEYS]
    for text in (fetched.get_data(as_text=True), listed.get_data(as_text=True)):
        assert secret not in text

    [event] = audit_rows(dbs, action="api_clients.create")
    assert (event.actor_id, event.object_id) == (admin.user.id, str(pk))
    assert secret not in str(event.details)

    # The secret works at the token endpoint, for exactly the granted scopes.
    headers = token_for(client, body["client_id"], secret)
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.json == {
        "kind": "api_client",
        "id": pk,
        "name": "Home LMS",
        "role": None,
        "institution_id": home.id,
        "scopes": ["catalogue:read", "participants:read"],
    }
    assert client.get(f"/api/v1/api-clients/{pk}", headers=admin.headers).json["last_used_at"]


def test_hub_wide_client(client, dbs, admin):
    response = create(client, admin, name="Hub dashboard", scopes=["stats:read"])
    assert response.status_code == 201
    assert response.json["institution_id"] is None


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"scopes": []}, {"scopes": ["Shorter than minimum length 1."]}),
        (
            {"scopes": ["admin"]},
            {"scopes.0": UNKNOWN_SCOPE},
        ),
        ({"scopes": None}, {"scopes": ["Field may not be null."]}),
        ({"name": ""}, {"name": ["Length must be between 1 and 200."]}),
        ({"institution_id": 9999}, {"institution_id": ["No institution with id 9999."]}),
        ({"client_secret": "mine"}, {"client_secret": ["Unknown field."]}),
        ({"client_id": "hub_mine"}, {"client_id": ["Unknown field."]}),
        ({"is_active": False}, {"is_active": ["Unknown field."]}),
        ({"secret_hash": "x"}, {"secret_hash": ["Unknown field."]}),
    ],
)
def test_create_validation(client, dbs, admin, body, errors):
    response = create(client, admin, **body)

    assert_problem(response, 422, errors=errors)
    assert row_count(dbs, ApiClient) == 0


@pytest.mark.parametrize("missing", ["name", "scopes"])
def test_create_requires_name_and_scopes(client, dbs, admin, missing):
    payload = {"name": "Home LMS", "scopes": ["catalogue:read"]}
    del payload[missing]
    response = client.post("/api/v1/api-clients", json=payload, headers=admin.headers)
    assert_problem(response, 422, errors={missing: ["Missing data for required field."]})


def test_get_unknown_client_is_404(client, admin):
    body = assert_problem(client.get("/api/v1/api-clients/9999", headers=admin.headers), 404)
    assert body["detail"] == "There is no API client with id 9999."


# --- list ----------------------------------------------------------------------------------


def test_list_sorted_by_name_and_filtered(client, dbs, admin, home, foreign):
    b = ApiClientFactory(name="B portal", institution_id=home.id)
    a = ApiClientFactory(name="A registry", institution_id=foreign.id, is_active=False)
    c = ApiClientFactory(name="C hub", institution_id=None)

    def ids(query: str = "") -> list[int]:
        response = client.get(f"/api/v1/api-clients?{query}", headers=admin.headers)
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json]

    assert ids() == [a.id, b.id, c.id]
    assert ids("sort=-name") == [c.id, b.id, a.id]
    assert ids(f"institution_id={home.id}") == [b.id]
    assert ids("is_active=false") == [a.id]
    assert ids("is_active=true") == [b.id, c.id]
    assert ids("page_size=2&page=2") == [c.id]
    paged = client.get("/api/v1/api-clients?page_size=2&is_active=true", headers=admin.headers)
    assert paged.headers["X-Total-Count"] == "2"
    assert_problem(
        client.get("/api/v1/api-clients?sort=secret_hash", headers=admin.headers),
        422,
        errors={
            "sort": [
                "Cannot sort by secret_hash; use one of created_at, name, updated_at, optionally "
                "prefixed with '-' for descending, comma-separated."
            ]
        },
    )


def test_list_query_count_does_not_grow_with_rows(client, dbs, admin, home, count_queries):
    def run() -> int:
        return statements_for_get(count_queries, client, "/api/v1/api-clients?page_size=100", admin.headers)

    ApiClientFactory(institution_id=home.id)
    few = run()
    for _ in range(15):
        ApiClientFactory(institution_id=home.id)
    assert run() == few
    assert few <= 4


# --- rotation ------------------------------------------------------------------------------


def test_rotate_secret(client, dbs, admin):
    partner = ApiClientFactory(name="Partner LMS")
    old_token = token_for(client, partner.client_id)
    before = reloaded(dbs, ApiClient, partner.id)
    rotated_before, version_before = before.secret_rotated_at, before.version

    response = client.post(f"/api/v1/api-clients/{partner.id}/rotate-secret", headers=admin.headers)

    assert response.status_code == 200, response.json
    body = response.json
    assert set(body) == CLIENT_KEYS | {"client_secret"}
    assert (body["id"], body["client_id"], body["name"]) == (partner.id, partner.client_id, "Partner LMS")
    new_secret = body["client_secret"]
    assert new_secret != TEST_PASSWORD
    after = reloaded(dbs, ApiClient, partner.id)
    assert after.secret_rotated_at > rotated_before
    assert body["secret_rotated_at"] == after.secret_rotated_at.isoformat()
    assert after.version == version_before + 1
    # The old secret and the tokens it got are dead; the new secret works.
    assert_problem(client_credentials(client, partner.client_id, TEST_PASSWORD), 401)
    assert_problem(client.get("/api/v1/institutions", headers=old_token), 401)
    new_token = token_for(client, partner.client_id, new_secret)
    assert client.get("/api/v1/institutions", headers=new_token).status_code == 200
    # It is shown only in that response.
    assert new_secret not in client.get(f"/api/v1/api-clients/{partner.id}", headers=admin.headers).get_data(
        as_text=True
    )
    [event] = audit_rows(dbs, action="api_clients.update", object_id=str(partner.id))
    assert event.details == {"fields": ["secret_hash", "secret_rotated_at"]}
    assert new_secret not in str(event.details)


def test_rotate_twice_only_the_latest_secret_works(client, dbs, admin):
    partner = ApiClientFactory()
    path = f"/api/v1/api-clients/{partner.id}/rotate-secret"
    first = client.post(path, headers=admin.headers).json["client_secret"]
    second = client.post(path, headers=admin.headers).json["client_secret"]

    assert first != second
    assert_problem(client_credentials(client, partner.client_id, first), 401)
    assert client_credentials(client, partner.client_id, second).status_code == 200


def test_rotate_unknown_client_is_404(client, admin):
    assert_problem(client.post("/api/v1/api-clients/9999/rotate-secret", headers=admin.headers), 404)


# --- change --------------------------------------------------------------------------------


def patch(client, admin, pk: int, changes: dict, **headers):
    return client.patch(f"/api/v1/api-clients/{pk}", json=changes, headers={**admin.headers, **headers})


def test_deactivating_a_client_kills_its_tokens_and_refuses_new_ones(client, dbs, admin):
    partner = ApiClientFactory()
    headers = token_for(client, partner.client_id)
    assert client.get("/api/v1/institutions", headers=headers).status_code == 200

    response = patch(client, admin, partner.id, {"is_active": False})

    assert response.status_code == 200
    assert response.json["is_active"] is False
    assert_problem(client.get("/api/v1/institutions", headers=headers), 401)
    assert_problem(client_credentials(client, partner.client_id, TEST_PASSWORD), 401)
    dbs.expire_all()
    families = dbs.scalars(sa.select(TokenFamily).where(TokenFamily.api_client_id == partner.id))
    assert {f.revoked_reason for f in families} == {"client_changed"}
    # Reactivated, it may ask for tokens again; the old one stays dead.
    assert patch(client, admin, partner.id, {"is_active": True}).status_code == 200
    assert client_credentials(client, partner.client_id, TEST_PASSWORD).status_code == 200
    assert_problem(client.get("/api/v1/institutions", headers=headers), 401)


def test_changing_scopes_ends_earlier_tokens(client, dbs, admin):
    partner = ApiClientFactory(scopes=["catalogue:read"])
    headers = token_for(client, partner.client_id)

    response = patch(client, admin, partner.id, {"scopes": ["stats:read"]})

    assert response.status_code == 200
    assert response.json["scopes"] == ["stats:read"]
    assert_problem(client.get("/api/v1/institutions", headers=headers), 401)
    fresh = token_for(client, partner.client_id)
    assert client.get("/api/v1/auth/me", headers=fresh).json["scopes"] == ["stats:read"]
    assert_problem(client.get("/api/v1/institutions", headers=fresh), 403)


def test_renaming_keeps_tokens_and_honours_if_match(client, dbs, admin):
    partner = ApiClientFactory(name="Old")
    headers = token_for(client, partner.client_id)
    # Using the client records `last_used_at`, so read the ETag after that.
    etag = client.get(f"/api/v1/api-clients/{partner.id}", headers=admin.headers).headers["ETag"]

    renamed = patch(client, admin, partner.id, {"name": "New"}, **{"If-Match": etag})
    stale = patch(client, admin, partner.id, {"name": "Stale"}, **{"If-Match": etag})

    assert renamed.status_code == 200
    assert renamed.json["name"] == "New"
    assert renamed.headers["ETag"] != etag
    assert_problem(stale, 412)
    assert reloaded(dbs, ApiClient, partner.id).name == "New"
    assert client.get("/api/v1/institutions", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"scopes": []}, {"scopes": ["Shorter than minimum length 1."]}),
        (
            {"scopes": ["root"]},
            {"scopes.0": UNKNOWN_SCOPE},
        ),
        ({"name": None}, {"name": ["Field may not be null."]}),
        ({"client_id": "hub_x"}, {"client_id": ["Unknown field."]}),
        ({"secret_hash": "x"}, {"secret_hash": ["Unknown field."]}),
    ],
)
def test_patch_validation(client, dbs, admin, changes, errors):
    partner = ApiClientFactory()
    assert_problem(patch(client, admin, partner.id, changes), 422, errors=errors)
    after = reloaded(dbs, ApiClient, partner.id)
    assert (after.version, after.scopes, after.client_id) == (1, ["catalogue:read"], partner.client_id)


def test_patch_unknown_client_is_404(client, admin):
    assert_problem(patch(client, admin, 9999, {"name": "X"}), 404)


# --- delete --------------------------------------------------------------------------------


def test_delete_client(client, dbs, admin):
    partner = ApiClientFactory()
    pk, client_id = partner.id, partner.client_id
    headers = token_for(client, client_id)

    stale = client.delete(f"/api/v1/api-clients/{pk}", headers={**admin.headers, "If-Match": '"x-9"'})
    assert_problem(stale, 412)
    response = client.delete(f"/api/v1/api-clients/{pk}", headers=admin.headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert reloaded(dbs, ApiClient, pk) is None
    assert_problem(client.get(f"/api/v1/api-clients/{pk}", headers=admin.headers), 404)
    assert_problem(client.get("/api/v1/institutions", headers=headers), 401)
    assert_problem(client_credentials(client, client_id, TEST_PASSWORD), 401)
    [event] = audit_rows(dbs, action="api_clients.delete")
    assert (event.actor_id, event.object_id) == (admin.user.id, str(pk))


def test_delete_unknown_client_is_404(client, admin):
    assert_problem(client.delete("/api/v1/api-clients/9999", headers=admin.headers), 404)
