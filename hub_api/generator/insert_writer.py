"""SQLite: executemany of INSERTs that each carry as many rows as the parameter limit allows."""

import itertools
from collections.abc import Iterable

import sqlalchemy as sa

from hub_api.generator.tables import Table, chunks

VARIABLES = 999  # the lowest limit any SQLite build puts on the parameters of a statement
STATEMENTS_PER_CALL = 200


def _flat(rows: list[tuple]) -> list:
    return list(itertools.chain.from_iterable(rows))


class SqliteWriter:
    """Multi-row INSERTs inside the caller's transaction; SQLite checks each row's keys as it goes."""

    def __init__(self, connection: sa.Connection):
        self.connection = connection
        self.cursor = connection.connection.cursor()

    def first_free_id(self, table: str) -> int:
        """One past the highest id, as SQLite itself would choose."""
        return self.connection.exec_driver_sql(f'SELECT coalesce(max(id), 0) + 1 FROM "{table}"').scalar()  # noqa: S608

    def _insert(self, table: Table, rows: int) -> str:
        values = "(" + ", ".join("?" * len(table.columns)) + ")"
        return f'INSERT INTO "{table.name}" ({table.column_list}) VALUES ' + ", ".join([values] * rows)  # noqa: S608

    def write(self, table: Table) -> int:
        """Insert the table's rows; return how many."""
        per_statement = max(1, VARIABLES // len(table.columns))
        statement = self._insert(table, per_statement)
        count = 0
        for chunk in chunks(table.rows, per_statement * STATEMENTS_PER_CALL):
            whole = len(chunk) - len(chunk) % per_statement
            groups = [_flat(chunk[start : start + per_statement]) for start in range(0, whole, per_statement)]
            self.cursor.executemany(statement, groups)
            if whole < len(chunk):
                self.cursor.execute(self._insert(table, len(chunk) - whole), _flat(chunk[whole:]))
            count += len(chunk)
        return count

    def finish(self, id_tables: Iterable[str]) -> None:
        """Nothing is left to do: SQLite takes new ids after the highest one."""
