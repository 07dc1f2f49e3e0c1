"""Roster import: a CSV or JSON list of participants, upserted by `external_ref`, all or nothing."""

import csv
import io
import json
from dataclasses import dataclass

import sqlalchemy as sa
from marshmallow import ValidationError

from hub_api import audit
from hub_api.errors import HubError, ValidationFailed, flatten_messages
from hub_api.extensions import db
from hub_api.models import Participant
from hub_api.models.base import utcnow
from hub_api.models.participant import participant_search_text
from hub_api.schemas.participants import ParticipantImportRowSchema

CSV, JSON = "text/csv", "application/json"
DELIMITERS = (",", ";", "\t")
MAX_ROWS = 20_000
ERRORS_SHOWN = 10  # failed rows copied into the problem's `errors`; the report lists them all
_ROW_FIELDS = ParticipantImportRowSchema().fields
COLUMNS = ("external_ref", *(name for name in _ROW_FIELDS if name != "external_ref"))
REQUIRED_COLUMNS = tuple(name for name in COLUMNS if _ROW_FIELDS[name].required)
WRITABLE = tuple(name for name in COLUMNS if name != "external_ref")
NEW_DEFAULTS = {"position": None, "region": None, "email": None, "is_trainer": False}


class ImportTooLarge(HubError):
    """The roster is over `HUB_IMPORT_MAX_BYTES`."""

    status, slug = 413, "import-too-large"


class UnsupportedImportType(HubError):
    """The roster is neither UTF-8 CSV nor JSON."""

    status, slug = 415, "unsupported-media-type"


class ImportRefused(ValidationFailed):
    """Some rows failed, so nothing was written; the problem carries the per-row report."""


@dataclass(frozen=True)
class UnreadableRow:
    """A CSV line that cannot become a row (wrong number of cells), with what is wrong with it."""

    messages: dict


# --- reading the body ------------------------------------------------------------------------


def parse_rows(body: bytes, mimetype: str, charset: str | None) -> list:
    """The rows of a CSV or JSON roster; 415 for other types, 422 for an unusable file."""
    if mimetype == CSV and (charset or "utf-8").lower() in ("utf-8", "utf8"):
        rows = _csv_rows(body)
    elif mimetype == JSON:
        rows = _json_rows(body)
    else:
        raise UnsupportedImportType(
            "Send the roster as text/csv (UTF-8, header row first) or as application/json (an array of rows)."
        )
    if len(rows) > MAX_ROWS:
        raise _too_many_rows()
    return rows


def _too_many_rows() -> ValidationFailed:
    return ValidationFailed(
        f"A roster may hold at most {MAX_ROWS} rows; this one has more. Split it.",
        errors={"rows": [f"At most {MAX_ROWS} rows."]},
    )


def _csv_rows(body: bytes) -> list:
    try:
        text = body.decode("utf-8-sig")  # with or without a byte order mark
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "The CSV is not UTF-8 text; save it as 'CSV UTF-8'.",
            errors={"body": [f"Not UTF-8 at byte {exc.start}."]},
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        columns = _columns([cell.strip() for cell in next(reader, [])])
        rows = []
        for cells in reader:  # counted while reading: a huge file is refused at row MAX_ROWS + 1
            if cells:  # blank lines are skipped
                rows.append(_csv_row(columns, cells))
                if len(rows) > MAX_ROWS:
                    raise _too_many_rows()
        return rows
    except csv.Error:
        raise ValidationFailed(
            f"The CSV cannot be read at line {reader.line_num}.",
            errors={"body": [f"Malformed CSV at line {reader.line_num}."]},
        ) from None


def _delimiter(text: str) -> str:
    """Comma, semicolon (Excel in Russian locales) or tab: whichever the header line uses most."""
    header = text.split("\n", 1)[0]
    return max(DELIMITERS, key=header.count)


def _columns(header: list[str]) -> list[str]:
    """The header's field names; positions, never the text, of bad ones (it may be a person's row)."""
    problems = []
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        problems.append(f"Missing required columns: {', '.join(missing)}.")
    unknown = [str(n) for n, name in enumerate(header, 1) if name not in COLUMNS]
    if unknown:
        problems.append(f"Columns {', '.join(unknown)} are not participant fields; use {', '.join(COLUMNS)}.")
    repeated = [str(n) for n, name in enumerate(header, 1) if name in COLUMNS and name in header[: n - 1]]
    if repeated:
        problems.append(f"Columns {', '.join(repeated)} repeat an earlier column.")
    if problems:
        raise ValidationFailed(
            "The first row of the CSV must name the columns: see `errors`.", errors={"columns": problems}
        )
    return header


def _csv_row(columns: list[str], cells: list[str]) -> dict | UnreadableRow:
    if len(cells) != len(columns):
        message = f"This row has {len(cells)} cells; the header has {len(columns)}."
        return UnreadableRow({"_schema": [message]})
    return {name: cell.strip() or None for name, cell in zip(columns, cells, strict=True)}


def _json_rows(body: bytes) -> list:
    try:
        rows = json.loads(body)
    except (ValueError, RecursionError):
        raise HubError("The body is not valid JSON.", errors={"_schema": ["Invalid JSON body."]}) from None
    if not isinstance(rows, list):
        raise ValidationFailed(
            "Send a JSON array of row objects.", errors={"_schema": ["Must be an array of row objects."]}
        )
    return rows


