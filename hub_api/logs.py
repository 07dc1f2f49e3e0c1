"""Log lines for operators: one JSON object per line carrying the request id, or plain text."""

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from flask import Flask, g, has_request_context

HANDLER_NAME = "hub_api"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# gunicorn passes its access-log fields as a mapping; this one is the response's X-Request-ID header.
ACCESS_LOG_REQUEST_ID = "{x-request-id}o"


def _request_id(record: logging.LogRecord) -> str | None:
    """The id of the request being served, or the one in a gunicorn access-log record."""
    if has_request_context():
        return g.get("request_id")
    if isinstance(record.args, Mapping) and record.args.get(ACCESS_LOG_REQUEST_ID) not in (None, "-"):
        return record.args[ACCESS_LOG_REQUEST_ID]
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, request_id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record; only the message is written, never the request's headers or body."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = _request_id(record)
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def install(app: Flask) -> None:
    """Write the `hub_api` loggers to standard error as HUB_LOG_FORMAT says, through one handler per process.

    The logger is the process's, not the app's: building another app reuses the handler and
    switches it to that app's format and level."""
    logger = logging.getLogger("hub_api")
    logger.setLevel(app.config["HUB_LOG_LEVEL"])
    handler = next((h for h in logger.handlers if h.name == HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler.name = HANDLER_NAME
        logger.addHandler(handler)
    json_lines = app.config["HUB_LOG_FORMAT"] == "json"
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
