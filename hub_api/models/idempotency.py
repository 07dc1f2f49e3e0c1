"""Stored outcomes of POST requests sent with an `Idempotency-Key`."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from hub_api.extensions import db
from hub_api.models.base import JSONType, UTCDateTime, utcnow


class IdempotencyKey(db.Model):
    """A caller's key: reserved while its request runs, then holding the response to replay."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    principal: Mapped[str] = mapped_column(sa.String(40))
    key: Mapped[str] = mapped_column(sa.String(255))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    response_status: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    response_headers: Mapped[dict] = mapped_column(JSONType, default=dict)

    __table_args__ = (sa.UniqueConstraint("principal", "key", name="uq_idempotency_keys_principal_key"),)

    @property
    def in_progress(self) -> bool:
        """True until the first request's response has been stored."""
        return self.response_status is None
