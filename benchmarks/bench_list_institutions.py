"""Benchmark of the hot read path `GET /api/v1/institutions?page_size=100`.

The API request (JWT check and token-family lookup included) is timed in-process with Flask's
test client and compared with two floors measured in the same run, on the same database:

* raw driver: the count and page SQL the API sends (captured from the API request itself) run
  with the DB driver directly (sqlite3 / psycopg2), the rows turned into dicts and serialised
  with `json.dumps`;
* minimal Flask: a plain Flask app (no auth, no flask-smorest, no marshmallow) that runs the
  same SQL through SQLAlchemy Core and returns `jsonify` of the rows.

It also counts the SQL statements one API request runs at page_size=10 and 100, and (unless
`--no-breakdown`) times the stages of the API request separately to show where the time goes.

Run from the repository root:

    .venv/bin/python benchmarks/bench_list_institutions.py [--backend sqlite|postgresql|both]

PostgreSQL is reached through `--pg-url` (default: $HUB_BENCH_DATABASE_URL, then
$HUB_TEST_DATABASE_URL, then postgresql://postgres@127.0.0.1:5432/postgres); the benchmark
creates its own database there and drops it at the end. See benchmarks/README.md.
"""

import argparse
import contextlib
import datetime as dt
import gc
import json
import logging
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import flask_migrate
import psycopg2
import sqlalchemy as sa
from flask import Flask, jsonify, request
from flask_jwt_extended import verify_jwt_in_request
from sqlalchemy.engine import make_url

from hub_api import create_app
from hub_api.auth.tokens import issue_user_tokens
from hub_api.config import normalise_database_url
from hub_api.extensions import db
from hub_api.models import Country, Institution
from hub_api.models.enums import InstitutionKind, Role
from hub_api.pagination import paginate
from hub_api.resources.institutions import SORTABLE
from hub_api.schemas.institutions import InstitutionQuerySchema, InstitutionSchema
from hub_api.services import institutions as institution_service
from hub_api.services.users import create_user

API_PATH = "/api/v1/institutions"
MINIMAL_PATH = "/institutions"
PAGE_SIZE = 100
SMALL_PAGE_SIZE = 10
DEFAULT_PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = "x" * 48
ADMIN = {
    "email": "bench@hub.example",
    "full_name": "Bench",
    "password": "correct-horse-battery",
    "role": Role.HUB_ADMIN,
}
TIMESTAMP_FIELDS = ("created_at", "updated_at")
LABEL_WIDTH = 48  # first column of the printed tables

# Words that make seeded names look like the real catalogue (English, Russian).
KIND_WORDS = {
    InstitutionKind.ACADEMY: ("Training Academy", "Учебная академия"),
    InstitutionKind.UNIVERSITY: ("University", "Университет"),
    InstitutionKind.PENITENTIARY_SERVICE: ("Penitentiary Service", "Пенитенциарная служба"),
    InstitutionKind.PROBATION_SERVICE: ("Probation Service", "Служба пробации"),
    InstitutionKind.MINISTRY: ("Ministry of Justice", "Министерство юстиции"),
    InstitutionKind.INTERNATIONAL_ORGANISATION: ("Regional Office", "Региональное бюро"),
    InstitutionKind.DONOR: ("Development Fund", "Фонд развития"),
    InstitutionKind.NGO: ("Reintegration Centre", "Центр реинтеграции"),
    InstitutionKind.OTHER: ("Research Institute", "Научный институт"),
}
CITIES = ("Astana", "Almaty", "Kostanay", "Bishkek", "Osh", "Dushanbe", "Tashkent", "Ashgabat")


class BenchmarkError(RuntimeError):
    """The benchmark could not run, or a variant returned something unexpected."""


@dataclass(frozen=True)
class Summary:
    """Per-request timings of one variant, in milliseconds.

    `median`, `p95`, `minimum` and `mean` are wall-clock (time.perf_counter); `cpu_median` is
    the median CPU time of this process (time.process_time), so `median - cpu_median` is
    roughly the time spent waiting for the database server or the scheduler.
    """

    median: float
    p95: float
    minimum: float
    mean: float
    cpu_median: float
    samples: int


