"""Safe retries: a POST repeated with the same `Idempotency-Key` replays the first response."""

import contextlib
import hashlib
import json
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, g, request
from sqlalchemy.exc import IntegrityError

from hub_api.auth.guard import access_of_current_view
from hub_api.errors import Conflict, ValidationFailed
from hub_api.extensions import db
from hub_api.models.base import utcnow
from hub_api.models.idempotency import IdempotencyKey
from hub_api.queries import escape_like

HEADER = "Idempotency-Key"
KEY_LIFETIME = timedelta(hours=24)
# A reservation still in progress after this long belongs to a process that died: free it.
ABANDONED_AFTER = timedelta(minutes=10)
REPLAYED_HEADERS = ("Content-Type", "Location", "ETag")


def _file_digest(upload) -> str:
    digest = hashlib.sha256(upload.stream.read()).hexdigest()
    upload.stream.seek(0)
    return digest


def _canonical_body() -> bytes:
    """The body in a form that ignores JSON key order and multipart boundaries."""
    if request.mimetype == "multipart/form-data":
        fields = sorted(request.form.items(multi=True))
        files = sorted(
            (name, upload.filename or "", _file_digest(upload))
            for name, upload in request.files.items(multi=True)
        )
        return json.dumps([fields, files]).encode()
    body = request.get_data(cache=True)
    with contextlib.suppress(ValueError, RecursionError):
        return json.dumps(json.loads(body), sort_keys=True).encode() if body else b""
    return body


def _request_fingerprint() -> str:
    body = _canonical_body()
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.full_path.encode(), body):
        digest.update(part + b"\0")
    return digest.hexdigest()


def _stored(principal: str, key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        sa.select(IdempotencyKey).where(IdempotencyKey.principal == principal, IdempotencyKey.key == key)
    )


def _replay(stored: IdempotencyKey, fingerprint: str) -> Response:
    if stored.request_hash != fingerprint:
        raise ValidationFailed(
            f"This {HEADER} was already used with a different request; use a new key for a new request.",
            errors={HEADER: ["Reused with a different body."]},
        )
    if stored.in_progress:
        raise Conflict(f"A request with this {HEADER} is still being processed; retry shortly.")
    response = Response(stored.response_body, status=stored.response_status)
    for name, value in stored.response_headers.items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def begin() -> Response | None:
    """Reserve the request's key in its own transaction, or return the response to replay."""
    key = request.headers.get(HEADER)
    principal = g.get("principal")
    if request.method != "POST" or key is None or principal is None:
        return None
    if not access_of_current_view().replayable:
        raise ValidationFailed(
            f"{HEADER} is not accepted here: the response carries a secret that is never stored.",
            errors={HEADER: ["Not supported on this endpoint."]},
        )
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise ValidationFailed(f"{HEADER} must be 1-255 printable characters.", errors={HEADER: ["Invalid."]})
    owner = f"{principal.kind}:{principal.id}"
    fingerprint = _request_fingerprint()
    now = utcnow()
    abandoned = sa.and_(
        IdempotencyKey.response_status.is_(None), IdempotencyKey.created_at < now - ABANDONED_AFTER
    )
    db.session.execute(sa.delete(IdempotencyKey).where(sa.or_(IdempotencyKey.expires_at < now, abandoned)))
    reservation = IdempotencyKey(
        principal=owner, key=key, request_hash=fingerprint, expires_at=now + KEY_LIFETIME
    )
    db.session.add(reservation)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        stored = _stored(owner, key)
        if stored is None:  # expired and removed in between: treat as a conflict to retry
            raise Conflict(f"A request with this {HEADER} is being processed; retry shortly.") from None
        return _replay(stored, fingerprint)
    g.idempotency_reservation_id = reservation.id
    return None


def finish(response: Response) -> None:
    """Store the response with the reservation, in the request's own transaction."""
    reservation_id = g.get("idempotency_reservation_id")  # kept until the commit succeeds
    if reservation_id is None:
        return
    reservation = db.session.get(IdempotencyKey, reservation_id)
    reservation.response_status = response.status_code
    reservation.response_body = response.get_data(as_text=True)
    reservation.response_headers = {h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers}


def forget_responses_mentioning(texts: list[str]) -> None:
    """Drop stored responses that contain any of these texts (an erased person's identity).

    A retry with such a key then runs again instead of replaying data that no longer exists."""
    # Each text as a whole JSON string value, quotes included, so "KZ-1" never matches "KZ-10".
    patterns = [f"%{escape_like(json.dumps(text, ensure_ascii=False))}%" for text in texts if text]
    if patterns:
        mentions = sa.or_(*(IdempotencyKey.response_body.like(p, escape="\\") for p in patterns))
        db.session.execute(sa.delete(IdempotencyKey).where(mentions))


def settled() -> None:
    """The request committed with its stored response: nothing is left to release."""
    g.pop("idempotency_reservation_id", None)


def release() -> None:
    """After a failed request, free its key so that a retry runs again."""
    reservation_id = g.pop("idempotency_reservation_id", None)
    if reservation_id is None:
        return
    db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.id == reservation_id))
    db.session.commit()
