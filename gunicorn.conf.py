"""Gunicorn settings for the hub, read from HUB_* variables: `gunicorn -c gunicorn.conf.py`."""

import multiprocessing
import os


def _number(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


wsgi_app = "hub_api:create_app()"
bind = os.environ.get("HUB_BIND", "0.0.0.0:8000")
workers = _number("HUB_WORKERS", 2 * multiprocessing.cpu_count() + 1)
threads = _number("HUB_THREADS", 1)
# Longer than the slowest request (statistics recount, roster import), shorter than a client's patience.
timeout = _number("HUB_WORKER_TIMEOUT", 60)
graceful_timeout = _number("HUB_GRACEFUL_TIMEOUT", 30)
keepalive = 5
accesslog = "-"
errorlog = "-"
