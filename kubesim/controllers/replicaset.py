"""The ReplicaSet controller: keep ``spec.replicas`` pods alive and report how they are doing.

Pods are found through the cache's owner index (never by listing the namespace), created with
``<rs>-<5 chars>`` names from a seeded RNG so runs are reproducible, and surplus pods are chosen
for deletion in upstream's order (unscheduled, pending, not ready, recently ready, restarting,
newest first). The status counts feed the Deployment controller, whose sync they trigger.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Sequence

from kubesim.api.resources import by_kind
from kubesim.api.status import ApiError
from kubesim.controllers.active_pods import deletion_rank, is_active
from kubesim.controllers.deployment.rollout_math import spec_replicas
from kubesim.controllers.podtemplate import ALPHANUMS
from kubesim.controllers.replicaset_status import replicaset_status
from kubesim.machinery.clock import Clock
from kubesim.machinery.informer import Cache, Key, controller_ref, key_of, uid_of
from kubesim.machinery.recorder import REPLICASET_CONTROLLER, EventRecorder, EventType
from kubesim.machinery.workqueue import WorkQueue
from kubesim.selectors.requirements import LabelSelector, selector_of
from kubesim.storage.storeport import Obj, StorePort

BURST_REPLICAS = 500
"""At most this many pods are created or deleted per sync (upstream's burstReplicas)."""
CREATE_QPS = 20.0
CREATE_BURST = 30
FAILURE_BACKOFF_START = 0.5
"""Seconds before the first retry of a ReplicaSet whose pod was refused; doubled each time."""
FAILURE_BACKOFF_MAX = 30.0
"""kube-controller-manager's client rate limit (``--kube-api-qps=20``, ``--kube-api-burst=30``),
applied to the pod creations of a ReplicaSet that wants more than one burst of pods: a scale to
100,000 adds pods at the pace a real cluster does, so the sandbox keeps answering while it
grows; smaller scale-ups are created at once, as before."""


def _owner_ref(rs: Obj) -> Obj:
    meta = rs["metadata"]
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "name": meta["name"],
        "uid": meta["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


class ReplicaSetController:
    """Reconciles ReplicaSets into pods; feed it keys with :meth:`enqueue`."""

    def __init__(
        self,
        store: StorePort,
        cache: Cache,
        clock: Clock,
        recorder: EventRecorder,
        *,
        rng: random.Random,
    ) -> None:
        self._store = store
        self._cache = cache
        self._clock = clock
        self._recorder = recorder
        self._rng = rng
        self._rt = by_kind("ReplicaSet")
        self._pod_rt = by_kind("Pod")
        self.queue: WorkQueue[Key] = WorkQueue("replicaset", self._sync, clock)
        # ReplicaSet key -> orphan pods it may adopt on its next sync.
        self._orphans: dict[Key, set[Key]] = {}
        self._tokens = float(CREATE_BURST)
        self._refilled = clock.now()
        self._failures: dict[Key, int] = {}

    def enqueue(self, key: Key) -> None:
        """Reconcile this ReplicaSet on the next tick."""
        self.queue.add(key)

    def on_orphan(self, pod: Obj) -> None:
        """``addPod``/``updatePod`` for a pod without a controller: queue the ReplicaSets of its
        namespace whose selector matches it, which may adopt it."""
        meta = pod.get("metadata", {})
        namespace, labels = meta.get("namespace", ""), meta.get("labels") or {}
        for rs in self._cache.all("ReplicaSet"):
            if rs["metadata"].get("namespace") != namespace:
                continue
            selector = selector_of(rs.get("spec", {}).get("selector"))
            if selector is not None and selector.requirements and selector.matches(labels):
                rs_key = key_of(rs)
                self._orphans.setdefault(rs_key, set()).add(key_of(pod))
                self.queue.add(rs_key)

    def _sync(self, key: Key) -> None:
        rs = self._cache.get("ReplicaSet", *key)
        orphans = self._orphans.pop(key, set())
        if rs is None:
            return
        pods = [p for p in self._cache.controlled(uid_of(rs), "Pod") if is_active(p)]
        failure: str | None = None
        if not rs.get("metadata", {}).get("deletionTimestamp"):
            pods = self._claim(rs, pods, orphans)
            failure = self._manage(rs, pods)
            if failure is not None:
                self.queue.add_after(key, self._backoff(key))
            else:
                self._failures.pop(key, None)
        status, wake = replicaset_status(rs, pods, self._clock, failure)
        if status != rs.get("status"):
            meta = rs["metadata"]

            def set_status(obj: Obj) -> None:
                obj["status"] = status

            written = self._store.mutate(
                self._rt, meta["namespace"], meta["name"], set_status, subresource="status"
            )
            self._cache.apply("MODIFIED", "ReplicaSet", written)
        if wake is not None:
            self.queue.add_after(key, wake)

    def _claim(self, rs: Obj, owned: list[Obj], orphans: set[Key]) -> list[Obj]:
        """``ClaimPods``: release owned pods the selector no longer matches (``kubectl label pod
        X app-`` takes a pod out of service and the ReplicaSet replaces it), adopt matching
        orphans."""
        selector = selector_of(rs.get("spec", {}).get("selector")) or LabelSelector()
        uid = uid_of(rs)
        claimed = []
        for pod in owned:
            if selector.matches(pod["metadata"].get("labels")):
                claimed.append(pod)
            else:
                self._set_owner(pod, lambda refs: [r for r in refs if r.get("uid") != uid])
        ref = _owner_ref(rs)
        for pod_key in sorted(orphans):
            orphan = self._cache.get("Pod", *pod_key)
            if (
                orphan is not None
                and is_active(orphan)
                and controller_ref(orphan) is None
                and selector.matches(orphan["metadata"].get("labels"))
            ):
                claimed.append(self._set_owner(orphan, lambda refs: [*refs, ref]))
        return claimed

    def _set_owner(self, pod: Obj, change: Callable[[list[Obj]], list[Obj]]) -> Obj:
        meta = pod["metadata"]

        def update(obj: Obj) -> None:
            refs = change(list(obj["metadata"].get("ownerReferences") or ()))
            if refs:
                obj["metadata"]["ownerReferences"] = refs
            else:
                obj["metadata"].pop("ownerReferences", None)

        written = self._store.mutate(self._pod_rt, meta["namespace"], meta["name"], update)
        self._cache.apply("MODIFIED", "Pod", written)
        return written

    def _manage(self, rs: Obj, pods: Sequence[Obj]) -> str | None:
        """Create or delete pods towards the replicas; the refusal that stopped the creations
        (``slowStartBatch`` stops at the first), or None."""
        diff = len(pods) - spec_replicas(rs)
        if diff < 0:
            wanted = min(-diff, BURST_REPLICAS)
            # Within one burst, at once as before; beyond it, at the client rate.
            allowed = wanted if -diff <= BURST_REPLICAS else self._take(wanted)
            for _ in range(allowed):
                try:
                    self._create_pod(rs)
                except ApiError as err:  # admission refused it: quota, limits, a missing namespace
                    message = f"Error creating: {err.message}"
                    self._recorder.record(
                        rs,
                        kind=EventType.WARNING,
                        reason="FailedCreate",
                        message=message,
                        source=REPLICASET_CONTROLLER,
                    )
                    return err.message
            if allowed < -diff:  # the rate limit holds the rest: come back for them
                self.queue.add_after(key_of(rs), 1.0 / CREATE_QPS)
        elif diff > 0:
            for pod in sorted(pods, key=deletion_rank)[: min(diff, BURST_REPLICAS)]:
                self._delete_pod(rs, pod)
        return None

    def _backoff(self, key: Key) -> float:
        """The work queue's per-item exponential backoff after a failed sync, capped (upstream:
        5 ms doubling to 1,000 s; here shorter, so a freed quota is noticed within a minute)."""
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        return float(min(FAILURE_BACKOFF_START * 2.0**failures, FAILURE_BACKOFF_MAX))

    def _take(self, wanted: int) -> int:
        """How many of ``wanted`` creations the rate limit allows now (token bucket)."""
        now = self._clock.now()
        elapsed = (now - self._refilled).total_seconds()
        self._refilled = now
        self._tokens = min(float(CREATE_BURST), self._tokens + elapsed * CREATE_QPS)
        allowed = min(wanted, int(self._tokens))
        self._tokens -= allowed
        return allowed

    def _create_pod(self, rs: Obj) -> None:
        meta = rs["metadata"]
        template = rs.get("spec", {}).get("template", {})
        tmeta = template.get("metadata", {})
        pod_meta: Obj = {"generateName": f"{meta['name']}-", "namespace": meta["namespace"]}
        if tmeta.get("labels"):
            pod_meta["labels"] = dict(tmeta["labels"])
        if tmeta.get("annotations"):
            pod_meta["annotations"] = dict(tmeta["annotations"])
        pod_meta["ownerReferences"] = [_owner_ref(rs)]
        pod: Obj = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": pod_meta,
            "spec": copy.deepcopy(template.get("spec", {})),
        }
        for attempt in range(5):
            suffix = "".join(self._rng.choice(ALPHANUMS) for _ in range(5))
            pod_meta["name"] = f"{meta['name']}-{suffix}"
            try:
                created = self._store.create(self._pod_rt, copy.deepcopy(pod))
            except ApiError as err:
                if err.code == 409 and err.reason == "AlreadyExists" and attempt < 4:
                    continue
                raise
            self._cache.apply("ADDED", "Pod", created)
            self._recorder.record(
                rs,
                kind=EventType.NORMAL,
                reason="SuccessfulCreate",
                message=f"Created pod: {created['metadata']['name']}",
                source=REPLICASET_CONTROLLER,
            )
            return

    def _delete_pod(self, rs: Obj, pod: Obj) -> None:
        meta = pod["metadata"]
        gone = self._store.delete(self._pod_rt, meta["namespace"], meta["name"])
        still = self._store.find(self._pod_rt, meta["namespace"], meta["name"])
        if still is not None and uid_of(still) == uid_of(pod):
            self._cache.apply("MODIFIED", "Pod", still)
        else:
            self._cache.forget("Pod", gone)
        self._recorder.record(
            rs,
            kind=EventType.NORMAL,
            reason="SuccessfulDelete",
            message=f"Deleted pod: {meta['name']}",
            source=REPLICASET_CONTROLLER,
        )
