"""The problem types the API answers with: a stable URI per kind of refusal, each documented in the README."""

PREFIX = "urn:hub-api:problem:"
GENERIC = "about:blank"  # RFC 9457: a status with no more to say than its own meaning

# The type a status has unless the refusal names a more specific one.
BY_STATUS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    410: "gone",
    412: "precondition-failed",
    413: "request-entity-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "too-many-requests",
    500: "internal-server-error",
    503: "service-unavailable",
}
MORE_SPECIFIC = {"document-too-large": 413, "import-too-large": 413, "document-file-missing": 404}
STATUS_OF = {**{slug: status for status, slug in BY_STATUS.items()}, **MORE_SPECIFIC}


def type_uri(status: int, slug: str | None = None) -> str:
    """The `type` of a problem; a slug that is not listed here (and in the README) is a programming error."""
    if slug is None:
        slug = BY_STATUS.get(status)
        if slug is None:
            return GENERIC
    if STATUS_OF.get(slug) != status:
        raise LookupError(f"problem type {slug!r} is not listed for status {status} in problem_types.py")
    return PREFIX + slug
