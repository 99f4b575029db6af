"""etcd, as the sandbox keeps it: every object indexed per type, namespace and name, one
cluster-wide resourceVersion, and the change feed each committed write is published to.

Objects are plain JSON dicts, replaced (never mutated) on every write, so readers on the same loop
may hold the stored dicts while they serialise them. The feed (``changes.ChangeFeed``) is a bounded
history (for watch resume and 410 Gone), the server's watch taps (synchronously) and the
subscribers (controllers, via ``loop.call_soon``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kubesim.api import status
from kubesim.api.resource_type import ResourceType
from kubesim.api.resources import REGISTRY
from kubesim.selectors.fields import FieldSelector, parse_fields
from kubesim.selectors.labels import parse_labels
from kubesim.selectors.requirements import LabelSelector
from kubesim.storage.changes import Change, ChangeFeed, Changes, Subscriber
from kubesim.storage.jsoncopy import clone, copied

Obj = dict[str, Any]


class Etcd:
    """The stored objects and their history; the write rules are the Store's."""

    def __init__(self, *, history: int = 10_000) -> None:
        self._rv = 0
        self._data: dict[str, dict[str, dict[str, Obj]]] = {rt.key: {} for rt in REGISTRY}
        self._types = {rt.key: rt for rt in REGISTRY}
        """Every type ever written, custom resources included (namespace deletion empties all)."""
        self._feed = ChangeFeed(history=history)

    # --- reads -----------------------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        """The RV of the last committed write."""
        return self._rv

    def find(self, rt: ResourceType, namespace: str | None, name: str) -> Obj | None:
        """A copy of the object, or None."""
        found = self._data.get(rt.key, {}).get(namespace or "", {}).get(name)
        return copied(found) if found is not None else None

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> Obj:
        """A copy of the object; 404 ``ApiError`` when missing."""
        found = self.find(rt, namespace, name)
        if found is None:
            raise status.not_found(rt.plural, rt.group, name)
        return found

    def peek(self, rt: ResourceType, namespace: str | None, name: str) -> Obj | None:
        """The stored object itself (read-only!), for the server's serialisation fast path."""
        return self._data.get(rt.key, {}).get(namespace or "", {}).get(name)

    def scan(
        self,
        rt: ResourceType,
        namespace: str | None = None,
        *,
        labels: LabelSelector | None = None,
        fields: FieldSelector | None = None,
        after: tuple[str, str] | None = None,
    ) -> Iterator[Obj]:
        """Stored objects (read-only!) sorted by namespace/name, optionally after a key."""
        table = self._data.get(rt.key, {})
        pinned = fields.exact("metadata.name") if fields else None
        namespaces = [namespace or ""] if namespace is not None else sorted(table)
        for ns in namespaces:
            if after is not None and ns < after[0]:
                continue
            bucket = table.get(ns)
            if not bucket:
                continue
            names = [pinned] if pinned is not None else sorted(bucket)
            for name in names:
                if after is not None and (ns, name) <= after:
                    continue
                obj = bucket.get(name)
                if obj is None:
                    continue
                if labels is not None and not labels.matches(obj["metadata"].get("labels")):
                    continue
                if fields is not None and not fields.matches(obj):
                    continue
                yield obj

    def list(
        self,
        rt: ResourceType,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[Obj]:
        """Copies of the matching objects, sorted by namespace/name."""
        labels = parse_labels(label_selector) if label_selector else None
        fields = parse_fields(field_selector, rt) if field_selector else None
        return [clone(o) for o in self.scan(rt, namespace, labels=labels, fields=fields)]

    def count(self, rt: ResourceType) -> int:
        """How many objects of a type are stored."""
        return sum(len(b) for b in self._data.get(rt.key, {}).values())

    # --- change feeds (kept in changes.ChangeFeed) --------------------------------------------

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Call ``fn(type, rt, obj_copy)`` after every committed write (via ``call_soon``)."""
        return self._feed.subscribe(fn)

    def tap(self, fn: Callable[[Change], None]) -> Callable[[], None]:
        """Server-only: ``fn(change)`` synchronously inside each commit (it must only enqueue)."""
        return self._feed.tap(fn)

    @property
    def oldest_resource_version(self) -> int:
        """Changes after this RV are all still in the history."""
        return self._feed.oldest_resource_version

    def changes_since(self, rv: int) -> Changes:
        """Committed changes with RV > ``rv``; 410 Expired when some were already dropped."""
        return self._feed.changes_since(rv)

    # --- commits ---------------------------------------------------------------------------

    def _orphan_dependents(self, owner: Obj) -> None:
        uid = owner["metadata"]["uid"]
        for rt in list(self._types.values()):
            for obj in list(self.scan(rt)):
                refs = obj["metadata"].get("ownerReferences") or []
                if any(r.get("uid") == uid for r in refs):
                    freed = copied(obj)
                    kept = [r for r in refs if r.get("uid") != uid]
                    if kept:
                        freed["metadata"]["ownerReferences"] = kept
                    else:
                        del freed["metadata"]["ownerReferences"]
                    self._commit("MODIFIED", rt, freed, obj)

    def _empty_namespace(self, namespace: str) -> None:
        for rt in list(self._types.values()):
            if rt.namespaced:
                for obj in list(self._data[rt.key].get(namespace, {}).values()):
                    self._remove(rt, obj)

    def _remove(self, rt: ResourceType, obj: Obj) -> Obj:
        gone = dict(obj)
        gone["metadata"] = dict(obj["metadata"])
        return self._commit("DELETED", rt, gone, None)

    def _commit(self, kind: str, rt: ResourceType, obj: Obj, old: Obj | None) -> Obj:
        self._rv += 1
        meta = obj["metadata"]
        meta["resourceVersion"] = str(self._rv)
        namespace, name = meta.get("namespace") or "", meta["name"]
        self._types.setdefault(rt.key, rt)
        table = self._data.setdefault(rt.key, {})
        if kind == "DELETED":
            bucket = table.get(namespace, {})
            bucket.pop(name, None)
            if not bucket:
                table.pop(namespace, None)
        else:
            table.setdefault(namespace, {})[name] = obj
        self._feed.publish(Change(self._rv, kind, rt, obj, old))
        return obj
