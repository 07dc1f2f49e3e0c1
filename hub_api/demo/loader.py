"""Placeholder replaced below."""


def load_demo() -> str:
    """Load the demo data."""
    return "nothing"
