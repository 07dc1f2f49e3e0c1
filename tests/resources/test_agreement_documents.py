"""/api/v1/agreements/{id}/documents: uploads checked by content, exact downloads, immutability."""

import hashlib
import io
import struct
import zipfile
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from hub_api.models import AgreementDocument
from tests.factories import InstitutionFactory
from tests.helpers import audit_rows, client_headers, links, reloaded, row_count
from tests.problems import PROBLEM_TYPE_PREFIX, assert_problem, assert_validation

PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- building real files of each kind -------------------------------------------------------


def pdf(marker: str = "") -> bytes:
    """A small PDF; a marker makes the bytes (and so the hash) distinct."""
    return PDF_BYTES + f"% {marker}\n".encode() if marker else PDF_BYTES


OOXML_PARTS = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "docm": ("word/document.xml", "application/vnd.ms-word.document.macroEnabled"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}


def ooxml(kind: str = "docx") -> bytes:
    """A minimal Office Open XML package whose main part is of this kind."""
    part, content_type = OOXML_PARTS[kind]
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{content_type}.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="' + part + '" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr(part, "<document>Memorandum of understanding</document>")
    return buffer.getvalue()


def odf(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    """A minimal OpenDocument package: `mimetype` first and stored, then the content."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not an office document")
    return buffer.getvalue()


def ole2(*root_entries, shift: int = 9, data_sectors: int = 0) -> bytes:
    """An OLE2 compound file (MS-CFB); each root entry is a stream name or (storage, [entries]).

    Siblings form a balanced binary tree, as real writers' red-black trees do, and
    `data_sectors` of filler come before the directory, which is where Office puts it."""
    end, free, fat_marker, none = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    size = 1 << shift
    entries = [["Root Entry", 5, none, none, none]]  # name, type, left, right, child

    def tree(indices: list[int]) -> int:
        if not indices:
            return none
        middle = len(indices) // 2
        node = indices[middle]
        entries[node][2], entries[node][3] = tree(indices[:middle]), tree(indices[middle + 1 :])
        return node

    def add(items) -> int:
        indices = []
        for item in items:
            name, children = (item, None) if isinstance(item, str) else item
            indices.append(len(entries))
            entries.append([name, 2 if children is None else 1, none, none, none])
            if children is not None:
                entries[indices[-1]][4] = add(children)
        return tree(indices)

    entries[0][4] = add(root_entries)
    directory = bytearray()
    for name, kind, left, right, child in entries:
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[: len(encoded)] = encoded
        struct.pack_into("<HBBIII", raw, 64, len(encoded), kind, 1, left, right, child)
        struct.pack_into("<II", raw, 116, end, 0)
        directory += raw
    directory_sectors = -(-len(directory) // size)
    first_directory = 1 + data_sectors
    fat = [fat_marker]
    fat += [n + 1 for n in range(1, data_sectors)] + ([end] if data_sectors else [])
    fat += [n + 1 for n in range(first_directory, first_directory + directory_sectors - 1)] + [end]
    fat += [free] * (size // 4 - len(fat))

    header = bytearray(size)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3 if shift == 9 else 4, 0xFFFE, shift, 6)
    struct.pack_into("<IIII", header, 0x2C, 1, first_directory, 0, 4096)
    struct.pack_into("<IIII", header, 0x3C, end, 0, end, 0)  # no mini FAT, no extra DIFAT sectors
    struct.pack_into("<109I", header, 0x4C, 0, *([free] * 108))
    filler = b"\x42" * (size * data_sectors)
    return (
        bytes(header)
        + struct.pack(f"<{size // 4}I", *fat)
        + filler
        + bytes(directory.ljust(directory_sectors * size, b"\0"))
    )


# --- requests -------------------------------------------------------------------------------


def documents_url(agreement_id: int) -> str:
    return f"/api/v1/agreements/{agreement_id}/documents"


def document_url(agreement_id: int, document_id: int) -> str:
    return f"{documents_url(agreement_id)}/{document_id}"


def content_url(agreement_id: int, document_id: int) -> str:
    return f"{document_url(agreement_id, document_id)}/content"


def multipart(fields: dict) -> dict:
    """`client.post` arguments for a multipart body, encoded up front (no temporary files)."""
    boundary, body = encode_multipart(fields)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def upload(client, actor_headers, agreement_id, content=PDF_BYTES, filename="mou.pdf", **form):
    """POST a multipart upload; `form` overrides or (with None) drops the default fields."""
    fields = {"title": "Signed MoU", "language": "en", **form}
    fields = {name: value for name, value in fields.items() if value is not None}
    if content is not None:
        fields["file"] = FileStorage(io.BytesIO(content), filename=filename)
    return client.post(documents_url(agreement_id), headers=actor_headers, **multipart(fields))


def uploaded(client, actor_headers, agreement_id, content=PDF_BYTES, filename="mou.pdf", **form) -> dict:
    response = upload(client, actor_headers, agreement_id, content, filename, **form)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def row_count_in(client, admin, agreement_id) -> int:
    response = client.get(documents_url(agreement_id), headers=admin.headers)
    assert response.status_code == 200
    return int(response.headers["X-Total-Count"])


def create_agreement(client, admin, parties, reference="MOU-DOCS-1") -> int:
    body = {
        "reference": reference,
        "title": {"en": "MoU on staff training"},
        "kind": "mou",
        "parties": parties,
    }
    response = client.post("/api/v1/agreements", json=body, headers=admin.headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json["id"]


def move(client, admin, agreement_id: int, *statuses: str) -> None:
    for status in statuses:
        response = client.post(
            f"/api/v1/agreements/{agreement_id}/transitions", json={"to": status}, headers=admin.headers
        )
        assert response.status_code == 200, response.get_data(as_text=True)


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def document_dir(app, tmp_path, monkeypatch) -> Path:
    """Each test stores its files in a directory of its own."""
    directory = tmp_path / "documents"
    monkeypatch.setitem(app.config, "HUB_DOCUMENT_DIR", str(directory))
    return directory


@pytest.fixture
def agreement_id(client, admin, home, foreign) -> int:
    """A draft MoU between the coordinator's institution and another."""
    parties = [{"institution_id": home.id}, {"institution_id": foreign.id}]
    return create_agreement(client, admin, parties)


def stored_path(directory: Path, sha256: str) -> Path:
    return directory / sha256[:2] / sha256


# --- upload and download --------------------------------------------------------------------


def test_upload_pdf_stores_hash_and_size_and_download_returns_the_same_bytes(
    client, admin, agreement_id, document_dir
):
    content = pdf("signed original")
    response = upload(client, admin.headers, agreement_id, content, "MoU-2024-signed.pdf", title="Signed MoU")

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    sha256 = hashlib.sha256(content).hexdigest()
    assert body == {
        "id": body["id"],
        "agreement_id": agreement_id,
        "title": "Signed MoU",
        "language": "en",
        "filename": "MoU-2024-signed.pdf",
        "content_type": PDF_TYPE,
        "size_bytes": len(content),
        "sha256": sha256,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "download_url": content_url(agreement_id, body["id"]),
    }
    assert response.headers["Location"].endswith(document_url(agreement_id, body["id"]))
    assert response.headers["ETag"]
    assert stored_path(document_dir, sha256).read_bytes() == content

    metadata = client.get(document_url(agreement_id, body["id"]), headers=admin.headers)
    assert metadata.status_code == 200
    assert metadata.json == body
    assert metadata.headers["ETag"] == response.headers["ETag"]

    download = client.get(body["download_url"], headers=admin.headers)
    assert download.status_code == 200
    assert download.get_data() == content
    assert download.headers["Content-Type"] == PDF_TYPE
    assert download.headers["Content-Length"] == str(len(content))
    assert download.headers["Content-Disposition"] == "attachment; filename=MoU-2024-signed.pdf"
    assert download.headers["ETag"] == f'"{sha256}"'
    assert download.headers["Cache-Control"] == "no-store"
    download.close()


@pytest.mark.parametrize(
    ("content", "filename", "content_type"),
    [
        (ooxml("docx"), "mou.docx", DOCX_TYPE),
        (ooxml("xlsx"), "workplan.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            ooxml("pptx"),
            "briefing.pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (odf(), "mou.odt", "application/vnd.oasis.opendocument.text"),
        (
            odf("application/vnd.oasis.opendocument.spreadsheet"),
            "plan.ods",
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        (ole2("WordDocument", "1Table"), "mou.doc", "application/msword"),
        (ole2("Workbook"), "plan.XLS", "application/vnd.ms-excel"),
        (
            ole2(
                "\x01CompObj",
                "\x05SummaryInformation",
                "1Table",
                "WordDocument",
                "Data",
                ("ObjectPool", [("_1234", ["\x01Ole", "Workbook"])]),
                shift=12,
                data_sectors=3,
            ),
            "mou-with-a-table.doc",
            "application/msword",
        ),
        (
            ole2(
                "Workbook", "\x05SummaryInformation", ("MBD0001", ["WordDocument", "1Table"]), data_sectors=5
            ),
            "plan-with-a-note.xls",
            "application/vnd.ms-excel",
        ),
    ],
    ids=[
        "docx",
        "xlsx",
        "pptx",
        "odt",
        "ods",
        "doc",
        "xls",
        "doc-4k-sectors-embedded-sheet",
        "xls-embedded-doc",
    ],
)
def test_office_documents_are_recognised_by_content(
    client, admin, agreement_id, content, filename, content_type
):
    body = uploaded(client, admin.headers, agreement_id, content, filename)

    assert body["content_type"] == content_type
    assert body["filename"] == filename
    download = client.get(body["download_url"], headers=admin.headers)
    assert download.get_data() == content
    assert download.headers["Content-Type"] == content_type
    download.close()


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"Just some text, nothing like a PDF.\n", "mou.pdf"),
        (b"<html><body>%PDF-1.7</body></html>", "mou.pdf"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "scan.png"),
        (plain_zip(), "mou.docx"),
        (ooxml("docm"), "mou.docx"),
        (odf("application/vnd.oasis.opendocument.graphics"), "drawing.odg"),
        (ole2("PowerPoint Document", "Current User"), "slides.ppt"),
        (ole2(("Storage", ["WordDocument"])), "nested.doc"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(100), "broken.doc"),
        (b"PK\x03\x04 truncated zip", "mou.docx"),
    ],
    ids=[
        "text",
        "html",
        "png",
        "plain-zip",
        "macro-docm",
        "odg",
        "ppt",
        "word-stream-not-at-root",
        "truncated-ole2",
        "truncated-zip",
    ],
)
def test_anything_else_is_refused_naming_the_accepted_types(
    client, admin, agreement_id, document_dir, content, filename
):
    response = upload(client, admin.headers, agreement_id, content, filename)

    errors = assert_validation(response, "file")
    assert "PDF" in errors["file"][0] and ".docx" in errors["file"][0]
    assert row_count_in(client, admin, agreement_id) == 0
    assert not list(document_dir.glob("*/*"))


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (PDF_BYTES, "mou.docx"),
        (ooxml("docx"), "mou.pdf"),
        (ooxml("xlsx"), "plan.docx"),
        (PDF_BYTES, "mou.txt"),
    ],
)
def test_an_extension_that_contradicts_the_content_is_refused(client, admin, agreement_id, content, filename):
    errors = assert_validation(upload(client, admin.headers, agreement_id, content, filename), "file")
    assert "rename" in errors["file"][0]


