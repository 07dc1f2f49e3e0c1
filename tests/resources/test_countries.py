"""/api/v1/countries: the seeded ISO 3166-1 list every institution refers to."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from hub_api.models import Country
from tests.helpers import client_headers, codes, links
from tests.problems import assert_problem, assert_unauthorized, assert_validation

URL = "/api/v1/countries"
CENTRAL_ASIA = ["KG", "KZ", "TJ", "TM", "UZ"]
ALL_CODES = sorted([*CENTRAL_ASIA, "AF", "AZ", "CN", "IR", "MN", "PK", "RU", "AT", "BE", "NL", "US"])


@pytest.fixture
def recently_changed_kyrgyzstan(dbs):
    """Kyrgyzstan's row marked as changed in 2100, put back afterwards (PostgreSQL keeps countries)."""
    before = dbs.scalar(sa.select(Country.updated_at).where(Country.code == "KG"))
    dbs.execute(
        sa.update(Country).where(Country.code == "KG").values(updated_at=datetime(2100, 1, 1, tzinfo=UTC))
    )
    dbs.commit()
    yield
    dbs.execute(sa.update(Country).where(Country.code == "KG").values(updated_at=before))
    dbs.commit()


def test_lists_seeded_countries_by_code(client, analyst):
    response = client.get(URL, headers=analyst.headers)

    assert codes(response) == ALL_CODES
    assert response.headers["X-Total-Count"] == "16"
    kazakhstan = next(c for c in response.json if c["code"] == "KZ")
    assert kazakhstan == {
        "id": kazakhstan["id"],
        "code": "KZ",
        "name": {"en": "Kazakhstan", "ru": "Казахстан", "kk": "Қазақстан"},
        "is_central_asia": True,
        "created_at": kazakhstan["created_at"],
        "updated_at": kazakhstan["updated_at"],
    }
    assert isinstance(kazakhstan["id"], int)
    assert datetime.fromisoformat(kazakhstan["updated_at"]).utcoffset() is not None
    assert all(
        set(c["name"]) <= {"en", "ru", "kk", "ky", "tg", "uz", "tk"} and c["name"] for c in response.json
    )


def test_sorts_descending(client, analyst):
    assert codes(client.get(URL, query_string={"sort": "-code"}, headers=analyst.headers)) == ALL_CODES[::-1]


@pytest.mark.parametrize(
    ("flag", "expected"), [("true", CENTRAL_ASIA), ("false", sorted(set(ALL_CODES) - set(CENTRAL_ASIA)))]
)
def test_filters_central_asia(client, analyst, flag, expected):
    response = client.get(URL, query_string={"is_central_asia": flag}, headers=analyst.headers)

    assert codes(response) == expected
    assert response.headers["X-Total-Count"] == str(len(expected))


def test_filters_by_updated_since(client, analyst, recently_changed_kyrgyzstan):
    changed = client.get(
        URL, query_string={"updated_since": "2100-01-01T04:59:59+05:00"}, headers=analyst.headers
    )
    assert codes(changed) == ["KG"]
    assert changed.headers["X-Total-Count"] == "1"
    # The same instant seen from UTC+5 is one second too late.
    too_late = client.get(
        URL, query_string={"updated_since": "2100-01-01T05:00:01+05:00"}, headers=analyst.headers
    )
    assert codes(too_late) == []
    everything = client.get(
        URL, query_string={"updated_since": "2000-01-01T00:00:00Z"}, headers=analyst.headers
    )
    assert codes(everything) == ALL_CODES


def test_pagination_headers(client, analyst):
    response = client.get(URL, query_string={"page": 2, "page_size": 5}, headers=analyst.headers)

    assert codes(response) == ALL_CODES[5:10]
    assert response.headers["X-Total-Count"] == "16"
    assert links(response, URL) == {
        "first": {"page": "1", "page_size": "5"},
        "prev": {"page": "1", "page_size": "5"},
        "next": {"page": "3", "page_size": "5"},
        "last": {"page": "4", "page_size": "5"},
    }
    last = client.get(URL, query_string={"page": 4, "page_size": 5}, headers=analyst.headers)
    assert codes(last) == ALL_CODES[15:]
    assert "next" not in links(last, URL)


def test_links_keep_filters(client, analyst):
    params = {"is_central_asia": "true", "sort": "-code", "page_size": 2}
    response = client.get(URL, query_string=params, headers=analyst.headers)

    assert codes(response) == ["UZ", "TM"]
    kept = {"is_central_asia": "true", "sort": "-code", "page_size": "2"}
    assert links(response, URL) == {
        "first": {**kept, "page": "1"},
        "next": {**kept, "page": "2"},
        "last": {**kept, "page": "3"},
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "name"}, "sort"),
        ({"sort": "-is_central_asia"}, "sort"),
        ({"is_central_asia": "perhaps"}, "is_central_asia"),
        ({"page": 0}, "page"),
        ({"page_size": 101}, "page_size"),
        ({"updated_since": "2024-13-01"}, "updated_since"),
    ],
)
def test_rejects_invalid_arguments(client, analyst, params, field):
    assert_validation(client.get(URL, query_string=params, headers=analyst.headers), field)


def test_query_count_does_not_grow_with_page_size(client, analyst, count_queries):
    client.get(URL, headers=analyst.headers)  # warm up connections

    with count_queries() as one_row:
        assert len(client.get(URL, query_string={"page_size": 1}, headers=analyst.headers).json) == 1
    with count_queries() as all_rows:
        assert len(client.get(URL, query_string={"page_size": 100}, headers=analyst.headers).json) == 16

    assert len(all_rows) == len(one_row), all_rows
    assert len(all_rows) <= 3, all_rows  # the token's sign-in, the count and the page


def test_without_token_is_401(client):
    response = client.get(URL)

    assert_unauthorized(response)


@pytest.mark.parametrize("role", ["admin", "coordinator", "analyst"])
def test_every_user_reads_countries(client, request, role):
    actor = request.getfixturevalue(role)
    assert codes(client.get(URL, headers=actor.headers)) == ALL_CODES


def test_api_client_needs_catalogue_scope(app, client, dbs):
    assert codes(client.get(URL, headers=client_headers(app, ["catalogue:read"]))) == ALL_CODES
    assert_problem(client.get(URL, headers=client_headers(app, ["stats:read", "webhooks:manage"])), 403)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_countries_are_read_only(client, admin, method):
    response = getattr(client, method)(
        URL, json={"code": "GB", "name": {"en": "United Kingdom"}}, headers=admin.headers
    )

    assert_problem(response, 405)
    assert "GB" not in codes(client.get(URL, headers=admin.headers))
