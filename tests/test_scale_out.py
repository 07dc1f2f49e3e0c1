"""Two hosts behind a load balancer: separate gunicorn processes sharing one database and one Redis.

What one host learns (failed sign-ins, an idempotency key, a sign-out) the other must honour.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from hub_api.models.enums import Role
from tests.conftest import SECRET
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import redis_up
from tests.live_demo import free_port

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT_LIMIT = 3


pytestmark = pytest.mark.skipif(
    not redis_up() and os.environ.get("CI", "").lower() != "true", reason="no Redis at 127.0.0.1:6379"
)


def call(base: str, method: str, path: str, body=None, headers=None) -> tuple[int, dict, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else {}
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, dict(error.headers), json.loads(raw) if raw else {}


@pytest.fixture
def hosts(backend, engine, tmp_path):
    """Two gunicorn servers on the test database, with rate limits kept in Redis."""
    _, resetter = backend
    env = {
        **os.environ,
        "HUB_ENV": "test",
        "HUB_SECRET_KEY": SECRET,
        "HUB_DATABASE_URL": resetter.url,
        "HUB_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379",
        "HUB_ACCOUNT_RATE_LIMIT": f"{ACCOUNT_LIMIT} per minute",
        "HUB_LOGIN_RATE_LIMIT": "1000 per minute",
        "HUB_WORKERS": "1",
        "HUB_LOG_FORMAT": "text",
    }
    servers = []
    for _ in range(2):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env={**env, "HUB_BIND": f"127.0.0.1:{port}", "PROMETHEUS_MULTIPROC_DIR": ""},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        servers.append((f"http://127.0.0.1:{port}", process))
    try:
        for base, process in servers:
            started = time.monotonic()
            while True:
                assert process.poll() is None, process.communicate()[1]
                try:
                    if call(base, "GET", "/health")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() - started < 60, "gunicorn did not start"
                time.sleep(0.2)
        yield [base for base, _ in servers]
    finally:
        for _, process in servers:
            process.terminate()
            process.communicate(timeout=30)


def test_failed_sign_ins_are_counted_across_hosts(hosts):
    a, b = hosts
    email = f"nobody-{uuid.uuid4().hex[:8]}@hub.example"  # a fresh account key in the shared Redis
    wrong = {"email": email, "password": "not the password"}
    statuses = [call(base, "POST", "/api/v1/auth/login", wrong)[0] for base in (a, b, a)]
    assert statuses == [401] * ACCOUNT_LIMIT
    status, headers, _ = call(b, "POST", "/api/v1/auth/login", wrong)
    assert status == 429 and int(headers["Retry-After"]) > 0  # host B knows of host A's two


def test_a_retry_on_another_host_replays_and_a_sign_out_holds_everywhere(hosts, dbs):
    a, b = hosts
    UserFactory(email="ops@hub.example", role=Role.HUB_ADMIN)
    dbs.commit()
    _, _, tokens = call(
        a, "POST", "/api/v1/auth/login", {"email": "ops@hub.example", "password": TEST_PASSWORD}
    )
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}

    body = {"code": "TWOHOSTS", "name": {"en": "Two hosts"}, "kind": "academy", "country": "KZ"}
    keyed = {**bearer, "Idempotency-Key": uuid.uuid4().hex}
    first = call(a, "POST", "/api/v1/institutions", body, keyed)
    retry = call(b, "POST", "/api/v1/institutions", body, keyed)
    assert first[0] == retry[0] == 201
    assert retry[1].get("Idempotent-Replayed") == "true" and retry[2]["id"] == first[2]["id"]

    assert call(a, "POST", "/api/v1/auth/logout", headers=bearer)[0] == 204
    assert call(b, "GET", "/api/v1/auth/me", headers=bearer)[0] == 401
    refreshed = call(
        b, "POST", "/api/v1/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert refreshed[0] == 401
