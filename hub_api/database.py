"""Database connection settings that the models rely on."""

import sqlalchemy as sa
from flask import Flask

from hub_api import db_watchdog
from hub_api.extensions import db


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLite's own lower() folds only ASCII; Cyrillic names must match case-insensitively too.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def install_sqlite_pragmas(app: Flask) -> None:
    """Switch on foreign keys and a Unicode-aware lower() on every new SQLite connection."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite" and not sa.event.contains(engine, "connect", _sqlite_pragmas):
            sa.event.listen(engine, "connect", _sqlite_pragmas)


def lift_timeouts(connection: sa.Connection) -> None:
    """For this transaction only, no statement or lock timeout: migrations and bulk loads may run long."""
    if connection.dialect.name == "postgresql":
        for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"):
            connection.execute(sa.text(f"SET LOCAL {name} = 0"))


def install_watchdog(app: Flask) -> None:
    """On PostgreSQL: a server that stops answering fails a statement in about twice HUB_DB_SILENCE_MS,
    and no request waits on the database longer than the statement timeout plus that."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    silence = app.config["HUB_DB_SILENCE_MS"] / 1000
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    db_watchdog.install(silence, options["connect_args"]["connect_timeout"])
    request_seconds = app.config["HUB_DB_STATEMENT_TIMEOUT_MS"] / 1000 + 2 * silence
    wsgi_app = app.wsgi_app

    def within_deadline(environ, start_response):
        with db_watchdog.deadline(request_seconds):
            return wsgi_app(environ, start_response)

    app.wsgi_app = within_deadline
