"""Where the store's committed writes go: a bounded history, the server's taps, the subscribers.

The store decides *what* is written; this feed decides *who hears of it and when*. Watch streams
resume from the history (410 Gone once it has moved past their resourceVersion), the server's
taps see each change synchronously inside the commit, and controllers hear of it on the next
loop iteration (``loop.call_soon``), never re-entrantly inside a write.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubesim.api import status
from kubesim.api.resource_type import ResourceType
from kubesim.storage.jsoncopy import clone

Obj = dict[str, Any]
Subscriber = Callable[[str, ResourceType, Obj], None]


@dataclass(frozen=True, slots=True)
class Change:
    """One committed write, as watch streams replay it."""

    rv: int
    type: str
    """``ADDED``, ``MODIFIED`` or ``DELETED``."""
    rt: ResourceType
    obj: Obj
    """The stored object after the write (for DELETED: its last state at the delete's RV)."""
    old: Obj | None
    """The object before a MODIFIED write, so selector watches can synthesise transitions."""


Changes = list[Change]


class ChangeFeed:
    """The committed changes of one store, kept and handed on."""

    def __init__(self, *, history: int) -> None:
        self._history: deque[Change] = deque(maxlen=max(1, history))
        self._floor = 0
        self._subscribers: list[Subscriber] = []
        self._taps: list[Callable[[Change], None]] = []

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Call ``fn(type, rt, obj_copy)`` after every committed write (via ``call_soon``)."""
        self._subscribers.append(fn)

        def unsubscribe() -> None:
            if fn in self._subscribers:
                self._subscribers.remove(fn)

        return unsubscribe

    def tap(self, fn: Callable[[Change], None]) -> Callable[[], None]:
        """Server-only: ``fn(change)`` synchronously inside each commit (it must only enqueue)."""
        self._taps.append(fn)

        def untap() -> None:
            if fn in self._taps:
                self._taps.remove(fn)

        return untap

    @property
    def oldest_resource_version(self) -> int:
        """Changes after this RV are all still in the history."""
        return self._floor

    def changes_since(self, rv: int) -> Changes:
        """Committed changes with RV > ``rv``; 410 Expired when some were already dropped."""
        if rv < self._floor:
            raise status.gone(f"too old resource version: {rv} ({self._floor})")
        found: Changes = []
        for change in reversed(self._history):
            if change.rv <= rv:
                break
            found.append(change)
        found.reverse()
        return found

    def publish(self, change: Change) -> None:
        """Record a just-committed change and hand it to the taps, then to the subscribers."""
        if len(self._history) == self._history.maxlen:
            self._floor = self._history[0].rv
        self._history.append(change)
        for tap in list(self._taps):
            tap(change)
        if self._subscribers:
            self._notify(change.type, change.rt, change.obj)

    def _notify(self, kind: str, rt: ResourceType, obj: Obj) -> None:
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        for fn in list(self._subscribers):
            if loop is None:
                fn(kind, rt, clone(obj))
            else:
                loop.call_soon(fn, kind, rt, clone(obj))
