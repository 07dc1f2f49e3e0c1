"""HUB_REPLICA_DATABASE_URL: statistics read the replica (fingerprint and figures); all else the primary."""

import shutil

import flask_migrate
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from hub_api.extensions import db
from hub_api.models.enums import Role
from tests.conftest import make_app, sign_in
from tests.databases import create_postgresql_database, drop_postgresql_database, postgresql_server_url
from tests.factories import InstitutionFactory, UserFactory

OVERVIEW = "/api/v1/stats/overview?suppress=false"


@pytest.fixture
def replica_url(backend, engine, tmp_path):
    """A second migrated database of the backend's kind, standing in for a replica."""
    kind, resetter = backend
    if kind == "sqlite":
        path = tmp_path / "replica.sqlite3"
        shutil.copyfile(resetter.template, path)
        yield f"sqlite:///{path}"
        return
    server = postgresql_server_url()
    url = create_postgresql_database(server)
    migrating = make_app(url)
    with migrating.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    yield url
    drop_postgresql_database(server, url)


@pytest.fixture
def replicated(backend, replica_url):
    """An app whose statistics read the replica."""
    _, resetter = backend
    app = make_app(resetter.url, HUB_REPLICA_DATABASE_URL=replica_url)
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def catch_up(replica_url: str, count: int) -> None:
    """What replication would do: the replica receives institutions written to the primary."""
    engine = sa.create_engine(replica_url)
    with Session(engine) as session:
        session.add_all(InstitutionFactory.build(code=f"REPL{n}") for n in range(count))
        session.commit()
    engine.dispose()


def test_statistics_read_the_replica_and_everything_else_the_primary(replicated, replica_url, dbs):
    InstitutionFactory.create_batch(3)
    admin = sign_in(replicated, UserFactory(role=Role.HUB_ADMIN))
    client = replicated.test_client()

    behind = client.get(OVERVIEW, headers=admin.headers)
    assert behind.status_code == 200
    assert behind.get_json()["institutions"]["total"] == 0  # the replica has not received them yet
    listed = client.get("/api/v1/institutions", headers=admin.headers)
    assert len(listed.get_json()) == 3  # lists, like writes, use the primary

    catch_up(replica_url, 3)
    current = client.get(OVERVIEW, headers={**admin.headers, "If-None-Match": behind.headers["ETag"]})
    assert current.status_code == 200  # the replica's own fingerprint moved: no stale 304
    assert current.get_json()["institutions"]["total"] == 3
    assert (
        client.get(OVERVIEW, headers={**admin.headers, "If-None-Match": current.headers["ETag"]}).status_code
        == 304
    )


def test_without_a_replica_statistics_read_the_primary(client, dbs, admin):
    InstitutionFactory.create_batch(2)
    dbs.commit()
    response = client.get(OVERVIEW, headers=admin.headers)
    assert response.get_json()["institutions"]["total"] == 2
