"""Agreement documents: uploads checked by content, a content-addressed store, and immutability."""

import logging
import lzma
import os
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

import sqlalchemy as sa
from flask import after_this_request, current_app, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from hub_api import storage
from hub_api.access.objects import ensure_can_upload_document
from hub_api.auth.principal import Principal
from hub_api.errors import Conflict, HubError, NotFound, ValidationFailed
from hub_api.extensions import db
from hub_api.models import Agreement, AgreementDocument
from hub_api.models.enums import AgreementStatus

log = logging.getLogger(__name__)

MAX_FILENAME_LENGTH = 200  # the column's width
DEFAULT_STEM = "document"


@dataclass(frozen=True)
class DocumentType:
    """A kind of file the register accepts: its usual extension and its media type."""

    extension: str
    content_type: str
    label: str


PDF = DocumentType("pdf", "application/pdf", "PDF document")
DOCX = DocumentType(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"
)
XLSX = DocumentType(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook"
)
PPTX = DocumentType(
    "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint deck"
)
ODT = DocumentType("odt", "application/vnd.oasis.opendocument.text", "OpenDocument text")
ODS = DocumentType("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet")
ODP = DocumentType("odp", "application/vnd.oasis.opendocument.presentation", "OpenDocument presentation")
DOC = DocumentType("doc", "application/msword", "Word 97-2003 document")
XLS = DocumentType("xls", "application/vnd.ms-excel", "Excel 97-2003 workbook")
ACCEPTED_TYPES = (PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS)
ACCEPTED_TEXT = ", ".join(f"{t.label} (.{t.extension})" for t in ACCEPTED_TYPES)

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
# The content type of the main part, as listed in an OOXML package's [Content_Types].xml.
OOXML_MAIN_PARTS = (
    (b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", DOCX),
    (b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", XLSX),
    (b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", PPTX),
)
ODF_TYPES = {t.content_type: t for t in (ODT, ODS, ODP)}
MAX_CONTENT_TYPES_BYTES = 1 << 20
ZIP_ERRORS = (
    zlib.error,
    lzma.LZMAError,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)


class DocumentTooLarge(HubError):
    """The uploaded document is over `HUB_DOCUMENT_MAX_BYTES`."""

    status, slug = 413, "document-too-large"


class DocumentFileMissing(HubError):
    """The document's row exists but its file is not in the store."""

    status, slug = 404, "document-file-missing"


# --- recognising a file by its bytes ----------------------------------------------------------


def detect_type(stream: BinaryIO) -> DocumentType | None:
    """The accepted type the bytes are, judged by content alone; None for anything else."""
    stream.seek(0)
    head = stream.read(len(OLE2_MAGIC))
    stream.seek(0)
    try:
        if head.startswith(PDF_MAGIC):
            return PDF
        if head.startswith(ZIP_MAGIC):
            return _zip_type(stream)
        if head.startswith(OLE2_MAGIC):
            return _ole2_type(stream)
        return None
    finally:
        stream.seek(0)


def _zip_type(stream: BinaryIO) -> DocumentType | None:
    """OOXML by its main part in `[Content_Types].xml`; ODF by its `mimetype` entry."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as member:
                    declared = member.read(MAX_CONTENT_TYPES_BYTES)
                return next((kind for marker, kind in OOXML_MAIN_PARTS if marker in declared), None)
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(200).decode("ascii", "replace").strip()
                return ODF_TYPES.get(mimetype)
    except ZIP_ERRORS:
        return None
    return None


def _ole2_type(stream: BinaryIO) -> DocumentType | None:
    """A legacy Word or Excel file by the streams at the root of its compound file."""
    try:
        names = compound_file_root_names(stream)
    except (ValueError, struct.error, OSError):
        return None
    if "WordDocument" in names:
        return DOC
    if names & {"Workbook", "Book"}:
        return XLS
    return None


FREE_OR_END = 0xFFFFFFFA  # sector numbers above this are markers, not sectors
NO_ENTRY = 0xFFFFFFFF
DIRECTORY_ENTRY_BYTES = 128


def compound_file_root_names(stream: BinaryIO) -> set[str]:
    """Names of the entries directly under the root of an OLE2 compound file (MS-CFB)."""
    stream.seek(0)
    header = stream.read(512)
    if len(header) < 512 or not header.startswith(OLE2_MAGIC):
        raise ValueError("not a compound file")
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        raise ValueError("unexpected sector size")
    sector_size = 1 << shift
    per_sector = sector_size // 4
    fat_count, first_directory = struct.unpack_from("<II", header, 0x2C)
    first_difat, difat_count = struct.unpack_from("<II", header, 0x44)
    # No count or chain can exceed the sectors the file really has: bounds every loop below.
    stream.seek(0, 2)
    sectors_in_file = max(0, stream.tell() // sector_size - 1)
    if fat_count > sectors_in_file or difat_count > sectors_in_file:
        raise ValueError("sector counts exceed the file")

    def sector(number: int) -> bytes:
        if number >= FREE_OR_END:
            raise ValueError("chain points outside the file")
        stream.seek((number + 1) * sector_size)
        data = stream.read(sector_size)
        if len(data) != sector_size:
            raise ValueError("truncated compound file")
        return data

    fat_sectors = list(struct.unpack_from("<109I", header, 0x4C))
    next_difat, difat_seen = first_difat, set()
    for _ in range(difat_count):
        if next_difat >= FREE_OR_END:
            break
        if next_difat in difat_seen:
            raise ValueError("looping DIFAT chain")
        difat_seen.add(next_difat)
        values = struct.unpack(f"<{per_sector}I", sector(next_difat))
        fat_sectors.extend(values[:-1])
        next_difat = values[-1]
    fat: list[int] = []
    for number in [s for s in fat_sectors if s < FREE_OR_END][:fat_count]:
        fat.extend(struct.unpack(f"<{per_sector}I", sector(number)))

    chunks, seen, current = [], set(), first_directory
    while current < FREE_OR_END:
        if current in seen or current >= len(fat) or len(seen) >= sectors_in_file:
            raise ValueError("broken directory chain")
        seen.add(current)
        chunks.append(sector(current))
        current = fat[current]
    directory = b"".join(chunks)
    count = len(directory) // DIRECTORY_ENTRY_BYTES

    def entry(index: int) -> tuple[str, int, int, int, int]:
        offset = index * DIRECTORY_ENTRY_BYTES
        name_bytes, kind = struct.unpack_from("<HB", directory, offset + 64)
        left, right, child = struct.unpack_from("<III", directory, offset + 68)
        raw_name = directory[offset : offset + max(0, min(name_bytes, 64) - 2)]
        return raw_name.decode("utf-16-le", "replace"), kind, left, right, child

    if count == 0 or entry(0)[1] != 5:  # entry 0 must be the root storage
        raise ValueError("no root entry")
    names, pending, visited = set(), [entry(0)[4]], set()
    while pending:  # the root's children form a tree linked through left/right siblings
        index = pending.pop()
        if index == NO_ENTRY or index in visited or index >= count:
            continue
        visited.add(index)
        name, _kind, left, right, _child = entry(index)
        names.add(name)
        pending.extend((left, right))
    return names


# --- names ------------------------------------------------------------------------------------


def clean_filename(raw: str | None) -> str:
    """The base name a client sent, without directories or control characters; never empty."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if not name or name.startswith("."):
        name = DEFAULT_STEM + name
    return name


def checked_filename(raw: str | None, kind: DocumentType) -> str:
    """The name to store: its extension must agree with the detected type (and is added if absent)."""
    name = clean_filename(raw)
    suffix = PurePosixPath(name).suffix
    if not suffix:
        name = f"{name}.{kind.extension}"
    elif suffix.lower() != f".{kind.extension}":
        message = (
            f"The file is a {kind.label} (.{kind.extension}) but its name ends in {suffix}; "
            f"rename it to end in .{kind.extension}."
        )
        raise ValidationFailed(message, errors={"file": [message]})
    if len(name) > MAX_FILENAME_LENGTH:
        name = name[: MAX_FILENAME_LENGTH - len(kind.extension) - 1].rstrip() + f".{kind.extension}"
    return name


# --- the register -----------------------------------------------------------------------------


def documents_query(agreement_id: int, filters: dict) -> sa.Select:
    """An agreement's documents, narrowed by the list filters."""
    stmt = sa.select(AgreementDocument).where(AgreementDocument.agreement_id == agreement_id)
    for name in ("language", "content_type", "sha256"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(AgreementDocument, name) == filters[name])
    return stmt


def get_document(agreement_id: int, document_id: int) -> AgreementDocument:
    """The document with this id under this agreement, or 404 (also when it is another's)."""
    document = db.session.get(AgreementDocument, document_id)
    if document is None or document.agreement_id != agreement_id:
        raise NotFound(f"Agreement {agreement_id} has no document with id {document_id}.")
    return document


def _size_of(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def upload_document(
    *,
    principal: Principal,
    agreement: Agreement,
    title: str,
    language: str,
    filename: str | None,
    stream: BinaryIO,
) -> AgreementDocument:
    """Check the caller and the bytes, store the file by its hash, and record the document."""
    ensure_can_upload_document(principal, {party.institution_id for party in agreement.parties})
    size = _size_of(stream)
    if size == 0:
        raise ValidationFailed("The file is empty.", errors={"file": ["The file is empty."]})
    limit = current_app.config["HUB_DOCUMENT_MAX_BYTES"]
    if size > limit:
        raise DocumentTooLarge(f"The document is {size} bytes; the limit is {limit} bytes.")
    kind = detect_type(stream)
    if kind is None:
        message = f"The content is not an accepted document type; accepted: {ACCEPTED_TEXT}."
        raise ValidationFailed(message, errors={"file": [message]})
    stored_name = checked_filename(filename, kind)
    stored = storage.current_store().save(stream)
    _when_request_ends(lambda response: response.status_code >= 400, stored.sha256)
    document = AgreementDocument(
        agreement_id=agreement.id,
        title=title,
        language=language,
        filename=stored_name,
        content_type=kind.content_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
    )
    db.session.add(document)
    db.session.flush()
    return document


def delete_document(*, agreement: Agreement, document: AgreementDocument) -> None:
    """Remove a document of a draft agreement; its file goes once the deletion has committed."""
    if agreement.status is not AgreementStatus.DRAFT:
        raise Conflict(
            "Documents are immutable; they can be deleted only while the agreement is a draft, "
            f"and this one is {agreement.effective_status.value}. Upload a corrected version as a "
            "new document instead."
        )
    sha256 = document.sha256
    db.session.delete(document)
    db.session.flush()
    _when_request_ends(lambda response: response.status_code < 400, sha256)


def file_path(document: AgreementDocument):
    """Where the document's bytes are kept on disk."""
    return storage.current_store().path_for(document.sha256)


def missing_file(document: AgreementDocument) -> DocumentFileMissing:
    """The refusal for a document whose file is gone from the store; operators are told in the log."""
    log.error(
        "agreement document %s: file %s is missing from the document store",
        document.id,
        file_path(document),
    )
    return DocumentFileMissing(
        f"The file of document {document.id} (sha256 {document.sha256}) is missing from the "
        "document store. Ask a hub administrator to restore it from backup or upload it again."
    )


def discard_if_unreferenced(sha256: str) -> None:
    """Remove the stored file unless a committed document row still refers to its hash."""
    still_used = db.session.scalar(
        sa.select(AgreementDocument.id).where(AgreementDocument.sha256 == sha256).limit(1)
    )
    if still_used is None:
        storage.current_store().remove(sha256)


def _when_request_ends(condition: Callable, sha256: str) -> None:
    """After the request's transaction has ended, discard the file if `condition(response)` holds.

    Flask runs these callbacks after the view's commit (or the error handler's rollback);
    a failure here is logged, never turned into an error for a write that succeeded."""
    if not has_request_context():
        return

    @after_this_request
    def _tidy(response):
        if condition(response):
            try:
                discard_if_unreferenced(sha256)
            except (OSError, SQLAlchemyError):
                log.exception("could not tidy stored document file %s", sha256)
        return response
