"""Reading the feed gap-free: behind the oldest running transaction on PostgreSQL, by id on SQLite.

Entry ids come from a sequence when the row is inserted, but the row becomes visible when its
transaction commits, so ids do not arrive in order: a reader that remembered "the last id seen"
would skip a slow transaction's rows. Each entry therefore keeps its transaction id, and a page
stops below `pg_snapshot_xmin`, the oldest transaction still running: every transaction below it
has ended, so nothing can appear there later. Entries are read in (txid, id) order; a later
transaction (one that wrote after another committed) always has the larger txid.

SQLite lets one writer in at a time, from its first write to its commit, so ids are handed out
in commit order and the id alone is a safe position.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from hub_api.access.visibility import visible_changes
from hub_api.auth.principal import Principal
from hub_api.extensions import db
from hub_api.models import Change, ChangeFeedState
from hub_api.services.changes.cursor import START, Position

# Far above any entry id: a position after every entry of the transactions below the horizon.
END_OF_TRANSACTION = 2**62


class CursorExpired(Exception):
    """The cursor points before entries that were pruned: the reader must resync."""


@dataclass(frozen=True)
class Page:
    """Entries after a position, and the position to read from next."""

    items: list[dict]
    next_cursor: str


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _horizon() -> int:
    """The oldest transaction id still running: every transaction below it has ended."""
    xmin = sa.func.pg_snapshot_xmin(sa.func.pg_current_snapshot())
    return db.session.scalar(sa.select(sa.cast(sa.cast(xmin, sa.Text), sa.BigInteger)))


def _pruned() -> Position:
    """After every entry pruned so far; the start when none has been."""
    state = db.session.get(ChangeFeedState, 1)
    return START if state is None else Position(state.pruned_txid or 0, state.pruned_id)


def read_page(principal: Principal, *, after: Position | None, types: list[str], limit: int) -> Page:
    """Up to `limit` entries the caller may see after `after`, oldest first."""
    pruned = _pruned()
    if after is not None and after < pruned:
        raise CursorExpired
    position = after or START
    stmt = sa.select(Change).where(Change.object_type.in_(types), visible_changes(principal))
    if _on_postgresql():
        horizon = _horizon()
        stmt = stmt.where(
            sa.tuple_(Change.txid, Change.id) > sa.tuple_(position.txid, position.id), Change.txid < horizon
        ).order_by(Change.txid, Change.id)
    else:
        horizon = None
        stmt = stmt.where(Change.id > position.id).order_by(Change.id)
    entries = db.session.scalars(stmt.limit(limit)).all()
    if len(entries) == limit:
        last = entries[-1]
        position = Position(last.txid or 0, last.id)
    elif horizon is not None:  # everything below the horizon has been read
        position = max(position, Position(horizon - 1, END_OF_TRANSACTION))
    else:
        newest = db.session.scalar(sa.select(sa.func.max(Change.id))) or 0
        position = max(position, Position(0, newest))
    return Page([_item(entry) for entry in entries], position.encode())


def _item(entry: Change) -> dict:
    return {"type": entry.object_type, "id": entry.object_id, "op": entry.op, "at": entry.at}


def prune(older_than: datetime) -> int:
    """Delete entries written before `older_than`; remember the newest position deleted."""
    state = db.session.get(ChangeFeedState, 1, with_for_update=True)  # one pruner at a time
    if state is None:
        state = ChangeFeedState(id=1, pruned_id=0)
        db.session.add(state)
    stmt = sa.select(Change.txid, Change.id).where(Change.at < older_than)
    newest = db.session.execute(stmt.order_by(Change.txid.desc(), Change.id.desc()).limit(1)).first()
    if newest is None:
        return 0
    deleted = db.session.execute(sa.delete(Change).where(Change.at < older_than)).rowcount
    pruned = max(Position(state.pruned_txid or 0, state.pruned_id), Position(newest.txid or 0, newest.id))
    state.pruned_txid, state.pruned_id = pruned.txid, pruned.id
    current_app.logger.info("Pruned %d change feed entries written before %s", deleted, older_than)
    return deleted
