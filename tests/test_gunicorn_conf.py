"""gunicorn.conf.py reads its settings from HUB_* variables, with sane defaults."""

import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def settings(monkeypatch, **env) -> dict:
    for name in ("HUB_BIND", "HUB_WORKERS", "HUB_THREADS", "HUB_WORKER_TIMEOUT", "HUB_GRACEFUL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_defaults(monkeypatch):
    conf = settings(monkeypatch)

    assert conf["wsgi_app"] == "hub_api:create_app()"
    assert conf["bind"] == "0.0.0.0:8000"
    assert conf["workers"] >= 3 and conf["threads"] == 1
    assert (conf["timeout"], conf["graceful_timeout"]) == (60, 30)


def test_settings_from_the_environment(monkeypatch):
    conf = settings(
        monkeypatch, HUB_BIND="127.0.0.1:9000", HUB_WORKERS="4", HUB_THREADS="8", HUB_WORKER_TIMEOUT="120"
    )

    assert (conf["bind"], conf["workers"], conf["threads"], conf["timeout"]) == ("127.0.0.1:9000", 4, 8, 120)
