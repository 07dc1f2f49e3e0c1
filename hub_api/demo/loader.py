"""Idempotent loader of the demo data set (stub: a helper is filling it in)."""


def load_demo() -> str:
    """Load or refresh the demo institutions and contacts; return a one-line summary."""
    return "no demo data yet"


def reset_demo_accounts(password: str) -> list[tuple[str, str]]:
    """Create or reset the demo accounts with `password`; return (email, role) pairs."""
    return []
