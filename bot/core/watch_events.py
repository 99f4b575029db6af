"""What a watch reports (typed change events), and the ledger that recovers what a 410 lost.

A watch that meets 410 Gone has lost every change between its last resourceVersion and now; the
only way back is a fresh list compared with what was already reported (client-go's Reflector
does the same "replace"). The comparison is pure, so it lives here and is tested as a table. The
ledger keeps one small record per object (namespace, name, resourceVersion by uid), never the
object itself, so its memory stays flat when a notifier watches thousands of Deployments.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.core import kube
from bot.core.kube import Obj


class EventType(enum.StrEnum):
    """The changes a watch reports; bookmarks and errors are handled by the watch itself."""

    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"


class Origin(enum.StrEnum):
    """Where a change came from."""

    LIST = "list"
    """The first list: the state when the watch began, one ADDED per object."""
    WATCH = "watch"
    """An event the server streamed."""
    RELIST = "relist"
    """Inferred by comparing a re-list (after 410 Gone) with what was seen: the steps between
    the last state reported and this one were missed."""


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One change of one object."""

    type: EventType
    object: Obj
    """The object as the server sent it; for a DELETED the re-list inferred, only its
    ``metadata`` (uid, name, namespace, last resourceVersion seen)."""
    resource_version: str
    """The object's ``metadata.resourceVersion`` (opaque: compare for equality only)."""
    origin: Origin = Origin.WATCH


@dataclass(frozen=True, slots=True)
class _Seen:
    namespace: str
    name: str
    resource_version: str


def _key(obj: Obj) -> str:
    uid = kube.text(obj, "metadata", "uid")
    if uid:
        return uid
    return f"{kube.text(obj, 'metadata', 'namespace')}/{kube.name_of(obj)}"


def _seen(obj: Obj) -> _Seen:
    meta = kube.mapping(obj, "metadata")
    namespace = sys.intern(kube.text(meta, "namespace"))  # thousands of objects share a few
    return _Seen(namespace, kube.text(meta, "name"), kube.text(meta, "resourceVersion"))


def _stub(key: str, seen: _Seen) -> Obj:
    meta: Obj = {"name": seen.name, "resourceVersion": seen.resource_version}
    if seen.namespace:
        meta["namespace"] = seen.namespace
    if "/" not in key:
        meta["uid"] = key
    return {"metadata": meta}


class Ledger:
    """The objects a watch has reported alive, by uid, with the resourceVersion last reported."""

    def __init__(self) -> None:
        self._seen: dict[str, _Seen] = {}

    def __len__(self) -> int:
        return len(self._seen)

    def observe(self, kind: EventType, obj: Obj) -> bool:
        """Record a streamed change; False when it repeats what was already reported.

        A repeat is an ADDED/MODIFIED at the resourceVersion already seen, or a DELETED of an
        object not known alive (a re-list already reported it gone).
        """
        key = _key(obj)
        if kind is EventType.DELETED:
            return self._seen.pop(key, None) is not None
        seen = _seen(obj)
        known = self._seen.get(key)
        if known is not None and known.resource_version == seen.resource_version:
            return False
        self._seen[key] = seen
        return True

    def replace(self, listed: Iterable[Obj]) -> Iterator[tuple[EventType, Obj]]:
        """The changes that turn what was seen into ``listed`` (a full list, possibly streamed).

        New objects are ADDED, objects at another resourceVersion MODIFIED, and, once ``listed``
        is exhausted, objects it lacks DELETED (as metadata stubs). If ``listed`` raises midway,
        nothing is reported gone and a later full ``replace`` picks up from where this one was.
        """
        present: set[str] = set()
        for obj in listed:
            key = _key(obj)
            present.add(key)
            seen = _seen(obj)
            known = self._seen.get(key)
            self._seen[key] = seen
            if known is None:
                yield EventType.ADDED, obj
            elif known.resource_version != seen.resource_version:
                yield EventType.MODIFIED, obj
        for key in [k for k in self._seen if k not in present]:
            yield EventType.DELETED, _stub(key, self._seen.pop(key))
