"""Agreement documents: signed texts and language versions, uploaded as multipart and immutable."""

import functools
import unicodedata
from http import HTTPStatus
from pathlib import PurePosixPath
from urllib.parse import quote

from flask import current_app, request, send_file, url_for
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import dump_options_header

from hub_api import audit
from hub_api.access.policies import catalogue_reader, contact_reader, hub_admin, institution_editor
from hub_api.api import Blueprint
from hub_api.auth.principal import current_principal
from hub_api.etags import ETAG_HEADER_DOC, check_if_match, with_etag
from hub_api.models import AgreementDocument
from hub_api.pagination import PAGINATION_HEADERS, paginate
from hub_api.schemas.agreement_documents import (
    AgreementDocumentSchema,
    DocumentQuerySchema,
    DocumentUploadSchema,
)
from hub_api.services import agreement_documents as service
from hub_api.services.agreements import get_agreement

# Room for the multipart framing and the small form fields around the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024
BINARY = {"type": "string", "format": "binary"}


class MultipartParser(FlaskParser):
    """Adds a `multipart` location: form fields and file parts read together, as one schema."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req, schema):
        """Form values and files of a `multipart/form-data` body as one multidict."""
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class DocumentBlueprint(Blueprint):
    """A blueprint whose `multipart` arguments are parsed together and documented as one body."""

    ARGUMENTS_PARSER = MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }


blp = DocumentBlueprint(
    "agreement_documents",
    __name__,
    url_prefix="/api/v1/agreements",
    description="Agreement documents: the signed PDF and language versions of an agreement",
)

SORTABLE = {
    "created_at": AgreementDocument.created_at,
    "title": AgreementDocument.title,
    "language": AgreementDocument.language,
    "filename": AgreementDocument.filename,
    "size_bytes": AgreementDocument.size_bytes,
}
NOT_FOUND = {"response": "NOT_FOUND", "description": "No such agreement, or no such document under it"}
TOO_LARGE = {"response": HTTPStatus(413).name, "description": "Over HUB_DOCUMENT_MAX_BYTES"}


def _raise_body_limit() -> int:
    limit = current_app.config["HUB_DOCUMENT_MAX_BYTES"]
    request.max_content_length = limit + FORM_OVERHEAD_BYTES
    return limit


def document_upload_body(func):
    """Let this view's request body reach `HUB_DOCUMENT_MAX_BYTES`; beyond it, a 413 problem.

    Place it above `@blp.arguments`, so that the limit is raised before the body is parsed."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        limit = _raise_body_limit()
        try:
            return func(*args, **kwargs)
        except RequestEntityTooLarge:
            raise service.DocumentTooLarge(f"The upload is larger than the limit of {limit} bytes.") from None

    wrapper.hub_document_upload = True
    return wrapper


@blp.before_request
def _raise_body_limit_early():
    """Uploads read their body before the view too (an `Idempotency-Key` fingerprints it)."""
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "hub_document_upload", False):
        _raise_body_limit()


def _content_disposition(document: AgreementDocument) -> str:
    """`attachment` with the stored name; non-ASCII names also as RFC 5987 `filename*`."""
    name = document.filename
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").strip()
        if not any(ch.isalpha() for ch in PurePosixPath(fallback).stem):  # Cyrillic leaves nothing useful
            fallback = f"agreement-{document.agreement_id}-document-{document.id}{PurePosixPath(name).suffix}"
        encoded = "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")  # RFC 5987 attr-chars stay as they are
        return dump_options_header("attachment", {"filename": fallback, "filename*": encoded})
    return dump_options_header("attachment", {"filename": name})


@blp.route("/<id:agreement_id>/documents", methods=["GET"])
@blp.access(catalogue_reader)
@blp.arguments(DocumentQuerySchema, location="query")
@blp.response(200, AgreementDocumentSchema(many=True), headers=PAGINATION_HEADERS)
@blp.alt_response(404, response="NOT_FOUND", description="No such agreement")
def list_documents(args, agreement_id):
    """List an agreement's documents"""
    get_agreement(agreement_id)
    return paginate(
        service.documents_query(agreement_id, args), args, model=AgreementDocument, sortable=SORTABLE
    )


