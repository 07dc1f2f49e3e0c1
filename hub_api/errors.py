"""Domain exceptions and their rendering as RFC 9457 problem documents."""

import json as stdlib_json
import logging
import time
from http import HTTPStatus

import psycopg2
from flask import Flask, Response, current_app, g, request
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from hub_api import audit, problem_types
from hub_api.extensions import db, limiter

log = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


class HubError(Exception):
    """A refusal the client can act on; `status` and `slug` say which kind."""

    status = 400
    slug = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        errors: dict | None = None,
        headers: dict | None = None,
        extra: dict | None = None,
    ):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra  # further members of the problem document


class Unauthorized(HubError):
    """The caller is not authenticated, or its credentials are no longer good."""

    status, slug = 401, "unauthorized"

    def __init__(self, detail: str, **kwargs):
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(HubError):
    """The caller is known but its role or scopes do not allow this."""

    status, slug = 403, "forbidden"


class NotFound(HubError):
    """No such object, or not one the caller may see."""

    status, slug = 404, "not-found"


class Conflict(HubError):
    """The request clashes with the current state: a duplicate or a forbidden move."""

    status, slug = 409, "conflict"


class Gone(HubError):
    """What the request points at existed once and is kept no longer."""

    status, slug = 410, "gone"


class PreconditionFailed(HubError):
    """The `If-Match` header names a version that is no longer current."""

    status, slug = 412, "precondition-failed"


class ValidationFailed(HubError):
    """The body is well-formed but breaks a rule; `errors` maps fields to messages."""

    status, slug = 422, "validation-error"


# What a violated constraint means to a client. PostgreSQL names the constraint (from the
# naming convention); SQLite names the table and column instead, so both are listed.
CONSTRAINT_MESSAGES = {
    "uq_institutions_code": ("code", "an institution with this code already exists"),
    "institutions.code": ("code", "an institution with this code already exists"),
    "uq_users_email": ("email", "a user with this email already exists"),
    "users.email": ("email", "a user with this email already exists"),
    "uq_api_clients_client_id": ("client_id", "this client id is taken"),
    "api_clients.client_id": ("client_id", "this client id is taken"),
    "fk_institutions_parent_id_institutions": (None, "the institution still has sub-units"),
    "fk_users_institution_id_institutions": (None, "the institution still has user accounts"),
    "fk_api_clients_institution_id_institutions": (None, "the institution still has API clients"),
    "uq_agreements_predecessor_id": (None, "this agreement has already been renewed"),
    "agreements.predecessor_id": (None, "this agreement has already been renewed"),
    "uq_agreements_reference": ("reference", "an agreement with this reference already exists"),
    "uq_curricula_code_number": ("version", "another request created this version at the same time"),
    "curricula.code, curricula.number": ("version", "another request created this version at the same time"),
    "uq_curriculum_adoptions_curriculum_id_institution_id": (
        "institution_id",
        "this institution has already adopted this version",
    ),
    "curriculum_adoptions.curriculum_id, curriculum_adoptions.institution_id": (
        "institution_id",
        "this institution has already adopted this version",
    ),
    "agreements.reference": ("reference", "an agreement with this reference already exists"),
    "uq_cohorts_code": ("code", "a cohort with this code already exists"),
    "cohorts.code": ("code", "a cohort with this code already exists"),
    "uq_enrolments_cohort_id_participant_id": ("participant_id", "this participant is already in the cohort"),
    "enrolments.cohort_id, enrolments.participant_id": (
        "participant_id",
        "this participant is already in the cohort",
    ),
    "ck_cohorts_within_capacity": ("capacity", "the cohort has no seat left for this"),
    "ck_cohort_seat_allocations_within_seats": (
        "seat_allocations",
        "the institution has no allocated seat left for this",
    ),
    "uq_participants_institution_id_external_ref": (
        "external_ref",
        "another participant of this institution has this reference",
    ),
    "participants.institution_id, participants.external_ref": (
        "external_ref",
        "another participant of this institution has this reference",
    ),
}


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
    extra: dict | None = None,
) -> Response:
    """Build an `application/problem+json` response carrying the request id (and `extra` members)."""
    phrase = HTTPStatus(status).phrase
    body = {
        "type": problem_types.type_uri(status, slug),
        "title": phrase,
        "status": status,
        "detail": detail,
        "instance": request.path if request else None,
        "request_id": g.get("request_id"),
    }
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    # ASCII-escaped, so text echoed from a bad request can never break the encoder.
    response = Response(stdlib_json.dumps(body), status=status, mimetype=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error dict into `{"field.sub": [messages]}`."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": messages}
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_messages(value, name))
        return flat
    return {prefix or "_schema": [str(messages)]}


def _webargs_errors(exc: HTTPException) -> dict | None:
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if not messages:
        return None
    merged: dict = {}
    for location_messages in messages.values():
        merged.update(flatten_messages(location_messages))
    return merged


def _fail(status: int, detail: str, **kwargs) -> Response:
    """Roll back the request's work, run the after-rollback hooks, and render a problem."""
    db.session.rollback()
    for hook in current_app.extensions["hub_after_rollback"]:
        hook()
    return problem(status, detail, **kwargs)


