"""Sign-in, token refresh and revocation, client credentials, who-am-I, and token hygiene."""

import itertools
import os
import time
from datetime import timedelta

import jwt as pyjwt
import pytest
import sqlalchemy as sa
from flask_jwt_extended import create_access_token

from hub_api.extensions import db
from hub_api.models import TokenFamily, User
from hub_api.models.enums import Role, Scope
from tests.conftest import SECRET, make_app
from tests.factories import TEST_PASSWORD, ApiClientFactory, UserFactory
from tests.helpers import audit_rows, bearer, claims, client_credentials, login, reloaded, row_count
from tests.problems import assert_problem, assert_unauthorized

ALL_SCOPES = sorted(s.value for s in Scope)
# Every rate-limit test gets an address of its own, so counters never leak between tests.
_addresses = itertools.count(1)


def unique_address() -> str:
    n = next(_addresses)
    return f"10.{os.getpid() % 250}.{n // 250}.{n % 250 + 1}"


# --- login ---------------------------------------------------------------------------------


def test_login_returns_a_token_pair_that_works(client, dbs):
    user = UserFactory(email="ana@hub.example", role=Role.ANALYST)

    response = login(client, "ana@hub.example")

    assert response.status_code == 200, response.json
    body = response.json
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    access, refresh = claims(body["access_token"]), claims(body["refresh_token"])
    assert access["type"] == "access" and refresh["type"] == "refresh"
    assert access["sub"] == refresh["sub"] == f"user:{user.id}"
    assert access["fam"] == refresh["fam"]
    assert access["exp"] - access["iat"] == 900
    me = client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json["email"] == "ana@hub.example"
    assert reloaded(dbs, User, user.id).last_login_at is not None


def test_login_is_case_insensitive_on_email(client, dbs):
    UserFactory(email="case@hub.example")
    assert login(client, "Case@HUB.example").status_code == 200


def test_login_is_recorded_in_the_audit_trail(client, dbs):
    user = UserFactory(email="ana@hub.example")

    response = login(client, "ana@hub.example")

    assert response.status_code == 200
    [event] = audit_rows(dbs, action="auth.login")
    assert event.outcome == "success"
    assert (event.actor_type, event.actor_id, event.actor_label) == ("user", user.id, user.email)
    assert (event.object_type, event.object_id) == ("users", str(user.id))
    assert event.request_id == response.headers["X-Request-ID"]
    assert (event.method, event.path) == ("POST", "/api/v1/auth/login")


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ana@hub.example", "wrong-password-123"),
        ("nobody@hub.example", TEST_PASSWORD),
    ],
    ids=["wrong-password", "unknown-email"],
)
def test_failed_login_is_a_vague_401_and_is_audited(client, dbs, email, password):
    UserFactory(email="ana@hub.example")

    response = login(client, email, password)

    body = assert_unauthorized(response)
    assert body["detail"] == "Wrong email or password, or the account is disabled."
    assert "access_token" not in response.get_data(as_text=True)
    [event] = audit_rows(dbs, action="auth.login_failed")
    assert event.outcome == "denied"
    assert event.actor_type == "anonymous" and event.actor_id is None
    assert event.details == {"email": email}
    assert event.request_id == response.headers["X-Request-ID"]
    assert audit_rows(dbs, action="auth.login") == []


def test_disabled_account_cannot_sign_in_even_with_the_right_password(client, dbs):
    UserFactory(email="gone@hub.example", is_active=False)

    response = login(client, "gone@hub.example")

    body = assert_unauthorized(response)
    assert body["detail"] == "Wrong email or password, or the account is disabled."
    [event] = audit_rows(dbs, action="auth.login_failed")
    assert event.outcome == "denied"


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"email": "ana@hub.example"}, "password", "Missing data for required field."),
        ({"password": TEST_PASSWORD}, "email", "Missing data for required field."),
        (
            {"email": "ana@hub.example", "password": TEST_PASSWORD, "remember_me": True},
            "remember_me",
            "Unknown field.",
        ),
        ({"email": "not-an-email", "password": TEST_PASSWORD}, "email", "Not a valid email address."),
    ],
    ids=["no-password", "no-email", "unknown-field", "bad-email"],
)
def test_login_body_is_validated(client, dbs, payload, field, message):
    UserFactory(email="ana@hub.example")

    response = client.post("/api/v1/auth/login", json=payload)

    body = assert_problem(response, 422, errors={field: [message]})
    assert body["type"] == "urn:hub-api:problem:validation-error"
    assert audit_rows(dbs, action="auth.login") == []


