"""Test hook: the request log, every request the sandbox received and what it made of each.

Written by the server on its own loop and read from the test's thread, so it guards its state
with a lock.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from multidict import CIMultiDictProxy, MultiDictProxy

from kubesim.auth.attributes import Attributes


@dataclass(slots=True)
class Outcome:
    """What the server made of one request, filled in while it answers (read it once the
    client has its answer)."""

    user: str = ""
    """Who sent it, after impersonation (empty for a public path or a rejected token)."""
    attributes: Attributes | None = None
    """What the RBAC authorizer was asked (None for a privileged identity, which is not asked)."""
    impersonation: list[Attributes] = field(default_factory=list)
    """The ``impersonate`` checks made for the caller, one per Impersonate-* header value."""
    status: int | None = None
    """The answer's status code; None until the handler returned (a watch: its stream ended)."""


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the sandbox received it."""

    method: str
    path: str
    query: MultiDictProxy[str]
    """Parsed query (``r.query["labelSelector"]``; ``getall`` for repeated keys)."""
    headers: CIMultiDictProxy[str]
    """Case-insensitive; ``getall("Impersonate-Group")`` for repeated headers."""
    body: Any
    """Parsed JSON when the body is JSON, else the text (or None when empty)."""
    content_type: str
    at: float
    """``time.monotonic()`` when it arrived."""
    outcome: Outcome = field(default_factory=Outcome)
    """Who it was and how it was answered."""


def query_matches(have: Mapping[str, str], want: Mapping[str, str] | None) -> bool:
    return want is None or all(have.get(k) == v for k, v in want.items())


class RequestLog:
    """Every request the sandbox received, oldest first (bounded)."""

    def __init__(self, *, limit: int = 50_000) -> None:
        self._lock = threading.Lock()
        self._items: deque[RecordedRequest] = deque(maxlen=limit)

    def record(self, request: RecordedRequest) -> None:
        """Append one request (called by the server)."""
        with self._lock:
            self._items.append(request)

    def all(self) -> list[RecordedRequest]:
        """A snapshot of the log."""
        with self._lock:
            return list(self._items)

    def matching(
        self,
        *,
        method: str | None = None,
        path: str | re.Pattern[str] | None = None,
        query: Mapping[str, str] | None = None,
        header: Mapping[str, str] | None = None,
    ) -> list[RecordedRequest]:
        """Requests with this method, path (exact, or a compiled pattern searched) and query."""
        found = []
        for r in self.all():
            if method is not None and r.method != method.upper():
                continue
            if isinstance(path, str) and r.path != path:
                continue
            if isinstance(path, re.Pattern) and not path.search(r.path):
                continue
            if not query_matches(r.query, query) or not query_matches(r.headers, header):
                continue
            found.append(r)
        return found

    def clear(self) -> None:
        """Forget everything recorded so far."""
        with self._lock:
            self._items.clear()

    @property
    def last(self) -> RecordedRequest:
        """The most recent request (IndexError when none)."""
        with self._lock:
            return self._items[-1]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.all())
