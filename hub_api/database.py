"""Database connection settings that the models rely on."""

import sqlalchemy as sa
from flask import Flask

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
