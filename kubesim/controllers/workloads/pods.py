"""Creating and deleting the pods a workload controller owns, with the events upstream records.

Writes go through the shared cache (write-through, as the ReplicaSet controller does) so that a
second sync in the same tick sees its own pods. Readiness and availability follow
``podutil.IsPodReady`` / ``IsPodAvailable``.
"""

from __future__ import annotations

import copy
import random
from datetime import timedelta

from kubesim.api.resources import by_kind
from kubesim.api.status import ApiError
from kubesim.controllers.active_pods import is_ready, ready_condition
from kubesim.controllers.podtemplate import ALPHANUMS
from kubesim.controllers.workloads.history import controller_ref
from kubesim.machinery.clock import Clock, parse_rfc3339
from kubesim.machinery.informer import Cache, uid_of
from kubesim.machinery.recorder import EventRecorder, EventType, Source
from kubesim.storage.storeport import Obj, StorePort

POD = by_kind("Pod")


def available_in(pod: Obj, min_ready: int, clock: Clock) -> float | None:
    """None when the pod is not ready; else simulated seconds until it is available (<= 0:
    available now)."""
    if not is_ready(pod):
        return None
    if min_ready <= 0:
        return 0.0
    since = (ready_condition(pod) or {}).get("lastTransitionTime")
    start = parse_rfc3339(since) + timedelta(seconds=0.999) if since else clock.now()
    return min_ready - clock.elapsed(start)


def template_pod(owner: Obj, template: Obj) -> Obj:
    """A pod manifest from a template, owned by ``owner`` (names are the caller's)."""
    meta = owner["metadata"]
    tmeta = template.get("metadata", {})
    pod_meta: Obj = {"namespace": meta["namespace"]}
    if tmeta.get("labels"):
        pod_meta["labels"] = dict(tmeta["labels"])
    if tmeta.get("annotations"):
        pod_meta["annotations"] = dict(tmeta["annotations"])
    pod_meta["ownerReferences"] = [controller_ref(owner)]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": pod_meta,
        "spec": copy.deepcopy(template.get("spec", {})),
    }


class PodMaker:
    """Creates and deletes one controller's pods; ``source`` names it in the events."""

    def __init__(
        self,
        store: StorePort,
        cache: Cache,
        recorder: EventRecorder,
        source: Source,
        *,
        rng: random.Random,
    ) -> None:
        self._store = store
        self._cache = cache
        self._recorder = recorder
        self._source = source
        self._rng = rng

    def owned(self, owner: Obj) -> list[Obj]:
        """The pods whose controller reference is ``owner``."""
        return self._cache.controlled(uid_of(owner), "Pod")

    def create(
        self, owner: Obj, pod: Obj, *, message: str | None = None, failed: str | None = None
    ) -> Obj | None:
        """Create ``pod`` (a ``generateName`` gets a seeded suffix); None when the name is taken.

        A refusal (quota, limits) is recorded as FailedCreate, with ``failed`` formatted with
        the pod and the error (default: ``Error creating: ERROR``), and raised: the work queue
        retries the sync with its backoff.
        """
        meta = pod["metadata"]
        prefix = meta.pop("generateName", None)
        for attempt in range(5):
            if prefix is not None:
                meta["generateName"] = prefix
                meta["name"] = prefix + "".join(self._rng.choice(ALPHANUMS) for _ in range(5))
            try:
                created = self._store.create(POD, copy.deepcopy(pod))
            except ApiError as err:
                if err.code == 409 and err.reason == "AlreadyExists":
                    if prefix is not None and attempt < 4:
                        continue
                    return None
                self._recorder.record(
                    owner,
                    kind=EventType.WARNING,
                    reason="FailedCreate",
                    message=(failed or "Error creating: {error}").format(
                        pod=meta.get("name", ""), error=err.message
                    ),
                    source=self._source,
                )
                raise
            self._cache.apply("ADDED", "Pod", created)
            name = created["metadata"]["name"]
            self._recorder.record(
                owner,
                kind=EventType.NORMAL,
                reason="SuccessfulCreate",
                message=message.format(pod=name) if message else f"Created pod: {name}",
                source=self._source,
            )
            return created
        return None

    def delete(self, owner: Obj, pod: Obj, *, message: str | None = None) -> None:
        """Delete ``pod`` gracefully and record it."""
        meta = pod["metadata"]
        gone = self._store.delete(POD, meta["namespace"], meta["name"])
        still = self._store.find(POD, meta["namespace"], meta["name"])
        if still is not None and uid_of(still) == uid_of(pod):
            self._cache.apply("MODIFIED", "Pod", still)
        else:
            self._cache.forget("Pod", gone)
        name = meta["name"]
        self._recorder.record(
            owner,
            kind=EventType.NORMAL,
            reason="SuccessfulDelete",
            message=message.format(pod=name) if message else f"Deleted pod: {name}",
            source=self._source,
        )

    def write_status(self, kind: str, owner: Obj, status: Obj) -> Obj:
        """Write ``status`` through the status subresource when it changed."""
        if owner.get("status") == status:
            return owner
        meta = owner["metadata"]

        def put(obj: Obj) -> None:
            obj["status"] = status

        written = self._store.mutate(
            by_kind(kind), meta["namespace"], meta["name"], put, subresource="status"
        )
        self._cache.apply("MODIFIED", kind, written)
        return written
