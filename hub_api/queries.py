"""Filter expressions shared by the list services, portable to SQLite and PostgreSQL."""

import sqlalchemy as sa


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so user text matches literally (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_matches(search_column, query: str):
    """A case-folded `search_text` column contains the user's text, Cyrillic included."""
    return search_column.like(f"%{escape_like(query.casefold())}%", escape="\\")


def json_list_contains(column, value: str):
    """A JSON list of short strings holds this value."""
    return sa.cast(column, sa.Text).like(f'%"{escape_like(value)}"%', escape="\\")
