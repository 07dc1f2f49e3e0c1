"""Benchmark of the roster import `POST /api/v1/participants/import` with 10,000 CSV rows.

Each repetition imports one generated roster (Cyrillic names, UTF-8 CSV) into a fresh
institution through the real endpoint, in-process with Flask's test client (JWT check, body
parsing, marshmallow validation, the bulk writes, the audit event and the commit included):

* create: every row is new (bulk INSERT ... RETURNING);
* unchanged: the same file again (one SELECT, no writes);
* dry run, all changed: a file in which every row changes, checked but not written;
* all changed: that file for real (bulk UPDATE by primary key, version-checked per row).

The floor is measured in the same run on the same database: the same rows, values prepared
in advance, INSERTed with the DB driver alone (sqlite3 / psycopg2 `executemany`, and on
PostgreSQL also psycopg2's `execute_values`, pages of 1,000 rows as SQLAlchemy sends them)
and committed. The ratio is the API's create time over the fastest floor.

Run from the repository root:

    .venv/bin/python benchmarks/bench_participant_import.py [--backend sqlite|postgresql|both]

PostgreSQL is reached as in bench_list_institutions.py (`--pg-url`, then
$HUB_BENCH_DATABASE_URL, then $HUB_TEST_DATABASE_URL, then the local default); the benchmark
creates its own database there and drops it at the end.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from bench_list_institutions import (
    BenchmarkError,
    _git_revision,
    _load,
    _versions,
    app_engine,
    benchmark_database,
    build_app,
    captured_statements,
    driver_connection,
    postgresql_reachable,
    postgresql_server_url,
    settle_statistics,
)
from psycopg2.extras import execute_values
from sqlalchemy.engine import make_url

from hub_api.auth.tokens import issue_user_tokens
from hub_api.extensions import db
from hub_api.models import Institution
from hub_api.models.enums import Gender, InstitutionKind, Role, StaffCategory
from hub_api.models.participant import participant_search_text
from hub_api.services.users import create_user

API_PATH = "/api/v1/participants/import"
HEADER = "external_ref,given_name,family_name,gender,staff_category,position,region,email,is_trainer"
COLUMNS = HEADER.split(",")
GIVEN = ("Айгерим", "Бакыт", "Жанна", "Нурлан", "Ольга", "Тимур", "Гульнара", "Азамат", "Дилноза", "Рустам")
FAMILY = ("Садыкова", "Асанов", "Омарова", "Ким", "Токтогулов", "Рахимова", "Исмаилов", "Юсупова")
REGIONS = ("Astana", "Almaty", "Kostanay", "Bishkek", "Osh", "Dushanbe", "Tashkent")
POSITIONS = ("Инспектор", "Психолог", "Старший инспектор", "Начальник отряда", None)
ADMIN = {"email": "bench@hub.example", "full_name": "Bench", "password": "correct-horse-battery"}
PHASES = ("create", "unchanged", "dry run, all changed", "all changed")


def roster(rows: int, rng: random.Random, *, revision: int = 0) -> list[dict]:
    """Rows of a generated roster; another `revision` changes every row's region and email."""
    people = []
    for n in range(rows):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        people.append(
            {
                "external_ref": f"KZ-{n:06d}",
                "given_name": given,
                "family_name": family,
                "gender": Gender.FEMALE.value if family.endswith("а") else Gender.MALE.value,
                "staff_category": rng.choice(list(StaffCategory)).value,
                "position": rng.choice(POSITIONS),
                "region": REGIONS[(n + revision) % len(REGIONS)],
                "email": f"officer{n}.r{revision}@service.example" if n % 3 else None,
                "is_trainer": n % 10 == 0,
            }
        )
    return people


