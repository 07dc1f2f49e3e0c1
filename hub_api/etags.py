"""ETags from each object's version counter, and the optional `If-Match` check."""

from flask import request

from hub_api.errors import PreconditionFailed

ETAG_HEADER_DOC = {"ETag": {"description": "Version tag for If-Match", "schema": {"type": "string"}}}


def etag_of(obj) -> str:
    """The strong ETag value of an object: changes whenever the object is updated."""
    return f'"{obj.id}-{obj.version}"'


def with_etag(obj, status: int = 200, *, location: str | None = None) -> tuple:
    """A view return value carrying the object's `ETag` (and, once created, `Location`)."""
    headers = {"ETag": etag_of(obj)}
    if location:
        headers["Location"] = location
    return obj, status, headers


def check_if_match(obj) -> None:
    """Refuse with 412 when `If-Match` is sent and names another version; absent means accept."""
    if not request.if_match or request.if_match.star_tag:
        return
    if not request.if_match.contains(etag_of(obj).strip('"')):
        raise PreconditionFailed(
            f"The object has changed since you read it; its current ETag is {etag_of(obj)}. "
            "GET it again and reapply your change."
        )
