"""The sandbox's control plane in one object: controllers, scheduler, kubelet and collector.

``Controllers(store, clock).start()`` on the sandbox loop is all a server needs. Store events
update the shared cache and mark keys dirty in the right work queue; nothing scans the cluster
per event, so a 10,000-pod sandbox stays cheap. Everything is idempotent (a settled object costs
no writes), which is what keeps the loop from spinning.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

from kubesim.api.resource_type import ResourceType
from kubesim.api.resources import by_kind
from kubesim.controllers.deployment.controller import DeploymentController
from kubesim.controllers.endpoints import SERVICE, EndpointsController
from kubesim.controllers.garbage import GarbageCollector
from kubesim.controllers.node_lifecycle import NodeLifecycle
from kubesim.controllers.quota import QUOTA, QuotaController
from kubesim.controllers.replicaset import ReplicaSetController
from kubesim.controllers.scheduler import Scheduler
from kubesim.controllers.volumes import CLAIM, VOLUME, VolumeController
from kubesim.controllers.workloads.cronjob import CronJobController
from kubesim.controllers.workloads.daemonset import DaemonSetController
from kubesim.controllers.workloads.job import JobController
from kubesim.controllers.workloads.statefulset import StatefulSetController
from kubesim.kubelet.images import KubeletRules
from kubesim.kubelet.kubelet import Kubelet
from kubesim.machinery.clock import Clock
from kubesim.machinery.informer import KINDS, Cache, controller_ref, key_of, uid_of
from kubesim.machinery.recorder import EventRecorder
from kubesim.machinery.workqueue import WorkQueue
from kubesim.storage.storeport import Obj, StorePort

__all__ = ["Controllers", "KubeletRules"]


class Controllers:
    """kube-controller-manager, kube-scheduler and every kubelet of the sandbox cluster."""

    def __init__(
        self,
        store: StorePort,
        clock: Clock,
        *,
        rules: KubeletRules | None = None,
        seed: int = 0,
    ) -> None:
        self.store = store
        self.clock = clock
        self.cache = Cache()
        self.recorder = EventRecorder(store, clock)
        self.deployments = DeploymentController(store, self.cache, clock, self.recorder)
        self.replicasets = ReplicaSetController(
            store, self.cache, clock, self.recorder, rng=random.Random(seed)
        )
        self.statefulsets = StatefulSetController(
            store, self.cache, clock, self.recorder, rng=random.Random(seed + 2)
        )
        self.daemonsets = DaemonSetController(
            store, self.cache, clock, self.recorder, rng=random.Random(seed + 3)
        )
        self.jobs = JobController(
            store, self.cache, clock, self.recorder, rng=random.Random(seed + 4)
        )
        self.cronjobs = CronJobController(store, self.cache, clock, self.recorder)
        self.scheduler = Scheduler(store, self.cache, clock, self.recorder)
        self.nodes = NodeLifecycle(store, self.cache, clock, self.recorder)
        self.kubelet = Kubelet(
            store,
            self.cache,
            clock,
            self.recorder,
            rules=rules or KubeletRules(),
            rng=random.Random(seed + 1),
        )
        self.gc = GarbageCollector(store, self.cache, clock)
        self.endpoints = EndpointsController(store, clock)
        self.quota = QuotaController(store, clock)
        self.volumes = VolumeController(store, clock, self.recorder)
        self._unsubscribe: Callable[[], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Subscribe to the store and reconcile what is already there (call on the loop)."""
        if self._unsubscribe is not None:
            return
        loop = self._loop = asyncio.get_running_loop()
        for queue in self.queues():
            queue.bind(loop)
        self._unsubscribe = self.store.subscribe(self._on_event)
        for kind in KINDS:
            rt = by_kind(kind)
            # The stored dicts are never mutated by the Store, and we never mutate cached ones.
            for obj in list(self.store.scan(rt)):
                self._on_event("ADDED", rt, obj)
        for service in list(self.store.scan(SERVICE)):
            self.endpoints.on_service("ADDED", service)
        for quota in list(self.store.scan(QUOTA)):
            self.quota.on_event(QUOTA, quota)
        for claim in list(self.store.scan(CLAIM)):
            self.volumes.on_claim(claim)
        for volume in list(self.store.scan(VOLUME)):
            self.volumes.on_volume(volume)

    def stop(self) -> None:
        """Unsubscribe and drop pending work (timers already scheduled become no-ops)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for queue in self.queues():
            queue.stop()
        self.kubelet.stop()

    def queues(self) -> tuple[WorkQueue[Any], ...]:
        """Every controller's work queue (tests settle the cluster by draining them all)."""
        return (
            self.deployments.queue,
            self.replicasets.queue,
            self.statefulsets.queue,
            self.daemonsets.queue,
            self.jobs.queue,
            self.cronjobs.queue,
            self.scheduler.queue,
            self.nodes.queue,
            self.kubelet.queue,
            self.gc.queue,
            self.endpoints.queue,
            self.quota.queue,
            self.volumes.queue,
            self.volumes.volume_queue,
        )

    def _on_event(self, event_type: str, rt: ResourceType, obj: Obj) -> None:
        if self._loop is not None and not _on_loop(self._loop):
            # A write made outside the sandbox loop (another thread, or before it runs).
            self._loop.call_soon_threadsafe(self._on_event, event_type, rt, obj)
            return
        kind = rt.kind
        deleted = event_type == "DELETED"
        self._count_and_bind(rt, obj, deleted=deleted)
        if deleted:
            self.gc.owner_deleted(uid_of(obj))  # owners of any kind, cached or not
        if kind == "Service":
            self.endpoints.on_service(event_type, obj)
            return
        if not self.cache.apply(event_type, kind, obj):
            return
        if event_type == "ADDED":
            self.gc.check(kind, obj)
        if kind == "Deployment":
            if deleted:
                self.deployments.forget(uid_of(obj))
            self.deployments.enqueue(key_of(obj))
        elif kind == "ReplicaSet":
            self.replicasets.enqueue(key_of(obj))
            self._enqueue_owner(obj, "Deployment")
        elif kind == "Pod":
            self._on_pod(event_type, obj)
        elif kind == "Node":
            self._on_node(obj, deleted=deleted)
        else:
            self._on_workload(kind, obj)

    def _on_node(self, node: Obj, *, deleted: bool) -> None:
        name = key_of(node)[1]
        if deleted:
            self.nodes.forget(name)
        else:
            self.nodes.enqueue(name)
        self.scheduler.on_node()
        self.daemonsets.on_node()

    def _on_workload(self, kind: str, obj: Obj) -> None:
        """StatefulSets, DaemonSets, Jobs, CronJobs and the ControllerRevisions they own."""
        if kind in _WORKLOADS:
            self._workload(kind).enqueue(key_of(obj))
        if kind in ("Job", "ControllerRevision"):
            for owner in ("CronJob", "StatefulSet", "DaemonSet"):
                self._enqueue_owner(obj, owner)

    def _workload(
        self, kind: str
    ) -> StatefulSetController | DaemonSetController | JobController | CronJobController:
        workloads: dict[
            str, StatefulSetController | DaemonSetController | JobController | CronJobController
        ] = {
            "StatefulSet": self.statefulsets,
            "DaemonSet": self.daemonsets,
            "Job": self.jobs,
            "CronJob": self.cronjobs,
        }
        return workloads[kind]

    def _count_and_bind(self, rt: ResourceType, obj: Obj, *, deleted: bool) -> None:
        """The quota and volume controllers, which watch kinds the cache does not keep."""
        self.quota.on_event(rt, obj)
        if deleted:
            return
        if rt.kind == "PersistentVolumeClaim":
            self.volumes.on_claim(obj)
        elif rt.kind == "PersistentVolume":
            self.volumes.on_volume(obj)
        elif rt.kind == "Pod":
            self.volumes.on_pod(obj)

    def _on_pod(self, event_type: str, pod: Obj) -> None:
        for owner in ("StatefulSet", "DaemonSet", "Job"):
            self._enqueue_owner(pod, owner)
        rs_key = self._enqueue_owner(pod, "ReplicaSet")
        if event_type != "DELETED" and controller_ref(pod) is None:
            self.replicasets.on_orphan(pod)
        if event_type == "DELETED" and rs_key is not None:
            rs = self.cache.get("ReplicaSet", *rs_key)
            if rs is not None:
                self._enqueue_owner(rs, "Deployment")  # Recreate waits for old pods to vanish
        self.scheduler.on_pod(pod, deleted=event_type == "DELETED")
        self.kubelet.on_pod(event_type, pod)
        self.endpoints.on_pod(pod)

    def _enqueue_owner(self, obj: Obj, kind: str) -> tuple[str, str] | None:
        ref = controller_ref(obj)
        if ref is None or ref.get("kind") != kind:
            return None
        key = (key_of(obj)[0], str(ref.get("name", "")))
        if kind == "Deployment":
            self.deployments.enqueue(key)
        elif kind == "ReplicaSet":
            self.replicasets.enqueue(key)
        else:
            self._workload(kind).enqueue(key)
        return key


_WORKLOADS = ("StatefulSet", "DaemonSet", "Job", "CronJob")


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
