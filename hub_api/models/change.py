"""The change feed: one row per create, update or delete of a synced object, written by triggers."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub_api.extensions import db
from hub_api.models.base import UTCDateTime

# Feed type → table whose triggers write it (see the migration that creates them).
FEED_TABLES = {
    "institution": "institutions",
    "agreement": "agreements",
    "curriculum": "curricula",
    "cohort": "cohorts",
    "participant": "participants",
    "enrolment": "enrolments",
}
OPERATIONS = ("created", "updated", "deleted")


class Change(db.Model):
    """One change to one object, as database triggers record it in the writing transaction.

    `txid` is the writing transaction's id on PostgreSQL (NULL on SQLite, whose writers take
    turns); the feed reads in (txid, id) order behind the oldest transaction still running.
    `owner_institution_id` and `host_institution_id` decide who may see the entry, even once
    the object is gone: the participant's (or enrolment's) institution, and the cohort's host."""

    __tablename__ = "changes"
    __table_args__ = (
        sa.CheckConstraint(sa.column("object_type").in_(tuple(FEED_TABLES)), name="object_type"),
        sa.CheckConstraint(sa.column("op").in_(OPERATIONS), name="op"),
        sa.Index("ix_changes_position", "txid", "id"),
        {"sqlite_autoincrement": True},  # ids never reused, even after pruning every row
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    txid: Mapped[int | None] = mapped_column(sa.BigInteger)
    object_type: Mapped[str] = mapped_column(sa.String(20))
    object_id: Mapped[int]
    op: Mapped[str] = mapped_column(sa.String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    owner_institution_id: Mapped[int | None]
    host_institution_id: Mapped[int | None]


class ChangeFeedState(db.Model):
    """The one row saying up to which entry the feed was pruned: older cursors must resync."""

    __tablename__ = "change_feed_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    pruned_txid: Mapped[int | None] = mapped_column(sa.BigInteger)
    pruned_id: Mapped[int] = mapped_column(sa.BigInteger, default=0)
