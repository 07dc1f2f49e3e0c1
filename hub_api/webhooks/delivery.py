"""Sending deliveries: claimed under a lease, signed, retried with back-off, logged per attempt.

A claim commits the attempt's number before anything is sent. If the worker dies while sending,
the lease runs out and the next claim takes the next number: the delivery still happens, and no
attempt number is ever sent twice. Receivers deduplicate on `webhook-id`, which never changes.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from standardwebhooks import Webhook

from hub_api.extensions import db
from hub_api.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from hub_api.models.base import utcnow
from hub_api.webhooks.transport import Outcome, post

# After the first attempt: about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then give up.
RETRY_DELAYS = tuple(
    timedelta(seconds=s) for s in (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
)
DISABLE_AFTER = timedelta(days=5)
BATCH = 20
ERROR_LENGTH = 500


@dataclass(frozen=True)
class Claimed:
    """What one claimed attempt needs outside the transaction: where, what, signed with what."""

    delivery_id: int
    attempt_id: int
    url: str
    secret: str
    message_id: str
    body: str


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["HUB_WEBHOOK_TIMEOUT_SECONDS"] + 30)


def claim_due() -> list[Claimed]:
    """Take up to BATCH due deliveries of active subscriptions; the caller commits before sending."""
    now = utcnow()
    due = (
        sa.select(WebhookDelivery)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            sa.or_(WebhookDelivery.leased_until.is_(None), WebhookDelivery.leased_until < now),
            WebhookSubscription.is_active,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(BATCH)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    )
    claimed = []
    for delivery in db.session.scalars(due).all():
        delivery.attempts += 1
        delivery.leased_until = now + _lease()
        attempt = WebhookAttempt(delivery_id=delivery.id, number=delivery.attempts, started_at=now)
        db.session.add(attempt)
        db.session.flush()
        subscription = db.session.get(WebhookSubscription, delivery.subscription_id)
        claimed.append(
            Claimed(
                delivery.id,
                attempt.id,
                subscription.url,
                subscription.secret,
                delivery.message_id,
                delivery.body,
            )
        )
    return claimed


def signed_headers(secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt."""
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }


def send(claimed: Claimed) -> Outcome:
    """One signed POST, within the timeout, to an address checked again after DNS."""
    config = current_app.config
    return post(
        claimed.url,
        claimed.body.encode(),
        signed_headers(claimed.secret, claimed.message_id, claimed.body, utcnow()),
        timeout=config["HUB_WEBHOOK_TIMEOUT_SECONDS"],
        allow_private=config["HUB_WEBHOOK_ALLOW_PRIVATE"],
    )


def _succeeded(outcome: Outcome) -> bool:
    return outcome.status_code is not None and 200 <= outcome.status_code < 300


def record(claimed: Claimed, outcome: Outcome) -> None:
    """Log the attempt and decide what follows: done, retry later, or give up; the caller commits."""
    now = utcnow()
    attempt = db.session.get(WebhookAttempt, claimed.attempt_id)
    attempt.status_code, attempt.duration_ms = outcome.status_code, outcome.duration_ms
    attempt.error = outcome.error[:ERROR_LENGTH] if outcome.error else None
    delivery = db.session.get(WebhookDelivery, claimed.delivery_id)
    delivery.leased_until = None
    delivery.last_status_code, delivery.last_error = outcome.status_code, attempt.error
    subscription = db.session.get(WebhookSubscription, delivery.subscription_id)
    if _succeeded(outcome):
        delivery.status, delivery.delivered_at = "succeeded", now
        subscription.failing_since = None
        return
    if outcome.retryable and delivery.attempts <= len(RETRY_DELAYS):
        delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
    else:
        delivery.status = "failed"
    _note_failure(subscription, attempt.error, now)


def _note_failure(subscription: WebhookSubscription, error: str | None, now: datetime) -> None:
    if subscription.failing_since is None:
        subscription.failing_since = now
    elif now - subscription.failing_since >= DISABLE_AFTER and subscription.is_active:
        subscription.is_active = False
        subscription.disabled_reason = (
            f"Disabled on {now:%Y-%m-%d}: every delivery failed since "
            f"{subscription.failing_since:%Y-%m-%d %H:%M} UTC (last error: {error or 'none'})."
        )[:ERROR_LENGTH]