def summarise(seconds: list[float], cpu_seconds: list[float]) -> Summary:
    """Wall-clock median, 95th percentile, minimum and mean, and CPU median, in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    p95 = statistics.quantiles(ms, n=100, method="inclusive")[94]
    cpu = statistics.median(cpu_seconds) * 1000
    return Summary(statistics.median(ms), p95, ms[0], statistics.fmean(ms), cpu, len(ms))


def measure(
    runners: dict[str, Callable[[], object]], *, iterations: int, warmup: int, block: int
) -> dict[str, Summary]:
    """Time each runner `iterations` times, after `warmup` untimed calls, in interleaved blocks.

    The variants take turns in blocks of `block` calls (the order rotates every round), so a
    slow spell of a shared 2-core machine is spread over all of them rather than one.
    """
    for run in runners.values():
        for _ in range(warmup):
            run()
    wall: dict[str, list[float]] = {name: [] for name in runners}
    cpu: dict[str, list[float]] = {name: [] for name in runners}
    order = list(runners)
    done = 0
    while done < iterations:
        count = min(block, iterations - done)
        for name in order:
            run, wall_out, cpu_out = runners[name], wall[name], cpu[name]
            gc.collect()
            for _ in range(count):
                cpu_start = time.process_time()
                start = time.perf_counter()
                run()
                wall_out.append(time.perf_counter() - start)
                cpu_out.append(time.process_time() - cpu_start)
        order = order[1:] + order[:1]
        done += count
    return {name: summarise(wall[name], cpu[name]) for name in runners}


# --- databases -------------------------------------------------------------------------------


def postgresql_server_url(cli_value: str | None) -> str:
    """The PostgreSQL server to create the benchmark database on."""
    return (
        cli_value
        or os.environ.get("HUB_BENCH_DATABASE_URL")
        or os.environ.get("HUB_TEST_DATABASE_URL")
        or DEFAULT_PG_SERVER
    )


def _pg_connect(url: str, **kwargs):
    parsed = make_url(normalise_database_url(url))
    return psycopg2.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database or "postgres",
        **kwargs,
    )


def postgresql_reachable(server_url: str) -> bool:
    """True when the server accepts a connection within a few seconds."""
    try:
        _pg_connect(server_url, connect_timeout=3).close()
    except psycopg2.Error:
        return False
    return True


@contextlib.contextmanager
def benchmark_database(backend: str, server_url: str) -> Iterator[str]:
    """A fresh, empty database for one backend; removed again when the block ends."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="hub_bench_") as directory:
            yield f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        return
    name = f"hub_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _pg_connect(server_url, connect_timeout=5)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        url = make_url(normalise_database_url(server_url)).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def driver_connection(url: str):
    """A DB-API connection of the driver the app uses, opened directly (no SQLAlchemy)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return sqlite3.connect(parsed.database)
    return _pg_connect(url)


# --- the app under test ----------------------------------------------------------------------


def build_app(url: str):
    """The real app on `url`, migrated with Alembic exactly as production is."""
    app = create_app({"HUB_ENV": "test", "HUB_SECRET_KEY": SECRET_KEY, "HUB_DATABASE_URL": url})
    logging.disable(logging.INFO)  # Alembic announces every migration at INFO.
    try:
        with app.app_context():
            flask_migrate.upgrade()
    finally:
        logging.disable(logging.NOTSET)
    return app


def _institution(number: int, country: str, kind: InstitutionKind, rng: random.Random, **extra):
    city = rng.choice(CITIES)
    english, russian = KIND_WORDS[kind]
    name = {"en": f"{city} {english} No. {number}", "ru": f"{russian} № {number} ({city})"}
    if number % 4 == 0:
        name["kk"] = f"{city} №{number} мекемесі"
    return Institution(
        code=f"{country}-{kind.value[:4].upper()}-{number:05d}",
        name=name,
        short_name=f"{kind.value[:3].upper()}{number}" if number % 2 else None,
        kind=kind,
        country=country,
        region=f"{city} Region" if number % 3 else None,
        city=city,
        website=f"https://inst{number}.example.org" if number % 2 else None,
        email=f"office@inst{number}.example.org" if number % 5 else None,
        external_ids={"lms": f"LMS-{number}"} if number % 3 == 0 else {},
        **extra,
    )


def seed(app, institutions: int, rng: random.Random) -> str:
    """Create a hub admin and `institutions` institutions; return the admin's access token.

    Institutions go through the ORM so that the `search_text` event fills that column; their
    codes are shuffled against insertion order, and one in ten is a sub-unit of another.
    """
    with app.app_context():
        user = create_user(data=dict(ADMIN))
        token = issue_user_tokens(user)["access_token"]
        db.session.commit()
        countries = list(db.session.scalars(sa.select(Country.code).order_by(Country.code)))
        kinds = list(InstitutionKind)
        numbers = list(range(1, institutions + 1))
        rng.shuffle(numbers)
        split = institutions - institutions // 10

        def make(number: int, **extra) -> Institution:
            country, kind = countries[number % len(countries)], kinds[number % len(kinds)]
            return _institution(number, country, kind, rng, **extra)

        tops = [make(n) for n in numbers[:split]]
        db.session.add_all(tops)
        db.session.flush()
        db.session.add_all([make(n, parent_id=rng.choice(tops).id) for n in numbers[split:]])
        db.session.commit()
        db.session.remove()
    return token


def settle_statistics(url: str) -> None:
    """On PostgreSQL, VACUUM ANALYZE the seeded tables, as autovacuum soon would.

    Without statistics the planner sorts the whole table for `ORDER BY code, id` instead of
    walking the unique index on `code`, and autovacuum may change the plan mid-run.
    """
    if make_url(url).get_backend_name() != "postgresql":
        return
    connection = _pg_connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def app_engine(app) -> sa.Engine:
    """The SQLAlchemy engine the app's requests use."""
    with app.app_context():
        return db.engine


