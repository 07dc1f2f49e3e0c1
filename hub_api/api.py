"""Project subclasses of flask-smorest's Api and Blueprint: problem errors and access docs."""

import http
import json
from collections.abc import Callable

import flask_smorest
from flask_smorest.utils import prepare_response
from marshmallow import RAISE, ValidationError, missing
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter
from werkzeug.routing import ValidationError as RouteMismatch

from hub_api import errors
from hub_api.auth.guard import Access
from hub_api.auth.principal import Principal
from hub_api.schemas.base import MAX_ID
from hub_api.schemas.problems import ProblemSchema

BEARER_SCHEME = "bearerAuth"
IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": (
        "Retry safely: the same key with the same body replays the first response and creates "
        "nothing new; with another body it is a 422; while the first request runs, a 409."
    ),
}
# What the Idempotency-Key header can cause, documented where the operation does not already.
IDEMPOTENCY_REFUSALS = {
    409: ("CONFLICT", "A request with this Idempotency-Key is still running"),
    422: ("UNPROCESSABLE_ENTITY", "An invalid Idempotency-Key, or one used with another request"),
}


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a positive id the database can hold; anything else is a 404."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)

    def to_python(self, value):
        """The id; one out of range is a 404 for every method (werkzeug would answer some with a 405)."""
        try:
            return super().to_python(value)
        except RouteMismatch:
            raise NotFound() from None


class HubApi(flask_smorest.Api):
    """An Api whose error responses are documented and rendered as problem documents."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, errors.PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, errors.PROBLEM_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error):
        """Delegate to the project's problem renderer."""
        return errors.handle_http_exception(error)


IF_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag you last read; a stale one gets 412. Optional.",
}


def _documented_statuses(func) -> set[int]:
    """The statuses the decorators below this one have documented for the view."""
    apidoc = getattr(func, "_apidoc", {})
    documented = [
        *apidoc.get("arguments", {}).get("responses", {}),
        *apidoc.get("response", {}).get("responses", {}),
    ]
    return {int(status) for status in documented}


def _document_header(func, parameter: dict):
    """Add a header parameter to the operation's docs without replacing its other parameters."""
    apidoc = getattr(func, "_apidoc", {})
    func._apidoc = {**apidoc, "hub_headers": [*apidoc.get("hub_headers", []), parameter]}
    return func


class HubParser(FlaskParser):
    """webargs' parser, with every unreadable JSON body (not only a syntax error) a 400 problem."""

    def load_json(self, req, schema):
        """The JSON body; every one the API takes is required, so a request without one is a 422."""
        data = super().load_json(req, schema)
        if data is missing:
            raise ValidationError("A JSON body is required (Content-Type: application/json).")
        return data

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except ValueError as exc:  # an integer of more than 4,300 digits, for one
            return self._handle_invalid_json_error(json.JSONDecodeError(str(exc), "", 0), req)


class Blueprint(flask_smorest.Blueprint):
    """A Blueprint whose access decorators enforce a rule and document it in OpenAPI."""

    ARGUMENTS_PARSER = HubParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_header_doc)

    @staticmethod
    def _prepare_header_doc(doc, doc_info, **_kwargs):
        """Append the documented headers after the query and path parameters."""
        headers = doc_info.get("hub_headers")
        if headers:
            doc["parameters"] = [*doc.get("parameters", []), *headers]
        return doc

    def route(self, rule, *, parameters=None, **options):
        """Register a view; authenticated POSTs also document the `Idempotency-Key` header."""
        register = super().route(rule, parameters=parameters, **options)
        if "POST" not in options.get("methods", ()):
            return register

        def decorator(func):
            access = getattr(func, "hub_access", None)
            if access is not None and not access.public and access.replayable:
                func = _document_header(func, IDEMPOTENCY_KEY_PARAMETER)
                for status, (response, description) in IDEMPOTENCY_REFUSALS.items():
                    if status not in _documented_statuses(func):
                        func = self.alt_response(status, response=response, description=description)(func)
            return register(func)

        return decorator

    def arguments(self, schema, *, location="json", **kwargs):
        """Parse arguments; unknown query parameters are refused too, so a typo is never ignored.

        A JSON body also documents the 400 that an unreadable one gets."""
        if location == "query":
            kwargs.setdefault("unknown", RAISE)
        parse = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return parse
        unreadable = self.alt_response(400, response="BAD_REQUEST", description="Unreadable JSON body")
        return lambda func: unreadable(parse(func))

    def public(self, func):
        """Open the view to anonymous callers."""
        func.hub_access = Access(public=True)
        return func

    def refresh_token(self, func):
        """Require a live refresh token rather than an access token."""
        func.hub_access = Access(refresh=True, replayable=False)
        return self._document_security(func, forbidden=False)

    def access(self, policy: Callable[[Principal], bool], *, replayable: bool = True):
        """Require an access token whose principal satisfies `policy`.

        `replayable=False` refuses `Idempotency-Key` where the response carries a secret."""

        def decorator(func):
            func.hub_access = Access(policy=policy, replayable=replayable)
            return self._document_security(func, forbidden=True)

        return decorator

    def _document_security(self, func, *, forbidden: bool):
        func = self.doc(security=[{BEARER_SCHEME: []}])(func)
        func = self.alt_response(401, response="UNAUTHORIZED", description="Not authenticated")(func)
        if forbidden:
            func = self.alt_response(403, response="FORBIDDEN", description="Not allowed")(func)
        return func

    def etag_checked(self, func):
        """Document the optional `If-Match` header and the 412 it can cause."""
        func = _document_header(func, IF_MATCH_PARAMETER)
        return self.alt_response(412, response="PRECONDITION_FAILED", description="Stale ETag")(func)