def test_names_are_cleaned_and_get_the_types_extension_when_they_have_none(client, admin, agreement_id):
    assert (
        uploaded(client, admin.headers, agreement_id, filename="signed scan")["filename"] == "signed scan.pdf"
    )
    with_path = uploaded(client, admin.headers, agreement_id, pdf("2"), "../../scans/MoU final.PDF")
    assert with_path["filename"] == "MoU final.PDF"
    long_name = uploaded(client, admin.headers, agreement_id, pdf("3"), "x" * 250 + ".pdf")
    assert len(long_name["filename"]) == 200 and long_name["filename"].endswith(".pdf")


def test_non_ascii_names_download_with_rfc_5987_filename(client, admin, agreement_id):
    body = uploaded(client, admin.headers, agreement_id, filename="Меморандум 2024.pdf", language="ru")

    assert body["filename"] == "Меморандум 2024.pdf"
    download = client.get(body["download_url"], headers=admin.headers)
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith(
        f"attachment; filename=agreement-{agreement_id}-document-{body['id']}.pdf; "
    )
    assert (
        "filename*=UTF-8''%D0%9C%D0%B5%D0%BC%D0%BE%D1%80%D0%B0%D0%BD%D0%B4%D1%83%D0%BC%202024.pdf"
        in disposition
    )
    disposition.encode("latin-1")  # a header value must stay within ISO-8859-1
    download.close()

    accented = uploaded(client, admin.headers, agreement_id, pdf("fr"), "Mémorandum signé.pdf")
    download = client.get(accented["download_url"], headers=admin.headers)
    assert download.headers["Content-Disposition"].startswith('attachment; filename="Memorandum signe.pdf"; ')
    download.close()


