"""Rate limits: per caller on authenticated routes, per account on sign-in, headers, audit, Redis."""

import itertools
import os
import time
import uuid

import pytest

from hub_api.extensions import limiter
from hub_api.models.enums import Role
from tests.factories import UserFactory
from tests.helpers import audit_rows, client_headers, login, redis_up
from tests.problems import assert_problem

_addresses = itertools.count(1)


def address() -> dict:
    """A client address of its own, so that only the limit under test can be reached."""
    n = next(_addresses)
    return {"REMOTE_ADDR": f"10.{os.getpid() % 250}.{200 + n // 250}.{n % 250 + 1}"}


def fresh_email() -> str:
    return f"{uuid.uuid4().hex[:12]}@hub.example"


@pytest.fixture
def counters(app):
    """Start from empty counters (the limiter keeps them for the app's lifetime)."""
    with app.app_context():
        limiter.reset()


def test_one_budget_per_caller_across_the_authenticated_routes(
    app, client, admin, analyst, counters, monkeypatch
):
    monkeypatch.setitem(app.config, "HUB_API_RATE_LIMIT", "3 per minute")

    paths = ("/api/v1/countries", "/api/v1/institutions", "/api/v1/cohorts", "/api/v1/countries")
    answers = [client.get(path, headers=admin.headers, environ_base=address()) for path in paths]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert {a.headers["RateLimit-Limit"] for a in answers} == {"3"}
    assert 0 <= int(answers[0].headers["RateLimit-Reset"]) <= 60
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 60
    assert_problem(answers[3], 429)
    # Another caller has a budget of its own, from the same address.
    assert client.get("/api/v1/countries", headers=analyst.headers).status_code == 200


def test_an_api_client_is_a_caller_too(app, client, dbs, home, counters, monkeypatch):
    monkeypatch.setitem(app.config, "HUB_API_RATE_LIMIT", "2 per minute")
    headers = client_headers(app, ["catalogue:read"], institution=home)

    statuses = [client.get("/api/v1/institutions", headers=headers).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_a_refusal_is_audited(app, client, admin, dbs, counters, monkeypatch):
    monkeypatch.setitem(app.config, "HUB_API_RATE_LIMIT", "1 per minute")
    client.get("/api/v1/countries", headers=admin.headers)

    client.get("/api/v1/countries", headers=admin.headers)

    (event,) = audit_rows(dbs, action="rate_limit.exceeded")
    assert (event.outcome, event.actor_id, event.path) == ("denied", admin.user.id, "/api/v1/countries")


@pytest.mark.parametrize("exists", [True, False], ids=["existing-account", "unknown-account"])
def test_failed_sign_ins_slow_one_account_whether_it_exists_or_not(
    app, client, dbs, counters, monkeypatch, exists
):
    email = fresh_email()
    if exists:
        UserFactory(email=email, role=Role.ANALYST)
    monkeypatch.setitem(app.config, "HUB_ACCOUNT_RATE_LIMIT", "3 per minute")

    failed = [
        login(client, email, "wrong-password-123", environ_base=address()).status_code for _ in range(3)
    ]
    then = login(client, email, environ_base=address())  # the right password, from yet another address

    assert failed == [401, 401, 401]
    assert_problem(then, 429)
    assert then.headers["RateLimit-Limit"] == "3"


def test_the_accounts_owner_signing_in_is_never_counted(app, client, dbs, counters, monkeypatch):
    email = fresh_email()
    UserFactory(email=email, role=Role.ANALYST)
    monkeypatch.setitem(app.config, "HUB_ACCOUNT_RATE_LIMIT", "2 per minute")

    statuses = [login(client, email, environ_base=address()).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 200]


def test_an_account_slowed_down_is_not_locked_out_for_ever(app, client, dbs, counters, monkeypatch):
    email = fresh_email()
    UserFactory(email=email, role=Role.ANALYST)
    monkeypatch.setitem(app.config, "HUB_ACCOUNT_RATE_LIMIT", "2 per 2 seconds")  # from the first failure
    for _ in range(2):
        login(client, email, "wrong-password-123", environ_base=address())
    assert login(client, email, environ_base=address()).status_code == 429

    time.sleep(2.2)

    assert login(client, email, environ_base=address()).status_code == 200


@pytest.mark.skipif(not redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_with_redis_configured_the_counters_live_in_redis(app, client, admin, counters, monkeypatch):
    import redis

    server = redis.Redis(host="127.0.0.1", port=6379)
    budget = 1000 + uuid.uuid4().int % 9000  # the limit is part of the key: this test's own
    pattern = f"LIMITS*user:{admin.user.id}/*/{budget}/1/hour"
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    monkeypatch.setitem(app.config, "HUB_API_RATE_LIMIT", f"{budget} per hour")
    limiter.init_app(app)  # now on Redis, as every gunicorn worker would be
    try:
        for path in ("/api/v1/countries", "/api/v1/institutions"):  # one budget across routes
            assert client.get(path, headers=admin.headers).status_code == 200
        keys = server.keys(pattern)
        assert len(keys) == 1, "no counter for the caller in Redis"
        assert int(server.get(keys[0])) == 2
    finally:
        server.delete(*server.keys(pattern) or ["none"])
        monkeypatch.undo()
        limiter.init_app(app)  # back to memory for the tests that follow
