"""Figures per group and over all groups, in one pass where the database has GROUPING SETS."""

from collections.abc import Callable, Sequence

import sqlalchemy as sa

from hub_api.extensions import db

Grouped = list[tuple[tuple, dict]]


def _split(row: sa.Row, width: int, names: list[str]) -> tuple[tuple, dict]:
    values = tuple(row)
    return values[:width], dict(zip(names, values[width : width + len(names)], strict=True))


def rows_and_total(
    keys: Sequence, metrics: Sequence, build: Callable[[list], sa.Select]
) -> tuple[Grouped, dict]:
    """(key values, metrics by name) per group of `keys`, and the metrics over every group.

    `metrics` are labelled aggregates; `build` turns a list of columns into the filtered SELECT that
    computes them. PostgreSQL reads the rows once (GROUPING SETS); SQLite, which has none, runs the
    totals as a second statement.
    """
    names, width = [metric.name for metric in metrics], len(keys)
    if not keys or db.session.get_bind().dialect.name != "postgresql":
        total = _split(db.session.execute(build(list(metrics))).one(), 0, names)[1]
        if not keys:
            return [], total
        rows = db.session.execute(build([*keys, *metrics]).group_by(*keys))
        return [_split(row, width, names) for row in rows], total
    marker = sa.func.grouping(*keys)  # non-zero on the row of the empty grouping set
    sets = sa.func.grouping_sets(sa.tuple_(*keys), sa.tuple_())
    rows = db.session.execute(build([*keys, *metrics, marker]).group_by(sets)).all()
    total = next(_split(row, width, names)[1] for row in rows if row[-1])
    return [_split(row, width, names) for row in rows if not row[-1]], total
