"""Agreement document schemas: the multipart upload form, the metadata, and list filters."""

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from hub_api.models.enums import LANGUAGES
from hub_api.pagination import ListArgsSchema, sort_field
from hub_api.schemas.base import BaseSchema, TimestampedSchema, TrimmedString

SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="A SHA-256 is 64 lowercase hexadecimal digits.")


class DocumentFile(Upload):
    """The uploaded file part; a plain text value in its place is refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("Send the document as a file part named 'file'.")
        return value


class DocumentUploadSchema(BaseSchema):
    """The multipart form of an upload: the file with its title and language."""

    title = TrimmedString(
        required=True,
        validate=validate.Length(max=200),
        metadata={"example": "Signed MoU, Russian original"},
    )
    language = fields.String(
        required=True,
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "Language of the text: " + ", ".join(LANGUAGES) + "."},
    )
    file = DocumentFile(
        required=True,
        metadata={
            "description": (
                "PDF (.pdf), Word (.docx, .doc), Excel (.xlsx, .xls), PowerPoint (.pptx) or "
                "OpenDocument (.odt, .ods, .odp), recognised by content; the name's extension "
                "must agree with it."
            )
        },
    )


class AgreementDocumentSchema(TimestampedSchema):
    """A stored document's metadata; the bytes are at `download_url`."""

    agreement_id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    language = fields.String(dump_only=True)
    filename = fields.String(dump_only=True)
    content_type = fields.String(dump_only=True, metadata={"example": "application/pdf"})
    size_bytes = fields.Integer(dump_only=True)
    sha256 = fields.String(dump_only=True, metadata={"description": "SHA-256 of the bytes, hexadecimal."})
    download_url = fields.Method("_download_url", dump_only=True, metadata={"type": "string"})

    def _download_url(self, document) -> str:
        return url_for(
            "agreement_documents.download_document",
            agreement_id=document.agreement_id,
            document_id=document.id,
        )


class DocumentQuerySchema(ListArgsSchema):
    """Filters and sorting of an agreement's documents."""

    language = fields.String(validate=validate.OneOf(LANGUAGES))
    content_type = fields.String(validate=validate.Length(max=120))
    sha256 = fields.String(validate=SHA256)
    sort = sort_field("created_at", "title", "language", "filename", "size_bytes", default="created_at")
