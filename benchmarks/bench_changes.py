"""Benchmark of the change feed `GET /api/v1/changes` through gunicorn, against its own SQL.

On an already populated PostgreSQL database (default `gen_feed`, filled by
`hub-api generate --scale 100000`), each variant is timed two ways:

* API: the request over real HTTP (http.client, one keep-alive connection, Bearer token) against
  gunicorn started by this script;
* SQL floor: every statement one in-process request of the variant ran (token lookup, pruning
  state, horizon, page), captured with their parameters, run with psycopg2 on one connection,
  all rows fetched, then a commit.

Variants, 100 entries a page: the first page, a page halfway through the feed and the
up-to-date poll (the `next_cursor` handed out after the last page) as a hub admin; the first
page as the coordinator of the institution with the most participants ("busy") and as the one
of the institution with the fewest (then hosting the fewest enrolments: "sparse"), with all types
and with `types=participant,enrolment` (the sparse coordinator's people page scans until it finds
100 entries it may see, or reaches the horizon); and a coordinator's up-to-date poll.

Before anything is timed, the JSON of each variant over HTTP is checked against the in-process
one; only an up-to-date `next_cursor` may differ, when other transactions moved the horizon.
The variants take turns (interleaved rounds, order rotating); the report gives median and p95
of each and the ratio API/SQL. The exit code is 0 whatever the figures; 2 when the run could not
be set up.

Run from the repository root:

    .venv/bin/python benchmarks/bench_changes.py [--database-url URL] [--requests N]

The script signs in a hub admin and two coordinators (bench-changes-*@hub.example) and deletes
them, with their tokens, at the end. See benchmarks/README.md.
"""

import argparse
import datetime as dt
import json
import os
import secrets
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import psycopg2
import sqlalchemy as sa
from bench_stats import (
    BenchmarkError,
    HttpClient,
    SqlRunner,
    Summary,
    _git_revision,
    _load,
    _on_sigterm,
    _versions,
    api_runner,
    gunicorn,
    hub_settings,
    measure,
    pg_connect,
)
from sqlalchemy.engine import make_url

from hub_api import create_app
from hub_api.access.visibility import visible_changes
from hub_api.auth.principal import Principal
from hub_api.auth.tokens import issue_user_tokens
from hub_api.config import normalise_database_url
from hub_api.extensions import db
from hub_api.models import Change, User
from hub_api.models.enums import Role
from hub_api.services.changes.cursor import Position, decode
from hub_api.services.changes.feed import END_OF_TRANSACTION
from hub_api.services.users import create_user

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/gen_feed"
FEED = "/api/v1/changes"
LIMIT = 100
PEOPLE = ("participant", "enrolment")
EMAIL = "bench-changes-{}@hub.example"
READERS = ("admin", "busy", "sparse")
LABEL_WIDTH = 36


# --- the database and the readers --------------------------------------------------------------


@dataclass(frozen=True)
class FeedFacts:
    """The feed's size and shape, and the positions the variants start from."""

    server_version: str
    entries: int
    transactions: int
    by_type: dict[str, int]
    middle: Position
    last: Position
    busy: tuple[int, int, int]  # (institution id, participants, hosted enrolments): most participants
    sparse: tuple[int, int, int]  # the same: fewest participants, then fewest hosted enrolments


