"""Deny by default: every route needs a token unless the contract makes it public."""

import re
from pathlib import Path

import jwt as pyjwt
import pytest

from tests.helpers import bearer, claims
from tests.problems import assert_problem, assert_unauthorized

PUBLIC = {
    ("GET", "/health"),
    ("GET", "/ready"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/token"),
    ("GET", "/api/v1/certificates/verify/1"),
    ("GET", "/metrics"),  # only from the addresses HUB_METRICS_ALLOW names (the test client's is one)
}
DOCS_ENDPOINT_PREFIXES = ("api-docs.", "docs-assets.")  # the docs pages and their own files


def api_routes(app):
    """(method, concrete path, endpoint) for every route the app serves."""
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path, rule.endpoint


def test_every_view_declares_its_access_rule(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if not endpoint.startswith(DOCS_ENDPOINT_PREFIXES) and not hasattr(view, "hub_access")
    ]
    assert undeclared == []


def test_only_the_contracts_public_routes_answer_anonymous_callers(app, client):
    checked = 0
    for method, path, endpoint in api_routes(app):
        if endpoint.startswith(DOCS_ENDPOINT_PREFIXES) or (method, path) in PUBLIC:
            continue
        response = client.open(path, method=method, json={})
        assert_unauthorized(response)
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/api/v1/openapi.json", "/health"])
def test_documentation_and_probes_are_public(client, path):
    assert client.get(path).status_code == 200


def test_garbage_bearer_token_is_a_401_problem_not_msg(client):
    response = client.get("/api/v1/institutions", headers={"Authorization": "Bearer not.a.jwt"})
    body = assert_problem(response, 401)
    assert "msg" not in body


def test_token_signed_with_another_key_is_refused(app, client, admin):
    forged = pyjwt.encode(
        claims(admin.tokens["access_token"]), "another-key-that-is-also-long-enough-32b", algorithm="HS256"
    )
    response = client.get("/api/v1/institutions", headers=bearer(forged))
    assert_problem(response, 401)


def test_every_refusal_is_decided_in_the_access_package():
    # One home for "who may see what": a newcomer finds every rule in hub_api/access. Services
    # call its checks; the guard only applies the policies views declare.
    root = Path(__file__).resolve().parent.parent / "hub_api"
    allowed = {root / "auth" / "guard.py"}
    stray = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        if root / "access" not in path.parents and path not in allowed
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "raise Forbidden(" in line
    ]
    assert stray == []
