"""default-scheduler, reduced to what a demo cluster needs: round-robin over fitting nodes.

A node fits when it is Ready, schedulable (or the pod tolerates the unschedulable taint, as
DaemonSet pods do), its NoSchedule/NoExecute taints are tolerated and the pod's nodeSelector
matches, which keeps pods off a tainted control-plane node as on kind.
Binding sets ``spec.nodeName`` and the PodScheduled condition and records the usual
"Successfully assigned" event; pods that fit nowhere wait for the next node change or a freed
slot. A node holds at most its ``status.allocatable.pods`` (110 on kind) pods, counted as they
are bound and released, so a scale to 100,000 leaves the excess Pending with the scheduler's
"Too many pods" instead of flooding the kubelets.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from kubesim.api.resources import by_kind
from kubesim.controllers.node_affinity import affinity_matches
from kubesim.controllers.node_lifecycle import NO_SCHEDULE, UNSCHEDULABLE
from kubesim.machinery.clock import Clock, rfc3339
from kubesim.machinery.informer import Cache, Key, key_of
from kubesim.machinery.recorder import SCHEDULER, EventRecorder, EventType
from kubesim.machinery.workqueue import WorkQueue
from kubesim.storage.storeport import Obj, StorePort

_UNSCHEDULABLE = {"key": UNSCHEDULABLE, "effect": NO_SCHEDULE}
_TOO_MANY_PODS = "Too many pods"
_TERMINAL = ("Succeeded", "Failed")
_RETRIED_PER_SLOT = 8
"""Waiting pods retried per freed slot: enough to find one that fits, bounded at any scale."""


def tolerates(tolerations: list[dict[str, Any]], taint: dict[str, Any]) -> bool:
    """``Toleration.ToleratesTaint`` for one taint."""
    for tol in tolerations:
        if tol.get("effect") and tol.get("effect") != taint.get("effect"):
            continue
        if tol.get("operator") == "Exists":
            if not tol.get("key") or tol.get("key") == taint.get("key"):
                return True
        elif tol.get("key") == taint.get("key") and (tol.get("value") or "") == (
            taint.get("value") or ""
        ):
            return True
    return False


def pod_capacity(node: Obj) -> int:
    """``status.allocatable.pods`` (else capacity; kubelet's default of 110)."""
    status = node.get("status", {})
    for source in (status.get("allocatable") or {}, status.get("capacity") or {}):
        try:
            return int(source["pods"])
        except (KeyError, TypeError, ValueError):
            continue
    return 110


def misfit(node: Obj, pod: Obj, *, placed: int = 0) -> str | None:
    """Why ``pod`` cannot go to ``node`` (a FailedScheduling fragment), or None when it fits;
    ``placed`` is how many pods the node holds already."""
    spec = node.get("spec", {})
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in node.get("status", {}).get("conditions") or ()
    )
    if not ready:
        return "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"
    tolerations = pod.get("spec", {}).get("tolerations") or []
    # NodeUnschedulable filters before TaintToleration, so its reason wins for a cordoned node.
    if spec.get("unschedulable") and not tolerates(tolerations, _UNSCHEDULABLE):
        return "node(s) were unschedulable"
    for taint in spec.get("taints") or ():
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(tolerations, taint):
            return f"node(s) had untolerated taint {{{taint.get('key')}: {taint.get('value', '')}}}"
    labels = node.get("metadata", {}).get("labels") or {}
    selector = pod.get("spec", {}).get("nodeSelector") or {}
    if any(labels.get(k) != v for k, v in selector.items()) or not affinity_matches(
        pod.get("spec", {}), node
    ):
        return "node(s) didn't match Pod's node affinity/selector"
    if placed >= pod_capacity(node):
        return _TOO_MANY_PODS
    return None


def wants_scheduling(pod: Obj) -> bool:
    """Unbound, not being deleted, not finished, and meant for default-scheduler."""
    spec, meta = pod.get("spec", {}), pod.get("metadata", {})
    return (
        not spec.get("nodeName")
        and not meta.get("deletionTimestamp")
        and spec.get("schedulerName", "default-scheduler") == "default-scheduler"
        and pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")
    )


