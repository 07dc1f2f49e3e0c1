"""agreement.expiring without cron: the worker notices agreements crossing 90 and 30 days before they end."""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from hub_api import clock
from hub_api.extensions import db
from hub_api.models import Agreement, AgreementExpiryNotice
from hub_api.models.enums import AgreementStatus
from hub_api.webhooks.outbox import emit

MARKS = (90, 30)  # days before expires_on


def _insert_once(values: list[dict]) -> set[int]:
    """Insert the notices no worker has inserted yet; the marks of those this call inserted."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(AgreementExpiryNotice)
        .values(values)
        .on_conflict_do_nothing(index_elements=["agreement_id", "days_before", "expires_on"])
        .returning(AgreementExpiryNotice.days_before)
    )
    return set(db.session.scalars(stmt))


def notice_expiring() -> int:
    """Emit agreement.expiring once per crossed mark; the caller commits. Returns the events emitted.

    An agreement first seen inside 30 days fires the 30-day event only (the 90-day one is
    recorded as passed). A new expires_on starts the marks afresh."""
    today = clock.today()
    soon = db.session.scalars(
        sa.select(Agreement).where(
            Agreement.effective_status == AgreementStatus.ACTIVE.value,
            Agreement.expires_on.between(today, today + timedelta(days=max(MARKS))),
        )
    ).all()
    emitted = 0
    for agreement in soon:
        crossed = [mark for mark in MARKS if (agreement.expires_on - today).days <= mark]
        values = [
            {"agreement_id": agreement.id, "days_before": mark, "expires_on": agreement.expires_on}
            for mark in crossed
        ]
        if min(crossed) in _insert_once(values):
            emit("agreement.expiring", "agreement", agreement.id, days_before_expiry=min(crossed))
            emitted += 1
    return emitted
