"""Content-addressed file store for agreement documents: each file is named by its SHA-256."""

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

CHUNK_BYTES = 1 << 20
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
TEMP_PREFIX = ".incoming-"


@dataclass(frozen=True)
class StoredFile:
    """What the store keeps about a file it has written: its hash and its size."""

    sha256: str
    size_bytes: int


class DocumentStore:
    """Files under `root` at `<root>/<sha[:2]>/<sha>`: the same bytes are always the same file."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        """Where the file with this hash lives (whether or not it is there)."""
        if not SHA256_PATTERN.match(sha256):
            raise ValueError(f"not a lowercase hex SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def save(self, stream: BinaryIO) -> StoredFile:
        """Copy `stream` (from its current position) into the store atomically; return hash and size.

        The bytes go to a temporary file in the store, are flushed to disk, and only then
        renamed into place with `os.replace`, so a reader never sees a partial file."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(dir=self.root, prefix=TEMP_PREFIX)
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK_BYTES):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            target = self.path_for(digest.hexdigest())
            target.parent.mkdir(exist_ok=True)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _sync_directory(target.parent)
        return StoredFile(sha256=digest.hexdigest(), size_bytes=size)

    def exists(self, sha256: str) -> bool:
        """Whether the file with this hash is in the store."""
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """The stored file, opened for reading; `FileNotFoundError` when it is missing."""
        return self.path_for(sha256).open("rb")

    def remove(self, sha256: str) -> None:
        """Delete the file with this hash, if present, and its shard directory once empty."""
        path = self.path_for(sha256)
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only succeeds when no other file shares the shard


def _sync_directory(directory: Path) -> None:
    """Make a rename durable where the platform allows opening directories (POSIX)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def current_store() -> DocumentStore:
    """The store at `HUB_DOCUMENT_DIR`, read from the app's settings at call time."""
    return DocumentStore(current_app.config["HUB_DOCUMENT_DIR"])