@blp.route("/<id:agreement_id>/documents", methods=["POST"])
@blp.access(institution_editor)
@document_upload_body
@blp.arguments(DocumentUploadSchema, location="multipart")
@blp.response(201, AgreementDocumentSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, response="NOT_FOUND", description="No such agreement")
@blp.alt_response(413, **TOO_LARGE)
def upload_document(form, agreement_id):
    """Upload a document

    A signed text or a language version, as `multipart/form-data` with `file`, `title` and
    `language`. The type is recognised from the bytes, not the name: PDF, Word, Excel,
    PowerPoint and OpenDocument files only, up to `HUB_DOCUMENT_MAX_BYTES` (20 MiB by
    default). The `sha256` of the bytes is stored; the document cannot be changed afterwards,
    so a new version is a new document. Hub admins upload to any agreement, coordinators to
    those their institution takes part in."""
    agreement = get_agreement(agreement_id)
    upload = form["file"]
    document = service.upload_document(
        principal=current_principal(),
        agreement=agreement,
        title=form["title"],
        language=form["language"],
        filename=upload.filename,
        stream=upload.stream,
    )
    location = url_for("agreement_documents.get_document", agreement_id=agreement.id, document_id=document.id)
    return with_etag(document, 201, location=location)


@blp.route("/<id:agreement_id>/documents/<id:document_id>", methods=["GET"])
@blp.access(catalogue_reader)
@blp.response(200, AgreementDocumentSchema, headers=ETAG_HEADER_DOC)
@blp.alt_response(404, **NOT_FOUND)
def get_document(agreement_id, document_id):
    """Get a document's metadata"""
    return with_etag(service.get_document(agreement_id, document_id))


@blp.route("/<id:agreement_id>/documents/<id:document_id>", methods=["DELETE"])
@blp.access(hub_admin)
@blp.etag_checked
@blp.response(204)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, response="CONFLICT", description="The agreement is no longer a draft")
def delete_document(agreement_id, document_id):
    """Delete a document of a draft agreement

    Once the agreement has left `draft`, its documents are permanent. The stored file is
    removed when no other document has the same bytes."""
    document = service.get_document(agreement_id, document_id)
    check_if_match(document)
    service.delete_document(agreement=get_agreement(agreement_id), document=document)


@blp.route("/<id:agreement_id>/documents/<id:document_id>/content", methods=["GET"])
@blp.access(contact_reader)  # signed texts carry signatories' names: not for analysts
@blp.response(
    200,
    BINARY,
    content_type=service.PDF.content_type,
    description="The stored bytes, served with the document's own `content_type`",
    headers={
        "ETag": {"description": "The document's SHA-256", "schema": {"type": "string"}},
        "Content-Disposition": {
            "description": "`attachment` with the file name (RFC 6266, `filename*` for non-ASCII)",
            "schema": {"type": "string"},
        },
    },
)
@blp.alt_response(404, **NOT_FOUND)
@blp.doc(responses={200: {"content": {t.content_type: {"schema": BINARY} for t in service.ACCEPTED_TYPES}}})
def download_document(agreement_id, document_id):
    """Download a document

    Exactly the uploaded bytes, with the stored content type. The `ETag` is the SHA-256.
    A file missing from the store answers a 404 problem of type `document-file-missing`.
    Downloads are recorded in the audit trail."""
    document = service.get_document(agreement_id, document_id)
    audit.record("agreement_documents.download", object_type="agreement_documents", object_id=document.id)
    try:
        response = send_file(
            service.file_path(document),
            mimetype=document.content_type,
            etag=document.sha256,
            last_modified=document.created_at,
            conditional=True,
        )
    except FileNotFoundError:
        raise service.missing_file(document) from None
    response.headers["Content-Disposition"] = _content_disposition(document)
    response.headers["Cache-Control"] = "no-store"
    return response
