"""PostgreSQL: COPY from in-memory text, with keys and secondary indexes set aside until the end."""

import io
from collections.abc import Iterable

import sqlalchemy as sa

from hub_api import db_watchdog
from hub_api.generator.tables import Table, chunks

# Table and index names in the SQL below come from the generator's constants and the catalog,
# never from input (hence the S608 exemptions).
CHUNK_ROWS = 50_000
# Foreign keys, and unique constraints that no foreign key relies on.
CONSTRAINTS = """
    SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) FROM pg_constraint c
    WHERE c.conrelid = %(table)s::regclass AND (c.contype = 'f' OR (c.contype = 'u' AND NOT EXISTS (
        SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)))
    ORDER BY c.conname
"""
# Indexes that back no constraint.
INDEXES = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
    WHERE i.indrelid = %(table)s::regclass
    AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
    ORDER BY 1
"""


class PostgresqlWriter:
    """COPY FROM STDIN, a chunk of rows per statement, inside the caller's transaction.

    As PostgreSQL's guide to populating a database advises, a table's foreign keys, secondary
    indexes and unique constraints are dropped before its rows are copied, and rebuilt at the
    end: a sort per index and a join per key, which check every row at once instead of one by
    one. A row that breaks a key or a uniqueness rule still rolls everything back. Until the
    transaction ends, the tables are locked to other sessions."""

    def __init__(self, connection: sa.Connection):
        self.connection = connection
        self.cursor = connection.connection.cursor()
        self.rebuilds: list[str] = []  # indexes and unique constraints, rebuilt first
        self.foreign_keys: list[str] = []  # then the keys that may rely on them
        # Planned moments are UTC text without an offset: read them as UTC in this transaction.
        connection.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")  # index builds
        connection.exec_driver_sql("SET LOCAL work_mem = '256MB'")  # the joins that check keys

    def _set_aside(self, table: str) -> None:
        """Drop the table's keys and secondary indexes, remembering how to put them back."""
        constraints = self.connection.exec_driver_sql(CONSTRAINTS, {"table": f'"{table}"'}).all()
        for name, kind, definition in constraints:
            self.connection.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            restore = f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
            (self.foreign_keys if kind == "f" else self.rebuilds).append(restore)
        for name, definition in self.connection.exec_driver_sql(INDEXES, {"table": f'"{table}"'}).all():
            self.connection.exec_driver_sql(f"DROP INDEX {name}")
            self.rebuilds.append(definition)

    def first_free_id(self, table: str) -> int:
        """One past the larger of the highest id and the id sequence, so no id is ever reused."""
        sequence = self.connection.exec_driver_sql(f"SELECT pg_get_serial_sequence('{table}', 'id')").scalar()
        return self.connection.exec_driver_sql(
            f'SELECT greatest((SELECT coalesce(max(id), 0) FROM "{table}"), '  # noqa: S608
            f"(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence})) + 1"
        ).scalar()

    def write(self, table: Table) -> int:
        """Copy the table's rows in; return how many."""
        self._set_aside(table.name)
        # A value's str() is its COPY text: None reads as NULL, True as true. Only JSON escapes
        # can hold a backslash (no planned text has tabs or newlines), and COPY wants it doubled.
        statement = f"COPY \"{table.name}\" ({table.column_list}) FROM STDIN WITH (NULL 'None')"
        line = "\t".join(["%s"] * len(table.columns)) + "\n"
        count = 0
        for chunk in chunks(table.rows, CHUNK_ROWS):
            text = "".join([line % row for row in chunk]).replace("\\", "\\\\")
            with db_watchdog.paused():  # COPY refuses to run under a wait callback
                self.cursor.copy_expert(statement, io.StringIO(text), size=1 << 20)
            count += len(chunk)
        return count

    def finish(self, id_tables: Iterable[str]) -> None:
        """Rebuild the indexes, re-check the keys, and move the id sequences past the ids written."""
        for statement in (*self.rebuilds, *self.foreign_keys):
            self.connection.exec_driver_sql(statement)
        for table in id_tables:
            self.connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM \"{table}\"))"  # noqa: S608
            )