def test_malformed_json_is_a_400_problem(client, dbs):
    response = client.post(
        "/api/v1/auth/login", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400, errors={"_schema": ["Invalid JSON body."]})


def test_login_is_rate_limited_with_retry_after(app, client, dbs, monkeypatch):
    UserFactory(email="ana@hub.example")
    monkeypatch.setitem(app.config, "HUB_LOGIN_RATE_LIMIT", "3 per minute")
    environ = {"REMOTE_ADDR": unique_address()}

    statuses = [
        login(client, "ana@hub.example", "wrong-password-123", environ_base=environ).status_code
        for _ in range(3)
    ]
    limited = login(client, "ana@hub.example", environ_base=environ)

    assert statuses == [401, 401, 401]
    body = assert_problem(limited, 429)
    assert body["title"] == "Too Many Requests"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    # The limit is per client address: another address still gets through.
    other = login(client, "ana@hub.example", environ_base={"REMOTE_ADDR": unique_address()})
    assert other.status_code == 200
    # A refused attempt never reached the password check.
    assert len(audit_rows(dbs, action="auth.login_failed")) == 3
    assert len(audit_rows(dbs, action="auth.login")) == 1


def test_login_limit_is_read_per_request(app, client, dbs, monkeypatch):
    UserFactory(email="ana@hub.example")
    environ = {"REMOTE_ADDR": unique_address()}
    monkeypatch.setitem(app.config, "HUB_LOGIN_RATE_LIMIT", "1 per minute")
    assert login(client, "ana@hub.example", environ_base=environ).status_code == 200
    assert login(client, "ana@hub.example", environ_base=environ).status_code == 429
    monkeypatch.setitem(app.config, "HUB_LOGIN_RATE_LIMIT", "5 per minute")
    assert login(client, "ana@hub.example", environ_base=environ).status_code == 200


# --- refresh -------------------------------------------------------------------------------


def test_refresh_returns_a_new_working_pair(client, analyst):
    old = analyst.tokens

    response = client.post("/api/v1/auth/refresh", headers=bearer(old["refresh_token"]))

    assert response.status_code == 200, response.json
    new = response.json
    assert set(new) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert (new["token_type"], new["expires_in"]) == ("Bearer", 900)
    assert new["access_token"] != old["access_token"]
    assert new["refresh_token"] != old["refresh_token"]
    assert claims(new["refresh_token"])["jti"] != claims(old["refresh_token"])["jti"]
    # Same sign-in, same subject.
    assert claims(new["access_token"])["fam"] == claims(old["access_token"])["fam"]
    assert claims(new["access_token"])["sub"] == f"user:{analyst.user.id}"
    me = client.get("/api/v1/auth/me", headers=bearer(new["access_token"]))
    assert me.status_code == 200 and me.json["id"] == analyst.user.id
    # The new refresh token can itself be used once.
    again = client.post("/api/v1/auth/refresh", headers=bearer(new["refresh_token"]))
    assert again.status_code == 200


def test_reusing_a_refresh_token_kills_the_whole_chain(client, dbs, analyst):
    old = analyst.tokens
    first = client.post("/api/v1/auth/refresh", headers=bearer(old["refresh_token"]))
    assert first.status_code == 200
    new = first.json

    reused = client.post("/api/v1/auth/refresh", headers=bearer(old["refresh_token"]))

    body = assert_unauthorized(reused)
    assert "already used" in body["detail"]
    for token in (new["access_token"], old["access_token"]):
        assert_unauthorized(client.get("/api/v1/auth/me", headers=bearer(token)))
    assert_unauthorized(client.post("/api/v1/auth/refresh", headers=bearer(new["refresh_token"])))
    fam = reloaded(dbs, TokenFamily, claims(old["access_token"])["fam"])
    assert fam.revoked_at is not None and fam.revoked_reason == "refresh_reuse"
    [event] = audit_rows(dbs, action="auth.refresh_reuse")
    assert (event.outcome, event.object_type, event.object_id) == ("denied", "token_families", fam.id)
    assert event.actor_id == analyst.user.id


def test_reuse_revokes_only_that_sign_in(client, analyst, app):
    other = login(client, analyst.user.email).json
    spent = bearer(analyst.tokens["refresh_token"])
    assert client.post("/api/v1/auth/refresh", headers=spent).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers=spent).status_code == 401

    assert client.get("/api/v1/auth/me", headers=bearer(other["access_token"])).status_code == 200
    refreshed = client.post("/api/v1/auth/refresh", headers=bearer(other["refresh_token"]))
    assert refreshed.status_code == 200


def test_access_token_cannot_refresh(client, analyst):
    response = client.post("/api/v1/auth/refresh", headers=analyst.headers)
    assert_unauthorized(response)


