"""The deployment files agree with the repository: what they copy exists, what they run starts.

No container engine runs here, so the image itself is not built; its health check is run as is.
"""

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
INSTALLED = "/opt/hub-api"  # where the systemd units expect this repository, with its .venv
UNITS = {"hub-api.service": "hub-api.service", "hub-api-worker@.service": "hub-api-worker@1.service"}


def unit_entries(name: str) -> list[tuple[str, str]]:
    lines = (DEPLOY / name).read_text().splitlines()
    return [tuple(line.split("=", 1)) for line in lines if "=" in line and not line.startswith("#")]


def instructions() -> list[tuple[str, str]]:
    """The Containerfile's instructions, continuation lines joined."""
    text = re.sub(r"\\\n\s*", "", (DEPLOY / "Containerfile").read_text())
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [tuple(line.split(None, 1)) for line in lines]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_units_pass_systemd_analyze_verify(tmp_path):
    """Unknown directives, bad values, missing programs; the repository stands in for /opt/hub-api."""
    for name, instance in UNITS.items():
        text = (DEPLOY / name).read_text()
        text = text.replace(f"{INSTALLED}/.venv/bin/", f"{BIN}/").replace(INSTALLED, str(ROOT))
        (tmp_path / instance).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / instance) for instance in UNITS.values())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize("name", UNITS)
def test_the_units_commands_exist_in_the_projects_environment(tmp_path, name):
    """Each Exec line's program is one the install provides, and its subcommand is real."""
    entries = unit_entries(name)
    assert ("WorkingDirectory", INSTALLED) in entries and ("EnvironmentFile", "/etc/hub-api/env") in entries
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HUB_", "PROMETHEUS_"))}
    env |= {
        "HUB_ENV": "test",
        "HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.sqlite3'}",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    commands = [shlex.split(value) for key, value in entries if key.startswith("Exec")]
    assert commands
    for program, *arguments in commands:
        assert program.startswith(f"{INSTALLED}/.venv/bin/"), program
        local = BIN / Path(program).name
        check = "--check-config" if local.name == "gunicorn" else "--help"  # gunicorn loads conf and app
        result = subprocess.run(
            [str(local), *arguments, check], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_container_copies_what_exists_and_the_build_context_admits():
    admitted = {
        line[1:] for line in (ROOT / ".dockerignore").read_text().splitlines() if line.startswith("!")
    }
    copied = [
        source
        for instruction, rest in instructions()
        if instruction == "COPY"
        for source in rest.split()[:-1]
    ]
    assert copied
    for source in copied:
        assert (ROOT / source).exists() and source in admitted, source
    (command,) = [json.loads(rest) for instruction, rest in instructions() if instruction == "CMD"]
    assert command == ["gunicorn", "-c", "gunicorn.conf.py"] and "gunicorn.conf.py" in copied
    (user,) = [rest for instruction, rest in instructions() if instruction == "USER"]
    assert user not in ("root", "0")


def _health_check(port: int) -> int:
    """Run the Containerfile's HEALTHCHECK command with HUB_BIND on this port; its exit status."""
    (check,) = [rest for instruction, rest in instructions() if instruction == "HEALTHCHECK"]
    program, *arguments = json.loads(check.split(" CMD ", 1)[1])
    assert program == "python"
    env = {**os.environ, "HUB_BIND": f"0.0.0.0:{port}"}
    return subprocess.run([sys.executable, *arguments], env=env, capture_output=True, timeout=30).returncode


def test_the_container_health_check_asks_health_on_the_bound_port(tmp_path):
    server = make_server("127.0.0.1", 0, make_app(f"sqlite:///{tmp_path / 'hub.sqlite3'}"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert _health_check(server.server_port) == 0
    finally:
        server.shutdown()
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    assert _health_check(closed) != 0
