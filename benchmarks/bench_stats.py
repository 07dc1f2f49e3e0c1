"""Benchmark of the dashboard statistics (issue 9) through gunicorn, against their own SQL.

For each statistic chosen with `--queries` (default: `overview` and
`training?group_by=country,year,gender`), on an already populated PostgreSQL database:

* API: `GET /api/v1/stats/...` over real HTTP (http.client, one keep-alive connection, Bearer
  token, no If-None-Match) against gunicorn started by this script with HUB_STATS_CACHE_MB=0,
  so every request runs the aggregates: what a dashboard pays right after a write;
* API, shared figures: the same against a second gunicorn with the default cache, where every
  reader of unchanged data gets the body rendered once (what polling dashboards pay);
* API 304: the same request with the ETag in If-None-Match, so only the auth and fingerprint run;
* SQL floor: every statement one API request of that statistic ran (token lookup and ETag
  fingerprint included), captured with their parameters from an in-process request, run with
  psycopg2 on one connection, all rows fetched, then a commit;
* aggregate-only SQL: the same, but only the statements that count or sum.

The variants take turns (interleaved rounds, order rotating), and the report gives the median and
p95 of each, the ratio API/SQL and whether the issue's goals (API at most 1.3x the SQL, p95 under
250 ms) are met. The exit code is 0 whatever the figures; 2 when the run could not be set up.

Run from the repository root:

    .venv/bin/python benchmarks/bench_stats.py [--database-url URL] [--generate N]

See benchmarks/README.md.
"""

import argparse
import contextlib
import datetime as dt
import gc
import http.client
import json
import logging
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import flask_migrate
import psycopg2
import sqlalchemy as sa
from flask_jwt_extended import decode_token
from sqlalchemy.engine import make_url

from hub_api import create_app
from hub_api.auth.tokens import issue_user_tokens, revoke_family
from hub_api.config import normalise_database_url
from hub_api.extensions import db
from hub_api.models import User
from hub_api.models.enums import Role
from hub_api.services.users import create_user

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
GENERATOR_DIR = ROOT / "hub_api" / "generator"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/gen_bench"
API_PREFIX = "/api/v1/stats/"
QUERIES = (
    "overview",
    "training?group_by=country,year,gender",
    "training?group_by=institution,quarter,cohort_kind",
)
DEFAULT_QUERIES = QUERIES[:2]
ADMIN_EMAIL = "bench-stats@hub.example"
GOAL_RATIO = 1.3
GOAL_P95_MS = 250.0
TOKEN_MINUTES = 24 * 60  # the access token must outlive a long run
HTTP_TIMEOUT = 600.0
LABEL_WIDTH = 44


class BenchmarkError(RuntimeError):
    """The benchmark could not run, or a variant returned something unexpected."""


def _on_sigterm(_signum, _frame):
    """Turn SIGTERM into SystemExit, so that gunicorn and generated databases are cleaned up."""
    raise SystemExit(143)


# --- timing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Per-call wall-clock timings of one variant, in milliseconds."""

    median: float
    p95: float
    minimum: float
    mean: float
    samples: int