def test_refresh_token_cannot_call_the_api(client, admin):
    for path in ("/api/v1/auth/me", "/api/v1/users"):
        response = client.get(path, headers=bearer(admin.tokens["refresh_token"]))
        assert_unauthorized(response)


def test_refresh_without_a_token_is_401(client, dbs):
    assert_unauthorized(client.post("/api/v1/auth/refresh"))


def test_disabled_user_cannot_refresh(client, dbs, analyst):
    user = dbs.get(User, analyst.user.id)
    user.is_active = False
    dbs.commit()

    response = client.post("/api/v1/auth/refresh", headers=bearer(analyst.tokens["refresh_token"]))

    assert_unauthorized(response)


# --- logout --------------------------------------------------------------------------------


def test_logout_revokes_the_access_token_and_its_refresh_chain(client, dbs, analyst):
    other = login(client, analyst.user.email).json

    response = client.post("/api/v1/auth/logout", headers=analyst.headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert_unauthorized(client.get("/api/v1/auth/me", headers=analyst.headers))
    assert_unauthorized(client.post("/api/v1/auth/refresh", headers=bearer(analyst.tokens["refresh_token"])))
    assert_unauthorized(client.post("/api/v1/auth/logout", headers=analyst.headers))
    # Another sign-in of the same person is not affected.
    assert client.get("/api/v1/auth/me", headers=bearer(other["access_token"])).status_code == 200
    fam_id = claims(analyst.tokens["access_token"])["fam"]
    assert reloaded(dbs, TokenFamily, fam_id).revoked_reason == "logout"
    [event] = audit_rows(dbs, action="auth.logout")
    assert (event.actor_id, event.object_type, event.object_id) == (
        analyst.user.id,
        "token_families",
        fam_id,
    )


def test_logout_with_a_refreshed_access_token_kills_the_newest_refresh_token(client, analyst):
    new = client.post("/api/v1/auth/refresh", headers=bearer(analyst.tokens["refresh_token"])).json

    assert client.post("/api/v1/auth/logout", headers=bearer(new["access_token"])).status_code == 204

    assert_unauthorized(client.post("/api/v1/auth/refresh", headers=bearer(new["refresh_token"])))
    assert_unauthorized(client.get("/api/v1/auth/me", headers=analyst.headers))


def test_logout_survives_a_restart(app, client, dbs, analyst, admin):
    assert client.post("/api/v1/auth/logout", headers=analyst.headers).status_code == 204

    restarted = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        fresh = restarted.test_client()
        assert_unauthorized(fresh.get("/api/v1/auth/me", headers=analyst.headers))
        assert_unauthorized(
            fresh.post("/api/v1/auth/refresh", headers=bearer(analyst.tokens["refresh_token"]))
        )
        # The restarted app does accept tokens that were never revoked.
        assert fresh.get("/api/v1/auth/me", headers=admin.headers).status_code == 200
    finally:
        with restarted.app_context():
            db.session.remove()
            db.engine.dispose()


def test_logout_needs_a_token(client, dbs):
    assert_unauthorized(client.post("/api/v1/auth/logout"))


# --- token hygiene -------------------------------------------------------------------------


def _craft(app, subject: str, family_id: str | None, **kwargs) -> str:
    extra = {"fam": family_id} if family_id is not None else {}
    with app.app_context():
        return create_access_token(identity=subject, additional_claims=extra, **kwargs)


def test_expired_token_is_a_401_problem(app, client, analyst):
    fam = claims(analyst.tokens["access_token"])["fam"]
    subject = f"user:{analyst.user.id}"
    # The same claims with a future expiry are accepted, so only the expiry is at fault below.
    fresh = _craft(app, subject, fam, expires_delta=timedelta(minutes=5))
    assert client.get("/api/v1/auth/me", headers=bearer(fresh)).status_code == 200

    expired = _craft(app, subject, fam, expires_delta=timedelta(seconds=-1))
    body = assert_unauthorized(client.get("/api/v1/auth/me", headers=bearer(expired)))
    assert "expired" in body["detail"]


def test_access_tokens_expire_after_the_configured_lifetime(app, client, dbs, monkeypatch):
    UserFactory(email="ana@hub.example")
    monkeypatch.setitem(app.config, "JWT_ACCESS_TOKEN_EXPIRES", timedelta(seconds=2))
    pair = login(client, "ana@hub.example").json
    assert pair["expires_in"] == 2
    headers = bearer(pair["access_token"])
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200

    time.sleep(2.1)

    body = assert_unauthorized(client.get("/api/v1/auth/me", headers=headers))
    assert body["detail"] == "The token has expired; refresh it or sign in again."
    # The refresh token outlives it and still gets a new pair.
    refreshed = client.post("/api/v1/auth/refresh", headers=bearer(pair["refresh_token"]))
    assert refreshed.status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-a-jwt",
        "Bearer ",
        "Bearer a.b.c",
        "Token abc",
        "Basic YWRtaW46cGFzcw==",
    ],
)
def test_garbage_credentials_are_401_problems(client, dbs, authorization):
    response = client.get("/api/v1/auth/me", headers={"Authorization": authorization})
    body = assert_unauthorized(response)
    assert "msg" not in body