def test_an_empty_file_is_refused(client, admin, agreement_id):
    errors = assert_validation(upload(client, admin.headers, agreement_id, b""), "file")
    assert errors["file"] == ["The file is empty."]


def test_title_language_and_file_are_required(client, admin, agreement_id):
    response = upload(client, admin.headers, agreement_id, None, title=None, language=None)
    assert_validation(response, "title", "language", "file")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"language": "fr"}, "language"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_form_fields_are_validated(client, admin, agreement_id, form, field):
    assert_validation(upload(client, admin.headers, agreement_id, **form), field)


def test_a_text_value_instead_of_a_file_part_is_refused(client, admin, agreement_id):
    fields = {"title": "Signed MoU", "language": "en", "file": "%PDF-1.7 pasted as text"}
    response = client.post(documents_url(agreement_id), headers=admin.headers, **multipart(fields))
    assert_validation(response, "file")


def test_a_json_body_is_refused(client, admin, agreement_id):
    response = client.post(
        documents_url(agreement_id), json={"title": "Signed MoU", "language": "en"}, headers=admin.headers
    )
    assert_validation(response, "title", "language", "file")


def test_upload_to_an_unknown_agreement_is_404(client, admin):
    assert_problem(upload(client, admin.headers, 999_999), 404)


# --- the size cap ---------------------------------------------------------------------------


