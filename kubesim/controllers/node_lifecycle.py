"""What follows a change to a Node's spec: the node controller's taints and the kubelet's events.

``kubectl cordon`` only sets ``spec.unschedulable``. On a real cluster the node lifecycle
controller's NoSchedule tainting pass (``doNoScheduleTaintingPass``) then adds the taint
``node.kubernetes.io/unschedulable:NoSchedule``, stamped with ``timeAdded``, and takes it off again
on uncordon; the node's kubelet reports NodeNotSchedulable / NodeSchedulable, which ``kubectl
describe node`` lists. Condition taints (not-ready, memory-pressure, ...) come from the same pass;
the sandbox's nodes stay Ready, so they never appear.
"""

from __future__ import annotations

from typing import Any

from kubesim.api.resources import by_kind
from kubesim.machinery.clock import Clock, rfc3339
from kubesim.machinery.informer import Cache
from kubesim.machinery.recorder import EventRecorder, EventType, Source
from kubesim.machinery.workqueue import WorkQueue
from kubesim.storage.storeport import Obj, StorePort

UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
NO_SCHEDULE = "NoSchedule"

# nodeConditionToTaintKeyStatusMap: (condition type, status) -> taint key (effect NoSchedule).
_CONDITION_TAINTS = {
    ("Ready", "False"): "node.kubernetes.io/not-ready",
    ("Ready", "Unknown"): "node.kubernetes.io/unreachable",
    ("MemoryPressure", "True"): "node.kubernetes.io/memory-pressure",
    ("DiskPressure", "True"): "node.kubernetes.io/disk-pressure",
    ("NetworkUnavailable", "True"): "node.kubernetes.io/network-unavailable",
    ("PIDPressure", "True"): "node.kubernetes.io/pid-pressure",
}
_MANAGED = frozenset({UNSCHEDULABLE, *_CONDITION_TAINTS.values()})


def wanted_taint_keys(node: Obj) -> list[str]:
    """The NoSchedule taint keys the node controller wants on ``node``, in its order."""
    keys = [
        key
        for c in node.get("status", {}).get("conditions") or ()
        if (key := _CONDITION_TAINTS.get((str(c.get("type")), str(c.get("status"))))) is not None
    ]
    if node.get("spec", {}).get("unschedulable"):
        keys.append(UNSCHEDULABLE)
    return keys


def _managed(taint: dict[str, Any]) -> bool:
    return taint.get("effect") == NO_SCHEDULE and taint.get("key") in _MANAGED


class NodeLifecycle:
    """Keeps each node's controller-owned NoSchedule taints in step with its spec and conditions,
    and records the kubelet's schedulability events; fed node names with :meth:`enqueue`."""

    def __init__(
        self, store: StorePort, cache: Cache, clock: Clock, recorder: EventRecorder
    ) -> None:
        self._store = store
        self._cache = cache
        self._clock = clock
        self._recorder = recorder
        self._rt = by_kind("Node")
        # node name -> spec.unschedulable as that node's kubelet last saw it.
        self._unschedulable: dict[str, bool] = {}
        self.queue: WorkQueue[str] = WorkQueue("node-lifecycle", self._sync, clock)

    def enqueue(self, name: str) -> None:
        """Reconcile this node on the next tick."""
        self.queue.add(name)

    def forget(self, name: str) -> None:
        """The node is gone."""
        self._unschedulable.pop(name, None)

    def _sync(self, name: str) -> None:
        node = self._cache.get("Node", "", name)
        if node is None:
            return
        self._record_schedulable(name, node)
        wanted = wanted_taint_keys(node)
        present = {t.get("key") for t in node.get("spec", {}).get("taints") or () if _managed(t)}
        to_add = [key for key in wanted if key not in present]
        to_remove = present - set(wanted)
        if not to_add and not to_remove:
            return
        now = rfc3339(self._clock.now())

        def swap(obj: Obj) -> None:
            # SwapNodeControllerTaint: AddOrUpdateTaintOnNode appends, RemoveTaintOffNode drops.
            spec = obj.setdefault("spec", {})
            kept = spec.get("taints") or ()
            taints = [t for t in kept if not (_managed(t) and t.get("key") in to_remove)]
            taints += [{"key": key, "effect": NO_SCHEDULE, "timeAdded": now} for key in to_add]
            if taints:
                spec["taints"] = taints
            else:
                spec.pop("taints", None)

        self._cache.apply("MODIFIED", "Node", self._store.mutate(self._rt, None, name, swap))

    def _record_schedulable(self, name: str, node: Obj) -> None:
        """``recordNodeSchedulableEvent``, on the kubelet's node reference (uid = node name)."""
        now_unschedulable = bool(node.get("spec", {}).get("unschedulable"))
        before = self._unschedulable.get(name)
        self._unschedulable[name] = now_unschedulable
        if before is None or before == now_unschedulable:
            return  # the kubelet started long before the sandbox did
        reason = "NodeNotSchedulable" if now_unschedulable else "NodeSchedulable"
        self._recorder.record(
            {"kind": "Node", "metadata": {"name": name, "uid": name}},
            kind=EventType.NORMAL,
            reason=reason,
            message=f"Node {name} status is now: {reason}",
            source=Source("kubelet", name),
        )