@contextlib.contextmanager
def captured_statements(engine: sa.Engine) -> Iterator[list[tuple[str, object]]]:
    """Record (SQL, parameters) of every statement `engine` sends while the block runs."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany):
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def api_runner(client, token: str, page_size: int = PAGE_SIZE) -> Callable[[], bytes]:
    """One authenticated `GET /api/v1/institutions?page_size=N` through the test client."""
    url = f"{API_PATH}?page_size={page_size}"
    headers = {"Authorization": f"Bearer {token}"}

    def run() -> bytes:
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise BenchmarkError(f"API answered {response.status_code}: {response.get_data()!r}")
        return response.get_data()

    return run


def list_statements(statements: list[tuple[str, object]]) -> tuple[tuple, tuple]:
    """Pick the count and the page statements out of what one API request ran."""
    listing = [s for s in statements if "FROM institutions" in s[0]]
    counts = [s for s in listing if s[0].lstrip().lower().startswith("select count(")]
    pages = [s for s in listing if s not in counts and "LIMIT" in s[0].upper()]
    if len(counts) != 1 or len(pages) != 1:
        raise BenchmarkError(f"Expected one count and one page statement, got {listing}")
    return counts[0], pages[0]


# --- floor 1: the raw driver -----------------------------------------------------------------


def _json_default(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"Cannot serialise {type(value).__name__}")


def raw_runner(connection, count_stmt: tuple, page_stmt: tuple, fields: list[str]):
    """Run the API's count and page SQL with the driver, build dicts and `json.dumps` them.

    Both statements run in one transaction that is then committed, as a request would; JSON
    columns that the driver hands back as text (SQLite) are decoded so the body has the same
    shape as the API's, and it is encoded like Flask's (compact, sorted keys, ASCII).
    """
    json_columns = [c.name for c in Institution.__table__.columns if isinstance(c.type, sa.JSON)]

    def run() -> tuple[int, bytes]:
        cursor = connection.cursor()
        cursor.execute(*count_stmt)
        total = cursor.fetchone()[0]
        cursor.execute(*page_stmt)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
        cursor.close()
        connection.commit()
        items = []
        for row in rows:
            record = dict(zip(names, row, strict=True))
            for column in json_columns:
                if isinstance(record[column], str):
                    record[column] = json.loads(record[column])
            items.append({name: record[name] for name in fields})
        body = json.dumps(items, default=_json_default, separators=(",", ":"), sort_keys=True)
        return total, body.encode()

    return run


# --- floor 2: a minimal Flask app ------------------------------------------------------------


def minimal_flask_app(url: str, fields: list[str]) -> tuple[Flask, sa.Engine]:
    """A plain Flask app whose one view runs the list SQL through SQLAlchemy Core, no auth.

    The statements mirror what `hub_api.pagination.paginate` builds for the default sort
    (`code` with NULLs last, then `id`); the run checks that the SQL text is identical.
    """
    engine = sa.create_engine(url)
    table = Institution.__table__
    app = Flask("minimal_flask_floor")

    @app.get(MINIMAL_PATH)
    def list_institutions():
        page = request.args.get("page", 1, type=int)
        page_size = request.args.get("page_size", 20, type=int)
        rows_of = sa.select(table)
        with engine.connect() as connection:
            total = connection.execute(
                sa.select(sa.func.count()).select_from(rows_of.subquery())
            ).scalar_one()
            rows = (
                connection.execute(
                    rows_of.order_by(table.c.code.asc().nulls_last(), table.c.id.asc())
                    .limit(page_size)
                    .offset((page - 1) * page_size)
                )
                .mappings()
                .all()
            )
        items = [{name: row[name] for name in fields} for row in rows]
        response = jsonify(items)
        response.headers["X-Total-Count"] = str(total)
        return response

    return app, engine


def minimal_runner(client, page_size: int = PAGE_SIZE) -> Callable[[], bytes]:
    """One `GET /institutions?page_size=N` on the minimal app through its test client."""
    url = f"{MINIMAL_PATH}?page_size={page_size}"

    def run() -> bytes:
        response = client.get(url)
        if response.status_code != 200:
            raise BenchmarkError(f"Minimal app answered {response.status_code}")
        return response.get_data()

    return run


def _comparable(body: bytes) -> list[dict]:
    return [{k: v for k, v in item.items() if k not in TIMESTAMP_FIELDS} for item in json.loads(body)]


def check_same_page(api_body: bytes, raw_body: bytes, minimal_body: bytes) -> None:
    """Fail unless all three bodies list the same institutions, in the same order, alike.

    Timestamps are left out: each variant spells them its own way (marshmallow ISO 8601,
    the driver's own text or `isoformat`, Flask's HTTP date).
    """
    expected = _comparable(api_body)
    if len(expected) != PAGE_SIZE:
        raise BenchmarkError(f"API returned {len(expected)} items, expected {PAGE_SIZE}")
    for label, body in (("raw driver", raw_body), ("minimal Flask", minimal_body)):
        if _comparable(body) != expected:
            raise BenchmarkError(f"The {label} body differs from the API's")


def check_totals(api_client, token: str, minimal_client, raw_total: int, expected: int) -> None:
    """Fail unless the API, the minimal app and the raw count all report `expected` rows."""
    headers = {"Authorization": f"Bearer {token}"}
    totals = {
        api_client.get(API_PATH, headers=headers).headers["X-Total-Count"],
        minimal_client.get(MINIMAL_PATH).headers["X-Total-Count"],
        str(raw_total),
    }
    if totals != {str(expected)}:
        raise BenchmarkError(f"Totals disagree: {sorted(totals)}, expected {expected}")


# --- diagnostics -----------------------------------------------------------------------------


def stage_runners(app, token: str, connection) -> dict[str, Callable[[], object]]:
    """Stages of the API request timed on their own, with the app's own code.

    `auth` and `query` each run in a request context of their own and so each pay a
    connection checkout (with pool_pre_ping) and a commit, which the real request pays once.
    A what-if row times a hand-written serialiser, when its output equals the schema's.
    """
    url = f"{API_PATH}?page_size={PAGE_SIZE}"
    headers = {"Authorization": f"Bearer {token}"}
    args = InstitutionQuerySchema().load({"page_size": str(PAGE_SIZE)})
    schema = InstitutionSchema(many=True)

    def auth() -> None:
        with app.test_request_context(url, headers=headers):
            verify_jwt_in_request()
            db.session.commit()

    def query() -> list:
        with app.test_request_context(url, headers=headers):
            stmt = institution_service.institutions_query(args)
            items, _, _ = paginate(stmt, args, model=Institution, sortable=SORTABLE)
            db.session.commit()
            return items

    items = query()
    dumped = schema.dump(items)

    def ping() -> None:
        cursor = connection.cursor()
        cursor.execute("SELECT 1")
        cursor.fetchone()
        cursor.close()

    stages = {
        "JWT decode + token-family lookup (own checkout)": auth,
        "ORM count + page of 100 (own checkout)": query,
        "marshmallow dump of 100 institutions": lambda: schema.dump(items),
        "Flask JSON encoding of the dump": lambda: app.json.response(dumped),
        "one `SELECT 1` round trip (pool_pre_ping)": ping,
    }
    if plain_dump(items) == dumped:  # only while it still matches the schema's output
        stages["what-if: plain-Python dump, same output"] = lambda: plain_dump(items)
    return stages


def plain_dump(items: list[Institution]) -> list[dict]:
    """What `InstitutionSchema(many=True).dump` returns, written out by hand (a what-if)."""
    return [
        {
            "city": i.city,
            "code": i.code,
            "country": i.country,
            "created_at": i.created_at.isoformat(),
            "email": i.email,
            "external_ids": i.external_ids,
            "id": i.id,
            "kind": i.kind.value,
            "name": i.name,
            "parent_id": i.parent_id,
            "region": i.region,
            "short_name": i.short_name,
            "status": i.status.value,
            "updated_at": i.updated_at.isoformat(),
            "website": i.website,
        }
        for i in items
    ]


def explain(connection, backend: str, statements: tuple[tuple, tuple], repeat: int = 50) -> list[str]:
    """The database's plan for the count and the page statements, and their driver time."""
    prefix = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN (ANALYZE, COSTS OFF) "
    lines = []
    for sql, params in statements:
        cursor = connection.cursor()
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
        durations = []
        for _ in range(repeat):
            start = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            durations.append(time.perf_counter() - start)
        cursor.close()
        lines.append(_one_line(sql, 90))
        lines.extend("    " + str(row[-1]) for row in rows)
        median_ms = statistics.median(durations) * 1000
        lines.append(f"    driver execute + fetchall: median {median_ms:.3f} ms over {repeat} runs")
    connection.rollback()
    return lines


