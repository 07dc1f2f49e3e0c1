"""Liveness and readiness probes."""

from tests.conftest import make_app
from tests.problems import assert_problem


def test_health_answers(client):
    assert client.get("/health").get_json() == {"status": "ok"}


def test_ready_when_the_database_answers(client):
    assert client.get("/ready").get_json() == {"status": "ready", "database": "ok"}


def test_ready_is_503_while_the_database_is_unreachable(tmp_path):
    unreachable = make_app("postgresql://postgres@127.0.0.1:1/nowhere")
    response = unreachable.test_client().get("/ready")
    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "5"
