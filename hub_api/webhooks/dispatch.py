"""Fan-out: each committed outbox event becomes one delivery per subscriber that may see it."""

import uuid

import sqlalchemy as sa

from hub_api.extensions import db
from hub_api.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from hub_api.models.base import utcnow
from hub_api.webhooks.payloads import render
from hub_api.webhooks.subscriptions import owner_principal

BATCH = 100


def _recipients(event: WebhookEvent, active: list[WebhookSubscription]) -> list[WebhookSubscription]:
    if event.subscription_id is not None:  # a test event, for one subscription whatever its state
        return [db.session.get(WebhookSubscription, event.subscription_id)]
    return [s for s in active if event.event_type in s.events]


def dispatch_pending() -> int:
    """Turn up to BATCH undispatched events into deliveries; the caller commits. Returns the count.

    Rows are claimed with FOR UPDATE SKIP LOCKED: several workers share the outbox on PostgreSQL,
    none handles an event twice. SQLite ignores the clause; one worker is enough there."""
    claim = (
        sa.select(WebhookEvent)
        .where(WebhookEvent.dispatched_at.is_(None))
        .order_by(WebhookEvent.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    events = db.session.scalars(claim).all()
    if not events:
        return 0
    active = db.session.scalars(sa.select(WebhookSubscription).where(WebhookSubscription.is_active)).all()
    principals = {}
    now = utcnow()
    for event in events:
        for subscription in _recipients(event, active):
            if subscription.id not in principals:
                principals[subscription.id] = owner_principal(subscription)
            principal = principals[subscription.id]
            if principal is None:
                continue
            message_id = f"msg_{uuid.uuid4().hex}"
            body = render(principal, event, message_id, event.occurred_at)
            if body is not None:
                db.session.add(
                    WebhookDelivery(
                        subscription_id=subscription.id,
                        event_id=event.id,
                        message_id=message_id,
                        event_type=event.event_type,
                        body=body,
                        next_attempt_at=now,
                    )
                )
        event.dispatched_at = now
    db.session.flush()
    return len(events)