def _tail(sql: str, width: int = 100) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= width else "..." + text[-(width - 3) :]


def _one_line(sql: str, width: int) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 3] + "..."


# --- one backend -----------------------------------------------------------------------------


@dataclass
class BackendResult:
    """Everything measured on one backend."""

    backend: str
    server_version: str
    institutions: int
    statements: dict[int, list[str]]
    api: Summary
    minimal: Summary
    raw: Summary
    body_bytes: dict[str, int]
    api_list_sql: list[str]
    minimal_sql: list[str]
    stages: dict[str, Summary]
    plans: list[str]

    @property
    def same_sql(self) -> bool:
        """Whether the minimal Flask app sent exactly the API's count and page SQL."""
        return self.minimal_sql == self.api_list_sql

    @property
    def api_over_raw(self) -> float:
        """Median API time over the median raw-driver time."""
        return self.api.median / self.raw.median

    @property
    def api_over_minimal(self) -> float:
        """Median API time over the median minimal-Flask time."""
        return self.api.median / self.minimal.median


def _server_version(connection, backend: str) -> str:
    if backend == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    cursor = connection.cursor()
    cursor.execute("SHOW server_version")
    version = cursor.fetchone()[0]
    cursor.close()
    connection.rollback()
    return f"PostgreSQL {version}"