def test_uploads_may_exceed_the_general_body_limit_up_to_the_document_cap(client, admin, app, agreement_id):
    content = pdf() + b"0" * (app.config["MAX_CONTENT_LENGTH"] * 2)
    body = uploaded(client, admin.headers, agreement_id, content)
    assert body["size_bytes"] == len(content)


def test_a_file_over_the_cap_is_a_413_problem(client, admin, app, agreement_id, document_dir, monkeypatch):
    monkeypatch.setitem(app.config, "HUB_DOCUMENT_MAX_BYTES", 1000)

    just_over = upload(client, admin.headers, agreement_id, pdf() + b"0" * (1001 - len(pdf())))
    far_over = upload(client, admin.headers, agreement_id, pdf() + b"0" * 200_000)
    at_the_cap = upload(client, admin.headers, agreement_id, pdf() + b"0" * (1000 - len(pdf())))

    for response in (just_over, far_over):
        body = assert_problem(response, 413)
        assert body["type"] == PROBLEM_TYPE_PREFIX + "document-too-large"
        assert "1000 bytes" in body["detail"]
    assert at_the_cap.status_code == 201, at_the_cap.get_data(as_text=True)
    assert len(list(document_dir.glob("*/*"))) == 1


def test_other_endpoints_keep_the_general_body_limit(client, admin, app, agreement_id):
    too_big = {"to": "negotiation", "note": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}
    response = client.post(
        f"/api/v1/agreements/{agreement_id}/transitions", json=too_big, headers=admin.headers
    )
    assert_problem(response, 413)


def test_a_large_upload_with_an_idempotency_key_is_stored_once_and_replayed(
    client, admin, app, agreement_id, dbs
):
    content = pdf() + b"1" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    fields = {
        "title": "Signed MoU",
        "language": "en",
        "file": FileStorage(io.BytesIO(content), filename="mou.pdf"),
    }
    headers = {**admin.headers, "Idempotency-Key": "upload-1"}
    kwargs = {"headers": headers, **multipart(fields)}  # the same bytes, boundary included, each time

    first = client.post(documents_url(agreement_id), **kwargs)
    again = client.post(documents_url(agreement_id), **kwargs)

    assert first.status_code == 201, first.get_data(as_text=True)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert row_count(dbs, AgreementDocument) == 1


