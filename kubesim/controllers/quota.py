"""The resource quota controller: ``status.used`` of every ResourceQuota, recomputed per namespace.

kube-controller-manager's quota controller sets ``status.hard`` to the spec and ``status.used`` for
each hard resource from the namespace's objects: non-terminal pods (``pods``, ``requests.cpu`` or
``cpu``, ``requests.memory`` or ``memory``, ``limits.*``), object counts (``services``,
``configmaps``, ``secrets``, ``persistentvolumeclaims``, ``count/<resource>[.<group>]``) and
claimed storage (``requests.storage``). ``kubectl describe quota`` and ``describe namespace`` print
those two maps. Writes happen only when the usage changed. What each object counts is
``kubesim.admission.resource_usage``'s, which the ResourceQuota admission plugin shares.
"""

from __future__ import annotations

from typing import Final

from kubesim.admission import resource_usage
from kubesim.api.resource_type import ResourceType
from kubesim.api.resources import by_kind
from kubesim.machinery.clock import Clock
from kubesim.machinery.workqueue import WorkQueue
from kubesim.storage.storeport import Obj, StorePort

QUOTA: Final = by_kind("ResourceQuota")
_UNCOUNTED: Final = frozenset({"Event", "Lease", "EndpointSlice", "Endpoints"})
"""Kinds whose churn never changes a quota here (no quota counts them in practice)."""


def usage(store: StorePort, quota: Obj) -> dict[str, str]:
    """``status.used`` for the resources ``quota`` limits, from its namespace's objects."""
    namespace = str(quota["metadata"].get("namespace", ""))
    return resource_usage.namespace_usage(quota, lambda rt: store.list(rt, namespace))


def settled_status(store: StorePort, quota: Obj) -> Obj:
    """The status the controller would write for ``quota``."""
    hard = {str(k): str(v) for k, v in ((quota.get("spec") or {}).get("hard") or {}).items()}
    return {"hard": hard, "used": usage(store, quota)}


class QuotaController:
    """Keeps every quota's usage current; work is keyed by namespace."""

    def __init__(self, store: StorePort, clock: Clock) -> None:
        self._store = store
        self.queue: WorkQueue[str] = WorkQueue("resourcequota", self._sync, clock)

    def on_event(self, rt: ResourceType, obj: Obj) -> None:
        """An object changed: its namespace's quotas may need a new ``used``."""
        namespace = (obj.get("metadata") or {}).get("namespace")
        if namespace and rt.kind not in _UNCOUNTED:
            self.queue.add(str(namespace))

    def _sync(self, namespace: str) -> None:
        for quota in self._store.list(QUOTA, namespace):
            status = settled_status(self._store, quota)
            if quota.get("status") == status:
                continue

            def put(target: Obj, status: Obj = status) -> None:
                target["status"] = status

            self._store.mutate(
                QUOTA, namespace, quota["metadata"]["name"], put, subresource="status"
            )
