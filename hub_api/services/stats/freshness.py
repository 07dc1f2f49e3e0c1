"""A cheap fingerprint of the data behind every statistic, for ETags that spare the aggregates."""

import sqlalchemy as sa

from hub_api.extensions import db
from hub_api.models import AuditEvent

# Every write is audited in its own transaction, so the audit trail moves whenever data does. Ids
# are taken before commit, so a slow transaction can commit an id below the newest one: counting
# the recent ids too makes its commit change the fingerprint as long as it lies in this window.
RECENT_WINDOW = 50_000


def data_version() -> tuple[int, int]:
    """(newest audit event id, events among the newest RECENT_WINDOW ids) as committed now."""
    newest = sa.select(sa.func.coalesce(sa.func.max(AuditEvent.id), 0)).scalar_subquery()
    recent = sa.select(sa.func.count()).where(AuditEvent.id > newest - RECENT_WINDOW).scalar_subquery()
    return tuple(db.session.execute(sa.select(newest, recent)).one())
