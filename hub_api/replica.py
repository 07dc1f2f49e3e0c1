"""Statistics may read from a PostgreSQL replica: a session that routes reads there inside `reads()`."""

import contextlib
import contextvars
from collections.abc import Iterator

from flask_sqlalchemy.session import Session

REPLICA = "replica"  # the bind key HUB_REPLICA_DATABASE_URL configures

_reading = contextvars.ContextVar("hub_replica_reads", default=False)


class RoutingSession(Session):
    """Flask-SQLAlchemy's session, sending every statement to the replica inside `reads()`."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        """The replica's engine inside `reads()` when one is configured; else the usual choice."""
        if bind is None and _reading.get():
            replica = self._db.engines.get(REPLICA)
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@contextlib.contextmanager
def reads() -> Iterator[None]:
    """Within the block, read from the replica if there is one (a replica may lag: read only there)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)
