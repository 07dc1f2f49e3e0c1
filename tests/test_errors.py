"""Every failure, whatever raised it, is a problem document without internals."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from hub_api.extensions import db
from tests.problems import assert_problem


def test_unknown_route_is_a_404_problem(client):
    body = assert_problem(client.get("/api/v1/nowhere"), 404)
    assert body["instance"] == "/api/v1/nowhere"
    assert body["type"] == "urn:hub-api:problem:not-found"


def test_wrong_method_is_a_405_problem_with_allow(client):
    response = client.delete("/api/v1/auth/login")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]


def test_malformed_json_is_a_400_problem(client, admin):
    response = client.post(
        "/api/v1/institutions",
        data='{"code": "X',
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert_problem(response, 400, errors={"_schema": ["Invalid JSON body."]})


def test_unknown_field_is_a_422_naming_it(client, admin):
    response = client.post(
        "/api/v1/institutions",
        json={"code": "KTA", "name": {"en": "K"}, "kind": "academy", "country": "KZ", "colour": "red"},
        headers=admin.headers,
    )
    body = assert_problem(response, 422, error_fields={"colour"})
    assert body["type"] == "urn:hub-api:problem:validation-error"


def test_nested_validation_errors_are_flattened_to_paths(client, admin):
    response = client.post(
        "/api/v1/institutions",
        json={"code": "KTA", "name": {"fr": "Académie"}, "kind": "academy", "country": "KZ"},
        headers=admin.headers,
    )
    body = assert_problem(response, 422)
    assert any(path.startswith("name.fr") for path in body["errors"]), body["errors"]


def test_query_argument_errors_name_the_argument(client, admin):
    response = client.get("/api/v1/institutions?page_size=101&sort=colour", headers=admin.headers)
    assert_problem(response, 422, error_fields={"page_size", "sort"})


def test_oversized_body_is_a_413_problem(app, client, admin, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 200)
    response = client.post(
        "/api/v1/institutions",
        json={"code": "KTA", "name": {"en": "x" * 500}, "kind": "academy", "country": "KZ"},
        headers=admin.headers,
    )
    assert_problem(response, 413)


def test_unexpected_exception_is_a_500_problem_without_internals(client, admin, monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internal detail /srv/hub/db.py line 42")

    monkeypatch.setattr("hub_api.resources.countries.paginate", explode)
    response = client.get("/api/v1/countries", headers=admin.headers)
    body = assert_problem(response, 500)
    text = response.get_data(as_text=True)
    assert "secret internal detail" not in text
    assert "Traceback" not in text
    assert "request_id" in body["detail"]


def test_failed_write_leaves_nothing_behind(client, admin, dbs, monkeypatch):
    """A failure after the service flushed rolls the whole request back."""
    from hub_api.models import Institution

    def fail_after_flush(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("hub_api.resources.institutions.url_for", fail_after_flush)
    response = client.post(
        "/api/v1/institutions",
        json={"code": "HALF", "name": {"en": "Half written"}, "kind": "academy", "country": "KZ"},
        headers=admin.headers,
    )
    assert_problem(response, 500)
    assert dbs.query(Institution).filter_by(code="HALF").count() == 0


def test_supplied_request_id_is_echoed_and_quoted_in_problems(client):
    response = client.get("/api/v1/institutions", headers={"X-Request-ID": "partner-lms-0001"})
    body = assert_problem(response, 401)
    assert response.headers["X-Request-ID"] == "partner-lms-0001"
    assert body["request_id"] == "partner-lms-0001"


def test_malformed_request_id_is_replaced(client):
    response = client.get("/health", headers={"X-Request-ID": "bad id; with spaces"})
    assert response.headers["X-Request-ID"] != "bad id; with spaces"
    assert len(response.headers["X-Request-ID"]) == 32


def test_unknown_query_parameter_is_a_422_naming_it(client, admin):
    response = client.get("/api/v1/institutions?contry=KZ", headers=admin.headers)
    assert_problem(response, 422, error_fields={"contry"})


def test_out_of_range_numbers_are_client_errors_not_500s(client, admin):
    huge = "99999999999999999999999"
    assert_problem(client.get(f"/api/v1/institutions/{huge}", headers=admin.headers), 404)
    assert_problem(client.get(f"/api/v1/institutions?page={huge}", headers=admin.headers), 422)
    assert_problem(
        client.get(f"/api/v1/institutions?parent_id={huge}", headers=admin.headers),
        422,
        error_fields={"parent_id"},
    )
    body = {"code": "BIG", "name": {"en": "Big"}, "kind": "academy", "country": "KZ", "parent_id": 2**40}
    response = client.post("/api/v1/institutions", json=body, headers=admin.headers)
    assert_problem(response, 422, error_fields={"parent_id"})


def test_blank_multilingual_text_is_refused_per_language(client, admin):
    body = {"code": "BLANK", "name": {"en": "   ", "ru": "Пусто"}, "kind": "academy", "country": "KZ"}
    response = client.post("/api/v1/institutions", json=body, headers=admin.headers)
    assert_problem(response, 422, error_fields={"name.en"})


def test_responses_carry_cyrillic_as_utf8_not_escapes(client, admin):
    body = {"code": "KZ-ACAD", "name": {"ru": "Академия"}, "kind": "academy", "country": "KZ"}
    response = client.post("/api/v1/institutions", json=body, headers=admin.headers)
    assert response.status_code == 201
    assert "Академия".encode() in response.get_data()


def test_inputs_the_database_cannot_hold_are_client_errors(client, admin, home):
    assert_problem(
        client.get("/api/v1/institutions?updated_since=0001-01-01T00:00:00%2B14:00", headers=admin.headers),
        422,
        error_fields={"updated_since"},
    )
    assert_problem(client.get("/api/v1/institutions?q=%00", headers=admin.headers), 422, error_fields={"q"})
    contact = {"name": "a\u0000b"}
    assert_problem(
        client.post(f"/api/v1/institutions/{home.id}/contacts", json=contact, headers=admin.headers),
        422,
        error_fields={"name"},
    )
    long_email = {"name": "Long", "email": "a" * 250 + "@x.example"}
    assert_problem(
        client.post(f"/api/v1/institutions/{home.id}/contacts", json=long_email, headers=admin.headers),
        422,
        error_fields={"email"},
    )


def test_a_pathologically_nested_body_is_a_400(client, admin):
    body = "[" * 200_000 + "]" * 200_000
    response = client.post(
        "/api/v1/institutions", data=body, headers={**admin.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_options_is_answered_without_a_token_and_never_500(client):
    response = client.open("/api/v1/countries", method="OPTIONS")
    assert response.status_code == 200
    assert "GET" in response.headers["Allow"]


def test_unpaired_surrogates_are_a_422_not_a_500(client, admin, home):
    login = client.post(
        "/api/v1/auth/login",
        data='{"email": "a@hub.example", "password": "\\ud800"}',
        headers={"Content-Type": "application/json"},
    )
    assert_problem(login, 422, error_fields={"password"})
    key = client.post(
        "/api/v1/auth/login", data='{"\\ud800": 1}', headers={"Content-Type": "application/json"}
    )
    assert key.status_code == 422
    patched = client.patch(
        f"/api/v1/institutions/{home.id}",
        data='{"city": "a\\ud800b"}',
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert_problem(patched, 422, error_fields={"city"})


class DriverError(Exception):
    """A stand-in for a database driver's exception, carrying PostgreSQL's SQLSTATE as psycopg2 does."""

    def __init__(self, message: str, pgcode: str | None):
        super().__init__(message)
        self.pgcode = pgcode


def failing_countries_list(monkeypatch, exc: Exception) -> None:
    """Make GET /api/v1/countries raise `exc` from inside its view."""

    def fail(*_args, **_kwargs):
        raise exc

    monkeypatch.setattr("hub_api.resources.countries.paginate", fail)


@pytest.mark.parametrize(
    ("pgcode", "message"),
    [
        ("40P01", "deadlock detected"),
        ("40001", "could not serialize access due to concurrent update"),
        ("57014", "canceling statement due to statement timeout"),
        ("55P03", "canceling statement due to lock timeout"),
    ],
)
def test_a_deadlock_serialization_failure_or_timeout_is_a_503_with_retry_after(
    client, admin, monkeypatch, pgcode, message
):
    failing_countries_list(monkeypatch, OperationalError("SELECT 1", {}, DriverError(message, pgcode)))

    response = client.get("/api/v1/countries", headers=admin.headers)

    body = assert_problem(response, 503)
    assert int(response.headers["Retry-After"]) >= 1
    assert message not in response.get_data(as_text=True)
    assert body["detail"]


@pytest.mark.parametrize(
    ("pgcode", "message"),
    [("XX000", "internal error"), (None, "disk I/O error")],
)
def test_another_operational_error_is_a_500_without_retry_after(client, admin, monkeypatch, pgcode, message):
    failing_countries_list(monkeypatch, OperationalError("SELECT 1", {}, DriverError(message, pgcode)))

    response = client.get("/api/v1/countries", headers=admin.headers)

    body = assert_problem(response, 500)
    assert "Retry-After" not in response.headers
    assert message not in response.get_data(as_text=True)
    assert "request_id" in body["detail"]


@pytest.mark.postgresql_only
@pytest.mark.parametrize(
    ("errcode", "status"),
    [
        ("deadlock_detected", 503),
        ("serialization_failure", 503),
        ("query_canceled", 503),
        ("internal_error", 500),
    ],
)
def test_postgresql_failures_raised_by_the_server_are_answered_by_their_sqlstate(
    client, admin, monkeypatch, errcode, status
):
    """The real driver's exception, not a stand-in: PostgreSQL itself raises the SQLSTATE."""

    def fail(*_args, **_kwargs):
        db.session.execute(
            sa.text(f"DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '{errcode}'; END $$")
        )

    monkeypatch.setattr("hub_api.resources.countries.paginate", fail)

    response = client.get("/api/v1/countries", headers=admin.headers)

    assert_problem(response, status)
    assert ("Retry-After" in response.headers) is (status == 503)
