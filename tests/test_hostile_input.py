"""Hostile request bodies get a 4xx problem document, never a 500."""

import pytest

from tests.problems import assert_problem

HUGE_INTEGER = "9" * 5000  # Python refuses to convert more than 4,300 digits


UNREADABLE = {"_schema": ["Invalid JSON body."]}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ('{"email": "a@hub.example", "password": ' + HUGE_INTEGER + "}", UNREADABLE),
        ('{"email": ' + "[" * 100_000 + "]" * 100_000 + "}", None),
        (b'{"email": "\xff\xfe", "password": "x"}', UNREADABLE),
        ('{"email": "a@hub.example", "password": ', UNREADABLE),
    ],
    ids=["integer-of-5000-digits", "nested-100000-deep", "invalid-utf-8", "cut-short"],
)
def test_unreadable_sign_in_bodies_are_400(client, body, errors):
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")

    assert_problem(response, 400, errors=errors)


def test_a_huge_integer_in_an_authenticated_write_is_400(client, admin):
    body = '{"code": "X", "name": {"en": "X"}, "kind": "academy", "country": "KZ", "parent_id": '
    response = client.post(
        "/api/v1/institutions",
        data=body + HUGE_INTEGER + "}",
        content_type="application/json",
        headers=admin.headers,
    )

    assert_problem(response, 400, errors=UNREADABLE)


@pytest.mark.parametrize("value", [HUGE_INTEGER, "1e999999", "-" + HUGE_INTEGER])
def test_huge_numbers_in_the_query_are_422(client, admin, value):
    response = client.get("/api/v1/institutions", query_string={"page": value}, headers=admin.headers)

    assert_problem(response, 422)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"is_active": 0}, "is_active"),
        ({"is_active": "yes"}, "is_active"),
        ({"institution_id": "1"}, "institution_id"),
        ({"institution_id": 1.5}, "institution_id"),
    ],
    ids=["boolean-as-0", "boolean-as-text", "id-as-text", "id-with-a-fraction"],
)
def test_json_values_of_another_type_are_refused_not_converted(client, admin, change, field):
    response = client.patch(f"/api/v1/users/{admin.user.id}", json=change, headers=admin.headers)

    assert_problem(response, 422, error_fields={field})


def test_a_write_without_its_json_body_is_422(client, admin):
    response = client.patch(f"/api/v1/users/{admin.user.id}", headers=admin.headers)

    assert_problem(
        response, 422, errors={"_schema": ["A JSON body is required (Content-Type: application/json)."]}
    )


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize("user_id", ["0", "2147483648"])
def test_an_id_out_of_range_is_404_whatever_the_method(client, admin, method, user_id):
    response = getattr(client, method)(f"/api/v1/users/{user_id}", json={}, headers=admin.headers)

    assert_problem(response, 404)