def test_anonymous_call_is_a_401_problem(client, dbs):
    body = assert_unauthorized(client.get("/api/v1/auth/me"))
    assert body["detail"].startswith("Authentication required")


def test_tampered_token_is_refused(client, analyst, admin):
    header, payload, signature = analyst.tokens["access_token"].split(".")
    # Someone swaps in the admin's claims but keeps the analyst's signature.
    _, admin_payload, _ = admin.tokens["access_token"].split(".")
    for token in (
        f"{header}.{admin_payload}.{signature}",
        f"{header}.{payload}.{signature[:-4]}AAAA",
    ):
        body = assert_unauthorized(client.get("/api/v1/auth/me", headers=bearer(token)))
        assert "msg" not in body


def test_token_signed_with_another_key_is_refused(client, analyst):
    forged = pyjwt.encode(
        {**claims(analyst.tokens["access_token"])}, "another-key-that-is-long-enough-for-hs256"
    )
    assert_unauthorized(client.get("/api/v1/auth/me", headers=bearer(forged)))
    unsigned = pyjwt.encode(claims(analyst.tokens["access_token"]), None, algorithm="none")
    assert_unauthorized(client.get("/api/v1/auth/me", headers=bearer(unsigned)))
    # The real key does make a token the API accepts (so the refusals above are about the key).
    genuine = pyjwt.encode(claims(analyst.tokens["access_token"]), SECRET, algorithm="HS256")
    assert client.get("/api/v1/auth/me", headers=bearer(genuine)).status_code == 200


def test_token_without_family_or_with_a_foreign_family_is_refused(app, client, analyst, admin):
    admin_fam = claims(admin.tokens["access_token"])["fam"]
    subject = f"user:{analyst.user.id}"
    assert_unauthorized(client.get("/api/v1/auth/me", headers=bearer(_craft(app, subject, None))))
    assert_unauthorized(client.get("/api/v1/auth/me", headers=bearer(_craft(app, subject, "no-such-family"))))
    # An analyst's subject riding on the admin's sign-in must not become the admin or analyst.
    assert_unauthorized(client.get("/api/v1/users", headers=bearer(_craft(app, subject, admin_fam))))


# --- who am I ------------------------------------------------------------------------------


def test_me_for_a_coordinator(client, coordinator, home):
    response = client.get("/api/v1/auth/me", headers=coordinator.headers)

    assert response.status_code == 200
    assert response.json == {
        "kind": "user",
        "id": coordinator.user.id,
        "email": "coord@home.example",
        "full_name": coordinator.user.full_name,
        "role": "coordinator",
        "institution_id": home.id,
        "scopes": [
            "catalogue:read",
            "enrolments:write",
            "participants:read",
            "participants:write",
            "stats:read",
        ],
    }


def test_me_for_an_analyst_lists_no_participant_scopes(client, analyst):
    response = client.get("/api/v1/auth/me", headers=analyst.headers)

    assert response.json["scopes"] == ["catalogue:read", "stats:read"]


def test_me_for_an_admin(client, admin):
    response = client.get("/api/v1/auth/me", headers=admin.headers)

    assert response.json == {
        "kind": "user",
        "id": admin.user.id,
        "email": "admin@hub.example",
        "full_name": admin.user.full_name,
        "role": "hub_admin",
        "institution_id": None,
        "scopes": ALL_SCOPES,
    }


# --- client credentials --------------------------------------------------------------------


def test_client_credentials_grant_issues_an_access_token(client, dbs, home):
    partner = ApiClientFactory(
        name="Home LMS", institution_id=home.id, scopes=["participants:read", "catalogue:read"]
    )

    response = client_credentials(client, partner.client_id)

    assert response.status_code == 200, response.json
    body = response.json
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 900)
    assert claims(body["access_token"])["sub"] == f"client:{partner.id}"
    me = client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json == {
        "kind": "api_client",
        "id": partner.id,
        "name": "Home LMS",
        "role": None,
        "institution_id": home.id,
        "scopes": ["catalogue:read", "participants:read"],
    }
    [event] = audit_rows(dbs, action="auth.client_token")
    assert (event.outcome, event.object_type, event.object_id) == ("success", "api_clients", str(partner.id))
    assert (event.actor_type, event.actor_id, event.actor_label) == ("api_client", partner.id, "Home LMS")
    assert reloaded(dbs, type(partner), partner.id).last_used_at is not None


