"""The DaemonSet controller: one pod on every node the DaemonSet should run on.

A node qualifies when its labels match the template's nodeSelector and node affinity and every
NoSchedule/NoExecute taint is tolerated, counting the tolerations the controller adds to every
daemon pod (``not-ready``, ``unreachable``, the pressure taints and ``unschedulable``, which is
why a cordoned node keeps its daemons). Pods are pinned to their node with required node
affinity on ``metadata.name`` (the scheduler binds them, as upstream), labelled with the
revision hash, and replaced node by node under ``RollingUpdate`` keeping at most
``maxUnavailable`` nodes without an available pod; ``OnDelete`` waits for someone to delete them.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Sequence

from kubesim.controllers.active_pods import is_ready
from kubesim.controllers.node_affinity import affinity_matches, required_terms
from kubesim.controllers.scheduler import tolerates
from kubesim.controllers.workloads.history import REVISION_HASH_LABEL, History
from kubesim.controllers.workloads.pods import PodMaker, available_in, template_pod
from kubesim.machinery.clock import Clock
from kubesim.machinery.informer import Cache, Key, key_of
from kubesim.machinery.recorder import EventRecorder, Source
from kubesim.machinery.workqueue import WorkQueue
from kubesim.storage.storeport import Obj, StorePort

DAEMONSET_CONTROLLER = Source("daemonset-controller")
TEMPLATE_GENERATION = "pod-template-generation"
_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"

DAEMON_TOLERATIONS = (
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": _UNSCHEDULABLE, "operator": "Exists", "effect": "NoSchedule"},
)
"""``util.AddOrUpdateDaemonPodTolerations`` (network-unavailable only for hostNetwork pods)."""
_NETWORK = {
    "key": "node.kubernetes.io/network-unavailable",
    "operator": "Exists",
    "effect": "NoSchedule",
}


def daemon_tolerations(spec: Obj) -> list[Obj]:
    """The template's tolerations plus the daemon ones it lacks."""
    tolerations = [dict(t) for t in spec.get("tolerations") or ()]
    extra = [*DAEMON_TOLERATIONS, *((_NETWORK,) if spec.get("hostNetwork") else ())]
    for tol in extra:
        if not any(
            t.get("key") == tol["key"] and t.get("effect") == tol["effect"] for t in tolerations
        ):
            tolerations.append(dict(tol))
    return tolerations


def node_affinity(node_name: str) -> Obj:
    """``ReplaceDaemonSetPodNodeNameNodeAffinity``: required affinity to one node by name."""
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchFields": [
                            {"key": "metadata.name", "operator": "In", "values": [node_name]}
                        ]
                    }
                ]
            }
        }
    }


def should_run(ds: Obj, node: Obj) -> bool:
    """``NodeShouldRunDaemonPod``: selector, affinity and taints (with the daemon tolerations)."""
    spec = ds.get("spec", {}).get("template", {}).get("spec", {})
    labels = node.get("metadata", {}).get("labels") or {}
    selector = spec.get("nodeSelector") or {}
    if any(labels.get(k) != v for k, v in selector.items()):
        return False
    if not affinity_matches(spec, node):
        return False
    tolerations = daemon_tolerations(spec)
    return all(
        tolerates(tolerations, taint)
        for taint in node.get("spec", {}).get("taints") or ()
        if taint.get("effect") in ("NoSchedule", "NoExecute")
    )


def pod_node(pod: Obj) -> str:
    """The node a daemon pod is bound or pinned to."""
    bound = pod.get("spec", {}).get("nodeName")
    if bound:
        return str(bound)
    for term in required_terms(pod.get("spec", {})):
        for req in term.get("matchFields") or ():
            if req.get("key") == "metadata.name" and req.get("values"):
                return str(req["values"][0])
    return ""


