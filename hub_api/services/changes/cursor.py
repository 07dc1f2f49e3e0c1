"""Opaque feed cursors: a position (transaction id, entry id) that only this feed hands out."""

import base64
import binascii
from dataclasses import dataclass

PREFIX = "c1."


@dataclass(frozen=True, order=True)
class Position:
    """Where a reader stands: after every entry up to (txid, id). SQLite entries have txid 0."""

    txid: int
    id: int

    def encode(self) -> str:
        """The cursor clients send back as `after`."""
        raw = f"{self.txid}.{self.id}".encode()
        return PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


START = Position(-1, 0)


def decode(cursor: str) -> Position:
    """The position a cursor stands for; ValueError if this feed did not hand it out."""
    if not cursor.startswith(PREFIX):
        raise ValueError(cursor)
    body = cursor[len(PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii")
        txid, entry = (int(part) for part in raw.split("."))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(cursor) from exc
    if txid < 0 or entry < 0:
        raise ValueError(cursor)
    return Position(txid, entry)
