"""Today's date in one place, so date-driven rules (expiry) can be tested with a fixed clock."""

from datetime import UTC, date, datetime


def today() -> date:
    """The current UTC date."""
    return datetime.now(UTC).date()
