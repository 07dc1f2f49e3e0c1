"""Prometheus metrics at /metrics: requests by route and status, latency by route, database pool use.

Under gunicorn, each worker writes its figures to files in PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py
makes that directory) and a scrape, whichever worker answers it, sums them; without the variable
a process reports its own figures.
"""

import ipaddress
import os
import time

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    appcontext_popped,
    current_app,
    g,
    request,
    request_finished,
    request_started,
)
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.pool import QueuePool

from hub_api.auth.guard import Access
from hub_api.extensions import db

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # every path that no route matches: one series, however many paths are tried

REQUESTS = Counter(
    "hub_http_requests",
    "Requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "hub_http_request_duration_seconds",
    "Time from receiving a request to having its response, by route template.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
# Summed over the live workers; a worker's figures change when it takes a connection and when a
# request (or any app context) ends, after its session has given its connection back.
POOL_CHECKED_OUT = Gauge(
    "hub_db_pool_checked_out", "Database connections in use.", multiprocess_mode="livesum"
)
POOL_SIZE = Gauge("hub_db_pool_size", "Connections the pool keeps open.", multiprocess_mode="livesum")
POOL_OVERFLOW = Gauge(
    "hub_db_pool_overflow", "Connections open beyond the pool size.", multiprocess_mode="livesum"
)

blp = Blueprint("metrics", __name__)


def _allowed(address: str | None) -> bool:
    """Whether the client address (as ProxyFix resolved it) is one HUB_METRICS_ALLOW names."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    ip = getattr(ip, "ipv4_mapped", None) or ip  # ::ffff:127.0.0.1 from a dual-stack socket
    return any(ip in network for network in current_app.config["HUB_METRICS_ALLOW"])


@blp.route("/metrics")
def scrape():
    """The metrics in Prometheus' text format for an allowed address; for any other, a plain 404."""
    if not _allowed(request.remote_addr):
        abort(404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


scrape.hub_access = Access(public=True)  # no token: the view itself checks the address


def _started(_app, **_extra) -> None:
    g.metrics_started = time.perf_counter()


def _finished(_app, response, **_extra) -> None:
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
    method = request.method if request.method in METHODS else "OTHER"
    REQUESTS.labels(route, method, str(response.status_code)).inc()
    LATENCY.labels(route).observe(time.perf_counter() - g.pop("metrics_started"))


def _record_pool(pool) -> None:
    """Copy the pool's counts to the gauges; only a QueuePool keeps them (others leave them at 0)."""
    if isinstance(pool, QueuePool):
        POOL_CHECKED_OUT.set(pool.checkedout())
        POOL_SIZE.set(pool.size())
        POOL_OVERFLOW.set(max(0, pool.overflow()))  # negative while fewer than `size` are open


def _context_ended(app: Flask, **_extra) -> None:
    _record_pool(app.extensions["hub_metrics_engine"].pool)


def install(app: Flask) -> None:
    """Count requests, follow the pool and serve /metrics; nothing at all when HUB_METRICS_ALLOW is empty."""
    if not app.config["HUB_METRICS_ALLOW"]:
        return
    with app.app_context():
        engine = db.engine
    app.extensions["hub_metrics_engine"] = engine
    sa.event.listen(engine, "checkout", lambda *_: _record_pool(engine.pool))
    appcontext_popped.connect(_context_ended, app)
    request_started.connect(_started, app)
    request_finished.connect(_finished, app)
    app.register_blueprint(blp)
