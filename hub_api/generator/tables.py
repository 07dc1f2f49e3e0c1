"""Planned rows for one table, and how writers cut them into chunks."""

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """Rows for one table: the column names and a (possibly lazy) sequence of value tuples."""

    name: str
    columns: tuple[str, ...]
    rows: Iterable[tuple]

    @property
    def column_list(self) -> str:
        """The quoted column names, for an INSERT or COPY statement."""
        return ", ".join(f'"{column}"' for column in self.columns)


def chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    """The rows in lists of `size` (the last one shorter)."""
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def numbered(first_id: int, rows: Iterable[tuple]) -> list[tuple]:
    """The rows with ids from `first_id` on, put in front."""
    return [(number, *row) for number, row in enumerate(rows, start=first_id)]
