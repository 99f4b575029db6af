"""The controllers' shared view of the cluster, like client-go's informer cache and indexers.

Reconciling one object must not scan the cluster (10,000 pods would make every event O(N)), so
the cache keeps the objects the controllers care about, indexed by uid and by owner uid. It is fed
by Store events and written through by the controllers' own writes, because Store events arrive a
loop tick after the write: without write-through a ReplicaSet synced twice in one tick would
create its pods twice (client-go solves the same problem with "expectations").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubesim.storage.storeport import Obj

Key = tuple[str, str]
"""(namespace, name); the namespace is "" for cluster-scoped objects."""

Ref = tuple[str, Key]
"""(kind, key): enough to find a cached object again."""

KINDS = (
    "Namespace",
    "Node",
    "CronJob",
    "Job",
    "StatefulSet",
    "DaemonSet",
    "ControllerRevision",
    "Deployment",
    "ReplicaSet",
    "Pod",
    "PersistentVolumeClaim",  # for the garbage collector: a StatefulSet's claims may be owned
)


def key_of(obj: Obj) -> Key:
    """The cache key of an object."""
    meta = obj.get("metadata", {})
    return (meta.get("namespace") or "", meta.get("name", ""))


def uid_of(obj: Obj) -> str:
    """``metadata.uid`` or ""."""
    return str(obj.get("metadata", {}).get("uid", ""))


def rv_of(obj: Obj) -> int:
    """``metadata.resourceVersion`` as an int (0 when absent or unparsable)."""
    try:
        return int(obj.get("metadata", {}).get("resourceVersion", 0))
    except (TypeError, ValueError):
        return 0


def controller_ref(obj: Obj) -> dict[str, Any] | None:
    """The ownerReference with ``controller: true``, if any."""
    for ref in obj.get("metadata", {}).get("ownerReferences") or ():
        if ref.get("controller"):
            return dict(ref)
    return None


def _owner_uids(obj: Obj) -> set[str]:
    return {
        str(ref.get("uid"))
        for ref in obj.get("metadata", {}).get("ownerReferences") or ()
        if ref.get("uid")
    }


class Cache:
    """Latest known version of each object of the :data:`KINDS` the controllers follow."""

    def __init__(self) -> None:
        self._objects: dict[str, dict[Key, Obj]] = {kind: {} for kind in KINDS}
        self._uids: dict[str, Ref] = {}
        self._children: dict[str, set[Ref]] = {}
        # uids we deleted ourselves: ignore their late ADDED/MODIFIED events until DELETED.
        self._tombstones: set[str] = set()

    def apply(self, event_type: str, kind: str, obj: Obj) -> bool:
        """Fold a Store event (or our own write) in; False when it is older than what we hold."""
        if kind not in self._objects:
            return False
        uid = uid_of(obj)
        if event_type == "DELETED":
            self._tombstones.discard(uid)
            self._remove(kind, key_of(obj), uid)
            return True
        if uid in self._tombstones:
            return False
        key = key_of(obj)
        current = self._objects[kind].get(key)
        if current is not None and uid_of(current) == uid and rv_of(current) > rv_of(obj):
            return False
        if current is not None:
            self._unindex(kind, key, current)
        self._objects[kind][key] = obj
        self._uids[uid] = (kind, key)
        for owner in _owner_uids(obj):
            self._children.setdefault(owner, set()).add((kind, key))
        return True

    def forget(self, kind: str, obj: Obj) -> None:
        """We deleted ``obj``: drop it now and ignore its in-flight events."""
        uid = uid_of(obj)
        self._tombstones.add(uid)
        self._remove(kind, key_of(obj), uid)

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        """The cached object, or None."""
        return self._objects[kind].get((namespace, name))

    def by_uid(self, uid: str) -> Obj | None:
        """The cached object with this uid, or None."""
        ref = self._uids.get(uid)
        return None if ref is None else self._objects[ref[0]].get(ref[1])

    def dependents(self, owner_uid: str, kind: str | None = None) -> list[Obj]:
        """Cached objects listing ``owner_uid`` in their ownerReferences."""
        found: list[Obj] = []
        for ref_kind, key in self._children.get(owner_uid, ()):
            if kind is None or ref_kind == kind:
                obj = self._objects[ref_kind].get(key)
                if obj is not None:
                    found.append(obj)
        return found

    def controlled(self, owner_uid: str, kind: str) -> list[Obj]:
        """Dependents of ``kind`` whose *controller* reference is ``owner_uid``."""
        return [
            obj
            for obj in self.dependents(owner_uid, kind)
            if (ref := controller_ref(obj)) is not None and ref.get("uid") == owner_uid
        ]

    def all(self, kind: str) -> Iterator[Obj]:
        """Every cached object of a kind (for start-up and node changes only)."""
        return iter(list(self._objects[kind].values()))

    def _remove(self, kind: str, key: Key, uid: str) -> None:
        current = self._objects[kind].get(key)
        if current is None or uid_of(current) != uid:
            return
        self._unindex(kind, key, current)
        del self._objects[kind][key]

    def _unindex(self, kind: str, key: Key, obj: Obj) -> None:
        uid = uid_of(obj)
        if self._uids.get(uid) == (kind, key):
            del self._uids[uid]
        for owner in _owner_uids(obj):
            children = self._children.get(owner)
            if children is not None:
                children.discard((kind, key))
                if not children:
                    del self._children[owner]
