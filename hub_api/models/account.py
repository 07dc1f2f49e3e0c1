"""User accounts, partner-system API clients and the token families that authenticate them."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub_api.extensions import db
from hub_api.models.base import JSONType, TimestampMixin, UTCDateTime, enum_column, utcnow
from hub_api.models.enums import Role
from hub_api.models.institution import Institution


class User(TimestampMixin, db.Model):
    """A person who signs in: a hub administrator, a partner coordinator or an analyst."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    institution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    institution: Mapped[Institution | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "role <> 'coordinator' OR institution_id IS NOT NULL",
            name="coordinator_has_institution",
        ),
    )


class ApiClient(TimestampMixin, db.Model):
    """Credentials of a partner system acting for one institution, or for the hub."""

    __tablename__ = "api_clients"

    client_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    secret_hash: Mapped[str] = mapped_column(sa.String(255))
    institution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    scopes: Mapped[list] = mapped_column(JSONType, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)
    secret_rotated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    institution: Mapped[Institution | None] = relationship()


class TokenFamily(db.Model):
    """One sign-in: every access and refresh token issued from it shares this row's fate."""

    __tablename__ = "token_families"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    api_client_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("api_clients.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(40))

    user: Mapped[User | None] = relationship()
    api_client: Mapped[ApiClient | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) <> (api_client_id IS NULL)", name="exactly_one_subject"),
    )


class RefreshToken(db.Model):
    """A refresh token by its `jti`; it may be used once, and reuse revokes its family."""

    __tablename__ = "refresh_tokens"

    jti: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    family_id: Mapped[str] = mapped_column(sa.ForeignKey("token_families.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    family: Mapped[TokenFamily] = relationship()
