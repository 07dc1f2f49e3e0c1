"""Subscriptions: each caller manages its own; secrets in the Standard Webhooks format."""

import base64
import secrets

import sqlalchemy as sa
from flask import current_app

from hub_api.auth.principal import Principal
from hub_api.errors import NotFound, ValidationFailed
from hub_api.extensions import db
from hub_api.models import ApiClient, User, WebhookSubscription
from hub_api.webhooks.transport import AddressRefused, check_url

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's marker, not a secret
SECRET_BYTES = 32


def new_secret() -> str:
    """A random signing secret: `whsec_` and 32 bytes in base64, as Standard Webhooks libraries read it."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _owned(principal: Principal) -> sa.ColumnElement:
    return sa.and_(
        WebhookSubscription.owner_kind == principal.kind, WebhookSubscription.owner_id == principal.id
    )


def subscriptions_query(principal: Principal) -> sa.Select:
    """The caller's own subscriptions."""
    return sa.select(WebhookSubscription).where(_owned(principal))


def get_subscription(principal: Principal, subscription_id: int) -> WebhookSubscription:
    """One of the caller's subscriptions; anyone else's is a 404, as if it did not exist."""
    found = db.session.scalar(subscriptions_query(principal).where(WebhookSubscription.id == subscription_id))
    if found is None:
        raise NotFound(f"There is no webhook subscription with id {subscription_id}.")
    return found


def _check_url(url: str) -> None:
    try:
        check_url(url, allow_private=current_app.config["HUB_WEBHOOK_ALLOW_PRIVATE"])
    except AddressRefused as exc:
        raise ValidationFailed(
            f"This address cannot receive webhooks: {exc}. Use a public http or https address.",
            errors={"url": [str(exc)]},
        ) from exc


def create_subscription(principal: Principal, data: dict) -> WebhookSubscription:
    """A new active subscription of the caller's, with a fresh secret."""
    _check_url(data["url"])
    subscription = WebhookSubscription(
        owner_kind=principal.kind, owner_id=principal.id, secret=new_secret(), is_active=True, **data
    )
    db.session.add(subscription)
    db.session.flush()
    return subscription


def update_subscription(subscription: WebhookSubscription, changes: dict) -> WebhookSubscription:
    """Change the address, events, description or state; reactivating clears the failure record."""
    if "url" in changes:
        _check_url(changes["url"])
    if changes.get("is_active") and not subscription.is_active:
        subscription.failing_since = None
        subscription.disabled_reason = None
    for name, value in changes.items():
        setattr(subscription, name, value)
    db.session.flush()
    return subscription


def rotate_secret(subscription: WebhookSubscription) -> WebhookSubscription:
    """Replace the secret; deliveries from now on are signed with the new one."""
    subscription.secret = new_secret()
    db.session.flush()
    return subscription


def owner_principal(subscription: WebhookSubscription) -> Principal | None:
    """Who the subscription acts for, as the routes would see it; None once that account is disabled."""
    if subscription.owner_kind == "user":
        user = db.session.get(User, subscription.owner_id)
        return Principal.for_user(user) if user is not None and user.is_active else None
    client = db.session.get(ApiClient, subscription.owner_id)
    return Principal.for_client(client) if client is not None and client.is_active else None
