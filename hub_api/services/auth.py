"""Signing users in and out."""

import sqlalchemy as sa
from flask import g

from hub_api import audit
from hub_api.auth import tokens
from hub_api.auth.passwords import hash_secret, needs_rehash, verify_secret
from hub_api.auth.principal import Principal
from hub_api.errors import Unauthorized
from hub_api.extensions import db
from hub_api.models import User
from hub_api.models.base import utcnow


def login(*, email: str, password: str) -> dict:
    """Check the password and start a session; any failure is the same vague 401."""
    email = email.strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if not verify_secret(user.password_hash if user else None, password) or not user.is_active:
        audit.security_event("auth.login_failed", outcome="denied", details={"email": email})
        raise Unauthorized("Wrong email or password, or the account is disabled.")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_secret(password)
    user.last_login_at = utcnow()
    g.principal = Principal.for_user(user)  # the rest of this request acts as the user
    audit.record("auth.login", object_type="users", object_id=user.id)
    return tokens.issue_user_tokens(user)


def logout(*, family_id: str) -> None:
    """End the session the presented token belongs to, refresh chain included."""
    tokens.revoke_family(family_id, reason="logout")
    audit.record("auth.logout", object_type="token_families", object_id=family_id)