def summarise(seconds: list[float]) -> Summary:
    """Median, 95th percentile (inclusive method), minimum and mean, in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    p95 = statistics.quantiles(ms, n=100, method="inclusive")[94] if len(ms) > 1 else ms[0]
    return Summary(statistics.median(ms), p95, ms[0], statistics.fmean(ms), len(ms))


def measure(
    runners: dict[str, Callable[[], object]], *, iterations: int, warmup: int, block: int
) -> dict[str, Summary]:
    """Time each runner `iterations` times after `warmup` untimed calls, in interleaved rounds.

    Each round runs `block` calls of every variant; the order rotates by one every round, so
    a slow spell of the shared machine falls on all variants rather than on one.
    """
    for run in runners.values():
        for _ in range(warmup):
            run()
        reset = getattr(run, "reset", None)
        if reset is not None:
            reset()
    wall: dict[str, list[float]] = {name: [] for name in runners}
    order = list(runners)
    done = 0
    while done < iterations:
        count = min(block, iterations - done)
        for name in order:
            run, out = runners[name], wall[name]
            gc.collect()
            for _ in range(count):
                start = time.perf_counter()
                run()
                out.append(time.perf_counter() - start)
        order = order[1:] + order[:1]
        done += count
    return {name: summarise(wall[name]) for name in runners}


# --- databases -------------------------------------------------------------------------------


def pg_connect(url: str, **kwargs):
    """A psycopg2 connection to the database named in `url`."""
    parsed = make_url(normalise_database_url(url))
    return psycopg2.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database or "postgres",
        **kwargs,
    )


def _with_database(url: str, name: str) -> str:
    return make_url(normalise_database_url(url)).set(database=name).render_as_string(hide_password=False)


def _plain_url(url: str) -> str:
    """`url` as a `postgresql://` URL (what HUB_DATABASE_URL is usually given as)."""
    return (
        make_url(normalise_database_url(url))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def hub_settings(url: str, secret: str, min_cell: int, env: str = "production") -> dict[str, str]:
    """The HUB_* settings shared by the in-process app and gunicorn."""
    return {
        "HUB_ENV": env,
        "HUB_SECRET_KEY": secret,
        "HUB_DATABASE_URL": _plain_url(url),
        "HUB_RATELIMIT_ENABLED": "false",
        "HUB_STATS_MIN_CELL": str(min_cell),
        "HUB_ACCESS_TOKEN_MINUTES": str(TOKEN_MINUTES),
    }


@contextlib.contextmanager
def generated_database(server_url: str, scale: int) -> Iterator[str]:
    """A fresh database filled by `hub-api generate --scale N`; dropped when the block ends."""
    if not GENERATOR_DIR.is_dir():
        raise BenchmarkError(
            f"--generate needs the data generator ({GENERATOR_DIR.relative_to(ROOT)}), which this "
            "checkout does not have. Populate a database yourself and pass --database-url instead."
        )
    name = f"hub_stats_gen_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = pg_connect(_with_database(server_url, "postgres"), connect_timeout=5)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        url = _with_database(server_url, name)
        settings = hub_settings(url, secrets.token_urlsafe(36), 5, env="development")
        app = create_app(settings)
        logging.disable(logging.INFO)  # Alembic announces every migration at INFO.
        try:
            with app.app_context():
                flask_migrate.upgrade()  # generate may migrate too; a second upgrade does nothing
                db.engine.dispose()
        finally:
            logging.disable(logging.NOTSET)
        print(f"Generating {scale:,} participants into {name} with `hub-api generate` ...", flush=True)
        started = time.perf_counter()
        completed = subprocess.run(
            [str(VENV_BIN / "hub-api"), "generate", "--scale", str(scale)],
            cwd=ROOT,
            env={**os.environ, **settings},
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            tail = (completed.stderr or completed.stdout).strip().splitlines()[-5:]
            raise BenchmarkError(
                f"`hub-api generate --scale {scale}` failed with exit code {completed.returncode}:\n  "
                + "\n  ".join(tail)
            )
        for line in completed.stdout.strip().splitlines():
            print(f"  {line}")
        print(f"  (generated in {time.perf_counter() - started:.0f} s)")
        vacuum = pg_connect(url)
        vacuum.autocommit = True
        with vacuum.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        vacuum.close()
        yield url
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def database_facts(url: str) -> dict[str, object]:
    """Server version, the planner settings that matter here, and the row counts of the data."""
    connection = pg_connect(url, connect_timeout=5)
    try:
        with connection.cursor() as cursor:
            facts: dict[str, object] = {}
            for setting in ("server_version", "work_mem", "max_parallel_workers_per_gather", "jit"):
                cursor.execute(f"SHOW {setting}")
                facts[setting] = cursor.fetchone()[0]
            for table in ("participants", "enrolments", "cohorts", "institutions"):
                cursor.execute(f"SELECT count(*) FROM {table}")
                facts[table] = cursor.fetchone()[0]
    finally:
        connection.rollback()
        connection.close()
    return facts


# --- the app in-process: admin, token, captured SQL ------------------------------------------


@dataclass
class Capture:
    """What one in-process request of a statistic ran and returned."""

    query: str
    path: str
    statements: list[tuple[str, object]]
    body: bytes
    etag: str


def admin_token(app) -> tuple[str, str]:
    """(access token, token family id) of the benchmark's hub admin, created if missing."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
        if user is None:
            user = create_user(
                data={
                    "email": ADMIN_EMAIL,
                    "full_name": "Statistics benchmark",
                    "password": secrets.token_urlsafe(24),
                    "role": Role.HUB_ADMIN,
                }
            )
        elif user.role is not Role.HUB_ADMIN or not user.is_active:
            raise BenchmarkError(f"{ADMIN_EMAIL} exists but is not an active hub admin")
        token = issue_user_tokens(user)["access_token"]
        db.session.commit()
        family = decode_token(token)["fam"]
        db.session.remove()
    return token, family


def revoke_token(app, family: str) -> None:
    """Revoke the benchmark's sign-in, so that no live token is left in the database."""
    with app.app_context():
        revoke_family(family, reason="benchmark_done")
        db.session.commit()
        db.session.remove()


def capture(app, token: str, query: str) -> Capture:
    """Run one request of a statistic in-process and record every SQL statement it sent."""
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany):
        seen.append((statement, parameters))

    path = API_PREFIX + query
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    if response.status_code != 200:
        raise BenchmarkError(f"in-process {path} answered {response.status_code}: {response.get_data()!r}")
    return Capture(query, path, seen, response.get_data(), response.headers["ETag"])


def statement_kind(sql: str) -> str:
    """What a captured statement is for: auth, etag, aggregate or lookup (entity labels)."""
    text = " ".join(sql.split()).lower()
    if "from token_families" in text:
        return "auth"
    if "from audit_events" in text:
        return "etag"
    if "count(" in text or "sum(" in text:
        return "aggregate"
    return "lookup"


def aggregates_of(cap: Capture) -> list[tuple[str, object]]:
    """The captured statements that count or sum (no auth, fingerprint or label lookups)."""
    return [(sql, params) for sql, params in cap.statements if statement_kind(sql) == "aggregate"]


# --- gunicorn and HTTP -----------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(settings: dict[str, str], workers: int) -> Iterator[int]:
    """gunicorn serving `create_app()` on a free local port; always stopped when the block ends."""
    port = free_port()
    command = [
        str(VENV_BIN / "gunicorn"),
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        str(int(HTTP_TIMEOUT)),  # the default 30 s would kill a worker in a slow aggregate
        "hub_api:create_app()",
    ]
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **settings}, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_for_health(process, port, log)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for_health(process: subprocess.Popen, port: int, log, timeout: float = 60.0) -> None:
    """Poll GET /health until it answers 200; fail with gunicorn's log if it dies or stalls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                connection.close()
                return
            connection.close()
        time.sleep(0.2)
    log.seek(0)
    tail = "\n  ".join(log.read().strip().splitlines()[-10:])
    raise BenchmarkError(f"gunicorn did not become healthy on port {port}:\n  {tail}")


class HttpClient:
    """One http.client connection, reused while the server keeps it open."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT)
        self.connects = 0
        self.requests = 0

    def get(self, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
        """GET `path`; the response is returned with its body read into `.body`."""
        if self.connection.sock is None:
            self.connects += 1
        self.requests += 1
        self.connection.request("GET", path, headers=headers)
        response = self.connection.getresponse()
        response.body = response.read()
        return response

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def api_runner(client: HttpClient, path: str, token: str, etag: str | None) -> Callable[[], bytes]:
    """One GET of a statistic: 200 with the aggregates, or 304 when `etag` is sent."""
    headers = {"Authorization": f"Bearer {token}"}
    expected = 200
    if etag is not None:
        headers["If-None-Match"] = etag
        expected = 304

    def run() -> bytes:
        response = client.get(path, headers)
        if response.status != expected:
            body = response.body[:300]
            raise BenchmarkError(f"{path} answered {response.status}, not {expected}: {body!r}")
        return response.body

    return run


# --- the SQL floor ---------------------------------------------------------------------------


@dataclass
class SqlRunner:
    """The captured statements run with psycopg2 on one connection, all rows fetched, then commit."""

    connection: object
    statements: list[tuple[str, object]]
    durations: list[list[float]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)

    def __post_init__(self):
        self.reset()

    def reset(self) -> None:
        """Forget the per-statement timings (after the warm-up)."""
        self.durations = [[] for _ in self.statements]

    def __call__(self) -> None:
        """Run every statement once, in order, and commit."""
        cursor = self.connection.cursor()
        rows = []
        for position, (sql, params) in enumerate(self.statements):
            start = time.perf_counter()
            cursor.execute(sql, params)
            rows.append(len(cursor.fetchall()))
            self.durations[position].append(time.perf_counter() - start)
        cursor.close()
        self.connection.commit()
        self.rows = rows


def explain(connection, statements: list[tuple[str, object]]) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement, with its parameters."""
    lines = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines.append(_one_line(sql, 110))
            lines.extend("    " + row[0] for row in cursor.fetchall())
    connection.rollback()
    return lines


# --- one statistic ---------------------------------------------------------------------------


@dataclass
class Result:
    """Everything measured for one statistic."""

    query: str
    kinds: list[str]
    sqls: list[str]
    statement_ms: list[float]
    statement_rows: list[int]
    body_bytes: int
    same_json: bool
    same_etag: bool
    api: Summary
    api_shared: Summary
    api_304: Summary
    sql: Summary
    aggregates: Summary
    plans: list[str]

    @property
    def ratio(self) -> float:
        """Median API time over the median full SQL floor."""
        return self.api.median / self.sql.median

    @property
    def ratio_met(self) -> bool:
        """Whether the API takes at most GOAL_RATIO times the SQL (medians)."""
        return self.ratio <= GOAL_RATIO

    @property
    def p95_met(self) -> bool:
        """Whether the API's p95 is under GOAL_P95_MS when it recounts."""
        return self.api.p95 < GOAL_P95_MS

    @property
    def shared_p95_met(self) -> bool:
        """Whether the API's p95 is under GOAL_P95_MS when readers share the figures."""
        return self.api_shared.p95 < GOAL_P95_MS


def _one_line(sql: str, width: int) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def run_benchmark(url: str, options: argparse.Namespace) -> tuple[list[Result], dict[str, int]]:
    """Capture the SQL of each statistic, start gunicorn, check the bodies, and time everything."""
    secret = secrets.token_urlsafe(36)  # 48 characters, shared by this process and gunicorn
    settings = hub_settings(url, secret, options.min_cell)
    app = create_app(settings)
    token, family = admin_token(app)
    try:
        captures = [capture(app, token, query) for query in options.queries]
        recounting = {**settings, "HUB_STATS_CACHE_MB": "0"}
        with gunicorn(recounting, options.workers) as port, gunicorn(settings, options.workers) as shared:
            client, shared_client = HttpClient(port), HttpClient(shared)
            connection = pg_connect(url)
            try:
                results, runners, floors = [], {}, {}
                for cap in captures:
                    first = client.get(cap.path, {"Authorization": f"Bearer {token}"})
                    if first.status != 200:
                        raise BenchmarkError(f"{cap.path} answered {first.status}: {first.body[:300]!r}")
                    same_json = json.loads(first.body) == json.loads(cap.body)
                    same_etag = first.headers.get("ETag") == cap.etag
                    floors[cap.query] = SqlRunner(connection, cap.statements)
                    runners[(cap.query, "api")] = api_runner(client, cap.path, token, None)
                    runners[(cap.query, "api_shared")] = api_runner(shared_client, cap.path, token, None)
                    runners[(cap.query, "api_304")] = api_runner(client, cap.path, token, cap.etag)
                    runners[(cap.query, "sql")] = floors[cap.query]
                    runners[(cap.query, "aggregates")] = SqlRunner(connection, aggregates_of(cap))
                    results.append((cap, len(first.body), same_json, same_etag))
                timings = measure(
                    runners, iterations=options.requests, warmup=options.warmup, block=options.block
                )
                out = []
                for cap, size, same_json, same_etag in results:
                    floor = floors[cap.query]
                    plans = explain(connection, aggregates_of(cap)) if options.explain else []
                    out.append(
                        Result(
                            query=cap.query,
                            kinds=[statement_kind(sql) for sql, _ in cap.statements],
                            sqls=[sql for sql, _ in cap.statements],
                            statement_ms=[statistics.median(d) * 1000 for d in floor.durations],
                            statement_rows=floor.rows,
                            body_bytes=size,
                            same_json=same_json,
                            same_etag=same_etag,
                            api=timings[(cap.query, "api")],
                            api_shared=timings[(cap.query, "api_shared")],
                            api_304=timings[(cap.query, "api_304")],
                            sql=timings[(cap.query, "sql")],
                            aggregates=timings[(cap.query, "aggregates")],
                            plans=plans,
                        )
                    )
                connections = {"requests": client.requests, "connects": client.connects}
            finally:
                client.close()
                shared_client.close()
                connection.close()
    finally:
        revoke_token(app, family)
        with app.app_context():
            db.engine.dispose()
    return out, connections


# --- report ----------------------------------------------------------------------------------


def _versions() -> str:
    packages = ("flask", "sqlalchemy", "psycopg2-binary", "gunicorn")
    found = []
    for name in packages:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found.append(f"{name} {metadata.version(name)}")
    return ", ".join([f"Python {platform.python_version()}", *found])


def _git_revision() -> str:
    """The checked-out commit, marked `+changes` when tracked files differ from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return f"commit {commit}{' +changes' if dirty else ''}"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def _row(label: str, summary: Summary) -> str:
    return (
        f"  {label:<{LABEL_WIDTH}} {summary.median:>10.1f} {summary.p95:>10.1f} "
        f"{summary.minimum:>10.1f} {summary.mean:>10.1f}"
    )


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def print_result(result: Result) -> None:
    """The detailed figures of one statistic."""
    print(f"\n== GET {API_PREFIX}{result.query} ==")
    counts = {kind: result.kinds.count(kind) for kind in ("auth", "etag", "aggregate", "lookup")}
    described = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    print(f"SQL statements per request: {len(result.kinds)} ({described}); driver median per statement:")
    for number, (kind, sql, ms, rows) in enumerate(
        zip(result.kinds, result.sqls, result.statement_ms, result.statement_rows, strict=True), 1
    ):
        print(f"  {number:>2}. {kind:<9} {ms:>9.2f} ms {rows:>6} rows  {_one_line(sql, 70)}")
    print(
        f"Body {result.body_bytes:,} B; same JSON as in-process: {_yes(result.same_json)}; "
        f"same ETag: {_yes(result.same_etag)}"
    )
    print(f"\n  {'per request (ms)':<{LABEL_WIDTH}} {'median':>10} {'p95':>10} {'min':>10} {'mean':>10}")
    print(_row("API over HTTP (gunicorn), 200, recounted", result.api))
    print(_row("API over HTTP, 200, shared figures", result.api_shared))
    print(_row(f"SQL floor, all {len(result.kinds)} statements (psycopg2)", result.sql))
    print(_row(f"SQL floor, {counts['aggregate']} aggregate statements only", result.aggregates))
    print(_row("API over HTTP, 304 (If-None-Match)", result.api_304))
    print(
        f"  ratio API/SQL: median {result.ratio:.2f}x, p95 {result.api.p95 / result.sql.p95:.2f}x; "
        f"API/aggregate-only median {result.api.median / result.aggregates.median:.2f}x; "
        f"API - SQL (median) {result.api.median - result.sql.median:+.1f} ms"
    )
    ratio = "met" if result.ratio_met else "NOT MET"
    p95 = "met" if result.p95_met else "NOT MET"
    shared = "met" if result.shared_p95_met else "NOT MET"
    print(
        f"  goal API <= {GOAL_RATIO}x SQL: {ratio} ({result.ratio:.2f}x); "
        f"goal p95 < {GOAL_P95_MS:.0f} ms: recounted {p95} ({result.api.p95:.1f} ms), "
        f"shared {shared} ({result.api_shared.p95:.1f} ms)"
    )
    if result.plans:
        print("\n  EXPLAIN (ANALYZE, BUFFERS) of the aggregate statements:")
        for line in result.plans:
            print(f"  {line}")


def print_summary(results: list[Result]) -> None:
    """One table over all statistics, as pasted into the README."""
    print("\n== summary: median / p95 per request, ms ==")
    print(
        "| statistic | API, recounted | SQL floor, all | SQL, aggregates only | API/SQL "
        "| API, shared figures | 304 | body | statements | goals |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        goals = (
            f"ratio {'met' if r.ratio_met else 'NOT met'}, p95 recounted "
            f"{'met' if r.p95_met else 'NOT met'}, shared {'met' if r.shared_p95_met else 'NOT met'}"
        )
        aggregates = r.kinds.count("aggregate")
        print(
            f"| `{r.query}` | {r.api.median:.1f} / {r.api.p95:.1f} | {r.sql.median:.1f} / {r.sql.p95:.1f} "
            f"| {r.aggregates.median:.1f} / {r.aggregates.p95:.1f} | {r.ratio:.2f}x "
            f"| {r.api_shared.median:.2f} / {r.api_shared.p95:.2f} "
            f"| {r.api_304.median:.2f} / {r.api_304.p95:.2f} | {r.body_bytes:,} B "
            f"| {len(r.kinds)} ({aggregates} aggregate) | {goals} |"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=DEFAULT_URL, help=f"populated PostgreSQL database (default {DEFAULT_URL})"
    )
    parser.add_argument(
        "--generate",
        type=int,
        metavar="N",
        help="instead, generate N participants into a fresh database on that server (dropped at the end)",
    )
    parser.add_argument("--requests", type=int, default=60, help="timed requests per variant (60)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per variant first (5)")
    parser.add_argument("--block", type=int, default=1, help="calls per variant in each round (1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--min-cell", type=int, default=5, help="HUB_STATS_MIN_CELL (5, the default)")
    parser.add_argument(
        "--queries",
        nargs="+",
        choices=QUERIES,
        default=list(DEFAULT_QUERIES),
        metavar="QUERY",
        help=f"statistics to time, after {API_PREFIX} (default: {' '.join(DEFAULT_QUERIES)}; "
        f"choices: {' '.join(QUERIES)})",
    )
    parser.add_argument("--explain", action="store_true", help="print the aggregate statements' plans")
    options = parser.parse_args(argv)
    if options.requests < 2 or options.warmup < 0 or options.block < 1 or options.workers < 1:
        parser.error("need --requests >= 2, --warmup >= 0, --block >= 1 and --workers >= 1")
    if options.generate is not None and options.generate < 1:
        parser.error("--generate needs a positive number of participants")
    return options


def main(argv: list[str] | None = None) -> int:
    """Set up the database, run the benchmark and print the figures."""
    options = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    started_at = dt.datetime.now().astimezone()
    print(f"Statistics through gunicorn vs their own SQL ({', '.join(options.queries)})")
    print(
        f"{started_at:%Y-%m-%d %H:%M %Z}, {os.cpu_count()} CPUs, {_versions()}; "
        f"{options.requests} timed requests per variant after {options.warmup} warm-up, "
        f"interleaved in rounds of {options.block}; gunicorn -w {options.workers}"
    )
    print(f"Code: {_git_revision()}; before the run: {_load()} (other work on the machine skews figures)")
    try:
        with contextlib.ExitStack() as stack:
            url = options.database_url
            if options.generate is not None:
                url = stack.enter_context(generated_database(url, options.generate))
            facts = database_facts(url)
            print(
                f"Database {make_url(normalise_database_url(url)).database}: PostgreSQL "
                f"{facts['server_version']}, {facts['participants']:,} participants, "
                f"{facts['enrolments']:,} enrolments, {facts['cohorts']:,} cohorts, "
                f"{facts['institutions']:,} institutions; work_mem {facts['work_mem']}, "
                f"max_parallel_workers_per_gather {facts['max_parallel_workers_per_gather']}, "
                f"jit {facts['jit']}; HUB_STATS_MIN_CELL={options.min_cell}"
            )
            started = time.perf_counter()
            results, connections = run_benchmark(url, options)
    except (BenchmarkError, psycopg2.Error, sa.exc.SQLAlchemyError, OSError) as exc:
        print(f"\nThe benchmark could not run: {exc}", file=sys.stderr)
        return 2
    for result in results:
        print_result(result)
    print(
        f"\nHTTP: {connections['requests']} requests over {connections['connects']} TCP connection(s) "
        "(gunicorn's sync workers close the connection after each response; http.client reopens it)"
    )
    print(f"Capture and timing took {time.perf_counter() - started:.0f} s; after the run: {_load()}")
    print_summary(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