# --- checking the rows -----------------------------------------------------------------------


def _load(schema: ParticipantImportRowSchema, raw) -> tuple[dict, dict]:
    """(the row's valid fields, its errors as field → messages)."""
    if isinstance(raw, UnreadableRow):
        return {}, dict(raw.messages)
    try:
        return schema.load(raw), {}
    except ValidationError as exc:
        valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        return valid, flatten_messages(exc.messages)


def _assess(number: int, raw, schema, existing: dict, seen: dict) -> tuple[dict, dict]:
    """The report line of one row, and its valid data."""
    data, errors = _load(schema, raw)
    ref = data.get("external_ref")
    if ref is not None and ref in seen:
        errors.setdefault("external_ref", []).append(f"Row {seen[ref]} already has this external_ref.")
    elif ref is not None:
        seen[ref] = number
    current = existing.get(ref)
    result = {
        "row": number,
        "external_ref": ref,
        "status": "error",
        "participant_id": None if current is None else current["id"],
        "changed": [],
        "errors": errors,
    }
    if errors:
        return result, data
    if current is None:
        result["status"] = "created"
        return result, data
    result["changed"] = [name for name in WRITABLE if name in data and data[name] != current[name]]
    result["status"] = "updated" if result["changed"] else "unchanged"
    return result, data


def _existing(institution_id: int) -> dict[str, dict]:
    """The institution's participants by reference, in one query (erased ones have none)."""
    columns = (Participant.id, Participant.version, *(getattr(Participant, name) for name in COLUMNS))
    rows = db.session.execute(
        sa.select(*columns).where(
            Participant.institution_id == institution_id, Participant.external_ref.is_not(None)
        )
    )
    return {row.external_ref: dict(row._mapping) for row in rows}


# --- writing ---------------------------------------------------------------------------------


def _write(institution_id: int, plan: list[tuple[dict, dict]], existing: dict) -> None:
    """Insert the new rows and update the changed ones in bulk; fill in the new ids."""
    now = utcnow()
    created = {result["external_ref"]: result for result, _ in plan if result["status"] == "created"}
    new_rows = [
        {**NEW_DEFAULTS, **data, "institution_id": institution_id, "created_at": now, "updated_at": now}
        for result, data in plan
        if result["status"] == "created"
    ]
    for values in new_rows:
        values.update(version=1, search_text=participant_search_text(values))
    if new_rows:
        # render_nulls: send None as NULL, so that every row shares one statement (batched by
        # SQLAlchemy's "insertmanyvalues") instead of one batch per pattern of missing values.
        insert = sa.insert(Participant).returning(Participant.id, Participant.external_ref)
        inserted = db.session.execute(insert.execution_options(render_nulls=True), new_rows)
        for participant_id, ref in inserted:
            created[ref]["participant_id"] = participant_id
    changes = [
        _update_values({**existing[result["external_ref"]], **data}, now)
        for result, data in plan
        if result["changed"]
    ]
    if changes:
        # With the version counter, SQLAlchemy matches `version` as read, sets it one higher, and
        # raises StaleDataError (a 409) when another request changed the row in between.
        db.session.execute(sa.update(Participant), changes)
    # Bulk writes bypass the per-object audit listener: one event per person, as a POST or PATCH leaves.
    audit.record_many(
        "participants",
        [("participants.create", r["participant_id"], {}) for r in created.values()]
        + [
            ("participants.update", r["participant_id"], {"fields": r["changed"]})
            for r, _ in plan
            if r["changed"]
        ],
    )


def _update_values(merged: dict, now) -> dict:
    values = {name: merged[name] for name in WRITABLE}
    values.update(id=merged["id"], version=merged["version"], updated_at=now)
    values["search_text"] = participant_search_text(merged)
    return values


# --- the import ------------------------------------------------------------------------------


def _summary(results: list[dict]) -> dict:
    summary = dict.fromkeys(("created", "updated", "unchanged", "error"), 0)
    for result in results:
        summary[result["status"]] += 1
    return summary


def import_rows(*, institution_id: int, rows: list, dry_run: bool) -> dict:
    """Check every row, then, unless this is a dry run or a row failed, write them all; flushes."""
    existing = _existing(institution_id)
    schema, seen = ParticipantImportRowSchema(), {}
    plan = [_assess(number, raw, schema, existing, seen) for number, raw in enumerate(rows, 1)]
    results = [result for result, _ in plan]
    summary = _summary(results)
    committed = not dry_run and not summary["error"]
    if committed:
        _write(institution_id, plan, existing)
        audit.record(
            "participants.import",
            object_type="participants",
            details={
                "institution_id": institution_id,
                "rows": len(rows),
                **{status: summary[status] for status in ("created", "updated", "unchanged")},
            },
        )
    report = {"dry_run": dry_run, "committed": committed, "summary": summary, "rows": results}
    if summary["error"] and not dry_run:
        raise _refusal(report)
    return report


def _refusal(report: dict) -> ImportRefused:
    failed = [result for result in report["rows"] if result["status"] == "error"]
    errors = {}
    for result in failed[:ERRORS_SHOWN]:
        errors.update(flatten_messages(result["errors"], f"rows.{result['row']}"))
    return ImportRefused(
        f"{len(failed)} of {len(report['rows'])} rows failed validation, so nothing was imported; "
        "`report` lists every row and `errors` the first failures.",
        errors=errors,
        extra={"report": report},
    )
