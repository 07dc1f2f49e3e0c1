"""Seats hold under real concurrency: 100 simultaneous enrolments through gunicorn on PostgreSQL.

A real server process (several workers, several threads each) takes 100 POSTs released together
by a barrier, from 100 client threads. Exactly as many succeed as there are seats; every other
request gets a clean 409 problem document, never a 5xx, and the database agrees with the answers.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from hub_api.auth import tokens
from hub_api.extensions import db
from hub_api.models import Cohort, Enrolment, SeatAllocation, User
from hub_api.models.enrolment import SEAT_HOLDING
from hub_api.models.enums import Role
from tests.conftest import SECRET, make_app
from tests.databases import create_postgresql_database, drop_postgresql_database, postgresql_server_url
from tests.factories import InstitutionFactory, UserFactory
from tests.training_factories import CohortFactory, ParticipantRowFactory, PublishedCurriculumFactory

pytestmark = pytest.mark.postgresql_only

ROOT = Path(__file__).resolve().parent.parent
RACERS = 100
ROUNDS = 3
WORKERS, THREADS = 4, 8
START_TIMEOUT = 30
PROBLEM = "application/problem+json"


@dataclass
class World:
    """The seeded race database: who races, for whom, into which curriculum."""

    app: object
    url: str
    admin_token: str
    coordinator_token: str
    host_id: int
    partner_id: int
    curriculum_id: int
    participant_ids: list[int]


@dataclass
class Answer:
    """One HTTP answer the server gave to a racing request."""

    status: int
    content_type: str
    body: dict


@pytest.fixture(scope="module")
def race_database():
    """A database of its own; skipped only where no PostgreSQL is configured (never on CI)."""
    server = postgresql_server_url()  # raises when CI=true and no PostgreSQL is configured
    if server is None:
        pytest.skip("PostgreSQL only: set HUB_TEST_DATABASE_URL to run the enrolment race")
    url = create_postgresql_database(server)
    try:
        yield url
    finally:
        drop_postgresql_database(server, url)


@pytest.fixture(scope="module")
def world(race_database):
    """Migrate with Alembic, then seed a host, a partner with 100 officers, and two signed-in users."""
    app = make_app(race_database)
    with app.app_context():
        flask_migrate.upgrade()
        host = InstitutionFactory.build(code="RACE-HOST", name={"en": "Race Host Academy"})
        partner = InstitutionFactory.build(code="RACE-PARTNER", name={"en": "Race Partner"}, country="KG")
        db.session.add_all([host, partner])
        db.session.flush()
        curriculum = PublishedCurriculumFactory.build(owner_institution_id=host.id)
        officers = [ParticipantRowFactory.build(institution_id=partner.id) for _ in range(RACERS)]
        admin = UserFactory.build(role=Role.HUB_ADMIN, email="race-admin@hub.example", password_hash="-")
        coordinator = UserFactory.build(
            role=Role.COORDINATOR,
            institution_id=partner.id,
            email="race-coord@partner.example",
            password_hash="-",
        )
        db.session.add_all([curriculum, *officers, admin, coordinator])
        db.session.flush()
        admin_token = tokens.issue_user_tokens(db.session.get(User, admin.id))["access_token"]
        coordinator_token = tokens.issue_user_tokens(db.session.get(User, coordinator.id))["access_token"]
        db.session.commit()
        seeded = World(
            app=app,
            url=race_database,
            admin_token=admin_token,
            coordinator_token=coordinator_token,
            host_id=host.id,
            partner_id=partner.id,
            curriculum_id=curriculum.id,
            participant_ids=[o.id for o in officers],
        )
        db.session.remove()
    try:
        yield seeded
    finally:
        with app.app_context():
            db.engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture(scope="module")
def server(world, tmp_path_factory):
    """gunicorn serving the app from its factory, as in production; stopped whatever happens."""
    port = _free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    env = {
        **os.environ,
        "HUB_ENV": "production",
        "HUB_SECRET_KEY": SECRET,
        "HUB_DATABASE_URL": world.url,
        "HUB_RATELIMIT_ENABLED": "false",
        "HUB_PROXY_COUNT": "0",
        "HUB_LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "gthread",
        "--threads",
        str(THREADS),
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "20",  # generous: on a loaded CI machine a worker's exit can take seconds
        "hub_api:create_app()",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
            try:
                if _get(port, "/health") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer /health within {START_TIMEOUT} s:\n{log.read_text()}")
            time.sleep(0.1)
        yield port
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown; nothing is in flight
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    errors = [line for line in log.read_text().splitlines() if "Traceback" in line or "ERROR" in line]
    assert errors == [], log.read_text()


def race(port: int, path: str, token: str, bodies: list[dict]) -> tuple[list[Answer], float]:
    """POST every body from a thread of its own, all released at once; the answers and the seconds."""
    barrier = threading.Barrier(len(bodies) + 1, timeout=30)
    answers: list = [None] * len(bodies)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def run(index: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        barrier.wait()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("POST", path, body=payload, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            answers[index] = Answer(response.status, response.getheader("Content-Type", ""), json.loads(raw))
        except Exception as exc:  # a reset connection or a non-JSON body fails the round below
            answers[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    barrier.wait()  # every client thread is ready: release them together
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.perf_counter() - started
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    failures = [a for a in answers if not isinstance(a, Answer)]
    assert failures == [], failures
    return answers, elapsed


def new_cohort(world: World, code: str, capacity: int, allocated: int | None = None) -> int:
    """An open cohort, optionally with `allocated` seats reserved for the partner."""
    allocations = (
        [] if allocated is None else [SeatAllocation(institution_id=world.partner_id, seats=allocated)]
    )
    with world.app.app_context():
        cohort = CohortFactory.build(
            code=code,
            host_institution_id=world.host_id,
            curriculum_id=world.curriculum_id,
            capacity=capacity,
            seat_allocations=allocations,
        )
        db.session.add(cohort)
        db.session.commit()
        cohort_id = cohort.id
        db.session.remove()
    return cohort_id


def stored(world: World, cohort_id: int) -> tuple[set[int], int, list[int]]:
    """Participants holding a seat, the cohort's counter and the allocations' counters, as stored."""
    with world.app.app_context():
        holders = set(
            db.session.scalars(
                sa.select(Enrolment.participant_id).where(
                    Enrolment.cohort_id == cohort_id, Enrolment.status.in_(SEAT_HOLDING)
                )
            )
        )
        taken = db.session.scalar(sa.select(Cohort.seats_taken).where(Cohort.id == cohort_id))
        allocated = list(
            db.session.scalars(
                sa.select(SeatAllocation.seats_taken).where(SeatAllocation.cohort_id == cohort_id)
            )
        )
        db.session.remove()
    return holders, taken, allocated


def check_round(
    label: str, answers: list[Answer], winners: int, refusal: set[str], cohort_id: int
) -> set[int]:
    """Exactly `winners` 201s and clean 409 problems for the rest; return the winners' participants."""
    statuses = Counter(a.status for a in answers)
    assert statuses == {201: winners, 409: len(answers) - winners}, f"{label}: {statuses}"
    created = [a for a in answers if a.status == 201]
    assert all(a.body["cohort_id"] == cohort_id and a.body["status"] == "nominated" for a in created), label
    for answer in answers:
        if answer.status == 409:
            assert answer.content_type == PROBLEM, (label, answer)
            assert answer.body["status"] == 409 and answer.body["detail"] in refusal, (label, answer.body)
            assert answer.body["type"] == "urn:hub-api:problem:conflict", (label, answer.body)
    return {a.body["participant_id"] for a in created}