def max_unavailable(ds: Obj, desired: int) -> int:
    """``rollingUpdate.maxUnavailable`` (int or percent, rounded up), at least 1."""
    value = ((ds.get("spec", {}).get("updateStrategy") or {}).get("rollingUpdate") or {}).get(
        "maxUnavailable", 1
    )
    if isinstance(value, str) and value.endswith("%"):
        percent = int(value[:-1] or 0)
        return max(-(-desired * percent // 100), 1) if desired else 1
    return max(int(value), 1) if isinstance(value, int) else 1


def daemon_pod(ds: Obj, template: Obj, node_name: str, revision_hash: str) -> Obj:
    """A pod of the DaemonSet for one node."""
    pod = template_pod(ds, template)
    pod["metadata"]["generateName"] = f"{ds['metadata']['name']}-"
    labels = pod["metadata"].setdefault("labels", {})
    labels[REVISION_HASH_LABEL] = revision_hash
    labels[TEMPLATE_GENERATION] = str(ds["metadata"].get("generation", 1))
    spec = pod["spec"]
    affinity = copy.deepcopy(spec.get("affinity") or {})
    affinity.update(node_affinity(node_name))
    spec["affinity"] = affinity
    spec["tolerations"] = daemon_tolerations(spec)
    return pod


def revision_hash_of(revision: Obj) -> str:
    """The hash part of ``<ds>-<hash>``."""
    return str(revision["metadata"]["name"]).rsplit("-", 1)[-1]


class DaemonSetController:
    """Reconciles DaemonSets into one pod per qualifying node."""

    def __init__(
        self,
        store: StorePort,
        cache: Cache,
        clock: Clock,
        recorder: EventRecorder,
        *,
        rng: random.Random,
    ) -> None:
        self._cache = cache
        self._clock = clock
        self._history = History(store, cache)
        self._pods = PodMaker(store, cache, recorder, DAEMONSET_CONTROLLER, rng=rng)
        self.queue: WorkQueue[Key] = WorkQueue("daemonset", self._sync, clock)

    def enqueue(self, key: Key) -> None:
        """Reconcile this DaemonSet on the next tick."""
        self.queue.add(key)

    def on_node(self) -> None:
        """Nodes changed: every DaemonSet may have somewhere new (or fewer places) to run."""
        for ds in self._cache.all("DaemonSet"):
            self.queue.add(key_of(ds))

    def _sync(self, key: Key) -> None:
        ds = self._cache.get("DaemonSet", *key)
        if ds is None or ds["metadata"].get("deletionTimestamp"):
            return
        template = ds.get("spec", {}).get("template", {})
        labels = dict(template.get("metadata", {}).get("labels") or {})
        update, revisions = self._history.current(ds, labels=labels)
        data_hash = revision_hash_of(update)
        nodes = sorted(self._cache.all("Node"), key=lambda n: n["metadata"]["name"])
        by_node: dict[str, list[Obj]] = {}
        for pod in self._pods.owned(ds):
            if not _finished(pod):
                by_node.setdefault(pod_node(pod), []).append(pod)
        wanted = {n["metadata"]["name"] for n in nodes if should_run(ds, n)}
        self._place(ds, wanted, by_node, data_hash)
        if (ds.get("spec", {}).get("updateStrategy") or {}).get("type") == "RollingUpdate":
            self._roll(ds, wanted, by_node, data_hash)
        pods = [p for p in self._pods.owned(ds) if not _finished(p)]
        self._write_status(ds, nodes, wanted, pods, data_hash)
        keep = {update["metadata"]["name"]}
        keep.update(f"{ds['metadata']['name']}-{_hash(p)}" for p in pods)
        self._history.truncate(ds, revisions, keep)

    def _place(
        self, ds: Obj, wanted: set[str], by_node: dict[str, list[Obj]], data_hash: str
    ) -> None:
        """A pod on every wanted node that has none, none (or one) anywhere else."""
        template = ds.get("spec", {}).get("template", {})
        for node in sorted(wanted):
            live = [p for p in by_node.get(node, []) if not p["metadata"].get("deletionTimestamp")]
            if not by_node.get(node):
                self._pods.create(ds, daemon_pod(ds, template, node, data_hash))
            for extra in live[1:]:
                self._pods.delete(ds, extra)
        for node, node_pods in by_node.items():
            if node in wanted:
                continue
            for pod in node_pods:
                if not pod["metadata"].get("deletionTimestamp"):
                    self._pods.delete(ds, pod)

    def _roll(
        self, ds: Obj, wanted: set[str], by_node: dict[str, list[Obj]], data_hash: str
    ) -> None:
        """``rollingUpdate`` with maxSurge 0: delete old pods while few enough are unavailable."""
        min_ready = int(ds.get("spec", {}).get("minReadySeconds") or 0)
        budget = max_unavailable(ds, len(wanted))
        unavailable = 0
        old_available: list[Obj] = []
        for node in sorted(wanted):
            live = [p for p in by_node.get(node, []) if not p["metadata"].get("deletionTimestamp")]
            pod = live[0] if live else None
            left = None if pod is None else available_in(pod, min_ready, self._clock)
            is_available = left is not None and left <= 0
            if pod is None or not is_available:
                unavailable += 1
                if pod is not None and _hash(pod) != data_hash:
                    self._pods.delete(ds, pod)  # old and unavailable: replace it at once
            elif _hash(pod) != data_hash:
                old_available.append(pod)
        for pod in old_available[: max(budget - unavailable, 0)]:
            self._pods.delete(ds, pod)

    def _write_status(
        self, ds: Obj, nodes: Sequence[Obj], wanted: set[str], pods: Sequence[Obj], data_hash: str
    ) -> None:
        min_ready = int(ds.get("spec", {}).get("minReadySeconds") or 0)
        existing = {n["metadata"]["name"] for n in nodes}
        placed: dict[str, Obj] = {}
        misscheduled = 0
        for pod in pods:
            node = pod_node(pod)
            if node in wanted:
                placed.setdefault(node, pod)
            elif node in existing:
                misscheduled += 1
        ready = [p for p in placed.values() if is_ready(p)]
        waits = [available_in(p, min_ready, self._clock) or 0.0 for p in ready]
        available = sum(1 for left in waits if left <= 0)
        status: Obj = {
            "currentNumberScheduled": len(placed),
            "desiredNumberScheduled": len(wanted),
            "numberMisscheduled": misscheduled,
            "numberReady": len(ready),
            "observedGeneration": int(ds["metadata"].get("generation") or 0),
        }
        updated = sum(1 for p in placed.values() if _hash(p) == data_hash)
        for field, value in (
            ("updatedNumberScheduled", updated),
            ("numberAvailable", available),
            ("numberUnavailable", len(wanted) - available),
        ):
            if value > 0:
                status[field] = value
        self._pods.write_status("DaemonSet", ds, status)
        pending = [left for left in waits if left > 0]
        if pending:
            self.queue.add_after(key_of(ds), min(pending) + 0.01)


def _finished(pod: Obj) -> bool:
    return pod.get("status", {}).get("phase") in ("Succeeded", "Failed")


def _hash(pod: Obj) -> str:
    return str((pod["metadata"].get("labels") or {}).get(REVISION_HASH_LABEL, ""))