def run_backend(backend: str, url: str, options: argparse.Namespace) -> BackendResult:
    """Seed a database, check the three variants agree, time them, and collect diagnostics."""
    app = build_app(url)
    token = seed(app, options.institutions, random.Random(options.seed))
    settle_statistics(url)
    engine = app_engine(app)
    client = app.test_client()
    api = api_runner(client, token)

    statements: dict[int, list[str]] = {}
    for size in (SMALL_PAGE_SIZE, PAGE_SIZE):
        with captured_statements(engine) as seen:
            api_runner(client, token, size)()
        statements[size] = [sql for sql, _ in seen]
        if size == PAGE_SIZE:
            list_sql = list_statements(seen)

    fields = list(json.loads(api())[0])
    minimal_app, minimal_engine = minimal_flask_app(url, fields)
    minimal = minimal_runner(minimal_app.test_client())
    connection = driver_connection(url)
    try:
        raw = raw_runner(connection, *list_sql, fields)
        with captured_statements(minimal_engine) as minimal_seen:
            minimal_body = minimal()
        minimal_sql = [sql for sql, _ in minimal_seen]
        api_body, (raw_total, raw_body) = api(), raw()
        check_same_page(api_body, raw_body, minimal_body)
        check_totals(client, token, minimal_app.test_client(), raw_total, options.institutions)

        timings = measure(
            {"api": api, "minimal": minimal, "raw": raw},
            iterations=options.iterations,
            warmup=options.warmup,
            block=options.block,
        )
        stages = {}
        if options.breakdown:
            stages = measure(
                stage_runners(app, token, connection),
                iterations=options.iterations,
                warmup=options.warmup,
                block=options.block,
            )
            connection.rollback()
        plans = explain(connection, backend, list_sql) if options.explain else []
        version = _server_version(connection, backend)
    finally:
        connection.close()
        minimal_engine.dispose()
        engine.dispose()

    return BackendResult(
        backend=backend,
        server_version=version,
        institutions=options.institutions,
        statements=statements,
        api=timings["api"],
        minimal=timings["minimal"],
        raw=timings["raw"],
        body_bytes={"api": len(api_body), "minimal": len(minimal_body), "raw": len(raw_body)},
        api_list_sql=[sql for sql, _ in list_sql],
        minimal_sql=minimal_sql,
        stages=stages,
        plans=plans,
    )


