"""Helpers shared by the test modules: credentials, common requests, and reading back results."""

import socket
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

import jwt as pyjwt
import sqlalchemy as sa

from hub_api.auth import tokens
from hub_api.extensions import db
from hub_api.models import AuditEvent
from tests.factories import TEST_PASSWORD, ApiClientFactory

# --- credentials ----------------------------------------------------------------------------


def bearer(token: str) -> dict:
    """Authorization headers carrying this token."""
    return {"Authorization": f"Bearer {token}"}


def claims(token: str) -> dict:
    """A JWT's claims, read without checking its signature."""
    return pyjwt.decode(token, options={"verify_signature": False})


def client_headers(app, scopes: list[str], institution=None) -> dict:
    """Authorization headers of a partner system (API client) with these scopes."""
    api_client = ApiClientFactory(scopes=scopes, institution_id=institution.id if institution else None)
    with app.app_context():
        pair = tokens.issue_client_token(api_client)
        db.session.commit()
        db.session.remove()
    return bearer(pair["access_token"])


def login(client, email: str, password: str = TEST_PASSWORD, **kwargs):
    """POST the password sign-in form."""
    return client.post("/api/v1/auth/login", json={"email": email, "password": password}, **kwargs)


def client_credentials(client, client_id: str, secret: str = TEST_PASSWORD, **kwargs):
    """POST the OAuth 2 client-credentials grant."""
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return client.post("/api/v1/auth/token", data=form, **kwargs)


# --- the audit trail ------------------------------------------------------------------------


def audit_events_via_api(client, admin, **params) -> list[dict]:
    """Audit events as the API lists them to a hub admin (one page of up to 100)."""
    response = client.get(
        "/api/v1/audit-events", query_string={"page_size": 100, **params}, headers=admin.headers
    )
    assert response.status_code == 200, response.json
    assert response.headers["X-Total-Count"] == str(len(response.json))
    return response.json


def audit_rows(dbs, **filters) -> list[AuditEvent]:
    """Audit event rows as the database holds them now, oldest first."""
    dbs.expire_all()
    return list(dbs.scalars(sa.select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)))


# --- the database ---------------------------------------------------------------------------


def reloaded(dbs, model, pk):
    """The row as the database holds it now (None if gone), not as the session remembers it."""
    dbs.expire_all()
    return dbs.get(model, pk)


def row_count(dbs, model) -> int:
    """How many rows the model's table holds now."""
    dbs.expire_all()
    return dbs.scalar(sa.select(sa.func.count()).select_from(model))


def statements_for_get(count_queries, client, url: str, headers: dict) -> int:
    """How many SQL statements one successful GET of `url` runs (`count_queries` is the fixture)."""
    with count_queries() as statements:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return len(statements)


# --- responses ------------------------------------------------------------------------------


def assert_timestamp(value: str) -> datetime:
    """An ISO 8601 timestamp with a UTC offset; return it parsed."""
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() is not None, value
    return parsed


def with_server_fields(body: dict, expected: dict) -> dict:
    """`expected` plus the id and timestamps the server chose, which are checked separately."""
    assert isinstance(body["id"], int)
    assert_timestamp(body["created_at"])
    assert_timestamp(body["updated_at"])
    return {
        **expected,
        "id": body["id"],
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


def codes(response) -> list[str]:
    """The `code` of each item in a successful list response."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["code"] for item in response.json]


def links(response, path: str) -> dict[str, dict]:
    """The `Link` header as rel → query arguments; every link must point at `path`."""
    result = {}
    for part in response.headers["Link"].split(", "):
        target, rel = part.split("; ")
        url = urlsplit(target.strip("<>"))
        assert url.path == path, part
        assert rel.startswith('rel="') and rel.endswith('"'), part
        result[rel[5:-1]] = dict(parse_qsl(url.query))
    return result


def redis_up() -> bool:
    """Whether the Redis the machine provides answers at 127.0.0.1:6379."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True
