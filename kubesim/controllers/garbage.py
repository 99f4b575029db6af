"""The garbage collector: dependents whose owners are gone are deleted (Background propagation).

Deleting a Deployment removes it at once; this then deletes its ReplicaSets, whose removal in turn
deletes their pods (gracefully, so they pass through Terminating). An owner is only declared gone
after a live Store lookup by kind, name and uid, as the real collector verifies before deleting;
a dependent with some owners left just loses the dangling references.
"""

from __future__ import annotations

from kubesim.api.resource_type import ResourceType
from kubesim.api.resources import by_kind
from kubesim.machinery.clock import Clock
from kubesim.machinery.informer import Cache, Key, key_of, uid_of
from kubesim.machinery.workqueue import WorkQueue
from kubesim.storage.storeport import Obj, StorePort

Dependent = tuple[str, Key]


class GarbageCollector:
    """Collects orphaned dependents among the cached kinds."""

    def __init__(self, store: StorePort, cache: Cache, clock: Clock) -> None:
        self._store = store
        self._cache = cache
        self.queue: WorkQueue[Dependent] = WorkQueue("garbage-collector", self._collect, clock)

    def owner_deleted(self, uid: str) -> None:
        """An object went away: look at everything it owned."""
        for obj in self._cache.dependents(uid):
            self.queue.add((str(obj.get("kind", "")), key_of(obj)))

    def check(self, kind: str, obj: Obj) -> None:
        """A new dependent: queue it if an owner is not known to exist."""
        for ref in obj.get("metadata", {}).get("ownerReferences") or ():
            if self._cache.by_uid(str(ref.get("uid", ""))) is None:
                self.queue.add((kind, key_of(obj)))
                return

    def _collect(self, dependent: Dependent) -> None:
        kind, (namespace, name) = dependent
        obj = self._cache.get(kind, namespace, name)
        if obj is None or obj.get("metadata", {}).get("deletionTimestamp"):
            return
        refs = obj.get("metadata", {}).get("ownerReferences") or []
        dangling = [r for r in refs if not self._owner_exists(r, namespace)]
        if not dangling:
            return
        rt = by_kind(kind)
        if len(dangling) < len(refs):
            gone = {str(r.get("uid")) for r in dangling}

            def unlink(target: Obj) -> None:
                kept = target["metadata"].get("ownerReferences") or []
                target["metadata"]["ownerReferences"] = [
                    r for r in kept if str(r.get("uid")) not in gone
                ]

            self._cache.apply(
                "MODIFIED", kind, self._store.mutate(rt, namespace or None, name, unlink)
            )
            return
        deleted = self._store.delete(rt, namespace or None, name)
        still = self._store.find(rt, namespace or None, name)
        if still is not None and uid_of(still) == uid_of(obj):
            self._cache.apply("MODIFIED", kind, still)
        else:
            self._cache.forget(kind, deleted)
        self.owner_deleted(uid_of(obj))

    def _owner_exists(self, ref: dict[str, object], namespace: str) -> bool:
        try:
            rt: ResourceType = by_kind(str(ref.get("kind", "")))
        except KeyError:
            return True  # a kind we do not serve: never collect on its account
        found = self._store.find(rt, namespace if rt.namespaced else None, str(ref.get("name", "")))
        return found is not None and uid_of(found) == ref.get("uid")