class Scheduler:
    """Binds pending pods; fed pod events (:meth:`on_pod`) and node changes (:meth:`on_node`)."""

    def __init__(
        self, store: StorePort, cache: Cache, clock: Clock, recorder: EventRecorder
    ) -> None:
        self._store = store
        self._cache = cache
        self._clock = clock
        self._recorder = recorder
        self._rt = by_kind("Pod")
        self._next = 0
        self._waiting: dict[Key, None] = {}
        """Pods that fit nowhere, oldest first (a dict keeps the order)."""
        self._placed: dict[str, str] = {}
        """uid -> node of every bound pod that is not finished: what a node holds."""
        self._held: Counter[str] = Counter()
        self.queue: WorkQueue[Key] = WorkQueue("scheduler", self._schedule, clock)

    def on_pod(self, pod: Obj, *, deleted: bool = False) -> None:
        """Count the pod on its node, and queue it if it still needs one."""
        self._count(pod, deleted=deleted)
        if not deleted and wants_scheduling(pod):
            self.queue.add(key_of(pod))

    def on_node(self) -> None:
        """Nodes changed: retry the pods that fit nowhere."""
        for key in self._waiting:
            self.queue.add(key)
        self._waiting.clear()

    def _count(self, pod: Obj, *, deleted: bool) -> None:
        uid = str(pod.get("metadata", {}).get("uid", ""))
        node = pod.get("spec", {}).get("nodeName")
        holds = bool(node) and not deleted and pod.get("status", {}).get("phase") not in _TERMINAL
        before = self._placed.get(uid)
        if holds and before is None:
            self._placed[uid] = str(node)
            self._held[str(node)] += 1
        elif not holds and before is not None:
            del self._placed[uid]
            self._held[before] -= 1
            self._retry_waiting(_RETRIED_PER_SLOT)

    def _retry_waiting(self, count: int) -> None:
        """A slot was freed: retry the oldest waiting pods, a few per slot."""
        for key in list(self._waiting)[:count]:
            del self._waiting[key]
            self.queue.add(key)

    def _schedule(self, key: Key) -> None:
        pod = self._cache.get("Pod", *key)
        if pod is None or not wants_scheduling(pod):
            self._waiting.pop(key, None)
            return
        nodes = sorted(self._cache.all("Node"), key=lambda n: n["metadata"]["name"])
        misfits = [misfit(n, pod, placed=self._held[n["metadata"]["name"]]) for n in nodes]
        reasons = Counter(r for r in misfits if r is not None)
        fitting = [n for n, r in zip(nodes, misfits, strict=True) if r is None]
        now = rfc3339(self._clock.now())
        if not fitting:
            self._unschedulable(key, pod, len(nodes), reasons, now)
            return
        node = fitting[self._next % len(fitting)]["metadata"]["name"]
        self._next += 1
        self._waiting.pop(key, None)

        def bind(obj: Obj) -> None:
            obj["spec"]["nodeName"] = node

        bound = self._store.mutate(self._rt, *key, bind)
        self._cache.apply("MODIFIED", "Pod", bound)
        self._count(bound, deleted=False)  # at once: the next pod of this batch must see it
        self._set_scheduled(key, {"type": "PodScheduled", "status": "True"}, now)
        self._recorder.record(
            pod,
            kind=EventType.NORMAL,
            reason="Scheduled",
            message=f"Successfully assigned {key[0]}/{key[1]} to {node}",
            source=SCHEDULER,
        )

    def _unschedulable(
        self, key: Key, pod: Obj, total: int, reasons: Counter[str], now: str
    ) -> None:
        self._waiting[key] = None
        # The scheduler's FitError sorts the "N reason" strings themselves (sort.Strings).
        detail = ", ".join(sorted(f"{n} {r}" for r, n in reasons.items()))
        # Evicting lower-priority pods could free a slot, but not lift a taint or a selector.
        victims = reasons[_TOO_MANY_PODS]
        preemption = Counter(
            {
                "No preemption victims found for incoming pod": victims,
                "Preemption is not helpful for scheduling": total - victims,
            }
        )
        verdicts = ", ".join(sorted(f"{n} {r}" for r, n in preemption.items() if n)) or (
            f"{total} Preemption is not helpful for scheduling"
        )
        message = (
            f"0/{total} nodes are available: {detail + '. ' if detail else ''}"
            f"preemption: 0/{total} nodes are available: {verdicts}."
        )
        if self._set_scheduled(
            key,
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": message,
            },
            now,
        ):
            self._recorder.record(
                pod,
                kind=EventType.WARNING,
                reason="FailedScheduling",
                message=message,
                source=SCHEDULER,
            )

    def _set_scheduled(self, key: Key, condition: dict[str, Any], now: str) -> bool:
        """Write PodScheduled (keeping its transition time if unchanged); True when written."""
        changed = False

        def update(obj: Obj) -> None:
            nonlocal changed
            status = obj.setdefault("status", {})
            conditions = [
                c for c in status.get("conditions") or () if c.get("type") != "PodScheduled"
            ]
            before = next(
                (c for c in status.get("conditions") or () if c.get("type") == "PodScheduled"), None
            )
            since = now
            if before is not None and before.get("status") == condition["status"]:
                since = before.get("lastTransitionTime", now)
            entry = {"lastProbeTime": None, "lastTransitionTime": since, **condition}
            changed = before != entry
            conditions.append(entry)
            status["conditions"] = conditions

        written = self._store.mutate(self._rt, *key, update, subresource="status")
        self._cache.apply("MODIFIED", "Pod", written)
        return changed
