"""Sign-in, token refresh and revocation, client credentials, and who-am-I."""

from flask import current_app
from flask_jwt_extended import get_jwt

from hub_api.access.policies import authenticated
from hub_api.api import Blueprint
from hub_api.auth import tokens
from hub_api.auth.principal import current_principal
from hub_api.extensions import db, limiter
from hub_api.models import ApiClient, User
from hub_api.ratelimits import account_key, account_limit, failed_sign_in
from hub_api.schemas.auth import ClientCredentialsSchema, LoginSchema, MeSchema, TokenPairSchema
from hub_api.services import api_clients as client_service
from hub_api.services import auth as auth_service

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Sign-in and tokens")


def _login_limit() -> str:
    return current_app.config["HUB_LOGIN_RATE_LIMIT"]


@blp.route("/login", methods=["POST"])
@blp.public
@limiter.limit(_login_limit)
@limiter.limit(account_limit, key_func=account_key, deduct_when=failed_sign_in)
@blp.arguments(LoginSchema)
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, response="UNAUTHORIZED", description="Wrong email or password")
@blp.alt_response(429, response="TOO_MANY_REQUESTS", description="Too many attempts")
def login(credentials):
    """Sign in with email and password

    Returns a short-lived access token and a refresh token that can be used once."""
    return auth_service.login(**credentials)


@blp.route("/refresh", methods=["POST"])
@blp.refresh_token
@blp.response(200, TokenPairSchema)
def refresh():
    """Exchange a refresh token for a new pair

    Send the refresh token as the Bearer token. It dies on use; using it again revokes
    every token of that sign-in."""
    claims = get_jwt()
    return tokens.rotate_refresh_token(jti=claims["jti"], family_id=claims["fam"], subject=claims["sub"])


@blp.route("/logout", methods=["POST"])
@blp.access(authenticated, replayable=False)  # each sign-in's logout must really revoke
@blp.response(204)
def logout():
    """Sign out

    Revokes the presented token and its whole refresh chain, durably."""
    auth_service.logout(family_id=get_jwt()["fam"])


@blp.route("/me", methods=["GET"])
@blp.access(authenticated)
@blp.response(200, MeSchema)
def me():
    """Who am I

    The calling user or API client, its role, institution and scopes."""
    principal = current_principal()
    body = {
        "kind": principal.kind,
        "id": principal.id,
        "role": principal.role,
        "institution_id": principal.institution_id,
        "scopes": sorted(principal.scopes),
    }
    if principal.is_user:
        user = db.session.get(User, principal.id)
        body.update(email=user.email, full_name=user.full_name)
    else:
        body.update(name=db.session.get(ApiClient, principal.id).name)
    return body


@blp.route("/token", methods=["POST"])
@blp.public
@limiter.limit(_login_limit)
@limiter.limit(account_limit, key_func=account_key, deduct_when=failed_sign_in)
@blp.arguments(ClientCredentialsSchema, location="form")
@blp.response(200, TokenPairSchema)
@blp.alt_response(401, response="UNAUTHORIZED", description="Unknown or revoked client")
@blp.alt_response(429, response="TOO_MANY_REQUESTS", description="Too many attempts")
def client_token(grant):
    """Get an access token for a partner system

    OAuth 2 client-credentials grant, form-encoded. There is no refresh token: ask again."""
    return client_service.grant_client_token(
        client_id=grant["client_id"], client_secret=grant["client_secret"]
    )
