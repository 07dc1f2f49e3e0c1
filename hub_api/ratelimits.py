"""Rate limits: per caller on every authenticated route, per address and per account on sign-in.

Counters live where HUB_RATELIMIT_STORAGE_URL says (Redis shares them between workers). The
limiter runs after the guard has identified the caller, so an authenticated request counts
against its user or API client wherever it comes from, and an anonymous one against its address.
"""

import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

ACCOUNT_KEY_LENGTH = 254


def caller_key() -> str:
    """The signed-in user or client, else the client address."""
    principal = g.get("principal")
    if principal is not None:
        return f"{principal.kind}:{principal.id}"
    return f"address:{get_remote_address()}"


def account_key() -> str:
    """The account a sign-in names (email or client id), whether or not it exists."""
    body = request.get_json(silent=True) if request.is_json else None
    name = body.get("email") if isinstance(body, dict) else request.form.get("client_id")
    return f"account:{str(name or '').strip().lower()[:ACCOUNT_KEY_LENGTH]}"


def api_limit() -> str:
    """Each caller's budget across the authenticated routes."""
    return current_app.config["HUB_API_RATE_LIMIT"]


def account_limit() -> str:
    """Failed sign-ins one account may take before it is slowed down (for a window, not forever)."""
    return current_app.config["HUB_ACCOUNT_RATE_LIMIT"]


def anonymous() -> bool:
    """Public routes carry their own limits; the per-caller budget is for signed-in callers."""
    return g.get("principal") is None


def failed_sign_in(response) -> bool:
    """Only failures count against an account, so its owner signing in is never slowed down."""
    return response.status_code == 401


def _headers(response):
    window = limiter.current_limit
    if window is not None:
        response.headers["RateLimit-Limit"] = str(window.limit.amount)
        response.headers["RateLimit-Remaining"] = str(window.remaining)
        response.headers["RateLimit-Reset"] = str(max(0, int(window.reset_at - time.time())))
    return response


# One budget per caller across every route (an application limit, not one per route); if Redis
# is unreachable, counting goes on in memory rather than failing requests.
limiter = Limiter(
    key_func=caller_key,
    application_limits=[api_limit],
    application_limits_exempt_when=anonymous,
    in_memory_fallback_enabled=True,
)


def install(app: Flask) -> None:
    """Attach the limiter after the guard (so it knows the caller) and the RateLimit headers."""
    limiter.init_app(app)
    app.after_request(_headers)
