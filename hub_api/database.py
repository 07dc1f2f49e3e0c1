"""Database connection settings that the models rely on."""

import sqlalchemy as sa
from flask import Flask

from hub_api.extensions import db


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def install_sqlite_pragmas(app: Flask) -> None:
    """SQLite ignores foreign keys unless asked; ask on every new connection."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite" and not sa.event.contains(
            engine, "connect", _sqlite_pragmas
        ):
            sa.event.listen(engine, "connect", _sqlite_pragmas)
