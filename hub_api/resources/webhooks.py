"""Webhook subscriptions of the caller, their secrets, delivery log, redelivery and test events."""

import sqlalchemy as sa
from flask import url_for

from hub_api.access.policies import webhook_manager
from hub_api.api import Blueprint
from hub_api.auth.principal import current_principal
from hub_api.errors import NotFound
from hub_api.etags import ETAG_HEADER_DOC, check_if_match, with_etag
from hub_api.extensions import db
from hub_api.models import WebhookDelivery, WebhookSubscription
from hub_api.models.base import utcnow
from hub_api.models.webhook import TEST_EVENT
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.webhooks import (
    DeliveryQuerySchema,
    DeliverySchema,
    TestEventSchema,
    WebhookPatchSchema,
    WebhookQuerySchema,
    WebhookSchema,
    WebhookSecretSchema,
)
from hub_api.webhooks import subscriptions as service
from hub_api.webhooks.outbox import emit_test

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks", description="Webhooks")

NOT_FOUND = {"response": "NOT_FOUND", "description": "No such subscription of yours"}
SORTABLE = {"created_at": WebhookSubscription.created_at, "updated_at": WebhookSubscription.updated_at}


@blp.route("", methods=["GET"])
@blp.access(webhook_manager)
@blp.arguments(WebhookQuerySchema, location="query")
@blp.response(200, WebhookSchema(many=True), headers=PAGINATION_HEADERS)
def list_webhooks(args):
    """List your subscriptions"""
    stmt = service.subscriptions_query(current_principal())
    return paginate(stmt, args, model=WebhookSubscription, sortable=SORTABLE)


@blp.route("", methods=["POST"])
@blp.access(webhook_manager)
@blp.arguments(WebhookSchema)
@blp.response(201, WebhookSecretSchema, headers=ETAG_HEADER_DOC)
def create_webhook(data):
    """Subscribe to events

    The address must be public http(s) (checked after DNS, and again at each delivery). The
    answer carries the signing secret, shown this once; deliveries follow Standard Webhooks."""
    subscription = service.create_subscription(current_principal(), data)
    location = url_for("webhooks.get_webhook", subscription_id=subscription.id)
    return with_etag(subscription, 201, location=location)


@blp.route("/<id:subscription_id>", methods=["GET"])
@blp.access(webhook_manager)
@blp.response(200, WebhookSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def get_webhook(subscription_id):
    """Get a subscription"""
    return with_etag(service.get_subscription(current_principal(), subscription_id))


@blp.route("/<id:subscription_id>", methods=["PATCH"])
@blp.access(webhook_manager)
@blp.etag_checked
@blp.arguments(WebhookPatchSchema)
@blp.response(200, WebhookSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def update_webhook(changes, subscription_id):
    """Change a subscription

    `is_active: false` pauses it; `true` resumes one paused or disabled after failures."""
    subscription = service.get_subscription(current_principal(), subscription_id)
    check_if_match(subscription)
    return with_etag(service.update_subscription(subscription, changes))


@blp.route("/<id:subscription_id>", methods=["DELETE"])
@blp.access(webhook_manager)
@blp.etag_checked
@blp.response(204)
@blp.alt_response(404, **NOT_FOUND)
def delete_webhook(subscription_id):
    """Delete a subscription and its delivery log"""
    subscription = service.get_subscription(current_principal(), subscription_id)
    check_if_match(subscription)
    db.session.delete(subscription)


@blp.route("/<id:subscription_id>/rotate-secret", methods=["POST"])
@blp.access(webhook_manager)
@blp.response(200, WebhookSecretSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def rotate_webhook_secret(subscription_id):
    """Rotate the signing secret

    The new secret is shown this once; every delivery from now on is signed with it."""
    return with_etag(service.rotate_secret(service.get_subscription(current_principal(), subscription_id)))


@blp.route("/<id:subscription_id>/deliveries", methods=["GET"])
@blp.access(webhook_manager)
@blp.arguments(DeliveryQuerySchema, location="query")
@blp.response(200, DeliverySchema(many=True), headers=PAGINATION_HEADERS)
@blp.alt_response(404, **NOT_FOUND)
def list_deliveries(args, subscription_id):
    """The delivery log

    Each event sent to this subscription, newest first, with every attempt: time, status code,
    duration and error."""
    subscription = service.get_subscription(current_principal(), subscription_id)
    stmt = sa.select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    for name in ("status", "event_type"):
        if args.get(name):
            stmt = stmt.where(getattr(WebhookDelivery, name) == args[name])
    sortable = {"created_at": WebhookDelivery.created_at}
    return paginate(
        stmt, args, model=WebhookDelivery, sortable=sortable, changed_column=WebhookDelivery.created_at
    )


@blp.route("/<id:subscription_id>/deliveries/<id:delivery_id>/redeliver", methods=["POST"])
@blp.access(webhook_manager)
@blp.response(202, DeliverySchema)
@blp.alt_response(404, response="NOT_FOUND", description="No such subscription of yours, or delivery")
def redeliver(subscription_id, delivery_id):
    """Send a delivery again

    Queued now, with the same webhook-id and body; a failed one gets a fresh round of retries."""
    subscription = service.get_subscription(current_principal(), subscription_id)
    delivery = db.session.scalar(
        sa.select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.subscription_id == subscription.id
        )
    )
    if delivery is None:
        raise NotFound(f"There is no delivery with id {delivery_id} for this subscription.")
    delivery.status, delivery.next_attempt_at = "pending", utcnow()
    return delivery


@blp.route("/<id:subscription_id>/test", methods=["POST"])
@blp.access(webhook_manager)
@blp.response(202, TestEventSchema)
@blp.alt_response(404, **NOT_FOUND)
def send_test_event(subscription_id):
    """Send a test event

    A `webhook.test` event, to this subscription only, even while it is paused."""
    subscription = service.get_subscription(current_principal(), subscription_id)
    emit_test(subscription.id)
    return {"event_type": TEST_EVENT, "queued": True}
