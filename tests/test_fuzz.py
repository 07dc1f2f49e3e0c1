"""Fuzzing: schemathesis sends valid and invalid requests, made from the app's own OpenAPI document,
to every operation as a hub admin, a coordinator and an analyst; no answer may be a server error
or break the document (status, content type, body schema), and invalid data must be refused.

The hub admin's run adds the coverage phase: boundary and wrong-typed values of every parameter
and property. The database holds one object of each kind, ids 1 and 2, which half the ids in
paths name; it is seeded once per backend and put back before each operation's run, so that
fuzzed writes and deletes never leak into another test."""

import io
import ipaddress
import shutil
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from marshmallow import ValidationError
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from hub_api.auth import tokens
from hub_api.extensions import db
from hub_api.models import User
from hub_api.models.enums import Role
from hub_api.schemas.participants import ImportArgsSchema
from hub_api.services.stats.results import results
from hub_api.webhooks import transport
from hub_api.webhooks.dispatch import dispatch_pending
from tests import factories, training_factories
from tests.conftest import make_app
from tests.databases import REFERENCE_TABLES

# Any operation may answer these, which its `default` response documents: a rate limit, an outage.
ANY_OPERATION_STATUSES = {429, 503}


def documented_status(_ctx, response, case) -> None:
    """Each status the operation answers is listed in its responses.

    status_code_conformance accepts any status where a `default` response is documented, as
    every operation here has (for its problem documents)."""
    documented = case.operation.responses.status_codes
    status = response.status_code
    assert str(status) in documented or status in ANY_OPERATION_STATUSES, (
        f"{status} is not documented for {case.operation.label}; documented: {', '.join(documented)}"
    )


def excluded_checks(case) -> list:
    """None but negative_data_rejection for a dry-run roster import: invalid rows are its documented
    200 report (only a real import refuses them, with a 422), so that check's failure is a false one."""
    if case.operation.label != "POST /api/v1/participants/import":
        return []
    try:
        dry_run = ImportArgsSchema().load(case.query or {})["dry_run"]
    except ValidationError:
        return []  # the app refuses the arguments with a 422
    return [negative_data_rejection] if dry_run else []


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    documented_status,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
FUZZ_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,  # the same cases on every run, so that CI is reproducible
    database=None,
    # Fixtures are set up once per operation, not per example; some schemas are slow to draw from.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


# The document as the app serves it; the fuzzed requests go to each test's app, on each backend.
DOCUMENT = make_app("sqlite://").test_client().get("/api/v1/openapi.json").get_json()
# Half the ids in paths are those of seeded objects (1 and 2), so that most operations get past 404.
SEEDED_IDS = {
    f"path.{parameter['name']}": {"dictionary": "seeded_ids", "probability": 0.5}
    for item in DOCUMENT["paths"].values()
    for parameter in item.get("parameters", [])
    if parameter["in"] == "path" and parameter["schema"]["type"] == "integer"
}


def load_schema(*, coverage: bool):
    """The app's document for schemathesis, with or without the coverage phase."""
    config = {
        # The caller's own token authenticates every request: Authorization is not generated.
        "generation": {"deterministic": True, "with-security-parameters": False},
        "phases": {
            "stateful": {"enabled": False},
            # The probes with methods a path lacks only ever meet the router's 405.
            "coverage": {"enabled": coverage, "unexpected-methods": []},
        },
        "dictionaries": {"seeded_ids": {"values": [1, 2]}},
        "parameters": SEEDED_IDS,
    }
    return schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(config))


ADMIN_SCHEMA = load_schema(coverage=True)
SCHEMA = load_schema(coverage=False)
ROLES = (Role.HUB_ADMIN, Role.COORDINATOR, Role.ANALYST)
PUBLIC_ADDRESS = "203.0.114.1"  # what every webhook host resolves to; never contacted, as no worker runs
PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def resolve_offline(host, port, *_args, **_kwargs):
    """getaddrinfo without DNS: an address stands for itself, any name for one public address."""
    try:
        address = str(ipaddress.ip_address(host))
    except ValueError:
        address = PUBLIC_ADDRESS
    return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]


class FileSnapshot:
    """SQLite: a copy of the seeded database file, copied back."""

    def __init__(self, path: Path):
        self.path = path
        self.copy = path.with_name("seeded.sqlite3")
        shutil.copyfile(path, self.copy)

    def restore(self, engine: sa.Engine) -> None:
        """Drop pooled connections and put the seeded file back."""
        engine.dispose()
        shutil.copyfile(self.copy, self.path)


SEQUENCES = sa.text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()")