def feed_facts(url: str) -> FeedFacts:
    """Count the feed's entries, find its middle and last positions and the two institutions."""
    connection = pg_connect(url, connect_timeout=5)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SELECT object_type, count(*) FROM changes GROUP BY object_type ORDER BY min(id)")
            by_type = dict(cursor.fetchall())
            entries = sum(by_type.values())
            if entries < 2 * LIMIT:
                raise BenchmarkError(f"the feed holds {entries} entries; run `hub-api generate` first")
            cursor.execute("SELECT count(DISTINCT txid) FROM changes")
            transactions = cursor.fetchone()[0]
            cursor.execute(
                "SELECT txid, id FROM changes ORDER BY txid, id OFFSET %s LIMIT 1", (entries // 2,)
            )
            middle = Position(*cursor.fetchone())
            cursor.execute("SELECT txid, id FROM changes ORDER BY txid DESC, id DESC LIMIT 1")
            last = Position(*cursor.fetchone())
            cursor.execute(
                "SELECT i.id, (SELECT count(*) FROM participants p WHERE p.institution_id = i.id), "
                "(SELECT count(*) FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id "
                "WHERE c.host_institution_id = i.id) FROM institutions i"
            )
            institutions = cursor.fetchall()
    finally:
        connection.rollback()
        connection.close()
    busy = min(institutions, key=lambda row: (-row[1], row[0]))
    sparse = min(institutions, key=lambda row: (row[1], row[2], row[0]))
    return FeedFacts(version, entries, transactions, by_type, middle, last, busy, sparse)


@dataclass(frozen=True)
class Reader:
    """A signed-in user the feed is read as, and how many of its entries that user may see."""

    description: str
    token: str
    visible: int
    visible_people: int


def remove_readers(app) -> None:
    """Delete the benchmark's users; their token families go with them (ON DELETE CASCADE)."""
    with app.app_context():
        db.session.execute(sa.delete(User).where(User.email.in_([EMAIL.format(r) for r in READERS])))
        db.session.commit()
        db.session.remove()


def sign_in(app, name: str, role: Role, institution_id: int | None, description: str) -> Reader:
    """Create one benchmark user, issue its access token and count the entries it may see."""
    data = {
        "email": EMAIL.format(name),
        "full_name": f"Change feed benchmark ({name})",
        "password": secrets.token_urlsafe(24),
        "role": role,
    }
    if institution_id is not None:
        data["institution_id"] = institution_id
    with app.app_context():
        user = create_user(data=data)
        token = issue_user_tokens(user)["access_token"]
        db.session.commit()
        people = sa.func.count().filter(Change.object_type.in_(PEOPLE))
        counts = db.session.execute(
            sa.select(sa.func.count(), people).where(visible_changes(Principal.for_user(user)))
        ).one()
        db.session.remove()
    return Reader(description, token, counts[0], counts[1])


def sign_in_readers(app, facts: FeedFacts) -> dict[str, Reader]:
    """The hub admin and the coordinators of the busiest and of the emptiest institution."""
    readers = {"admin": sign_in(app, "admin", Role.HUB_ADMIN, None, "hub admin")}
    for name, (institution, participants, hosted) in (("busy", facts.busy), ("sparse", facts.sparse)):
        description = (
            f"coordinator of institution {institution} "
            f"({participants:,} participants, hosts {hosted:,} enrolments)"
        )
        readers[name] = sign_in(app, name, Role.COORDINATOR, institution, description)
    return readers


# --- the variants, in-process ------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One feed request: who reads, from where, which types."""

    label: str
    reader: str
    path: str


@dataclass(frozen=True)
class Capture:
    """What one in-process request ran and returned."""

    statements: list[tuple[str, object]]
    body: bytes


def feed_path(after: Position | str | None = None, types: tuple[str, ...] | None = None) -> str:
    """The feed URL for a cursor (a position or a cursor string) and types, LIMIT entries a page."""
    query = {}
    if after is not None:
        query["after"] = after if isinstance(after, str) else after.encode()
    if types is not None:
        query["types"] = ",".join(types)
    query["limit"] = LIMIT
    return f"{FEED}?{urlencode(query)}"


def capture(app, token: str, path: str) -> Capture:
    """Run one request in-process and record every SQL statement it sent."""
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany):
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    if response.status_code != 200:
        raise BenchmarkError(f"in-process {path} answered {response.status_code}: {response.get_data()!r}")
    return Capture(seen, response.get_data())


def poll_cursor(app, token: str, last: Position) -> str:
    """The `next_cursor` a reader gets once it has read past the newest entry: where it polls from."""
    page = json.loads(capture(app, token, feed_path(last)).body)
    if page["items"]:
        raise BenchmarkError(f"the feed has entries after its newest one {last}: is something writing?")
    return page["next_cursor"]


def build_variants(app, readers: dict[str, Reader], facts: FeedFacts) -> list[Variant]:
    """The variants, with the middle cursor taken from the data and the poll cursors from the feed."""
    busy, sparse = facts.busy[0], facts.sparse[0]
    return [
        Variant("first page, hub admin", "admin", feed_path()),
        Variant("middle page, hub admin", "admin", feed_path(facts.middle)),
        Variant(
            "up-to-date poll, hub admin",
            "admin",
            feed_path(poll_cursor(app, readers["admin"].token, facts.last)),
        ),
        Variant(f"first page, coordinator, busy ({busy})", "busy", feed_path()),
        Variant(f"first page, coordinator, sparse ({sparse})", "sparse", feed_path()),
        Variant(f"first people page, busy ({busy})", "busy", feed_path(types=PEOPLE)),
        Variant(f"first people page, sparse ({sparse})", "sparse", feed_path(types=PEOPLE)),
        Variant(
            "up-to-date poll, coordinator",
            "busy",
            feed_path(poll_cursor(app, readers["busy"].token, facts.last)),
        ),
    ]


