"""Writing events to the outbox, in the transaction of the change they report."""

from hub_api.extensions import db
from hub_api.models import WebhookEvent
from hub_api.models.webhook import TEST_EVENT

COHORT_EVENTS = {"open": "cohort.opened", "completed": "cohort.completed", "cancelled": "cohort.cancelled"}


def emit(event_type: str, object_type: str | None, object_id: int | None, **details) -> None:
    """Queue an event: the worker sends it once this transaction commits, never if it rolls back."""
    db.session.add(
        WebhookEvent(event_type=event_type, object_type=object_type, object_id=object_id, details=details)
    )


def cohort_moved(cohort) -> None:
    """The event of a cohort's new status, if it has one (opened, completed, cancelled)."""
    event = COHORT_EVENTS.get(cohort.status.value)
    if event is not None:
        emit(event, "cohort", cohort.id)


def agreement_moved(agreement, previous: str) -> None:
    """An agreement changed status through a transition."""
    emit("agreement.status_changed", "agreement", agreement.id, previous_status=previous)


def emit_test(subscription_id: int) -> None:
    """A webhook.test event for one subscription."""
    db.session.add(
        WebhookEvent(
            event_type=TEST_EVENT,
            subscription_id=subscription_id,
            details={"message": "A test event from the hub: your endpoint receives and verifies webhooks."},
        )
    )
