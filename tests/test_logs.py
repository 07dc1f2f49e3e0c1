"""Logs: JSON lines carrying the request id in production, plain text in development and tests."""

import io
import json
import logging

import pytest

from hub_api.config import ConfigurationError, load_settings
from hub_api.extensions import db
from hub_api.logs import HANDLER_NAME, JsonFormatter
from tests.conftest import make_app
from tests.problems import assert_problem

REQUEST_ID = "trace-4f2a9c1e"


def hub_handler() -> logging.Handler:
    (handler,) = [h for h in logging.getLogger("hub_api").handlers if h.name == HANDLER_NAME]
    return handler


@pytest.fixture(autouse=True)
def keep_format(app):
    """Apps built here switch the process's `hub_api` handler; the session app's format is put back."""
    formatter = hub_handler().formatter
    yield
    hub_handler().setFormatter(formatter)


@pytest.fixture
def json_app(backend):
    """An app writing JSON logs, on the backend's database."""
    _, resetter = backend
    application = make_app(resetter.url, HUB_LOG_FORMAT="json")
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def log_output():
    """What the `hub_api` handler writes during the test."""
    output = io.StringIO()
    previous = hub_handler().setStream(output)
    yield output
    hub_handler().setStream(previous)


def test_an_unexpected_error_is_one_json_line_with_the_callers_request_id(
    json_app, log_output, admin, monkeypatch
):
    def explode(*_args, **_kwargs):
        raise RuntimeError("boom in the list")

    monkeypatch.setattr("hub_api.resources.countries.paginate", explode)
    headers = {**admin.headers, "X-Request-ID": REQUEST_ID}
    assert_problem(json_app.test_client().get("/api/v1/countries", headers=headers), 500)

    lines = log_output.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is a JSON object of its own
    (entry,) = [e for e in entries if e["logger"] == "hub_api.errors"]
    assert entry["level"] == "ERROR"
    assert entry["request_id"] == REQUEST_ID
    assert "RuntimeError: boom in the list" in entry["exception"]
    assert entry["time"].endswith("+00:00")
    token = admin.headers["Authorization"].removeprefix("Bearer ")
    assert token not in log_output.getvalue()


def test_a_line_outside_a_request_has_no_request_id(json_app, log_output):
    logging.getLogger("hub_api.worker").warning("webhook round: %d sent", 3)

    (line,) = log_output.getvalue().splitlines()
    entry = json.loads(line)
    assert (entry["logger"], entry["level"], entry["message"]) == (
        "hub_api.worker",
        "WARNING",
        "webhook round: 3 sent",
    )
    assert "request_id" not in entry


def test_text_format_writes_plain_lines(backend, log_output):
    _, resetter = backend
    make_app(resetter.url, HUB_LOG_FORMAT="text")
    logging.getLogger("hub_api.worker").warning("plain words")

    (line,) = log_output.getvalue().splitlines()
    assert line.endswith("WARNING hub_api.worker: plain words")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_building_many_apps_keeps_one_handler(backend):
    _, resetter = backend
    for log_format in ("json", "text", "json"):
        make_app(resetter.url, HUB_LOG_FORMAT=log_format)

    assert isinstance(hub_handler().formatter, JsonFormatter)  # the last app's format


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"HUB_ENV": "production", "HUB_SECRET_KEY": "k" * 32}, "json"),
        ({"HUB_ENV": "development"}, "text"),
        ({"HUB_ENV": "test"}, "text"),
        ({"HUB_ENV": "production", "HUB_SECRET_KEY": "k" * 32, "HUB_LOG_FORMAT": "text"}, "text"),
        ({"HUB_ENV": "development", "HUB_LOG_FORMAT": "json"}, "json"),
    ],
)
def test_json_is_the_production_default(tmp_path, env, expected):
    assert load_settings(str(tmp_path), env)["HUB_LOG_FORMAT"] == expected


def test_an_unknown_log_format_refuses_to_start(tmp_path):
    with pytest.raises(ConfigurationError, match="HUB_LOG_FORMAT"):
        load_settings(str(tmp_path), {"HUB_ENV": "test", "HUB_LOG_FORMAT": "xml"})