def handle_hub_error(exc: HubError) -> Response:
    """Render a domain exception; refusals are written to the audit trail."""
    if exc.status == 403:
        audit.security_event("permission.denied", outcome="denied", details={"reason": exc.detail})
    return _fail(
        exc.status, exc.detail, slug=exc.slug, errors=exc.errors, headers=exc.headers, extra=exc.extra
    )


def handle_http_exception(exc: HTTPException) -> Response:
    """Render werkzeug and webargs exceptions (404, 405, 413, 422, 429 ...) as problems."""
    status = exc.code or 500
    if status >= 500:
        return handle_unexpected(exc)
    headers = dict((getattr(exc, "data", None) or {}).get("headers") or {})
    if isinstance(exc, RateLimitExceeded):
        headers["Retry-After"] = str(_retry_after_seconds())
        audit.security_event("rate_limit.exceeded", outcome="denied", details={"limit": str(exc.limit.limit)})
    if status == 405 and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    errors = _webargs_errors(exc)
    detail = exc.description or HTTPStatus(status).phrase
    if errors:
        detail = "The request did not pass validation: see `errors` for what to fix."
    slug = "validation-error" if status == 422 else None
    return _fail(status, detail, slug=slug, errors=errors, headers=headers)


def _retry_after_seconds() -> int:
    window = limiter.current_limit
    if window is None:
        return 60
    return max(1, int(window.reset_at - time.time()))


def handle_integrity_error(exc: IntegrityError) -> Response:
    """Turn a violated database constraint into a 409 that names what clashed."""
    text = str(exc.orig)
    for name, (field, message) in CONSTRAINT_MESSAGES.items():
        if name in text:
            errors = {field: [message]} if field else None
            return _fail(409, message, slug="conflict", errors=errors)
    log.warning("unmapped integrity error: %s", type(exc.orig).__name__)
    return _fail(409, "The change conflicts with data already stored.", slug="conflict")


def handle_stale_data(_exc: StaleDataError) -> Response:
    """Another request changed the object between our read and our write."""
    return _fail(409, "The object was changed by another request; reload it and retry.")


# PostgreSQL's deadlock and serialization failures: the transaction is safe to retry.
RETRYABLE_PGCODES = ("40P01", "40001")  # deadlock, serialisation failure
TIMEOUT_PGCODES = ("57014", "55P03")  # statement timeout (query_canceled), lock timeout
DATABASE_FREE_ENDPOINTS = ("health.health",)
# Per process: warn when an outage starts and when it ends, not per request.
_outage = {"on": False, "ended_at": 0.0}


def handle_operational_error(exc: OperationalError) -> Response:
    """Busy, too slow or unreachable: nothing was written, so a 503 that says when to retry."""
    pgcode = getattr(exc.orig, "pgcode", None)
    if "database is locked" in str(exc.orig) or pgcode in RETRYABLE_PGCODES:
        return _fail(
            503, "The database is busy with another write; retry shortly.", headers={"Retry-After": "1"}
        )
    if pgcode in TIMEOUT_PGCODES:
        return _fail(
            503, "The database took too long to answer; retry shortly.", headers={"Retry-After": "2"}
        )
    if pgcode is None and isinstance(exc.orig, psycopg2.OperationalError):
        return database_unavailable(exc)  # no server answer at all: refused, dropped or silent
    return handle_unexpected(exc)


def database_unavailable(exc: Exception) -> Response:
    """The database cannot be reached: 503 with Retry-After, and one warning per outage, not a traceback."""
    began_after_last_outage = g.get("started_at", time.monotonic()) > _outage["ended_at"]
    if not _outage["on"] and began_after_last_outage:  # a request stuck in the last outage is no new one
        _outage["on"] = True
        log.warning("database unreachable (%s); answering 503 until it is back", type(exc).__name__)
    return _fail(503, "The database is unreachable; retry shortly.", headers={"Retry-After": "5"})


def _note_recovery(response: Response) -> Response:
    """Log once that the database answers again (after a request that used it went through)."""
    if _outage["on"] and response.status_code < 500 and request.endpoint not in DATABASE_FREE_ENDPOINTS:
        _outage.update(on=False, ended_at=time.monotonic())
        log.warning("database reachable again")
    return response


def handle_data_error(_exc: DataError) -> Response:
    """A value the database cannot hold (too long, out of range) that validation let through."""
    return _fail(422, "A value is too long or out of range for where it is stored.", slug="validation-error")


def handle_too_deep(_exc: RecursionError) -> Response:
    """A body nested so deeply that parsing it would exhaust the stack."""
    return _fail(400, "The request body is nested too deeply.")


def handle_unexpected(exc: Exception) -> Response:
    """Log the failure with its request id; answer a 500 that reveals nothing internal."""
    log.exception("unhandled error (request_id=%s)", g.get("request_id"), exc_info=exc)
    return _fail(500, "An unexpected error occurred. Quote the request_id when reporting it.")


def register_error_handlers(app: Flask, *, after_rollback: tuple = ()) -> None:
    """Route every kind of failure through `problem`; `after_rollback` hooks run on each failure."""
    app.extensions["hub_after_rollback"] = after_rollback
    app.register_error_handler(HubError, handle_hub_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(OperationalError, handle_operational_error)
    app.register_error_handler(PoolTimeout, database_unavailable)  # every connection busy or hung
    app.after_request(_note_recovery)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(RecursionError, handle_too_deep)
    app.register_error_handler(Exception, handle_unexpected)
