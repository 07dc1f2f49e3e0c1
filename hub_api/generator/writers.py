"""The writer for the app's database, and the statistics refresh after a run."""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hub_api.database import lift_timeouts
from hub_api.generator.copy_writer import PostgresqlWriter
from hub_api.generator.insert_writer import SqliteWriter


def writer_for(connection: sa.Connection) -> PostgresqlWriter | SqliteWriter:
    """COPY on PostgreSQL, multi-row INSERTs on SQLite."""
    return (
        PostgresqlWriter(connection) if connection.dialect.name == "postgresql" else SqliteWriter(connection)
    )


def analyze(session: Session, tables: Iterable[str]) -> None:
    """Refresh PostgreSQL's planner statistics for the tables, so queries plan for their new size."""
    if session.get_bind().dialect.name == "postgresql":
        lift_timeouts(session.connection())
        session.execute(sa.text("ANALYZE " + ", ".join(f'"{table}"' for table in tables)))
        session.commit()