class RowSnapshot:
    """PostgreSQL: the seeded rows and sequence positions, written back with user triggers off
    (the audit trail's guard, the change feed's); much faster than TRUNCATE and a new seed."""

    def __init__(self, engine: sa.Engine):
        metadata = sa.MetaData()
        metadata.reflect(engine)
        self.tables = [table for table in metadata.sorted_tables if table.name not in REFERENCE_TABLES]
        with engine.connect() as connection:
            self.rows = {
                table.name: [dict(row) for row in connection.execute(sa.select(table)).mappings()]
                for table in self.tables
            }
            self.sequences = connection.execute(SEQUENCES).all()

    def restore(self, engine: sa.Engine) -> None:
        """Empty every table, insert the seeded rows again and rewind the sequences, in one transaction."""
        with engine.begin() as connection:
            for table in self.tables:
                connection.execute(sa.text(f'ALTER TABLE "{table.name}" DISABLE TRIGGER USER'))
            for table in reversed(self.tables):
                connection.execute(table.delete())
            for table in self.tables:
                if self.rows[table.name]:
                    connection.execute(table.insert(), self.rows[table.name])
            for name, last_value in self.sequences:
                connection.execute(
                    sa.text("SELECT setval(CAST(:name AS regclass), :value, :called)"),
                    {"name": name, "value": last_value or 1, "called": last_value is not None},
                )
            for table in self.tables:
                connection.execute(sa.text(f'ALTER TABLE "{table.name}" ENABLE TRIGGER USER'))


@dataclass
class Seeded:
    """The seeded database of one backend: how to put it back, its users, its stored files."""

    snapshot: FileSnapshot | RowSnapshot
    user_ids: dict[Role, int]
    documents: Path


def _created(response) -> dict:
    assert response.status_code in (200, 201, 202), response.get_data(as_text=True)
    return response.json


def seed(app, headers: dict, home_id: int, foreign_id: int) -> None:
    """Through the API, as a hub admin: one object of each kind, the home institution's or shared."""
    client = app.test_client()

    def post(url: str, **kwargs) -> dict:
        return _created(client.post(url, headers=headers, **kwargs))

    post(f"/api/v1/institutions/{home_id}/contacts", json={"name": "Focal Point"})
    post("/api/v1/api-clients", json={"name": "Partner LMS", "scopes": ["catalogue:read"]})
    programme = post("/api/v1/programmes", json={"code": "PRG", "name": {"en": "Programme"}})
    agreement = post(
        "/api/v1/agreements",
        json={
            "reference": "MOU-1",
            "title": {"en": "MoU"},
            "kind": "mou",
            "parties": [{"institution_id": home_id}, {"institution_id": foreign_id}],
            "programme_id": programme["id"],
        },
    )
    post(
        f"/api/v1/agreements/{agreement['id']}/documents",
        data={"title": "Signed MoU", "language": "en", "file": FileStorage(io.BytesIO(PDF_BYTES), "mou.pdf")},
        content_type="multipart/form-data",
    )
    curriculum = post(
        "/api/v1/curricula",
        json={
            "code": "PVE",
            "title": {"en": "Preventing violent extremism"},
            "owner_institution_id": home_id,
            "modules": [{"position": 1, "title": {"en": "Basics"}, "hours": 8}],
        },
    )
    post(f"/api/v1/curricula/{curriculum['id']}/publish")
    post(
        f"/api/v1/curricula/{curriculum['id']}/adoptions",
        json={"institution_id": foreign_id, "adopted_on": "2026-01-15", "language": "ru"},
    )
    participant = post(
        "/api/v1/participants",
        json={
            "given_name": "Айгерим",
            "family_name": "Сапарова",
            "gender": "female",
            "staff_category": "psychologist",
            "institution_id": home_id,
            "is_trainer": True,
        },
    )
    cohort = post(
        "/api/v1/cohorts",
        json={
            "code": "PVE-2026-01",
            "title": {"en": "PVE course"},
            "kind": "course",
            "curriculum_id": curriculum["id"],
            "host_institution_id": home_id,
            "delivery_mode": "in_person",
            "language": "ru",
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-13",
            "capacity": 20,
        },
    )
    post(
        f"/api/v1/cohorts/{cohort['id']}/sessions",
        json={"starts_at": "2026-03-02T04:00:00Z", "ends_at": "2026-03-02T08:00:00Z", "topic": "Basics"},
    )
    post(f"/api/v1/cohorts/{cohort['id']}/transitions", json={"to": "open"})
    post(f"/api/v1/cohorts/{cohort['id']}/enrolments", json={"participant_id": participant["id"]})
    webhook = post(
        "/api/v1/webhooks", json={"url": "https://lms.partner.example/h", "events": ["cohort.opened"]}
    )
    post(f"/api/v1/webhooks/{webhook['id']}/test")
    with app.app_context():
        dispatch_pending()  # the test event's delivery, which is then never sent
        db.session.commit()
        db.session.remove()


