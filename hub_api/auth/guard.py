"""Deny-by-default access guard and flask-jwt-extended hooks that speak problem+json."""

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, current_app, g, request
from flask_jwt_extended import current_user, verify_jwt_in_request
from sqlalchemy.orm import joinedload

from hub_api.auth.principal import Principal
from hub_api.errors import Forbidden, problem
from hub_api.extensions import db, jwt
from hub_api.models import TokenFamily

# Endpoints outside our blueprints that anyone may reach: the API docs.
PUBLIC_ENDPOINT_PREFIXES = ("api-docs.", "docs-assets.")


@dataclass(frozen=True)
class Access:
    """How a view may be reached: by anyone, with a refresh token, or by a permitted principal."""

    policy: Callable[[Principal], bool] | None = None
    public: bool = False
    refresh: bool = False
    replayable: bool = True  # False where the response holds a secret that must not be stored


def _load_family(jwt_payload: dict) -> TokenFamily | None:
    family_id = jwt_payload.get("fam")
    if not family_id:
        return None
    return db.session.scalar(
        sa.select(TokenFamily)
        .options(joinedload(TokenFamily.user), joinedload(TokenFamily.api_client))
        .where(TokenFamily.id == family_id)
    )


def _token_is_dead(_header: dict, payload: dict) -> bool:
    family = _load_family(payload)
    g.token_family = family
    if family is None or family.revoked_at is not None:
        return True
    subject = family.user or family.api_client
    return subject is None or not subject.is_active or subject_mismatch(family, payload["sub"])


def subject_mismatch(family: TokenFamily, sub: str) -> bool:
    """True when a token names a different subject from the family it claims."""
    expected = f"user:{family.user_id}" if family.user_id else f"client:{family.api_client_id}"
    return sub != expected


def _principal_from_token(_header: dict, _payload: dict) -> Principal:
    family = g.token_family
    if family.user is not None:
        return Principal.for_user(family.user)
    return Principal.for_client(family.api_client)


def _unauthorized(detail: str):
    return problem(401, detail, slug="unauthorized", headers={"WWW-Authenticate": "Bearer"})


def install_jwt_handlers() -> None:
    """Make every token failure a 401 problem document, and resolve tokens to principals."""
    jwt.token_in_blocklist_loader(_token_is_dead)
    jwt.user_lookup_loader(_principal_from_token)
    jwt.unauthorized_loader(lambda reason: _unauthorized(f"Authentication required: {reason}."))
    jwt.invalid_token_loader(lambda reason: _unauthorized(f"The token is not valid: {reason}."))
    jwt.expired_token_loader(
        lambda _h, _p: _unauthorized("The token has expired; refresh it or sign in again.")
    )
    jwt.revoked_token_loader(lambda _h, _p: _unauthorized("The token has been revoked; sign in again."))
    jwt.needs_fresh_token_loader(lambda _h, _p: _unauthorized("A fresh sign-in is required."))
    jwt.user_lookup_error_loader(lambda _h, _p: _unauthorized("The token's account no longer exists."))
    jwt.token_verification_failed_loader(lambda _h, _p: _unauthorized("The token was refused."))


def access_of_current_view() -> Access | None:
    """The access rule declared by the view serving this request, if any."""
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "hub_access", None)


def guard_request() -> None:
    """Run before every view: refuse anything that is not public or explicitly permitted."""
    if request.url_rule is None or request.endpoint.startswith(PUBLIC_ENDPOINT_PREFIXES):
        return
    if request.method == "OPTIONS":  # Flask answers it with the Allow header; no view runs
        return
    access = access_of_current_view()
    if access is None:
        raise Forbidden("This endpoint declares no access rule, so it is closed to everyone.")
    if access.public:
        return
    verify_jwt_in_request(refresh=access.refresh)
    g.principal = current_user
    if access.policy is not None and not access.policy(current_user):
        raise Forbidden("Your role or scopes do not allow this operation.")


def install_guard(app: Flask) -> None:
    """Install the JWT hooks and the deny-by-default guard on the app."""
    install_jwt_handlers()
    app.before_request(guard_request)
