"""`hub-api demo` started as an operator starts it, on a database URL, for tests that drive it over HTTP."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

PASSWORD = "demo-password-for-the-tests"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(base: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, object]:
    """One JSON request; the status and the decoded body (errors included)."""
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@contextlib.contextmanager
def live_demo(database_url: str, workdir: Path) -> Iterator[tuple[str, list[str]]]:
    """Run `hub-api demo --database-url` until the block ends; yield its base URL and its output lines."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HUB_DEMO_PASSWORD": PASSWORD, "HUB_ENV": "development"}
    env.pop("HUB_DATABASE_URL", None)
    command = [sys.executable, "-m", "hub_api.console", "demo", "--port", str(port)]
    command += ["--database-url", database_url]
    output: list[str] = []
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        started = time.monotonic()
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"hub-api demo exited: {process.communicate()[0]}")
            with contextlib.suppress(OSError):
                if call(base, "/health")[0] == 200:
                    break
            if time.monotonic() - started > 120:
                raise RuntimeError("hub-api demo did not start serving within 120 s")
            time.sleep(0.3)
        yield base, output
    finally:
        process.terminate()
        output.extend(process.communicate(timeout=30)[0].splitlines())
