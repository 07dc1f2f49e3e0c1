"""Webhook subscriptions, their secret (shown once), and the delivery log."""

from marshmallow import fields, validate

from hub_api.models.webhook import DELIVERY_STATES, EVENT_TYPES
from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import BaseSchema, JsonBoolean, TimestampedSchema, each_once, timestamp

EVENTS_DOC = {"description": "Any of: " + ", ".join(EVENT_TYPES), "example": ["cohort.opened"]}


def _subscription_fields(required: bool) -> dict:
    return {
        "url": fields.String(
            required=required,
            validate=[
                validate.Length(max=2000),
                validate.URL(schemes={"http", "https"}, require_tld=False, error="Not an http or https URL."),
            ],
            metadata={"example": "https://lms.academy.example/hub-webhooks"},
        ),
        "events": fields.List(
            fields.String(validate=validate.OneOf(EVENT_TYPES)),
            required=required,
            validate=[validate.Length(min=1), each_once("event")],
            metadata=EVENTS_DOC,
        ),
        "description": fields.String(validate=validate.Length(max=500), allow_none=True),
    }


class WebhookSchema(TimestampedSchema.from_dict(_subscription_fields(required=True))):
    """A subscription of the caller's: where to send which events; never the secret."""

    is_active = fields.Boolean(dump_only=True)
    failing_since = timestamp(dump_only=True, allow_none=True)
    disabled_reason = fields.String(
        dump_only=True, allow_none=True, metadata={"description": "Why the hub stopped sending, if it did"}
    )


class WebhookSecretSchema(WebhookSchema):
    """The subscription with its signing secret, shown on creation and rotation only."""

    secret = fields.String(
        dump_only=True,
        metadata={"description": "Standard Webhooks secret (`whsec_...`): store it now; it is shown once."},
    )


class WebhookPatchSchema(BaseSchema.from_dict(_subscription_fields(required=False))):
    """Changes to a subscription; `is_active: true` resumes one the hub disabled."""

    is_active = JsonBoolean()


class AttemptSchema(BaseSchema):
    """One HTTP attempt: when, the answer (or none) and how long it took."""

    number = fields.Integer()
    started_at = timestamp()
    status_code = fields.Integer(allow_none=True)
    duration_ms = fields.Integer(allow_none=True, metadata={"description": "Null if the attempt never ended"})
    error = fields.String(allow_none=True)


class DeliverySchema(BaseSchema):
    """One event for this subscription, and its attempts so far."""

    id = fields.Integer()
    message_id = fields.String(metadata={"description": "The webhook-id header: the same on every attempt"})
    event_type = fields.String()
    status = fields.String(validate=validate.OneOf(DELIVERY_STATES))
    attempts = fields.Integer()
    next_attempt_at = timestamp(metadata={"description": "When a pending delivery is tried next"})
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = timestamp()
    delivered_at = timestamp(allow_none=True)
    attempt_log = fields.List(fields.Nested(AttemptSchema), data_key="attempt_log")


class DeliveryQuerySchema(ListArgsSchema):
    """Filters of the delivery log, newest first by default."""

    status = fields.String(validate=validate.OneOf(DELIVERY_STATES))
    event_type = fields.String(validate=validate.OneOf((*EVENT_TYPES, "webhook.test")))
    sort = sort_field("created_at", default="-created_at")


class WebhookQuerySchema(ListArgsSchema):
    """The caller's subscriptions, oldest first by default."""

    sort = sort_field("created_at", "updated_at", default="created_at")


class TestEventSchema(BaseSchema):
    """The queued test event."""

    event_type = fields.String(metadata={"example": "webhook.test"})
    queued = fields.Boolean()
