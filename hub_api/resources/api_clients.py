"""Hub administrators manage partner-system credentials."""

from flask import url_for

from hub_api.access.policies import hub_admin
from hub_api.api import Blueprint
from hub_api.etags import ETAG_HEADER_DOC, check_if_match, etag_of, with_etag
from hub_api.models import ApiClient
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.api_clients import (
    ApiClientPatchSchema,
    ApiClientQuerySchema,
    ApiClientSchema,
    ApiClientSecretSchema,
)
from hub_api.services import api_clients as service
from hub_api.services.lookups import get_or_404

blp = Blueprint(
    "api_clients",
    __name__,
    url_prefix="/api/v1/api-clients",
    description="Partner-system credentials",
)

SORTABLE = {
    "name": ApiClient.name,
    "created_at": ApiClient.created_at,
    "updated_at": ApiClient.updated_at,
}


def _with_secret(client: ApiClient, secret: str) -> dict:
    # Raw attribute values: the response schema serialises them (only once).
    body = {name: getattr(client, name) for name in ApiClientSchema().dump_fields}
    body["client_secret"] = secret
    return body


@blp.route("", methods=["GET"])
@blp.access(hub_admin)
@blp.arguments(ApiClientQuerySchema, location="query")
@blp.response(200, ApiClientSchema(many=True), headers=PAGINATION_HEADERS)
def list_api_clients(args):
    """List API clients"""
    return paginate(service.api_clients_query(args), args, model=ApiClient, sortable=SORTABLE)


@blp.route("", methods=["POST"])
@blp.access(hub_admin, replayable=False)
@blp.arguments(ApiClientSchema)
@blp.response(201, ApiClientSecretSchema, headers=ETAG_HEADER_DOC)
def create_api_client(data):
    """Create an API client

    The response carries `client_secret` once; only its hash is kept."""
    client, secret = service.create_api_client(data=data)
    location = url_for("api_clients.get_api_client", client_pk=client.id)
    return _with_secret(client, secret), 201, {"ETag": etag_of(client), "Location": location}


@blp.route("/<id:client_pk>", methods=["GET"])
@blp.access(hub_admin)
@blp.response(200, ApiClientSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, response="NOT_FOUND", description="No such client")
def get_api_client(client_pk):
    """Get an API client"""
    return with_etag(get_or_404(ApiClient, client_pk, label="API client"))


@blp.route("/<id:client_pk>", methods=["PATCH"])
@blp.access(hub_admin)
@blp.etag_checked
@blp.arguments(ApiClientPatchSchema)
@blp.response(200, ApiClientSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, response="NOT_FOUND", description="No such client")
def update_api_client(changes, client_pk):
    """Change an API client

    `is_active: false` revokes it; changing its scopes ends the tokens issued before."""
    client = get_or_404(ApiClient, client_pk, label="API client")
    check_if_match(client)
    return with_etag(service.update_api_client(client=client, changes=changes))


@blp.route("/<id:client_pk>/rotate-secret", methods=["POST"])
@blp.access(hub_admin, replayable=False)
@blp.response(200, ApiClientSecretSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No such client")
def rotate_api_client_secret(client_pk):
    """Rotate an API client's secret

    The new secret is shown once; the old one and its tokens stop working."""
    client = get_or_404(ApiClient, client_pk, label="API client")
    return _with_secret(client, service.rotate_secret(client=client))


@blp.route("/<id:client_pk>", methods=["DELETE"])
@blp.access(hub_admin)
@blp.etag_checked
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND", description="No such client")
def delete_api_client(client_pk):
    """Delete an API client"""
    client = get_or_404(ApiClient, client_pk, label="API client")
    check_if_match(client)
    service.delete_api_client(client=client)
