"""A database that refuses, drops, swallows or freezes connections: quick 503s, then recovery.

The app reaches PostgreSQL through a TCP proxy the test controls (the machine's shared server
is never stopped); freezing the proxy does to the app what SIGSTOP on the server would.
"""

import logging
import threading
import time
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from hub_api.extensions import db
from hub_api.models import AuditEvent, Institution
from hub_api.models.enums import Role
from tests.conftest import make_app
from tests.conftest import sign_in as issue_tokens
from tests.factories import TEST_PASSWORD, UserFactory
from tests.problems import assert_problem
from tests.tcp_proxy import BLACKHOLE, FORWARD, REFUSE, TcpProxy

pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def proxied(backend, engine, dbs):
    """An app whose database connections all pass through a proxy, and the proxy."""
    _, resetter = backend
    url = make_url(resetter.url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    app = make_app(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    yield app, proxy
    proxy.stop()
    with app.app_context():
        db.engine.dispose()


def sign_in(client):
    return client.post("/api/v1/auth/login", json={"email": "ops@hub.example", "password": TEST_PASSWORD})


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.fixture
def operator(dbs):
    return UserFactory(email="ops@hub.example")


@pytest.mark.parametrize("mode", [REFUSE, BLACKHOLE], ids=["refused", "silent"])
def test_an_unreachable_database_gives_quick_503s_and_service_comes_back(proxied, operator, mode, caplog):
    app, proxy = proxied
    client = app.test_client()
    assert sign_in(client).status_code == 200

    proxy.cut(mode)
    with caplog.at_level(logging.WARNING):
        outage = [timed(lambda: sign_in(client)) for _ in range(3)]
        ready, ready_seconds = timed(lambda: client.get("/ready"))
        health, health_seconds = timed(lambda: client.get("/health"))

    for response, seconds in outage:
        assert_problem(response, 503)
        assert int(response.headers["Retry-After"]) > 0
        assert seconds < 3.5, seconds
    assert ready.status_code == 503 and ready_seconds < 3.5
    assert health.status_code == 200 and health_seconds < 0.5
    warnings = [r for r in caplog.records if "database unreachable" in r.getMessage()]
    assert len(warnings) == 1  # one per outage, not one per request
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # and no traceback

    proxy.cut(FORWARD)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        while sign_in(client).status_code != 200:
            assert time.monotonic() - started < 10, "service did not come back"
            time.sleep(0.1)
    assert [r for r in caplog.records if "database reachable again" in r.getMessage()]


def test_a_statement_over_the_timeout_is_a_503(backend, engine, dbs, monkeypatch):
    _, resetter = backend
    app = make_app(resetter.url, HUB_DB_STATEMENT_TIMEOUT_MS="100")

    def slow_version():
        db.session.execute(sa.text("SELECT pg_sleep(0.5)"))  # a statement that outlives the timeout
        return (0, 0)

    monkeypatch.setattr("hub_api.resources.stats.data_version", slow_version)
    analyst = issue_tokens(app, UserFactory(email="slow@hub.example"))
    response = app.test_client().get("/api/v1/stats/overview", headers=analyst.headers)

    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "2"
    with app.app_context():
        db.engine.dispose()


@dataclass
class Traffic:
    """Writers creating institutions and readers listing them, each call timed, until stopped."""

    app: object
    headers: dict
    calls: list = field(default_factory=list)  # (started, seconds, path, status, response)
    acknowledged: list = field(default_factory=list)  # codes of institutions answered with 201
    stopping: threading.Event = field(default_factory=threading.Event)

    def start(self, writers: int = 2, readers: int = 1) -> "Traffic":
        self.threads = [threading.Thread(target=self._write, args=(n,)) for n in range(writers)]
        self.threads += [threading.Thread(target=self._read) for _ in range(readers)]
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _timed(self, client, method, path, **kwargs):
        started = time.monotonic()
        response = client.open(path, method=method, headers=self.headers, **kwargs)
        self.calls.append((started, time.monotonic() - started, path, response.status_code, response))
        return response

    def _write(self, writer: int) -> None:
        client, n = self.app.test_client(), 0
        while not self.stopping.is_set():
            n += 1
            code = f"FRZ-{writer}-{n}"
            body = {"code": code, "name": {"en": f"Frozen {code}"}, "kind": "academy", "country": "KZ"}
            if self._timed(client, "POST", "/api/v1/institutions", json=body).status_code == 201:
                self.acknowledged.append(code)

    def _read(self) -> None:
        client = self.app.test_client()
        while not self.stopping.is_set():
            self._timed(client, "GET", "/api/v1/institutions?page_size=5")

    def wait_for_writes(self, count: int, timeout: float = 20) -> None:
        target, started = len(self.acknowledged) + count, time.monotonic()
        while len(self.acknowledged) < target:
            assert time.monotonic() - started < timeout, "writes are not going through"
            time.sleep(0.05)


FREEZE_SECONDS = 6


def test_a_frozen_database_gives_quick_503s_and_keeps_every_acknowledged_write(proxied, caplog):
    app, proxy = proxied
    admin = issue_tokens(app, UserFactory(email="frozen@hub.example", role=Role.HUB_ADMIN))
    traffic = Traffic(app, admin.headers).start()
    try:
        traffic.wait_for_writes(5)
        with caplog.at_level(logging.WARNING):
            proxy.freeze()
            frozen_at = time.monotonic()
            time.sleep(2.5)  # the requests in flight when it froze have had their answer
            client = app.test_client()
            ready, ready_seconds = timed(lambda: client.get("/ready"))
            health, health_seconds = timed(lambda: client.get("/health"))
            time.sleep(max(0.0, frozen_at + FREEZE_SECONDS - time.monotonic()))
            proxy.thaw()
            thawed_at = time.monotonic()
            traffic.wait_for_writes(1)
            recovered_seconds = time.monotonic() - thawed_at
    finally:
        traffic.stop()

    during = [call for call in traffic.calls if call[0] < thawed_at and call[0] + call[1] > frozen_at]
    assert {status for _, _, _, status, _ in traffic.calls} <= {200, 201, 503}  # never a 500
    assert any(status == 503 for _, _, _, status, _ in during)
    for _, seconds, path, status, response in during:
        assert seconds < 4.0, (path, status, seconds)  # a quick answer, never a hang
        if status == 503:
            assert_problem(response, 503)
            assert int(response.headers["Retry-After"]) > 0
    assert ready.status_code == 503 and ready_seconds < 2.0, ready_seconds
    assert health.status_code == 200 and health_seconds < 0.5
    assert recovered_seconds < 10
    assert len([r for r in caplog.records if "database unreachable" in r.getMessage()]) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    with app.app_context():
        stored = db.session.scalars(sa.select(Institution).where(Institution.code.like("FRZ-%"))).all()
        audited = set(
            db.session.scalars(
                sa.select(AuditEvent.object_id).where(
                    AuditEvent.object_type == "institutions", AuditEvent.action == "institutions.create"
                )
            )
        )
    assert set(traffic.acknowledged) <= {institution.code for institution in stored}  # every one acknowledged
    assert all(str(institution.id) in audited for institution in stored)  # and none half-written