# --- report ----------------------------------------------------------------------------------


def _versions() -> str:
    packages = ("flask", "flask-smorest", "marshmallow", "sqlalchemy", "psycopg2-binary")
    found = []
    for name in packages:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found.append(f"{name} {metadata.version(name)}")
    return ", ".join([f"Python {platform.python_version()}", *found])


def _git_revision() -> str:
    """The checked-out commit, marked `+changes` when the working tree differs from it."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
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


def _heading(title: str) -> str:
    return f"  {title:<{LABEL_WIDTH}} {'median':>9} {'p95':>9} {'min':>9} {'cpu med':>9}"


def _row(label: str, summary: Summary) -> str:
    return (
        f"  {label:<{LABEL_WIDTH}} {summary.median:>9.3f} {summary.p95:>9.3f} "
        f"{summary.minimum:>9.3f} {summary.cpu_median:>9.3f}"
    )


def print_backend(result: BackendResult) -> None:
    """The detailed figures of one backend."""
    print(f"\n== {result.backend}: {result.server_version}, {result.institutions} institutions ==")
    small, large = (len(result.statements[s]) for s in (SMALL_PAGE_SIZE, PAGE_SIZE))
    print(
        f"SQL statements per API request: page_size={SMALL_PAGE_SIZE} -> {small}, "
        f"page_size={PAGE_SIZE} -> {large}"
    )
    for number, sql in enumerate(result.statements[PAGE_SIZE], 1):
        print(f"  {number}. {_one_line(sql, 100)}")
    same = "yes" if result.same_sql else "NO"
    print(f"Minimal Flask sends the same count + page SQL as the API: {same}")
    if not result.same_sql:
        for api_sql, minimal_sql in zip(result.api_list_sql, result.minimal_sql, strict=False):
            if api_sql != minimal_sql:
                print(f"  API:     {_tail(api_sql)}\n  minimal: {_tail(minimal_sql)}")
    sizes = ", ".join(f"{name} {size:,} B" for name, size in result.body_bytes.items())
    print(f"Bodies (checked: same 100 institutions in the same order, same total): {sizes}")
    print("\n" + _heading("per request (ms)"))
    print(_row("API: auth + flask-smorest + ORM + marshmallow", result.api))
    print(_row("minimal Flask + SQLAlchemy Core + jsonify", result.minimal))
    print(_row("raw driver + json.dumps", result.raw))
    print(
        f"  ratios (median): api/raw {result.api_over_raw:.1f}x, "
        f"api/minimal-flask {result.api_over_minimal:.1f}x; (p95): "
        f"api/raw {result.api.p95 / result.raw.p95:.1f}x, "
        f"api/minimal-flask {result.api.p95 / result.minimal.p95:.1f}x"
    )
    if result.stages:
        print("\n" + _heading("stages of the API request, alone (ms)"))
        for label, summary in result.stages.items():
            share = 100 * summary.median / result.api.median
            print(_row(label, summary) + f"  {share:4.0f}% of API")
    if result.plans:
        print("\n  Query plans:")
        for line in result.plans:
            print(f"  {line}")


def print_summary(results: list[BackendResult]) -> None:
    """One table over all backends, as pasted into the README."""
    print("\n== summary: median / p95 per request, ms ==")
    print("| backend | API | minimal Flask | raw driver | api/raw | api/minimal |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.backend} | {r.api.median:.2f} / {r.api.p95:.2f} "
            f"| {r.minimal.median:.2f} / {r.minimal.p95:.2f} "
            f"| {r.raw.median:.2f} / {r.raw.p95:.2f} "
            f"| {r.api_over_raw:.1f}x | {r.api_over_minimal:.1f}x |"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql", "both"),
        default=None,
        help="database(s) to run on (default: both when PostgreSQL is reachable, else sqlite)",
    )
    parser.add_argument("--pg-url", help=f"PostgreSQL server URL (default {DEFAULT_PG_SERVER})")
    parser.add_argument("--institutions", type=int, default=2000, help="rows to seed (2000)")
    parser.add_argument("--iterations", type=int, default=300, help="timed requests per variant")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests per variant first")
    parser.add_argument("--block", type=int, default=50, help="requests per interleaved block")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed for the data")
    parser.add_argument(
        "--no-breakdown", dest="breakdown", action="store_false", help="skip the stage timings"
    )
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    options = parser.parse_args(argv)
    if options.institutions < PAGE_SIZE or options.iterations < 20:
        parser.error(f"need at least {PAGE_SIZE} institutions and 20 iterations")
    return options


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on the chosen backends and print the figures."""
    options = parse_args(argv)
    server = postgresql_server_url(options.pg_url)
    backends = ["sqlite", "postgresql"] if options.backend == "both" else [options.backend]
    if options.backend is None:
        backends = ["sqlite"]
        if postgresql_reachable(server):
            backends.append("postgresql")
        else:
            print(f"PostgreSQL not reachable at {make_url(server)!r}; SQLite only.")
    elif "postgresql" in backends and not postgresql_reachable(server):
        print(f"PostgreSQL not reachable at {make_url(server)!r}", file=sys.stderr)
        return 2

    started_at = dt.datetime.now().astimezone()
    print(f"GET {API_PATH}?page_size={PAGE_SIZE} vs raw-driver and minimal-Flask floors")
    print(
        f"{started_at:%Y-%m-%d %H:%M %Z}, {os.cpu_count()} CPUs, {_versions()}; "
        f"{options.iterations} timed requests per variant after {options.warmup} warm-up, "
        f"interleaved in blocks of {options.block}"
    )
    print(f"Code: {_git_revision()}; before the run: {_load()} (other work on the machine skews figures)")
    results = []
    for backend in backends:
        started = time.perf_counter()
        with benchmark_database(backend, server) as url:
            result = run_backend(backend, url, options)
        results.append(result)
        print_backend(result)
        print(f"  ({backend} done in {time.perf_counter() - started:.1f} s; {_load()})")
    print_summary(results)
    if options.json:
        payload = {
            "started_at": started_at.isoformat(timespec="seconds"),
            "code": _git_revision(),
            "versions": _versions(),
            "options": {k: str(v) for k, v in vars(options).items()},
            "results": [
                {**asdict(r), "api_over_raw": r.api_over_raw, "api_over_minimal": r.api_over_minimal}
                for r in results
            ],
        }
        options.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
