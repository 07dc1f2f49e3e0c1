"""Assertions shared by tests about RFC 9457 problem documents."""

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "request_id"}


def assert_problem(response, status: int, *, error_fields: set[str] | None = None) -> dict:
    """Check that a response is a problem document with this status; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body) >= PROBLEM_KEYS, body
    assert body["status"] == status
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert body["detail"]
    if error_fields is not None:
        assert set(body["errors"]) == error_fields, body["errors"]
    return body
