"""Gunicorn settings for the hub, read from HUB_* variables: `gunicorn -c gunicorn.conf.py`."""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

METRICS_DIR_PREFIX = "hub-api-metrics-"


def _number(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


def _json_logs() -> bool:
    """HUB_LOG_FORMAT as the app reads it: JSON unless it says text, or HUB_ENV is not production."""
    production = os.environ.get("HUB_ENV", "production") == "production"
    return (os.environ.get("HUB_LOG_FORMAT") or ("json" if production else "text")) == "json"


# prometheus-client's multiprocess mode: every worker writes its figures to files here and /metrics
# sums them. It must be set before anything imports prometheus_client; a directory given must be empty.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix=METRICS_DIR_PREFIX)

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
# The request id ties a request's access line to the app's own lines about it. No query string (it
# may carry the names searched for), no user, no Authorization.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'

if _json_logs():
    # gunicorn's own lines as JSON too, in the app's format; the access lines' request id is a field.
    # The formatter loads hub_api into the master process: to run new code, restart gunicorn
    # (a HUP reloads these settings, not the code).
    access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "hub_api.logs.JsonFormatter"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
            "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        },
        "root": {"level": "WARNING", "handlers": ["stderr"]},  # the libraries' warnings
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"handlers": ["stdout"], "propagate": False},
            "hub_api": {"propagate": False},  # create_app gives it a handler of its own
        },
    }


def child_exit(_server, worker) -> None:
    """Drop a finished worker's pool gauges from the sums that /metrics reports."""
    from prometheus_client import multiprocess  # here: imported above, it would precede the variable

    multiprocess.mark_process_dead(worker.pid)


def on_exit(_server) -> None:
    """Remove the metrics directory this file made (not one that PROMETHEUS_MULTIPROC_DIR named)."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    if Path(directory).name.startswith(METRICS_DIR_PREFIX):
        shutil.rmtree(directory, ignore_errors=True)
