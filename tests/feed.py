"""The change feed as a partner reads it in tests: page by page, once the writes have settled."""

import time
from dataclasses import dataclass

import sqlalchemy as sa

URL = "/api/v1/changes"
# Other test workers share the server; a bulk load there (hub-api generate) holds one write
# transaction open for many seconds, and with it every feed's horizon.
SETTLE_SECONDS = 120


def settle(engine) -> None:
    """Wait until every transaction that began before now has ended (PostgreSQL).

    The feed reads behind the oldest transaction still running anywhere on the server, and the
    other test worker's transactions run on the same server: a write is in the feed once every
    transaction older than it has ended, which takes milliseconds."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        mark = connection.scalar(sa.text("SELECT pg_current_xact_id()::text::bigint"))
    deadline = time.monotonic() + SETTLE_SECONDS
    query = sa.text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint > :mark")
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.scalar(query, {"mark": mark}):
                return
        time.sleep(0.01)
    raise AssertionError("a transaction older than the test's writes is still running")


@dataclass
class Feed:
    """The change feed as a partner reads it, once the writes so far have settled."""

    client: object
    engine: object

    def read(self, headers: dict, *, settle_first: bool = True, **params) -> dict:
        """One page; first waiting for the writes so far to settle, unless told not to."""
        if settle_first:
            settle(self.engine)
        response = self.client.get(URL, headers=headers, query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    def walk(
        self, headers: dict, after: str | None = None, *, settle: bool = True, **params
    ) -> tuple[list[tuple], str]:
        """Every entry from `after` on, page by page: ((type, id, op) ...), and the last cursor."""
        seen = []
        while True:
            page = self.read(headers, settle_first=settle, **({"after": after} if after else {}), **params)
            seen += [(item["type"], item["id"], item["op"]) for item in page["items"]]
            after = page["next_cursor"]
            if len(page["items"]) < int(params.get("limit", 100)):
                return seen, after

    def now(self, headers: dict) -> str:
        """A cursor after everything written so far."""
        return self.walk(headers)[1]