def to_csv(people: list[dict]) -> bytes:
    """The roster as UTF-8 CSV with a byte order mark, as Excel saves it."""

    def cell(value) -> str:
        if value is None:
            return ""
        return ("yes" if value else "no") if isinstance(value, bool) else str(value)

    lines = [HEADER, *(",".join(cell(person[c]) for c in COLUMNS) for person in people)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def seed(app, institutions: int) -> tuple[str, list[int]]:
    """A hub admin's access token and `institutions` empty institutions to import into."""
    with app.app_context():
        user = create_user(data={**ADMIN, "role": Role.HUB_ADMIN})
        token = issue_user_tokens(user)["access_token"]
        made = [
            Institution(
                code=f"BENCH-{n:03d}", name={"en": f"Bench {n}"}, kind=InstitutionKind.ACADEMY, country="KZ"
            )
            for n in range(institutions)
        ]
        db.session.add_all(made)
        db.session.commit()
        ids = [institution.id for institution in made]
        db.session.remove()
    return token, ids


@dataclass
class Phase:
    """Seconds per repetition of one phase, and the SQL statements its last request ran."""

    seconds: list[float]
    statements: int = 0

    @property
    def median(self) -> float:
        """Median seconds."""
        return statistics.median(self.seconds)


def post_roster(client, token: str, body: bytes, institution_id: int, summary: dict, dry_run: bool = False):
    """Import `body` and check the report's summary."""
    response = client.post(
        API_PATH,
        data=body,
        content_type="text/csv",
        query_string={"institution_id": institution_id, "dry_run": str(dry_run).lower()},
        headers={"Authorization": f"Bearer {token}"},
    )
    if response.status_code != 200:
        raise BenchmarkError(
            f"Import answered {response.status_code}: {response.get_data(as_text=True)[:500]}"
        )
    expected = {"created": 0, "updated": 0, "unchanged": 0, "error": 0, **summary}
    if response.json["summary"] != expected:
        raise BenchmarkError(f"Unexpected summary {response.json['summary']}, expected {expected}")


def timed(engine: sa.Engine, run: Callable[[], None]) -> tuple[float, int]:
    """Wall-clock seconds of one call, and the SQL statements it sent."""
    with captured_statements(engine) as seen:
        start = time.perf_counter()
        run()
        seconds = time.perf_counter() - start
    return seconds, len(seen)


# --- the floor -------------------------------------------------------------------------------

INSERT_COLUMNS = (*COLUMNS, "institution_id", "search_text", "created_at", "updated_at", "version")


def floor_rows(people: list[dict], institution_id: int) -> list[tuple]:
    """The rows exactly as the table stores them, computed before the clock starts."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return [
        (*(p[c] for c in COLUMNS), institution_id, participant_search_text(p), now, now, 1) for p in people
    ]


def floor_runners(url: str, connection, people: list[dict], institution_id: int) -> tuple[dict, Callable]:
    """Raw driver INSERTs of the roster, each committed; and how to remove their rows again."""
    rows = floor_rows(people, institution_id)
    names = ", ".join(INSERT_COLUMNS)
    mark = "?" if make_url(url).get_backend_name() == "sqlite" else "%s"
    insert = f"INSERT INTO participants ({names}) VALUES ({', '.join(mark for _ in INSERT_COLUMNS)})"

    def executemany() -> None:
        cursor = connection.cursor()
        cursor.executemany(insert, rows)
        connection.commit()

    def values_pages() -> None:
        cursor = connection.cursor()
        execute_values(cursor, f"INSERT INTO participants ({names}) VALUES %s", rows, page_size=1000)
        connection.commit()

    def clear() -> None:
        cursor = connection.cursor()
        cursor.execute(f"DELETE FROM participants WHERE institution_id = {mark}", (institution_id,))
        connection.commit()

    runners = {"driver executemany": executemany}
    if mark == "%s":
        runners["psycopg2 execute_values (pages of 1,000)"] = values_pages
    return runners, clear


# --- one backend -----------------------------------------------------------------------------


@dataclass
class BackendResult:
    """Everything measured on one backend."""

    backend: str
    rows: int
    phases: dict[str, Phase]
    floors: dict[str, Phase]

    @property
    def floor(self) -> float:
        """The fastest floor's median seconds."""
        return min(phase.median for phase in self.floors.values())


def run_backend(url: str, options: argparse.Namespace) -> BackendResult:
    """Import the rosters `--repeat` times, each into a fresh institution, and time the floors."""
    app = build_app(url)
    token, institutions = seed(app, options.repeat + 1)
    engine = app_engine(app)
    client = app.test_client()
    rng = random.Random(options.seed)
    people = roster(options.rows, rng)
    first, changed = to_csv(people), to_csv(roster(options.rows, random.Random(options.seed), revision=1))
    n = options.rows
    steps = {
        "create": (first, {"created": n}, False),
        "unchanged": (first, {"unchanged": n}, False),
        "dry run, all changed": (changed, {"updated": n}, True),
        "all changed": (changed, {"updated": n}, False),
    }
    phases = {name: Phase([]) for name in PHASES}
    for institution_id in institutions[:-1]:
        for name, (body, summary, dry_run) in steps.items():

            def run(body=body, summary=summary, dry_run=dry_run, institution_id=institution_id):
                post_roster(client, token, body, institution_id, summary, dry_run)

            seconds, statements = timed(engine, run)
            phases[name].seconds.append(seconds)
            phases[name].statements = statements
        settle_statistics(url)

    connection = driver_connection(url)
    floors: dict[str, Phase] = {}
    try:
        runners, clear = floor_runners(url, connection, people, institutions[-1])
        for name, run in runners.items():
            floors[name] = Phase([])
            for _ in range(options.repeat):
                start = time.perf_counter()
                run()
                floors[name].seconds.append(time.perf_counter() - start)
                clear()
    finally:
        connection.close()
        engine.dispose()
    return BackendResult(make_url(url).get_backend_name(), n, phases, floors)


# --- report ----------------------------------------------------------------------------------


def print_backend(result: BackendResult, csv_bytes: int) -> None:
    """The figures of one backend."""
    print(f"\n== {result.backend}: {result.rows:,} rows, CSV {csv_bytes / 1_048_576:.2f} MiB ==")
    print(f"  {'':<44} {'median s':>9} {'min s':>8} {'rows/s':>9} {'x floor':>8} {'SQL':>6}")
    for label, phase in (*result.phases.items(), *(("floor: " + k, v) for k, v in result.floors.items())):
        print(
            f"  {label:<44} {phase.median:>9.3f} {min(phase.seconds):>8.3f} "
            f"{result.rows / phase.median:>9,.0f} {phase.median / result.floor:>7.1f}x "
            f"{phase.statements or '':>6}"
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default=None)
    parser.add_argument("--pg-url", help="PostgreSQL server URL")
    parser.add_argument("--rows", type=int, default=10_000, help="rows per roster (10000)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each phase (3)")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed for the roster")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on the chosen backends and print the figures."""
    options = parse_args(argv)
    server = postgresql_server_url(options.pg_url)
    backends = ["sqlite", "postgresql"] if options.backend in (None, "both") else [options.backend]
    if "postgresql" in backends and not postgresql_reachable(server):
        if options.backend is not None:
            print(f"PostgreSQL not reachable at {make_url(server)!r}", file=sys.stderr)
            return 2
        print(f"PostgreSQL not reachable at {make_url(server)!r}; SQLite only.")
        backends = ["sqlite"]
    started_at = dt.datetime.now().astimezone()
    print(f"POST {API_PATH}, {options.rows:,} CSV rows, vs a raw driver INSERT floor")
    print(
        f"{started_at:%Y-%m-%d %H:%M %Z}, {os.cpu_count()} CPUs, {_versions()}; {options.repeat} repetitions"
    )
    print(f"Code: {_git_revision()}; before the run: {_load()}")
    csv_bytes = len(to_csv(roster(options.rows, random.Random(options.seed))))
    for backend in backends:
        started = time.perf_counter()
        with benchmark_database(backend, server) as url:
            result = run_backend(url, options)
        print_backend(result, csv_bytes)
        print(f"  ({backend} done in {time.perf_counter() - started:.1f} s; {_load()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
