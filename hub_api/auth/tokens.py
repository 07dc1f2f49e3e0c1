"""Issuing, rotating and revoking JWTs, grouped in families stored in the database."""

import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token

from hub_api import audit
from hub_api.errors import Unauthorized
from hub_api.extensions import db
from hub_api.models import ApiClient, RefreshToken, TokenFamily, User
from hub_api.models.base import utcnow


def _lifetimes() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return config["JWT_ACCESS_TOKEN_EXPIRES"], config["JWT_REFRESH_TOKEN_EXPIRES"]


def subject_of(user: User | None = None, client: ApiClient | None = None) -> str:
    """The JWT `sub` claim: a string, as PyJWT requires."""
    return f"user:{user.id}" if user is not None else f"client:{client.id}"


def _access_token(subject: str, family_id: str) -> str:
    return create_access_token(identity=subject, additional_claims={"fam": family_id})


def _token_pair(subject: str, family: TokenFamily) -> dict:
    access_ttl, refresh_ttl = _lifetimes()
    jti = str(uuid.uuid4())
    db.session.add(RefreshToken(jti=jti, family_id=family.id, expires_at=utcnow() + refresh_ttl))
    refresh = create_refresh_token(identity=subject, additional_claims={"fam": family.id, "jti": jti})
    return {
        "access_token": _access_token(subject, family.id),
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": int(access_ttl.total_seconds()),
    }


def _new_family(*, user: User | None = None, client: ApiClient | None = None) -> TokenFamily:
    _, refresh_ttl = _lifetimes()
    family = TokenFamily(
        id=str(uuid.uuid4()),
        user_id=user.id if user else None,
        api_client_id=client.id if client else None,
        expires_at=utcnow() + refresh_ttl,
    )
    db.session.add(family)
    db.session.flush()
    return family


def issue_user_tokens(user: User) -> dict:
    """Start a new sign-in for a user: an access and a refresh token in a fresh family."""
    family = _new_family(user=user)
    return _token_pair(subject_of(user=user), family)


def issue_client_token(client: ApiClient) -> dict:
    """An access token for a partner system; it has no refresh token and can be revoked."""
    family = _new_family(client=client)
    access_ttl, _ = _lifetimes()
    return {
        "access_token": _access_token(subject_of(client=client), family.id),
        "token_type": "Bearer",
        "expires_in": int(access_ttl.total_seconds()),
    }


def rotate_refresh_token(*, jti: str, family_id: str, subject: str) -> dict:
    """Spend a refresh token once and return a new pair; a second use revokes the whole family."""
    spent = db.session.execute(
        sa.update(RefreshToken)
        .where(RefreshToken.jti == jti, RefreshToken.family_id == family_id)
        .where(RefreshToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        revoke_family(family_id, reason="refresh_reuse")
        audit.record(
            "auth.refresh_reuse",
            outcome="denied",
            object_type="token_families",
            object_id=family_id,
        )
        # The request fails, but the revocation must outlive its rollback.
        db.session.commit()
        raise Unauthorized("This refresh token was already used; every token of its sign-in is revoked.")
    family = db.session.get(TokenFamily, family_id)
    return _token_pair(subject, family)


def revoke_family(family_id: str, *, reason: str) -> None:
    """Revoke a sign-in: its access tokens and its whole refresh chain stop working."""
    db.session.execute(
        sa.update(TokenFamily)
        .where(TokenFamily.id == family_id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )


def revoke_all_for(*, user: User | None = None, client: ApiClient | None = None, reason: str) -> None:
    """Revoke every live sign-in of a user or API client."""
    column, subject_id = (
        (TokenFamily.user_id, user.id) if user is not None else (TokenFamily.api_client_id, client.id)
    )
    db.session.execute(
        sa.update(TokenFamily)
        .where(column == subject_id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )
