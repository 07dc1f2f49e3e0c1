"""/metrics: requests by route template and status, latency and pool use, for allowed addresses only."""

import contextlib

import pytest
from prometheus_client.parser import text_string_to_metric_families

from hub_api.config import ConfigurationError, load_settings
from hub_api.extensions import db
from tests.conftest import make_app
from tests.problems import assert_problem

OUTSIDER = {"REMOTE_ADDR": "10.1.2.3"}


def scrape(client) -> dict:
    """One scrape from the test client's address (127.0.0.1), as {(name, labels): value}."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def requests(figures: dict, route: str, status: int, method: str = "GET") -> float:
    labels = (("method", method), ("route", route), ("status", str(status)))
    return figures.get(("hub_http_requests_total", labels), 0.0)


def test_requests_are_counted_by_route_template_method_and_status(client, admin, home):
    before = scrape(client)
    client.get("/health")
    client.get("/api/v1/no-such-thing/4711")
    client.get(f"/api/v1/institutions/{home.id}", headers=admin.headers)
    client.get("/api/v1/countries", headers=admin.headers)
    client.get("/api/v1/countries")
    client.open("/api/v1/countries", method="BREW")
    after = scrape(client)

    counted = {
        ("/health", 200, "GET"): 1,
        ("unmatched", 404, "GET"): 1,
        ("/api/v1/institutions/<id:institution_id>", 200, "GET"): 1,
        ("/api/v1/countries", 200, "GET"): 1,
        ("/api/v1/countries", 401, "GET"): 1,
        ("unmatched", 405, "OTHER"): 1,  # an invented method is not a label value of its own
    }
    for (route, status, method), expected in counted.items():
        assert requests(after, route, status, method) - requests(before, route, status, method) == expected
    label_values = {value for (_, labels) in after for _, value in labels}
    assert not [value for value in label_values if any(raw in value for raw in ("4711", "no-such", "BREW"))]


def test_latency_is_a_histogram_by_route(client):
    before = scrape(client)
    client.get("/health")
    after = scrape(client)

    def change(name, **labels):
        key = (name, tuple(sorted({"route": "/health", **labels}.items())))
        return after[key] - before.get(key, 0.0)

    assert change("hub_http_request_duration_seconds_count") == 1
    assert change("hub_http_request_duration_seconds_bucket", le="+Inf") == 1
    assert 0 < change("hub_http_request_duration_seconds_sum") < 60


def test_pool_gauges_show_the_connections_in_use(app, client):
    with app.app_context():
        size = db.engine.pool.size()
        with contextlib.ExitStack() as stack:
            for _ in range(size + 1):  # one past the pool size: an overflow connection
                stack.enter_context(db.engine.connect())
            busy = scrape(client)
    idle = scrape(client)

    assert busy[("hub_db_pool_checked_out", ())] == size + 1
    assert busy[("hub_db_pool_overflow", ())] == 1
    assert busy[("hub_db_pool_size", ())] == size > 0
    assert idle[("hub_db_pool_checked_out", ())] == 0
    assert idle[("hub_db_pool_overflow", ())] == 0


def test_other_addresses_get_the_404_of_a_path_that_does_not_exist(client):
    refused = client.get("/metrics", environ_base=OUTSIDER)
    unknown = client.get("/no-such-page", environ_base=OUTSIDER)

    body = assert_problem(refused, 404)
    assert "hub_http_requests" not in refused.get_data(as_text=True)
    expected = assert_problem(unknown, 404)
    shown = ("type", "title", "detail")
    assert [body[key] for key in shown] == [expected[key] for key in shown]


def test_the_allowed_networks_come_from_the_setting(backend):
    _, resetter = backend
    app = make_app(resetter.url, HUB_METRICS_ALLOW="10.0.0.0/8, 192.0.2.7")
    client = app.test_client()

    assert client.get("/metrics", environ_base=OUTSIDER).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.8"}).status_code == 404
    assert client.get("/metrics").status_code == 404  # 127.0.0.1 is no longer in the list


def test_behind_a_proxy_the_forwarded_client_address_counts(backend):
    _, resetter = backend
    app = make_app(resetter.url, HUB_METRICS_ALLOW="10.0.0.0/8", HUB_PROXY_COUNT="1")
    client = app.test_client()

    forwarded_insider = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.1.2.3"}
    forwarded_outsider = {"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    assert client.get("/metrics", environ_base=forwarded_insider).status_code == 200
    assert client.get("/metrics", environ_base=forwarded_outsider).status_code == 404


def test_an_empty_setting_closes_metrics_to_everyone(backend):
    _, resetter = backend
    client = make_app(resetter.url, HUB_METRICS_ALLOW="").test_client()

    assert_problem(client.get("/metrics"), 404)
    assert_problem(client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}), 404)


def test_ipv6_loopback_is_allowed_by_default(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


@pytest.mark.parametrize("value", ["10.0.0.0/33", "localhost", "127.0.0.1,10.0.0.0/8,nonsense"])
def test_an_invalid_network_refuses_to_start_naming_the_setting(tmp_path, value):
    with pytest.raises(ConfigurationError, match=r"HUB_METRICS_ALLOW: '[^']+' is not an IP address"):
        load_settings(str(tmp_path), {"HUB_ENV": "test", "HUB_METRICS_ALLOW": value})


def test_metrics_are_not_in_the_openapi_document(client):
    assert "/metrics" not in client.get("/api/v1/openapi.json").get_json()["paths"]