@dataclass
class Caller:
    """The Authorization headers of a fresh sign-in: with the access token, and with the refresh token."""

    access: dict
    refresh: dict

    def headers_for(self, case) -> dict:
        """The refresh token where the operation wants one, the access token everywhere else."""
        return self.refresh if case.path == "/api/v1/auth/refresh" else self.access


def sign_in(app, user_id: int) -> Caller:
    """Issue the user a new pair of tokens (they outlive one operation's run, not the suite)."""
    with app.app_context():
        pair = tokens.issue_user_tokens(db.session.get(User, user_id))
        db.session.commit()
        db.session.remove()
    access, refresh = (f"Bearer {pair[name]}" for name in ("access_token", "refresh_token"))
    return Caller({"Authorization": access}, {"Authorization": refresh})


@pytest.fixture(scope="session")
def seeded(app, backend, tmp_path_factory) -> Seeded:
    """The database of this backend, seeded once per worker; each fuzz test restores it."""
    kind, resetter = backend
    with app.app_context():
        engine = db.engine
    resetter.reset(engine)
    with Session(engine, expire_on_commit=False) as session:
        for factory_class in (*factories.ALL_FACTORIES, *training_factories.ALL):
            factory_class._meta.sqlalchemy_session = session
        home = factories.InstitutionFactory(code="HOME", name={"en": "Home Academy"})
        foreign = factories.InstitutionFactory(code="AWAY", name={"en": "Away Academy"}, country="KG")
        factories.UserFactory(role=Role.HUB_ADMIN)  # id 1: a target for the fuzzed user updates
        user_ids = {
            role: factories.UserFactory(
                role=role, institution_id=home.id if role is Role.COORDINATOR else None
            ).id
            for role in ROLES
        }
    documents = tmp_path_factory.mktemp("documents")
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.config, "HUB_DOCUMENT_DIR", str(documents))
        patch.setattr(transport.socket, "getaddrinfo", resolve_offline)
        seed(app, sign_in(app, user_ids[Role.HUB_ADMIN]).access, home.id, foreign.id)
    snapshot = FileSnapshot(resetter.path) if kind == "sqlite" else RowSnapshot(engine)
    return Seeded(snapshot, user_ids, documents)


def without_fsync(dbapi_connection, _record) -> None:
    """Commits that do not wait for the disk: durability is not under test, and the fuzz commits a lot."""
    cursor = dbapi_connection.cursor()
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor.execute("PRAGMA synchronous=OFF")
    else:
        cursor.execute("SET synchronous_commit TO off")
    cursor.close()


@pytest.fixture
def role() -> Role:
    """The role a fuzz test signs in with; the coordinator's and the analyst's test parametrize it."""
    return Role.HUB_ADMIN


@pytest.fixture
def caller(app, seeded, role, tmp_path, monkeypatch) -> Iterator[Caller]:
    """The seeded database put back, its files copied, DNS offline, and the role signed in afresh."""
    with app.app_context():
        engine = db.engine
        seeded.snapshot.restore(engine)
        results().clear()  # statistics rendered from another test's data
    documents = tmp_path / "documents"
    shutil.copytree(seeded.documents, documents)
    monkeypatch.setitem(app.config, "HUB_DOCUMENT_DIR", str(documents))
    monkeypatch.setattr(transport.socket, "getaddrinfo", resolve_offline)
    engine.dispose()
    sa.event.listen(engine, "connect", without_fsync)
    yield sign_in(app, seeded.user_ids[role])
    sa.event.remove(engine, "connect", without_fsync)
    engine.dispose()


@ADMIN_SCHEMA.parametrize()
@FUZZ_SETTINGS
def test_fuzz_as_hub_admin(case, app, caller):
    case.call_and_validate(
        app=app, headers=caller.headers_for(case), checks=CHECKS, excluded_checks=excluded_checks(case)
    )


@SCHEMA.parametrize()
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ANALYST], ids=lambda role: role.value)
@FUZZ_SETTINGS
def test_fuzz_as_coordinator_or_analyst(case, app, caller, role):
    case.call_and_validate(
        app=app, headers=caller.headers_for(case), checks=CHECKS, excluded_checks=excluded_checks(case)
    )
