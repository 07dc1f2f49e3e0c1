"""Assertions shared by tests about RFC 9457 problem documents."""

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "request_id"}
PROBLEM_TYPE_PREFIX = "urn:hub-api:problem:"


def assert_problem(
    response,
    status: int,
    *,
    error_fields: set[str] | None = None,
    errors: dict | None = None,
) -> dict:
    """Check that a response is a problem document with this status; return its body.

    `error_fields` names exactly the fields in `errors`; `errors` is the exact `errors` object.
    The body carries `errors` if and only if one of them is given or the status is 422.
    """
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    has_errors = error_fields is not None or errors is not None or status == 422
    assert set(body) == PROBLEM_KEYS | ({"errors"} if has_errors else set()), body
    assert body["status"] == status
    assert body["type"].startswith(PROBLEM_TYPE_PREFIX), body["type"]
    assert body["instance"] == response.request.path
    assert body["request_id"] and body["request_id"] == response.headers["X-Request-ID"]
    assert body["detail"]
    if error_fields is not None:
        assert set(body["errors"]) == set(error_fields), body["errors"]
    if errors is not None:
        assert body["errors"] == errors
    return body


def assert_validation(response, *fields: str) -> dict:
    """A 422 validation problem naming exactly these fields; return its `errors`."""
    body = assert_problem(response, 422, error_fields=set(fields))
    assert body["type"] == PROBLEM_TYPE_PREFIX + "validation-error"
    return body["errors"]


def assert_unauthorized(response) -> dict:
    """A 401 problem carrying the Bearer challenge (RFC 6750)."""
    body = assert_problem(response, 401)
    assert body["title"] == "Unauthorized"
    assert body["type"] == PROBLEM_TYPE_PREFIX + "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    return body
