"""CSV that spreadsheets open cleanly: UTF-8 with a BOM, and no cell that runs as a formula."""

import csv
import io

# A text cell starting with one of these would be read as a formula by Excel or LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value) -> str:
    """One value as CSV text: empty for None, lists `;`-joined, risky text prefixed with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = ";".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def render_csv(columns: list[str], lines: list[dict]) -> bytes:
    """A header row of `columns`, then one row per line (missing keys are empty cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell_text(name) for name in columns])
    for line in lines:
        writer.writerow([cell_text(line.get(name)) for name in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
