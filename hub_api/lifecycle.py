"""Per-request plumbing: a request id, one transaction per request, and response headers."""

import re
import time
import uuid

from flask import Flask, g, request

from hub_api import idempotency
from hub_api.extensions import db

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


class HubFlask(Flask):
    """Flask whose requests commit once, after the view succeeded; errors roll back."""

    def dispatch_request(self):
        """Run the view (or replay a keyed retry), then commit; failures reach the error handlers."""
        replay = idempotency.begin()
        if replay is not None:
            return replay
        response = self.make_response(super().dispatch_request())
        idempotency.finish(response)
        db.session.commit()
        idempotency.settled()
        return response


def assign_request_id() -> None:
    """Take a well-formed `X-Request-ID` from the caller, or make one; note when the request began."""
    g.started_at = time.monotonic()
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if REQUEST_ID_PATTERN.match(supplied) else uuid.uuid4().hex


def add_response_headers(response):
    """Echo the request id and forbid caching of API answers, which may be personal."""
    response.headers["X-Request-ID"] = g.get("request_id", "")
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def install_lifecycle(app: Flask) -> None:
    """Register the request-id and header hooks (the request id comes before the guard)."""
    app.before_request(assign_request_id)
    app.after_request(add_response_headers)
