"""hub-api worker on PostgreSQL: a worker killed mid-delivery loses nothing; two never send one attempt.

The first test runs the real console command in subprocesses and kills one with SIGKILL while
its request is in flight; the second runs two workers side by side over one outbox.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from hub_api.models import WebhookAttempt, WebhookDelivery
from hub_api.models.base import utcnow
from hub_api.webhooks.worker import run_once
from tests.conftest import SECRET
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.postgresql_only

ROOT = Path(__file__).resolve().parent.parent
EVENTS = 30


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def worker_process(database_url: str) -> subprocess.Popen:
    """`hub-api worker` as operators run it, against the test database."""
    env = {
        **os.environ,
        "HUB_ENV": "test",
        "HUB_SECRET_KEY": SECRET,
        "HUB_DATABASE_URL": database_url,
        "HUB_WEBHOOK_ALLOW_PRIVATE": "true",
    }
    script = Path(sys.executable).parent / "hub-api"
    return subprocess.Popen([str(script), "worker"], cwd=ROOT, env=env)


def wait_for(check, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def subscribe_and_test(client, admin, url: str, count: int = 1) -> int:
    created = client.post(
        "/api/v1/webhooks", json={"url": url, "events": ["cohort.opened"]}, headers=admin.headers
    )
    assert created.status_code == 201, created.json
    for _ in range(count):
        assert (
            client.post(f"/api/v1/webhooks/{created.json['id']}/test", headers=admin.headers).status_code
            == 202
        )
    return created.json["id"]


def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_no_attempt(
    app, client, admin, dbs, receiver, monkeypatch
):
    monkeypatch.setitem(app.config, "HUB_WEBHOOK_ALLOW_PRIVATE", True)
    receiver.delays = [60]  # the first request hangs until the worker is killed
    subscribe_and_test(client, admin, receiver.url)
    url = app.config["SQLALCHEMY_DATABASE_URI"]

    first = worker_process(url)
    try:
        assert receiver.arrived.wait(30), "the worker never sent the delivery"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    dbs.expire_all()
    stuck = dbs.scalars(sa.select(WebhookDelivery)).one()
    assert (stuck.status, stuck.attempts) == ("pending", 1)
    # The lease of the dead worker's attempt runs out (timeout + 30 s); let that time pass.
    dbs.execute(sa.update(WebhookDelivery).values(leased_until=utcnow()))
    dbs.commit()

    second = worker_process(url)
    try:
        wait_for(
            lambda: (
                dbs.scalar(sa.select(WebhookDelivery.status).execution_options(populate_existing=True))
                == "succeeded"
            )
        )
    finally:
        second.terminate()
        second.wait(10)

    attempts = dbs.execute(
        sa.select(WebhookAttempt.number, WebhookAttempt.status_code).order_by(WebhookAttempt.number)
    ).all()
    assert [tuple(a) for a in attempts] == [(1, None), (2, 200)]
    assert len(receiver.received) == 2
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1  # one message, deduplicable


def test_two_workers_never_send_the_same_attempt(app, client, admin, dbs, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "HUB_WEBHOOK_ALLOW_PRIVATE", True)
    receiver.delays = [0.02] * EVENTS
    subscribe_and_test(client, admin, receiver.url, EVENTS)
    failures = []

    def drain():
        try:
            while run_once(app):
                pass
        except Exception as exc:
            failures.append(exc)

    workers = [threading.Thread(target=drain) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert failures == []
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert len(ids) == EVENTS and len(set(ids)) == EVENTS
    assert dbs.scalar(sa.select(sa.func.count()).select_from(WebhookAttempt)) == EVENTS