@pytest.mark.parametrize("case", ["wrong-secret", "unknown-client", "revoked-client"])
def test_client_credentials_refusals_are_401(client, dbs, case):
    partner = ApiClientFactory(is_active=case != "revoked-client")
    client_id = "hub_nosuchclient" if case == "unknown-client" else partner.client_id
    secret = "not-the-secret" if case == "wrong-secret" else TEST_PASSWORD

    response = client_credentials(client, client_id, secret)

    body = assert_unauthorized(response)
    assert body["detail"] == "Unknown client, wrong secret, or revoked client."
    [event] = audit_rows(dbs, action="auth.client_token_failed")
    assert event.outcome == "denied"
    assert event.details == {"client_id": client_id}
    assert audit_rows(dbs, action="auth.client_token") == []


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        (
            {"grant_type": "password"},
            {"grant_type": ["Must be equal to client_credentials."]},
        ),
        (
            {"grant_type": None},
            {"grant_type": ["Missing data for required field."]},
        ),
        (
            {"client_secret": None},
            {"client_secret": ["Missing data for required field."]},
        ),
        ({"scope": "catalogue:read"}, {"scope": ["Unknown field."]}),
    ],
    ids=["wrong-grant", "no-grant", "no-secret", "unknown-field"],
)
def test_client_credentials_body_is_validated(client, dbs, form, errors):
    partner = ApiClientFactory()
    data = {"grant_type": "client_credentials", "client_id": partner.client_id}
    data["client_secret"] = TEST_PASSWORD
    data.update(form)
    data = {k: v for k, v in data.items() if v is not None}

    response = client.post("/api/v1/auth/token", data=data)

    assert_problem(response, 422, errors=errors)


def test_client_token_is_limited_to_its_scopes(client, dbs, home):
    partner = ApiClientFactory(scopes=["catalogue:read"])
    token = client_credentials(client, partner.client_id).json["access_token"]
    headers = bearer(token)

    listed = client.get("/api/v1/institutions", headers=headers)
    assert listed.status_code == 200
    assert [i["code"] for i in listed.json] == ["HOME"]
    for path in ("/api/v1/users", "/api/v1/api-clients", "/api/v1/audit-events"):
        body = assert_problem(client.get(path, headers=headers), 403)
        assert body["type"] == "urn:hub-api:problem:forbidden"
    created = client.post(
        "/api/v1/users",
        json={"email": "x@hub.example", "full_name": "X", "password": "a-long-password", "role": "hub_admin"},
        headers=headers,
    )
    assert_problem(created, 403)
    # A client token is an access token: it cannot refresh.
    assert_unauthorized(client.post("/api/v1/auth/refresh", headers=headers))


def test_client_without_catalogue_scope_cannot_read_the_catalogue(client, dbs, home):
    partner = ApiClientFactory(scopes=["stats:read"])
    token = client_credentials(client, partner.client_id).json["access_token"]

    assert_problem(client.get("/api/v1/institutions", headers=bearer(token)), 403)


def test_client_token_is_rate_limited_like_login(app, client, dbs, monkeypatch):
    partner = ApiClientFactory()
    monkeypatch.setitem(app.config, "HUB_LOGIN_RATE_LIMIT", "2 per minute")
    environ = {"REMOTE_ADDR": unique_address()}

    first = [client_credentials(client, partner.client_id, environ_base=environ) for _ in range(2)]
    limited = client_credentials(client, partner.client_id, environ_base=environ)

    assert [r.status_code for r in first] == [200, 200]
    assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1


def test_client_token_can_be_logged_out(client, dbs):
    partner = ApiClientFactory()
    headers = bearer(client_credentials(client, partner.client_id).json["access_token"])

    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204

    assert_unauthorized(client.get("/api/v1/institutions", headers=headers))
    # Its other tokens, and a new grant, are unaffected.
    assert client_credentials(client, partner.client_id).status_code == 200


def test_deleted_account_tokens_stop_working(client, dbs, analyst):
    dbs.execute(sa.delete(User).where(User.id == analyst.user.id))
    dbs.commit()

    assert_unauthorized(client.get("/api/v1/auth/me", headers=analyst.headers))
    assert row_count(dbs, TokenFamily) == 0
