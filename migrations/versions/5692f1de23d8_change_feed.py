"""The change feed: a row per create, update and delete of the six synced types, by triggers.

Triggers, not application hooks, so that no write path (bulk imports, counters updated in SQL,
a DBA's fix) can change an object without the feed knowing, and so that the entry commits or
rolls back with the change itself. Existing objects are entered as created, so that a partner
walking the feed from the beginning meets every one of them.

Revision ID: 5692f1de23d8
Revises: 5b7d2e9a41c3
Create Date: 2026-12-03 15:44:38.502894

"""
from alembic import op
import sqlalchemy as sa

import hub_api.models.base

# revision identifiers, used by Alembic.
revision = '5692f1de23d8'
down_revision = '5b7d2e9a41c3'
branch_labels = None
depends_on = None

# feed type -> table
TYPES = {
    "institution": "institutions",
    "agreement": "agreements",
    "curriculum": "curricula",
    "cohort": "cohorts",
    "participant": "participants",
    "enrolment": "enrolments",
}
# SQL for who may see an entry, from the row (NEW or OLD): owner institution, cohort host.
OWNER = {"participant": "{row}.institution_id", "enrolment": "{row}.institution_id"}
HOST = {"enrolment": "(SELECT host_institution_id FROM cohorts WHERE cohorts.id = {row}.cohort_id)"}
# An erased participant is gone for partners: any write to it reads as a deletion.
ERASED = "{row}.erased_at IS NOT NULL"

POSTGRESQL_FUNCTION = """
CREATE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kind text := TG_ARGV[0];
    subject record;
    action text;
    owner integer;
    host integer;
BEGIN
    IF TG_OP = 'DELETE' THEN
        subject := OLD; action := 'deleted';
    ELSIF TG_OP = 'INSERT' THEN
        subject := NEW; action := 'created';
    ELSE
        subject := NEW; action := 'updated';
    END IF;
    IF kind = 'participant' THEN
        owner := subject.institution_id;
        IF TG_OP <> 'DELETE' AND subject.erased_at IS NOT NULL THEN
            action := 'deleted';
        END IF;
    ELSIF kind = 'enrolment' THEN
        owner := subject.institution_id;
        SELECT host_institution_id INTO host FROM cohorts WHERE cohorts.id = subject.cohort_id;
    END IF;
    INSERT INTO changes (txid, object_type, object_id, op, at, owner_institution_id, host_institution_id)
    VALUES (pg_current_xact_id()::text::bigint, kind, subject.id, action, clock_timestamp(), owner, host);
    RETURN NULL;
END $$
"""


def _postgresql_triggers():
    op.execute(POSTGRESQL_FUNCTION)
    for kind, table in TYPES.items():
        op.execute(
            f"CREATE TRIGGER {table}_change_written AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION record_change('{kind}')"
        )
        op.execute(  # an UPDATE that changes nothing is not a change
            f"CREATE TRIGGER {table}_change_updated AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION record_change('{kind}')"
        )


def _sqlite_trigger(kind: str, table: str, event: str, row: str, action: str, when: str = "") -> str:
    owner = OWNER.get(kind, "NULL").format(row=row)
    host = HOST.get(kind, "NULL").format(row=row)
    return (
        f"CREATE TRIGGER {table}_change_{event.lower()} AFTER {event} ON {table} FOR EACH ROW {when}"
        "BEGIN INSERT INTO changes (object_type, object_id, op, at, owner_institution_id, "
        f"host_institution_id) VALUES ('{kind}', {row}.id, {action}, "
        f"strftime('%Y-%m-%d %H:%M:%f', 'now'), {owner}, {host}); END"
    )


def _sqlite_triggers():
    for kind, table in TYPES.items():
        updated = "'updated'"
        if kind == "participant":
            updated = f"CASE WHEN {ERASED.format(row='NEW')} THEN 'deleted' ELSE 'updated' END"
        op.execute(_sqlite_trigger(kind, table, "INSERT", "NEW", "'created'"))
        op.execute(_sqlite_trigger(kind, table, "UPDATE", "NEW", updated))
        op.execute(_sqlite_trigger(kind, table, "DELETE", "OLD", "'deleted'"))


def _backfill(postgresql: bool):
    txid = "pg_current_xact_id()::text::bigint" if postgresql else "NULL"
    now = "clock_timestamp()" if postgresql else "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    for kind, table in TYPES.items():
        owner = OWNER.get(kind, "NULL").format(row=table)
        host = HOST.get(kind, "NULL").format(row=table)
        live = f"WHERE {table}.erased_at IS NULL" if kind == "participant" else ""
        op.execute(
            "INSERT INTO changes (txid, object_type, object_id, op, at, owner_institution_id, "
            f"host_institution_id) SELECT {txid}, '{kind}', {table}.id, 'created', {now}, {owner}, {host} "
            f"FROM {table} {live} ORDER BY {table}.id"
        )


def upgrade():
    op.create_table('change_feed_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pruned_txid', sa.BigInteger(), nullable=True),
    sa.Column('pruned_id', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_feed_state'))
    )
    op.create_table('changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('txid', sa.BigInteger(), nullable=True),
    sa.Column('object_type', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('op', sa.String(length=10), nullable=False),
    sa.Column('at', hub_api.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('owner_institution_id', sa.Integer(), nullable=True),
    sa.Column('host_institution_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("object_type IN ('institution', 'agreement', 'curriculum', 'cohort', 'participant', 'enrolment')", name=op.f('ck_changes_object_type')),
    sa.CheckConstraint("op IN ('created', 'updated', 'deleted')", name=op.f('ck_changes_op')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_changes')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_changes_at'), ['at'], unique=False)
        batch_op.create_index('ix_changes_position', ['txid', 'id'], unique=False)
    op.execute("INSERT INTO change_feed_state (id, pruned_txid, pruned_id) VALUES (1, NULL, 0)")
    postgresql = op.get_bind().dialect.name == "postgresql"
    _backfill(postgresql)
    if postgresql:
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TYPES.values():
            op.execute(f"DROP TRIGGER {table}_change_written ON {table}")
            op.execute(f"DROP TRIGGER {table}_change_updated ON {table}")
        op.execute("DROP FUNCTION record_change()")
    else:
        for table in TYPES.values():
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_change_{event}")
    with op.batch_alter_table('changes', schema=None) as batch_op:
        batch_op.drop_index('ix_changes_position')
        batch_op.drop_index(batch_op.f('ix_changes_at'))
    op.drop_table('changes')
    op.drop_table('change_feed_state')
