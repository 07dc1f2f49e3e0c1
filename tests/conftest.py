"""Fixtures: the app on SQLite and (when configured) PostgreSQL, factories, role tokens."""

import contextlib
from dataclasses import dataclass

import flask_migrate
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from hub_api import create_app
from hub_api.auth import tokens
from hub_api.auth.passwords import hash_secret
from hub_api.extensions import db
from hub_api.models import User
from hub_api.models.enums import Role
from hub_api.services.stats.results import results
from tests import factories, training_factories
from tests.databases import (
    PostgresqlReset,
    SqliteReset,
    create_postgresql_database,
    drop_postgresql_database,
    postgresql_server_url,
)

SECRET = "test-secret-key-that-is-long-enough-for-hs256"
BACKENDS = ["sqlite"] + (["postgresql"] if postgresql_server_url() else [])


def make_app(database_url: str, **overrides):
    """An app in test mode on the given database."""
    env = {
        "HUB_ENV": "test",
        "HUB_SECRET_KEY": SECRET,
        "HUB_DATABASE_URL": database_url,
        "HUB_LOGIN_RATE_LIMIT": "1000 per minute",
        "HUB_ACCOUNT_RATE_LIMIT": "1000 per minute",
        "HUB_API_RATE_LIMIT": "100000 per minute",
        **overrides,
    }
    return create_app(env)


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql_only` are not run (nor reported as skipped) with the SQLite backend."""
    dropped = [
        item
        for item in items
        if item.get_closest_marker("postgresql_only")
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("backend") == "sqlite"
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, tmp_path_factory):
    """A migrated database of each kind, and how to reset it between tests."""
    if request.param == "sqlite":
        resetter = SqliteReset(tmp_path_factory.mktemp("sqlite"))
        yield request.param, resetter
        return
    server = postgresql_server_url()
    url = create_postgresql_database(server)
    try:
        yield request.param, PostgresqlReset(url)
    finally:
        drop_postgresql_database(server, url)


@pytest.fixture
def empty_database_url(backend, tmp_path):
    """A new database of the backend's kind, not migrated: for tests that start the app as operators do."""
    kind, _ = backend
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server = postgresql_server_url()
    url = create_postgresql_database(server)
    yield url
    drop_postgresql_database(server, url)


@pytest.fixture(scope="session")
def app(backend):
    """The app under test, migrated with Alembic exactly as production is."""
    _, resetter = backend
    application = make_app(resetter.url)
    with application.app_context():
        flask_migrate.upgrade()
        factories.PASSWORD_HASH["value"] = hash_secret(factories.TEST_PASSWORD)
        db.session.remove()
        db.engine.dispose()
    resetter.snapshot()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def engine(app, backend):
    """The app's engine, over a database reset to its freshly migrated state."""
    _, resetter = backend
    with app.app_context():
        eng = db.engine
        results().clear()  # rendered statistics of the previous test's data
    resetter.reset(eng)
    return eng


@pytest.fixture
def dbs(engine):
    """A session independent of the app's, for arranging data and checking results."""
    with Session(engine, expire_on_commit=False) as session:
        for factory_class in (*factories.ALL_FACTORIES, *training_factories.ALL):
            factory_class._meta.sqlalchemy_session = session
        yield session


@pytest.fixture
def client(app, engine):
    """An HTTP client for the app; no app context is kept open between requests."""
    return app.test_client()


@dataclass
class Actor:
    """A signed-in test caller: its user row and ready-made Authorization headers."""

    user: User
    headers: dict
    tokens: dict


def sign_in(app, user: User) -> Actor:
    """Issue real tokens for a user without going through the password endpoint."""
    with app.app_context():
        pair = tokens.issue_user_tokens(user)
        db.session.commit()
        db.session.remove()
    return Actor(user, {"Authorization": f"Bearer {pair['access_token']}"}, pair)


@pytest.fixture
def home(dbs):
    """The coordinator's own institution."""
    return factories.InstitutionFactory(code="HOME", name={"en": "Home Academy", "ru": "Домашняя"})


@pytest.fixture
def foreign(dbs):
    """Another partner's institution, out of the coordinator's reach."""
    return factories.InstitutionFactory(code="AWAY", name={"en": "Away Academy"}, country="KG")


@pytest.fixture
def admin(app, dbs):
    """A hub administrator."""
    return sign_in(app, factories.UserFactory(role=Role.HUB_ADMIN, email="admin@hub.example"))


@pytest.fixture
def coordinator(app, dbs, home):
    """A coordinator of the `home` institution."""
    user = factories.UserFactory(role=Role.COORDINATOR, institution_id=home.id, email="coord@home.example")
    return sign_in(app, user)


@pytest.fixture
def analyst(app, dbs):
    """An analyst: catalogue and statistics only."""
    return sign_in(app, factories.UserFactory(role=Role.ANALYST, email="analyst@hub.example"))


@pytest.fixture
def count_queries(engine):
    """Count the SQL statements run inside a `with count_queries() as counted:` block."""

    @contextlib.contextmanager
    def counter():
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return counter
