"""Partner-system credentials: creation, secret rotation, revocation and the token grant."""

import secrets

import sqlalchemy as sa
from flask import g

from hub_api import audit
from hub_api.auth import tokens
from hub_api.auth.passwords import hash_secret, verify_secret
from hub_api.auth.principal import Principal
from hub_api.errors import Unauthorized
from hub_api.extensions import db
from hub_api.models import ApiClient, Institution
from hub_api.models.base import utcnow
from hub_api.services.lookups import require_reference


def api_clients_query(filters: dict) -> sa.Select:
    """API clients matching the list filters."""
    stmt = sa.select(ApiClient)
    for name in ("institution_id", "is_active"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(ApiClient, name) == filters[name])
    return stmt


def _new_secret(client: ApiClient) -> str:
    secret = secrets.token_urlsafe(32)
    client.secret_hash = hash_secret(secret)
    client.secret_rotated_at = utcnow()
    return secret


def create_api_client(*, data: dict) -> tuple[ApiClient, str]:
    """Create credentials; the plain secret is returned once and stored only as a hash."""
    require_reference(Institution, data.get("institution_id"), field="institution_id", label="institution")
    client = ApiClient(client_id="hub_" + secrets.token_hex(12), **data)
    secret = _new_secret(client)
    db.session.add(client)
    db.session.flush()
    return client, secret


def rotate_secret(*, client: ApiClient) -> str:
    """Replace the secret; tokens issued with the old one stop working."""
    secret = _new_secret(client)
    db.session.flush()
    tokens.revoke_all_for(client=client, reason="secret_rotated")
    return secret


def update_api_client(*, client: ApiClient, changes: dict) -> ApiClient:
    """Rename, re-scope, or revoke (`is_active: false`, which ends its tokens)."""
    for key, value in changes.items():
        setattr(client, key, value)
    db.session.flush()
    if changes.get("is_active") is False or "scopes" in changes:
        tokens.revoke_all_for(client=client, reason="client_changed")
    return client


def delete_api_client(*, client: ApiClient) -> None:
    """Remove the credentials for good."""
    db.session.delete(client)
    db.session.flush()


def grant_client_token(*, client_id: str, client_secret: str) -> dict:
    """Exchange client credentials for an access token, or refuse with 401."""
    client = db.session.scalar(sa.select(ApiClient).where(ApiClient.client_id == client_id))
    if not verify_secret(client.secret_hash if client else None, client_secret) or not client.is_active:
        audit.security_event(
            "auth.client_token_failed", outcome="denied", details={"client_id": client_id[:64]}
        )
        raise Unauthorized("Unknown client, wrong secret, or revoked client.")
    client.last_used_at = utcnow()
    g.principal = Principal.for_client(client)  # the grant is recorded as the client's act
    audit.record("auth.client_token", object_type="api_clients", object_id=client.id)
    return tokens.issue_client_token(client)