def same_page(api_body: bytes, local_body: bytes) -> str:
    """How the HTTP page compares with the in-process one; BenchmarkError if the entries differ.

    An up-to-date page's `next_cursor` stands at the horizon (the oldest running transaction on
    the server), which other transactions, in any database of the cluster, may move on.
    """
    api, local = json.loads(api_body), json.loads(local_body)
    if api == local:
        return "identical"
    ahead, before = decode(api["next_cursor"]), decode(local["next_cursor"])
    if api["items"] == local["items"] and ahead.id == before.id == END_OF_TRANSACTION and ahead >= before:
        return f"same items; horizon cursor {ahead.txid - before.txid} transaction(s) further"
    raise BenchmarkError(f"the page over HTTP differs from the in-process one: {api_body[:300]!r}")


def page_statement(cap: Capture) -> tuple[int, str, object]:
    """(position, SQL, parameters) of the captured statement that reads the entries."""
    for position, (sql, params) in enumerate(cap.statements):
        if "FROM changes" in sql:
            return position, sql, params
    raise BenchmarkError("no captured statement reads the changes table")


def scan_of(connection, sql: str, params: object) -> tuple[str, int]:
    """How EXPLAIN ANALYZE reads `changes` for the page: (the scan, entries it read)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]["Plan"]
    connection.rollback()
    nodes = [plan]
    while nodes:
        node = nodes.pop()
        if node.get("Relation Name") == "changes":
            scan = node["Node Type"] + (f" using {node['Index Name']}" if "Index Name" in node else "")
            return scan, node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
        nodes.extend(node.get("Plans", []))
    raise BenchmarkError("the page's plan does not read the changes table")


# --- measuring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """Everything measured for one variant."""

    variant: Variant
    items: int
    body_bytes: int
    check: str
    statements: int
    page_ms: float
    scan: str
    entries_read: int
    api: Summary
    sql: Summary

    @property
    def ratio(self) -> float:
        """Median API time over the median SQL floor."""
        return self.api.median / self.sql.median


def run_benchmark(url: str, facts: FeedFacts, options: argparse.Namespace):
    """Sign the readers in, capture each variant, start gunicorn, check the pages and time both ways."""
    settings = hub_settings(url, secrets.token_urlsafe(36), 5)  # the secret is shared with gunicorn
    app = create_app(settings)
    remove_readers(app)  # left over by an interrupted run
    try:
        readers = sign_in_readers(app, facts)
        variants = build_variants(app, readers, facts)
        captures = [capture(app, readers[v.reader].token, v.path) for v in variants]
        with gunicorn(settings, options.workers) as port:
            client, connection = HttpClient(port), pg_connect(url)
            try:
                runners, checks, floors = {}, [], []
                for variant, cap in zip(variants, captures, strict=True):
                    token = readers[variant.reader].token
                    first = client.get(variant.path, {"Authorization": f"Bearer {token}"})
                    if first.status != 200:
                        raise BenchmarkError(f"{variant.path} answered {first.status}: {first.body[:300]!r}")
                    checks.append((same_page(first.body, cap.body), len(first.body)))
                    floors.append(SqlRunner(connection, cap.statements))
                    runners[(variant.label, "api")] = api_runner(client, variant.path, token, None)
                    runners[(variant.label, "sql")] = floors[-1]
                timings = measure(runners, iterations=options.requests, warmup=options.warmup, block=1)
                results = []
                for variant, cap, (check, size), floor in zip(
                    variants, captures, checks, floors, strict=True
                ):
                    position, sql, params = page_statement(cap)
                    scan, read = scan_of(connection, sql, params)
                    results.append(
                        Result(
                            variant=variant,
                            items=len(json.loads(cap.body)["items"]),
                            body_bytes=size,
                            check=check,
                            statements=len(cap.statements),
                            page_ms=statistics.median(floor.durations[position]) * 1000,
                            scan=scan,
                            entries_read=read,
                            api=timings[(variant.label, "api")],
                            sql=timings[(variant.label, "sql")],
                        )
                    )
                connections = {"requests": client.requests, "connects": client.connects}
            finally:
                client.close()
                connection.close()
    finally:
        remove_readers(app)
        with app.app_context():
            db.engine.dispose()
    return readers, results, connections


# --- report --------------------------------------------------------------------------------------


def _row(label: str, summary: Summary) -> str:
    return (
        f"  {label:<{LABEL_WIDTH}} {summary.median:>10.1f} {summary.p95:>10.1f} "
        f"{summary.minimum:>10.1f} {summary.mean:>10.1f}"
    )


def print_readers(readers: dict[str, Reader]) -> None:
    """Who reads the feed and how much of it each may see."""
    print("Readers:")
    for reader in readers.values():
        print(
            f"  {reader.description}: may see {reader.visible:,} entries, "
            f"{reader.visible_people:,} of them participants or enrolments"
        )


def print_result(result: Result) -> None:
    """The detailed figures of one variant."""
    print(f"\n== {result.variant.label}: GET {result.variant.path} ==")
    print(
        f"  {result.items} items, {result.body_bytes:,} B; JSON over HTTP vs in-process: {result.check}; "
        f"{result.statements} statements per request"
    )
    print(
        f"  page statement: {result.scan}, {result.entries_read:,} entries read for {result.items} returned; "
        f"driver median {result.page_ms:.2f} ms"
    )
    print(f"\n  {'per request (ms)':<{LABEL_WIDTH}} {'median':>10} {'p95':>10} {'min':>10} {'mean':>10}")
    print(_row("API over HTTP (gunicorn)", result.api))
    print(_row(f"SQL floor, {result.statements} statements (psycopg2)", result.sql))
    print(
        f"  ratio API/SQL: median {result.ratio:.2f}x, p95 {result.api.p95 / result.sql.p95:.2f}x; "
        f"API - SQL (median) {result.api.median - result.sql.median:+.1f} ms"
    )


def print_summary(results: list[Result]) -> None:
    """One table over all variants, as pasted into the README."""
    print("\n== summary: median / p95 per request, ms ==")
    print("| variant | API | SQL floor | API/SQL | items | entries read by the page |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.variant.label} | {r.api.median:.1f} / {r.api.p95:.1f} "
            f"| {r.sql.median:.1f} / {r.sql.p95:.1f} | {r.ratio:.2f}x | {r.items} | {r.entries_read:,} |"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=DEFAULT_URL, help=f"populated PostgreSQL database (default {DEFAULT_URL})"
    )
    parser.add_argument("--requests", type=int, default=30, help="timed requests per variant (30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per variant first (3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    options = parser.parse_args(argv)
    if options.requests < 2 or options.warmup < 0 or options.workers < 1:
        parser.error("need --requests >= 2, --warmup >= 0 and --workers >= 1")
    return options


def main(argv: list[str] | None = None) -> int:
    """Look at the feed, run the benchmark and print the figures."""
    options = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    url = options.database_url
    print("Change feed through gunicorn vs its own SQL")
    print(
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {os.cpu_count()} CPUs, {_versions()}; "
        f"{options.requests} timed requests per variant after {options.warmup} warm-up, interleaved; "
        f"gunicorn -w {options.workers}; {LIMIT} entries a page"
    )
    print(f"Code: {_git_revision()}; before the run: {_load()} (other work on the machine skews figures)")
    try:
        facts = feed_facts(url)
        types = ", ".join(f"{count:,} {name}" for name, count in facts.by_type.items())
        print(
            f"Database {make_url(normalise_database_url(url)).database}: PostgreSQL {facts.server_version}, "
            f"{facts.entries:,} change entries in {facts.transactions:,} transaction(s) ({types}); "
            f"middle position {facts.middle}, newest {facts.last}"
        )
        started = time.perf_counter()
        readers, results, connections = run_benchmark(url, facts, options)
    except (BenchmarkError, psycopg2.Error, sa.exc.SQLAlchemyError, OSError) as exc:
        print(f"\nThe benchmark could not run: {exc}", file=sys.stderr)
        return 2
    print_readers(readers)
    for result in results:
        print_result(result)
    print(f"\nHTTP: {connections['requests']} requests over {connections['connects']} TCP connection(s)")
    print(f"Capture and timing took {time.perf_counter() - started:.0f} s; after the run: {_load()}")
    print_summary(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
