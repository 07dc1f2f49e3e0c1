"""Throw-away test databases: a migrated SQLite template, or a fresh PostgreSQL database."""

import os
import shutil
import uuid
from pathlib import Path

import psycopg2
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from hub_api.config import normalise_database_url

# Tables that the migrations fill and that tests never change.
REFERENCE_TABLES = {"alembic_version", "countries"}


def postgresql_server_url() -> str | None:
    """The server named by HUB_TEST_DATABASE_URL; CI must set it, or the run fails."""
    url = os.environ.get("HUB_TEST_DATABASE_URL")
    if not url and os.environ.get("CI", "").lower() == "true":
        raise RuntimeError("CI=true but HUB_TEST_DATABASE_URL is not set: the PostgreSQL run is required")
    return url


def _admin_connection(server_url: str):
    url = make_url(normalise_database_url(server_url))
    connection = psycopg2.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.database or "postgres",
        connect_timeout=5,
    )
    connection.autocommit = True
    return connection


def create_postgresql_database(server_url: str) -> str:
    """Create a uniquely named database on the server and return its URL."""
    name = f"hub_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    connection = _admin_connection(server_url)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    url = make_url(normalise_database_url(server_url)).set(database=name)
    return url.render_as_string(hide_password=False)


def drop_postgresql_database(server_url: str, database_url: str) -> None:
    """Drop a database made by create_postgresql_database."""
    name = make_url(database_url).database
    connection = _admin_connection(server_url)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


class SqliteReset:
    """Restore a migrated SQLite file before each test by copying a template over it."""

    def __init__(self, directory: Path):
        self.path = directory / "hub.sqlite3"
        self.template = directory / "template.sqlite3"

    @property
    def url(self) -> str:
        """The URL the app under test uses."""
        return f"sqlite:///{self.path}"

    def snapshot(self) -> None:
        """Keep the freshly migrated file as the template."""
        shutil.copyfile(self.path, self.template)

    def reset(self, engine: sa.Engine) -> None:
        """Drop pooled connections and put the template back."""
        engine.dispose()
        shutil.copyfile(self.template, self.path)


class PostgresqlReset:
    """Empty every non-reference table before each test, in one TRUNCATE."""

    def __init__(self, url: str):
        self.url = url

    def snapshot(self) -> None:
        """Nothing to keep: reference tables are left alone by reset."""

    def reset(self, engine: sa.Engine) -> None:
        """Truncate the tables and restart their id sequences."""
        with engine.begin() as connection:
            tables = [
                name for name in sa.inspect(connection).get_table_names() if name not in REFERENCE_TABLES
            ]
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
