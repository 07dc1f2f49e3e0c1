"""Webhooks: subscriptions, the outbox of events, deliveries per subscriber and their attempts."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub_api.extensions import db
from hub_api.models.base import JSONType, TimestampMixin, UTCDateTime, utcnow

EVENT_TYPES = (
    "cohort.opened",
    "cohort.completed",
    "cohort.cancelled",
    "enrolment.changed",
    "participant.changed",
    "agreement.status_changed",
    "agreement.expiring",
)
TEST_EVENT = "webhook.test"
DELIVERY_STATES = ("pending", "succeeded", "failed")


class WebhookSubscription(TimestampMixin, db.Model):
    """Where one caller (a hub admin or an API client) wants which events sent, and the secret."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (sa.CheckConstraint("owner_kind IN ('user', 'api_client')", name="owner_kind"),)

    owner_kind: Mapped[str] = mapped_column(sa.String(20))
    owner_id: Mapped[int] = mapped_column(index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    events: Mapped[list] = mapped_column(JSONType)
    description: Mapped[str | None] = mapped_column(sa.String(500))
    is_active: Mapped[bool] = mapped_column(default=True)
    secret: Mapped[str] = mapped_column(sa.String(100))
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(500))


class WebhookEvent(db.Model):
    """The outbox: an event written in the transaction of the change it reports."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        sa.Index(
            "ix_webhook_events_pending",
            "id",
            postgresql_where=sa.text("dispatched_at IS NULL"),
            sqlite_where=sa.text("dispatched_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    event_type: Mapped[str] = mapped_column(sa.String(40))
    object_type: Mapped[str | None] = mapped_column(sa.String(20))
    object_id: Mapped[int | None]
    # Set for an event meant for one subscription only (webhook.test).
    subscription_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    details: Mapped[dict] = mapped_column(JSONType, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookDelivery(db.Model):
    """One event for one subscription: the exact body to send, and where its attempts stand."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(DELIVERY_STATES), name="status"),
        sa.UniqueConstraint("event_id", "subscription_id"),
        sa.Index(
            "ix_webhook_deliveries_due", "next_attempt_at", postgresql_where=sa.text("status = 'pending'")
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_events.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(40))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempt_log: Mapped[list["WebhookAttempt"]] = relationship(
        order_by="WebhookAttempt.number", lazy="selectin", viewonly=True
    )


class WebhookAttempt(db.Model):
    """One HTTP attempt of a delivery; a number is used once, so no attempt is ever sent twice."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (sa.UniqueConstraint("delivery_id", "number"),)

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"))
    number: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None]
    duration_ms: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.String(500))


class AgreementExpiryNotice(db.Model):
    """An agreement crossed a mark (90 or 30 days before it ends): its event fires once."""

    __tablename__ = "agreement_expiry_notices"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "days_before", "expires_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id", ondelete="CASCADE"))
    days_before: Mapped[int]
    expires_on: Mapped[date]
    noticed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