def test_a_retry_with_a_new_multipart_boundary_is_replayed(client, admin, agreement_id, dbs):
    """Clients build a new boundary per request; the retry is still the same request."""
    headers = {**admin.headers, "Idempotency-Key": "upload-2"}

    def send():
        fields = {"title": "Signed MoU", "language": "en", "file": (io.BytesIO(pdf()), "mou.pdf")}
        return client.post(documents_url(agreement_id), data=fields, headers=headers)

    first, again = send(), send()

    assert first.status_code == 201, first.get_data(as_text=True)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json
    assert row_count(dbs, AgreementDocument) == 1


# --- who may upload -------------------------------------------------------------------------


def test_a_coordinator_of_a_party_uploads(client, coordinator, agreement_id):
    body = uploaded(client, coordinator.headers, agreement_id, language="ru", title="Подписанный меморандум")
    assert body["language"] == "ru"


def test_a_coordinator_of_a_supporting_institution_uploads(client, admin, coordinator, home, foreign):
    third = InstitutionFactory(code="THIRD")
    parties = [
        {"institution_id": foreign.id},
        {"institution_id": third.id},
        {"institution_id": home.id, "role": "supporting"},
    ]
    agreement_id = create_agreement(client, admin, parties, reference="MOU-SUPPORTED")
    assert upload(client, coordinator.headers, agreement_id).status_code == 201


def test_a_coordinator_of_another_institution_is_refused(
    client, admin, coordinator, foreign, dbs, document_dir
):
    third = InstitutionFactory(code="THIRD")
    parties = [{"institution_id": foreign.id}, {"institution_id": third.id}]
    agreement_id = create_agreement(client, admin, parties, reference="MOU-OTHERS")

    body = assert_problem(upload(client, coordinator.headers, agreement_id), 403)
    assert "takes part" in body["detail"]
    assert row_count(dbs, AgreementDocument) == 0
    assert not list(document_dir.glob("*/*"))
    assert [e.outcome for e in audit_rows(dbs, action="permission.denied")] == ["denied"]


def test_analysts_and_api_clients_cannot_upload_but_can_read(
    client, app, admin, analyst, agreement_id, foreign
):
    body = uploaded(client, admin.headers, agreement_id)
    partner = client_headers(app, ["catalogue:read"], institution=foreign)

    for headers in (analyst.headers, partner):
        assert_problem(upload(client, headers, agreement_id, pdf("again")), 403)
        assert client.get(documents_url(agreement_id), headers=headers).status_code == 200
        assert client.get(document_url(agreement_id, body["id"]), headers=headers).status_code == 200
    download = client.get(body["download_url"], headers=partner)
    assert download.get_data() == PDF_BYTES
    download.close()
    # The signed text names its signatories: analysts see the metadata, never the file.
    assert_problem(client.get(body["download_url"], headers=analyst.headers), 403)


def test_anonymous_callers_get_401(client, admin, agreement_id):
    body = uploaded(client, admin.headers, agreement_id)
    for response in (
        upload(client, {}, agreement_id),
        client.get(documents_url(agreement_id)),
        client.get(document_url(agreement_id, body["id"])),
        client.get(body["download_url"]),
        client.delete(document_url(agreement_id, body["id"])),
    ):
        assert_problem(response, 401)


# --- immutability and deletion --------------------------------------------------------------


def test_documents_cannot_be_patched(client, admin, agreement_id):
    body = uploaded(client, admin.headers, agreement_id)
    response = client.patch(
        document_url(agreement_id, body["id"]), json={"title": "Changed"}, headers=admin.headers
    )
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "DELETE"}


def test_delete_on_a_draft_removes_the_row_and_the_unshared_file(
    client, admin, agreement_id, document_dir, dbs
):
    body = uploaded(client, admin.headers, agreement_id)
    path = stored_path(document_dir, body["sha256"])
    assert path.is_file()

    response = client.delete(document_url(agreement_id, body["id"]), headers=admin.headers)

    assert response.status_code == 204, response.get_data(as_text=True)
    assert reloaded(dbs, AgreementDocument, body["id"]) is None
    assert not path.exists()
    assert client.get(document_url(agreement_id, body["id"]), headers=admin.headers).status_code == 404
    assert [e.object_id for e in audit_rows(dbs, action="agreement_documents.delete")] == [str(body["id"])]


