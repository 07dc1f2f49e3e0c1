"""`hub-api demo` as an operator runs it: migrate, load, create the accounts, serve; on either database."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from hub_api.demo.institutions import DEMO_ACCOUNTS
from tests.databases import create_postgresql_database, drop_postgresql_database, postgresql_server_url

PASSWORD = "demo-password-for-the-test"


@pytest.fixture
def database_url(backend, tmp_path):
    """A new, empty database of the backend's kind."""
    kind, _ = backend
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'demo.sqlite3'}"
        return
    server = postgresql_server_url()
    url = create_postgresql_database(server)
    yield url
    drop_postgresql_database(server, url)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(base: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def wait_until_serving(base: str, process: subprocess.Popen, timeout: float = 120) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        assert process.poll() is None, process.communicate()[0]
        try:
            if call(base, "/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail("hub-api demo did not start serving")


def test_demo_command_serves_the_demo_set_and_accounts(database_url, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HUB_DEMO_PASSWORD": PASSWORD, "HUB_ENV": "development"}
    env.pop("HUB_DATABASE_URL", None)
    command = [sys.executable, "-m", "hub_api.console", "demo", "--port", str(port)]
    command += ["--database-url", database_url]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_until_serving(base, process)
        for email, _name, role, _home in DEMO_ACCOUNTS:
            status, tokens = call(base, "/api/v1/auth/login", {"email": email, "password": PASSWORD})
            assert status == 200, (email, tokens)
            status, me = call(base, "/api/v1/auth/me", token=tokens["access_token"])
            assert status == 200 and me["role"] == role.value
        _, tokens = call(base, "/api/v1/auth/login", {"email": DEMO_ACCOUNTS[0][0], "password": PASSWORD})
        status, institutions = call(base, "/api/v1/institutions?q=Kostanay", token=tokens["access_token"])
        assert status == 200
        assert any(item["code"] == "KTA" for item in institutions)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert PASSWORD in output  # the accounts' password is printed for the operator
