"""gunicorn.conf.py reads its settings from HUB_* variables, and serves JSON logs and summed metrics."""

import http.client
import json
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
START_TIMEOUT = 60
REQUEST_ID = "trace-gunicorn-0001"
SECRET_TOKEN = "not-a-real-token-but-secret-all-the-same"


def settings(monkeypatch, metrics_dir: Path, **env) -> dict:
    names = ("HUB_BIND", "HUB_WORKERS", "HUB_THREADS", "HUB_WORKER_TIMEOUT", "HUB_GRACEFUL_TIMEOUT")
    for name in (*names, "HUB_ENV", "HUB_LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    # Given, so that the file does not make a directory and name it in this process's environment.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_defaults(monkeypatch, tmp_path):
    conf = settings(monkeypatch, tmp_path)

    assert conf["wsgi_app"] == "hub_api:create_app()"
    assert conf["bind"] == "0.0.0.0:8000"
    assert conf["workers"] >= 3 and conf["threads"] == 1
    assert (conf["timeout"], conf["graceful_timeout"]) == (60, 30)


def test_settings_from_the_environment(monkeypatch, tmp_path):
    conf = settings(
        monkeypatch,
        tmp_path,
        HUB_BIND="127.0.0.1:9000",
        HUB_WORKERS="4",
        HUB_THREADS="8",
        HUB_WORKER_TIMEOUT="120",
    )

    assert (conf["bind"], conf["workers"], conf["threads"], conf["timeout"]) == ("127.0.0.1:9000", 4, 8, 120)


def test_text_logs_outside_production_keep_the_request_id_in_the_access_line(monkeypatch, tmp_path):
    conf = settings(monkeypatch, tmp_path, HUB_ENV="development")

    assert "logconfig_dict" not in conf
    assert conf["access_log_format"].endswith("request_id=%({x-request-id}o)s")


def test_without_a_metrics_directory_one_is_made_and_removed_at_exit(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "set, so that the deletion below is undone")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    conf = runpy.run_path(str(CONF))
    made = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])

    assert made.is_dir() and list(made.iterdir()) == []
    conf["on_exit"](None)
    assert not made.exists()

    given = settings(monkeypatch, tmp_path)
    given["on_exit"](None)
    assert tmp_path.is_dir()  # a directory the operator named is left alone


# --- gunicorn itself, two workers ------------------------------------------------------------


def _get(port: int, path: str, headers: dict | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # a worker may still be booting
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _port(process: subprocess.Popen, errors: Path) -> int:
    """The port gunicorn picked for HUB_BIND=127.0.0.1:0, from its (JSON) start-up lines."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", errors.read_text())
        if found:
            return int(found.group(1))
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{errors.read_text()}")
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not start within {START_TIMEOUT} s:\n{errors.read_text()}")


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn started with gunicorn.conf.py in production mode, two sync workers; stopped afterwards."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {name: value for name, value in os.environ.items() if not name.startswith(("HUB_", "PROMETHEUS_"))}
    env |= {
        "HUB_ENV": "production",
        "HUB_SECRET_KEY": "s" * 48,
        "HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.sqlite3'}",
        "HUB_BIND": "127.0.0.1:0",
        "HUB_WORKERS": "2",
        "HUB_THREADS": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    output, errors = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with output.open("wb") as stdout, errors.open("wb") as stderr:
        command = [sys.executable, "-m", "gunicorn", "-c", str(CONF)]
        process = subprocess.Popen(command, cwd=CONF.parent, env=env, stdout=stdout, stderr=stderr)
    try:
        yield _port(process, errors), output, errors
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_two_workers_report_summed_metrics_and_json_logs_with_the_request_id(gunicorn):
    port, output, errors = gunicorn
    answered = 0
    deadline = time.monotonic() + START_TIMEOUT
    while answered == 0:
        try:
            answered += _get(port, "/health")[0] == 200
        except OSError:
            assert time.monotonic() < deadline, errors.read_text()
            time.sleep(0.1)

    # A sync worker that has accepted an unfinished request waits for the rest of it, so every
    # request until then is served by the other worker: both have counted when the first is done.
    with socket.create_connection(("127.0.0.1", port), timeout=10) as waiting:
        waiting.sendall(b"GET /health HTTP/1.1\r\nHost: hub\r\n")
        time.sleep(0.5)  # accepted by one worker
        headers = {"X-Request-ID": REQUEST_ID, "Authorization": f"Bearer {SECRET_TOKEN}"}
        for _ in range(5):
            assert _get(port, "/health", headers)[0] == 200
        waiting.sendall(b"Connection: close\r\n\r\n")
        assert waiting.recv(1024).startswith(b"HTTP/1.1 200")
    answered += 6

    status, text = _get(port, "/metrics")
    assert status == 200
    figures = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    health = (("method", "GET"), ("route", "/health"), ("status", "200"))
    assert figures[("hub_http_requests_total", health)] == answered
    assert figures[("hub_db_pool_size", ())] == 2 * 5  # each worker's pool of 5

    error_lines = [json.loads(line) for line in errors.read_text().splitlines()]  # all JSON
    assert {line["logger"] for line in error_lines} == {"gunicorn.error"}
    access = [json.loads(line) for line in output.read_text().splitlines()]
    traced = [line for line in access if line.get("request_id") == REQUEST_ID]
    assert len(traced) == 5 and all("GET /health" in line["message"] for line in traced)
    assert SECRET_TOKEN not in output.read_text() + errors.read_text()
