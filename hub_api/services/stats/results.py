"""Rendered statistics kept by ETag, so dashboards polling the same figures share one computation."""

import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION = "hub_stats_results"


@dataclass(frozen=True)
class Rendered:
    """A statistic as sent: body, media type and the download name of a CSV (None for JSON)."""

    body: bytes
    mimetype: str
    filename: str | None = None


class ResultCache:
    """Least recently used entries leave first, so the bodies kept stay within `budget` bytes.

    A key is a statistic's ETag, which names the data version it was computed from: a write
    changes every key, so an entry is never stale, only unused until it is evicted."""

    def __init__(self, budget: int):
        self._budget = budget
        self._entries: OrderedDict[str, Rendered] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Rendered | None:
        """The entry under `key`, now the most recently used; None if there is none."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Rendered) -> None:
        """Keep `entry` under `key`, evicting the least recently used; a body over budget is not kept."""
        if len(entry.body) > self._budget:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._size -= len(previous.body)
            self._entries[key] = entry
            self._size += len(entry.body)
            while self._size > self._budget:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted.body)

    def clear(self) -> None:
        """Forget every entry (after the database was replaced under a running app)."""
        with self._lock:
            self._entries.clear()
            self._size = 0


def install(app: Flask) -> None:
    """Give the app its cache, sized by HUB_STATS_CACHE_MB (0 keeps nothing)."""
    app.extensions[EXTENSION] = ResultCache(app.config["HUB_STATS_CACHE_MB"] * 1024 * 1024)


def results() -> ResultCache:
    """The current app's cache of rendered statistics."""
    return current_app.extensions[EXTENSION]