def test_seats_hold_when_100_requests_race_through_a_real_server(world, server, capsys):
    timings = []

    # 1. 100 officers race for the 20 seats of a cohort without allocations.
    for round_number in range(ROUNDS):
        cohort_id = new_cohort(world, f"RACE-CAP-{round_number}", capacity=20)
        bodies = [{"participant_id": pid} for pid in world.participant_ids]
        answers, seconds = race(server, f"/api/v1/cohorts/{cohort_id}/enrolments", world.admin_token, bodies)
        label = f"capacity round {round_number}"
        full = {"The cohort is full: all 20 seats are taken."}
        winners = check_round(label, answers, 20, full, cohort_id)
        assert stored(world, cohort_id) == (winners, 20, []), label
        timings.append((label, seconds))

    # 2. A partner with 20 of 30 seats: its coordinator's 100 requests win exactly its 20.
    for round_number in range(ROUNDS):
        cohort_id = new_cohort(world, f"RACE-ALLOC-{round_number}", capacity=30, allocated=20)
        bodies = [{"participant_id": pid} for pid in world.participant_ids]
        url = f"/api/v1/cohorts/{cohort_id}/enrolments"
        answers, seconds = race(server, url, world.coordinator_token, bodies)
        label = f"allocation round {round_number}"
        used_up = {f"Institution {world.partner_id} has used all 20 of its allocated seats."}
        winners = check_round(label, answers, 20, used_up, cohort_id)
        assert stored(world, cohort_id) == (winners, 20, [20]), label
        timings.append((label, seconds))

    # 3. The same officer nominated 20 times at once: one place, one seat.
    for round_number in range(ROUNDS):
        cohort_id = new_cohort(world, f"RACE-DUP-{round_number}", capacity=20)
        officer = world.participant_ids[round_number]
        bodies = [{"participant_id": officer}] * 20
        url = f"/api/v1/cohorts/{cohort_id}/enrolments"
        answers, seconds = race(server, url, world.coordinator_token, bodies)
        label = f"duplicate round {round_number}"
        created = next(a for a in answers if a.status == 201)
        already = {
            # Seen by the request's own check, or caught by the unique constraint a moment later.
            f"Participant {officer} is already in this cohort (enrolment {created.body['id']}, nominated).",
            "this participant is already in the cohort",
        }
        assert check_round(label, answers, 1, already, cohort_id) == {officer}
        assert stored(world, cohort_id) == ({officer}, 1, []), label
        timings.append((label, seconds))

    with capsys.disabled():
        print("\nenrolment race:", ", ".join(f"{label} {seconds:.2f} s" for label, seconds in timings))
