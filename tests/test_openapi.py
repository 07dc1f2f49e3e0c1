"""The committed OpenAPI document is exactly what the code generates, and documents auth."""

import json
from pathlib import Path

COMMITTED = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def test_committed_openapi_matches_the_code(client):
    generated = client.get("/api/v1/openapi.json").get_json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert generated == committed, (
        "openapi/openapi.json is stale: run "
        "`HUB_ENV=development flask --app hub_api openapi write --format=json openapi/openapi.json`"
    )


def test_protected_operations_document_bearer_auth_401_and_403(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    public = {
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/token", "post"),
        ("/health", "get"),
        ("/ready", "get"),
        ("/api/v1/certificates/verify/{code}", "get"),
    }
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters" or (path, method) in public:
                continue
            assert operation.get("security") == [{"bearerAuth": []}], (path, method)
            assert "401" in operation["responses"], (path, method)
            if path != "/api/v1/auth/refresh":
                assert "403" in operation["responses"], (path, method)


def test_errors_are_documented_as_problem_json(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    unauthorized = spec["components"]["responses"]["UNAUTHORIZED"]
    assert list(unauthorized["content"]) == ["application/problem+json"]


def test_lists_document_paging_headers(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    headers = spec["paths"]["/api/v1/institutions"]["get"]["responses"]["200"]["headers"]
    assert {"Link", "X-Total-Count"} <= set(headers)