def test_a_file_shared_by_another_document_outlives_the_first_deletion(
    client, admin, agreement_id, document_dir, home, foreign
):
    other_id = create_agreement(
        client, admin, [{"institution_id": home.id}, {"institution_id": foreign.id}], reference="MOU-DOCS-2"
    )
    first = uploaded(client, admin.headers, agreement_id, title="Original")
    second = uploaded(client, admin.headers, other_id, title="Same bytes, other agreement")
    assert first["sha256"] == second["sha256"]
    path = stored_path(document_dir, first["sha256"])

    assert client.delete(document_url(agreement_id, first["id"]), headers=admin.headers).status_code == 204
    assert path.read_bytes() == PDF_BYTES
    download = client.get(second["download_url"], headers=admin.headers)
    assert download.get_data() == PDF_BYTES
    download.close()

    assert client.delete(document_url(other_id, second["id"]), headers=admin.headers).status_code == 204
    assert not path.exists()


@pytest.mark.parametrize("statuses", [("negotiation",), ("negotiation", "signed", "active")])
def test_documents_are_permanent_once_the_agreement_leaves_draft(
    client, admin, agreement_id, document_dir, dbs, statuses
):
    body = uploaded(client, admin.headers, agreement_id)
    move(client, admin, agreement_id, *statuses)

    problem = assert_problem(
        client.delete(document_url(agreement_id, body["id"]), headers=admin.headers), 409
    )

    assert problem["detail"].startswith("Documents are immutable;")
    assert statuses[-1] in problem["detail"]
    assert reloaded(dbs, AgreementDocument, body["id"]) is not None
    assert stored_path(document_dir, body["sha256"]).is_file()


def test_documents_can_still_be_added_after_signing(client, admin, coordinator, agreement_id):
    move(client, admin, agreement_id, "negotiation", "signed")
    assert upload(client, coordinator.headers, agreement_id, title="Signed original").status_code == 201


def test_only_hub_admins_delete(client, admin, coordinator, analyst, agreement_id, dbs):
    body = uploaded(client, coordinator.headers, agreement_id)
    for actor in (coordinator, analyst):
        assert_problem(client.delete(document_url(agreement_id, body["id"]), headers=actor.headers), 403)
    assert reloaded(dbs, AgreementDocument, body["id"]) is not None


def test_delete_honours_if_match(client, admin, agreement_id):
    body = uploaded(client, admin.headers, agreement_id)
    url = document_url(agreement_id, body["id"])
    assert_problem(client.delete(url, headers={**admin.headers, "If-Match": '"1-99"'}), 412)
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    assert client.delete(url, headers={**admin.headers, "If-Match": etag}).status_code == 204


def test_a_failed_request_leaves_no_orphan_file(client, admin, agreement_id, document_dir, monkeypatch, dbs):
    def fail_after_the_view(_response):
        raise RuntimeError("simulated failure after the file was stored")

    monkeypatch.setattr("hub_api.lifecycle.idempotency.finish", fail_after_the_view)
    response = upload(client, admin.headers, agreement_id)

    assert_problem(response, 500)
    assert row_count(dbs, AgreementDocument) == 0
    assert not list(document_dir.glob("*/*"))


# --- reading --------------------------------------------------------------------------------


def test_a_missing_file_is_a_clear_problem_not_a_500(client, admin, agreement_id, document_dir, dbs):
    body = uploaded(client, admin.headers, agreement_id)
    stored_path(document_dir, body["sha256"]).unlink()

    response = client.get(body["download_url"], headers=admin.headers)

    problem = assert_problem(response, 404)
    assert problem["type"] == PROBLEM_TYPE_PREFIX + "document-file-missing"
    assert body["sha256"] in problem["detail"]
    assert client.get(document_url(agreement_id, body["id"]), headers=admin.headers).status_code == 200
    assert audit_rows(dbs, action="agreement_documents.download") == []


