"""The resource quota controller: ``status.used`` of every ResourceQuota, recomputed per namespace.

kube-controller-manager's quota controller sets ``status.hard`` to the spec and ``status.used`` for
each hard resource from the namespace's objects: non-terminal pods (``pods``, ``requests.cpu`` or
``cpu``, ``requests.memory`` or ``memory``, ``limits.*``), object counts (``services``,
``configmaps``, ``secrets``, ``persistentvolumeclaims``, ``count/<resource>[.<group>]``) and
claimed storage (``requests.storage``). ``kubectl describe quota`` and ``describe namespace`` print
those two maps. Writes happen only when the usage changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from kubesim.api import quantity
from kubesim.api.quantity import Quantity
from kubesim.api.resources import REGISTRY, ResourceType, by_kind
from kubesim.machinery.clock import Clock
from kubesim.machinery.workqueue import WorkQueue
from kubesim.storage.storeport import Obj, StorePort

QUOTA: Final = by_kind("ResourceQuota")
POD: Final = by_kind("Pod")
_COUNTED: Final = {
    "services": by_kind("Service"),
    "configmaps": by_kind("ConfigMap"),
    "secrets": by_kind("Secret"),
    "persistentvolumeclaims": by_kind("PersistentVolumeClaim"),
    "pods": POD,
}
_BY_COUNT_NAME: Final = {f"count/{rt.key}": rt for rt in REGISTRY if rt.namespaced}
WATCHED: Final = frozenset({"Pod", "Service", "ConfigMap", "Secret", "PersistentVolumeClaim"})


def _terminal(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _containers(pod: Obj) -> Iterable[Obj]:
    return (pod.get("spec") or {}).get("containers") or ()


def _pod_sum(pods: list[Obj], field: str, name: str, like: Quantity) -> Quantity:
    terms = [
        quantity.parse(((c.get("resources") or {}).get(field) or {}).get(name))
        for pod in pods
        for c in _containers(pod)
        if name in ((c.get("resources") or {}).get(field) or {})
    ]
    return quantity.total(terms, like=like)


def usage(store: StorePort, namespace: str, hard: dict[str, str]) -> dict[str, str]:
    """``status.used`` for the resources named in ``hard``, from ``namespace``'s objects."""
    cache: dict[str, list[Obj]] = {}

    def objects(rt: ResourceType) -> list[Obj]:
        if rt.key not in cache:
            cache[rt.key] = store.list(rt, namespace)
        return cache[rt.key]

    used: dict[str, str] = {}
    for name, limit in hard.items():
        like = quantity.parse(limit)
        pods = [p for p in objects(POD) if not _terminal(p)]
        if name in ("pods", "count/pods"):
            used[name] = str(len(pods))
        elif name in _COUNTED:
            used[name] = str(len(objects(_COUNTED[name])))
        elif name in _BY_COUNT_NAME:
            used[name] = str(len(objects(_BY_COUNT_NAME[name])))
        elif name in ("cpu", "memory", "requests.cpu", "requests.memory"):
            used[name] = str(_pod_sum(pods, "requests", name.rpartition(".")[2], like))
        elif name in ("limits.cpu", "limits.memory"):
            used[name] = str(_pod_sum(pods, "limits", name.rpartition(".")[2], like))
        elif name == "requests.storage":
            claims = objects(_COUNTED["persistentvolumeclaims"])
            terms = [
                quantity.parse(
                    ((c.get("spec") or {}).get("resources") or {})
                    .get("requests", {})
                    .get("storage")
                )
                for c in claims
            ]
            used[name] = str(quantity.total(terms, like=like))
        else:
            used[name] = "0"
    return used


def settled_status(store: StorePort, quota: Obj) -> Obj:
    """The status the controller would write for ``quota``."""
    hard = {str(k): str(v) for k, v in ((quota.get("spec") or {}).get("hard") or {}).items()}
    namespace = str(quota["metadata"].get("namespace", ""))
    return {"hard": hard, "used": usage(store, namespace, hard)}


class QuotaController:
    """Keeps every quota's usage current; work is keyed by namespace."""

    def __init__(self, store: StorePort, clock: Clock) -> None:
        self._store = store
        self.queue: WorkQueue[str] = WorkQueue("resourcequota", self._sync, clock)

    def on_event(self, rt: ResourceType, obj: Obj) -> None:
        """An object changed: its namespace's quotas may need a new ``used``."""
        namespace = (obj.get("metadata") or {}).get("namespace")
        if namespace and (rt.kind in WATCHED or rt is QUOTA):
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
