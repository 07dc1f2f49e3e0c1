"""Webhooks: subscriptions, an outbox of events, deliveries and their attempts.

Participant and enrolment changes reach the outbox by triggers, in the writing transaction,
whatever the write path (as the change feed does); only while a subscription listens, so
that a hub without subscribers keeps no outbox. Cohort and agreement events are written by
the services that make the transitions, agreement.expiring by the worker.

Revision ID: 1b5bc4fa1e25
Revises: 5692f1de23d8
Create Date: 2026-12-03 15:58:16.702707

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import hub_api.models.base

# revision identifiers, used by Alembic.
revision = '1b5bc4fa1e25'
down_revision = '5692f1de23d8'
branch_labels = None
depends_on = None

# table -> (event, feed type) written to the outbox on every insert and update
OUTBOX_EVENTS = {
    "participants": ("participant.changed", "participant"),
    "enrolments": ("enrolment.changed", "enrolment"),
}
POSTGRESQL_FUNCTION = """
CREATE FUNCTION enqueue_webhook_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM webhook_subscriptions WHERE is_active AND events ? TG_ARGV[0]) THEN
        INSERT INTO webhook_events (event_type, object_type, object_id, details, occurred_at)
        VALUES (TG_ARGV[0], TG_ARGV[1], NEW.id, '{}'::jsonb, clock_timestamp());
    END IF;
    RETURN NULL;
END $$
"""


def _postgresql_triggers():
    op.execute(POSTGRESQL_FUNCTION)
    for table, (event, kind) in OUTBOX_EVENTS.items():
        call = f"EXECUTE FUNCTION enqueue_webhook_event('{event}', '{kind}')"
        op.execute(f"CREATE TRIGGER {table}_webhook_created AFTER INSERT ON {table} FOR EACH ROW {call}")
        op.execute(
            f"CREATE TRIGGER {table}_webhook_updated AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN (OLD.* IS DISTINCT FROM NEW.*) {call}"
        )


def _sqlite_triggers():
    for table, (event, kind) in OUTBOX_EVENTS.items():
        listening = (
            "EXISTS (SELECT 1 FROM webhook_subscriptions, json_each(webhook_subscriptions.events) AS e "
            f"WHERE webhook_subscriptions.is_active AND e.value = '{event}')"
        )
        for when in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER {table}_webhook_{when.lower()} AFTER {when} ON {table} FOR EACH ROW "
                f"WHEN {listening} BEGIN INSERT INTO webhook_events "
                "(event_type, object_type, object_id, details, occurred_at) "
                f"VALUES ('{event}', '{kind}', NEW.id, '{{}}', strftime('%Y-%m-%d %H:%M:%f', 'now')); END"
            )


def upgrade():
    op.create_table('webhook_subscriptions',
    sa.Column('owner_kind', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('events', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('failing_since', hub_api.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disabled_reason', sa.String(length=500), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', hub_api.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', hub_api.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("owner_kind IN ('user', 'api_client')", name=op.f('ck_webhook_subscriptions_owner_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_subscriptions'))
    )
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_subscriptions_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_subscriptions_updated_at'), ['updated_at'], unique=False)

    op.create_table('webhook_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=20), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('occurred_at', hub_api.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', hub_api.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['subscription_id'], ['webhook_subscriptions.id'], name=op.f('fk_webhook_events_subscription_id_webhook_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_events'))
    )
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_events_pending', ['id'], unique=False, postgresql_where=sa.text('dispatched_at IS NULL'), sqlite_where=sa.text('dispatched_at IS NULL'))

    op.create_table('agreement_expiry_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('days_before', sa.Integer(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('noticed_at', hub_api.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_expiry_notices_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_expiry_notices')),
    sa.UniqueConstraint('agreement_id', 'days_before', 'expires_on', name=op.f('uq_agreement_expiry_notices_agreement_id_days_before_expires_on'))
    )
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('message_id', sa.String(length=40), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', hub_api.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('leased_until', hub_api.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', hub_api.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', hub_api.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name=op.f('ck_webhook_deliveries_status')),
    sa.ForeignKeyConstraint(['event_id'], ['webhook_events.id'], name=op.f('fk_webhook_deliveries_event_id_webhook_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['webhook_subscriptions.id'], name=op.f('fk_webhook_deliveries_subscription_id_webhook_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('event_id', 'subscription_id', name=op.f('uq_webhook_deliveries_event_id_subscription_id')),
    sa.UniqueConstraint('message_id', name=op.f('uq_webhook_deliveries_message_id'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_deliveries_due', ['next_attempt_at'], unique=False, postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'"))
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_subscription_id'), ['subscription_id'], unique=False)

    op.create_table('webhook_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('delivery_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('started_at', hub_api.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'], name=op.f('fk_webhook_attempts_delivery_id_webhook_deliveries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts')),
    sa.UniqueConstraint('delivery_id', 'number', name=op.f('uq_webhook_attempts_delivery_id_number'))
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in OUTBOX_EVENTS:
            op.execute(f"DROP TRIGGER {table}_webhook_created ON {table}")
            op.execute(f"DROP TRIGGER {table}_webhook_updated ON {table}")
        op.execute("DROP FUNCTION enqueue_webhook_event()")
    else:
        for table in OUTBOX_EVENTS:
            op.execute(f"DROP TRIGGER {table}_webhook_insert")
            op.execute(f"DROP TRIGGER {table}_webhook_update")
    op.drop_table('webhook_attempts')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_subscription_id'))
        batch_op.drop_index('ix_webhook_deliveries_due', postgresql_where=sa.text("status = 'pending'"))

    op.drop_table('webhook_deliveries')
    op.drop_table('agreement_expiry_notices')
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_events_pending', postgresql_where=sa.text('dispatched_at IS NULL'), sqlite_where=sa.text('dispatched_at IS NULL'))

    op.drop_table('webhook_events')
    with op.batch_alter_table('webhook_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_subscriptions_updated_at'))
        batch_op.drop_index(batch_op.f('ix_webhook_subscriptions_owner_id'))

    op.drop_table('webhook_subscriptions')