def test_a_document_under_another_agreements_path_is_404(client, admin, agreement_id, home, foreign, dbs):
    other_id = create_agreement(
        client, admin, [{"institution_id": home.id}, {"institution_id": foreign.id}], reference="MOU-DOCS-2"
    )
    body = uploaded(client, admin.headers, agreement_id)

    assert_problem(client.get(document_url(other_id, body["id"]), headers=admin.headers), 404)
    assert_problem(client.get(content_url(other_id, body["id"]), headers=admin.headers), 404)
    assert_problem(client.delete(document_url(other_id, body["id"]), headers=admin.headers), 404)
    assert_problem(client.get(documents_url(999_999), headers=admin.headers), 404)
    assert reloaded(dbs, AgreementDocument, body["id"]) is not None


def test_downloads_are_in_the_audit_trail(client, admin, coordinator, agreement_id, dbs):
    body = uploaded(client, admin.headers, agreement_id)
    client.get(body["download_url"], headers=coordinator.headers).close()

    created = audit_rows(dbs, action="agreement_documents.create")
    downloads = audit_rows(dbs, action="agreement_documents.download")
    assert [e.object_id for e in created] == [str(body["id"])]
    assert [(e.object_type, e.object_id, e.actor_label) for e in downloads] == [
        ("agreement_documents", str(body["id"]), coordinator.user.email)
    ]


def test_list_is_paged_sorted_and_filtered(client, admin, agreement_id):
    for index, language in enumerate(["en", "ru", "kk", "ru", "en"]):
        uploaded(
            client, admin.headers, agreement_id, pdf(str(index)), title=f"Version {index}", language=language
        )

    page = client.get(
        documents_url(agreement_id), query_string={"page_size": 2, "page": 2}, headers=admin.headers
    )
    assert page.status_code == 200
    assert [d["title"] for d in page.json] == ["Version 2", "Version 3"]
    assert page.headers["X-Total-Count"] == "5"
    rels = links(page, documents_url(agreement_id))
    assert {rel: args["page"] for rel, args in rels.items()} == {
        "first": "1",
        "prev": "1",
        "next": "3",
        "last": "3",
    }

    russian = client.get(
        documents_url(agreement_id), query_string={"language": "ru", "sort": "-title"}, headers=admin.headers
    )
    assert [d["title"] for d in russian.json] == ["Version 3", "Version 1"]
    assert_validation(
        client.get(documents_url(agreement_id), query_string={"sort": "sha256"}, headers=admin.headers),
        "sort",
    )


def test_list_query_count_does_not_grow_with_documents(client, admin, agreement_id, dbs, count_queries):
    def add(count: int) -> None:
        for index in range(count):
            content = f"%PDF-1.7 {index} {row_count(dbs, AgreementDocument)}".encode()
            dbs.add(
                AgreementDocument(
                    agreement_id=agreement_id,
                    title=f"Document {index}",
                    language="en",
                    filename=f"document-{index}.pdf",
                    content_type=PDF_TYPE,
                    size_bytes=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                )
            )
            dbs.commit()

    url = documents_url(agreement_id)
    add(2)
    client.get(url, headers=admin.headers)  # warm up connections
    with count_queries() as few:
        small = client.get(url, headers=admin.headers)
    add(10)
    with count_queries() as many:
        large = client.get(url, headers=admin.headers)

    assert len(small.json) == 2
    assert len(large.json) == 12
    assert len(many) == len(few), many
    assert len(many) <= 4, many  # the token's sign-in, the agreement, the count and the page


def test_a_compound_file_with_a_looping_difat_chain_is_refused_quickly(client, admin, agreement_id):
    """A 1 KB file that claims billions of sectors must not exhaust memory."""
    header = bytearray(512)
    header[:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    header[0x1E:0x20] = (9).to_bytes(2, "little")
    header[0x2C:0x30] = (0xFFFFFFF0).to_bytes(4, "little")
    header[0x44:0x48] = (0).to_bytes(4, "little")
    header[0x48:0x4C] = (0xFFFFFFF0).to_bytes(4, "little")
    crafted = bytes(header) + bytes(512)
    response = upload(client, admin.headers, agreement_id, content=crafted, filename="minutes.doc")
    assert_problem(response, 422)
