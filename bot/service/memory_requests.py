"""Pending requests kept in one process: the store of tests, and of a bot without a cluster."""

from __future__ import annotations

import threading
from datetime import datetime

from bot.core.pending import StoredRequest


class MemoryRequests:
    """``PendingRequests`` in one process, for tests and for a bot without a cluster store."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[str, int, datetime]] = {}
        self._lock = threading.Lock()

    def create(self, key: str, record: str, *, expires: datetime) -> None:
        with self._lock:
            self._items[key] = (record, 1, expires)

    def read(self, key: str) -> StoredRequest | None:
        with self._lock:
            found = self._items.get(key)
        return None if found is None else StoredRequest(found[0], str(found[1]))

    def replace(self, key: str, record: str, *, version: str, expires: datetime) -> str | None:
        with self._lock:
            found = self._items.get(key)
            if found is None or str(found[1]) != version:
                return None
            self._items[key] = (record, found[1] + 1, expires)
            return str(found[1] + 1)

    def collect(self, before: datetime) -> int:
        with self._lock:
            gone = [key for key, (_, _, expires) in self._items.items() if expires < before]
            for key in gone:
                del self._items[key]
        return len(gone)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
