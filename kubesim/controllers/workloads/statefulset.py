"""The StatefulSet controller: pods ``<name>-0 .. <name>-N-1`` with stable identities, made and
removed in order, and rolling updates from the highest ordinal down to the partition.

Follows upstream's ``StatefulSetControl.UpdateStatefulSet``: under ``OrderedReady`` it creates
one missing pod at a time and waits for it to be Running and Ready before the next, scales down
from the highest ordinal one pod at a time, and (``RollingUpdate``) deletes the highest pod not
at the update revision once every pod is healthy, so the pod comes back at the new revision;
``Parallel`` does the creations and deletions at once; ``OnDelete`` leaves updates to whoever
deletes the pods. Revisions are ControllerRevisions (``history``), and the status counts are the
controller's (``currentRevision`` only catches up when a rolling update completes, as upstream).
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Sequence

from kubesim.api.resources import by_kind
from kubesim.controllers.active_pods import is_ready
from kubesim.controllers.deployment.rollout_math import spec_replicas
from kubesim.controllers.workloads.history import REVISION_HASH_LABEL, History
from kubesim.controllers.workloads.pods import PodMaker, available_in, template_pod
from kubesim.machinery.clock import Clock
from kubesim.machinery.informer import Cache, Key
from kubesim.machinery.recorder import EventRecorder, EventType, Source
from kubesim.machinery.workqueue import WorkQueue
from kubesim.storage.storeport import Obj, StorePort

STATEFULSET_CONTROLLER = Source("statefulset-controller")
CLAIM = by_kind("PersistentVolumeClaim")
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"


def ordinal_of(sts_name: str, pod: Obj) -> int | None:
    """``getOrdinal``: the number after ``<name>-``, or None for a foreign name."""
    match = re.fullmatch(rf"{re.escape(sts_name)}-(0|[1-9][0-9]*)", pod["metadata"]["name"])
    return int(match.group(1)) if match else None


def revision_of(pod: Obj) -> str:
    """The ``controller-revision-hash`` label (the revision's name for StatefulSet pods)."""
    return str((pod["metadata"].get("labels") or {}).get(REVISION_HASH_LABEL, ""))


def _terminating(pod: Obj) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


def _finished(pod: Obj) -> bool:
    return pod.get("status", {}).get("phase") in ("Succeeded", "Failed")


def _running_ready(pod: Obj) -> bool:
    return pod.get("status", {}).get("phase") == "Running" and is_ready(pod)


def _healthy(pod: Obj) -> bool:
    return _running_ready(pod) and not _terminating(pod)


def partition(sts: Obj) -> int | None:
    """``rollingUpdate.partition`` under RollingUpdate, else None."""
    strategy = sts.get("spec", {}).get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return None
    return int((strategy.get("rollingUpdate") or {}).get("partition") or 0)


def stateful_pod(sts: Obj, ordinal: int, template: Obj, revision: str) -> Obj:
    """``newStatefulSetPod`` plus ``setPodRevision``: name, identity, storage and labels."""
    name = f"{sts['metadata']['name']}-{ordinal}"
    pod = template_pod(sts, template)
    pod["metadata"]["name"] = name
    labels = pod["metadata"].setdefault("labels", {})
    labels[REVISION_HASH_LABEL] = revision
    labels[POD_NAME_LABEL] = name
    labels[POD_INDEX_LABEL] = str(ordinal)
    spec = pod["spec"]
    spec["hostname"] = name
    service = sts.get("spec", {}).get("serviceName")
    if service:
        spec["subdomain"] = service
    claims = sts.get("spec", {}).get("volumeClaimTemplates") or []
    if claims:
        named = {v.get("name"): v for v in spec.get("volumes") or []}
        for claim in claims:
            claim_name = claim.get("metadata", {}).get("name", "")
            named[claim_name] = {
                "name": claim_name,
                "persistentVolumeClaim": {"claimName": claim_name_of(sts, claim, ordinal)},
            }
        spec["volumes"] = list(named.values())
    return pod


def claim_name_of(sts: Obj, template: Obj, ordinal: int) -> str:
    """``getPersistentVolumeClaimName``: ``<template>-<set>-<ordinal>`` (``data-db-0``)."""
    return f"{template.get('metadata', {}).get('name', '')}-{sts['metadata']['name']}-{ordinal}"


def stateful_claims(sts: Obj, ordinal: int) -> list[Obj]:
    """``getPersistentVolumeClaims``: each template as the ordinal's claim, in the set's
    namespace, labelled with the set's selector; owned by the set only when its retention policy
    deletes claims with it (the default, Retain, leaves them unowned: they outlive the set)."""
    selector = (sts.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
    retention = sts.get("spec", {}).get("persistentVolumeClaimRetentionPolicy") or {}
    meta = sts["metadata"]
    out = []
    for template in sts.get("spec", {}).get("volumeClaimTemplates") or []:
        claim = copy.deepcopy({k: v for k, v in template.items() if k != "status"})
        claim_meta = claim.setdefault("metadata", {})
        claim_meta["name"] = claim_name_of(sts, template, ordinal)
        claim_meta["namespace"] = meta["namespace"]
        claim_meta["labels"] = {**(claim_meta.get("labels") or {}), **selector}
        if retention.get("whenDeleted") == "Delete":
            claim_meta["ownerReferences"] = [
                {
                    "apiVersion": "apps/v1",
                    "kind": "StatefulSet",
                    "name": meta["name"],
                    "uid": meta["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ]
        out.append(claim)
    return out


class StatefulSetController:
    """Reconciles StatefulSets into ordered pods; feed it keys with :meth:`enqueue`."""

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
        self._store = store
        self._recorder = recorder
        self._history = History(store, cache)
        self._pods = PodMaker(store, cache, recorder, STATEFULSET_CONTROLLER, rng=rng)
        self.queue: WorkQueue[Key] = WorkQueue("statefulset", self._sync, clock)

    def enqueue(self, key: Key) -> None:
        """Reconcile this StatefulSet on the next tick."""
        self.queue.add(key)

    def _sync(self, key: Key) -> None:
        sts = self._cache.get("StatefulSet", *key)
        if sts is None or sts["metadata"].get("deletionTimestamp"):
            return
        labels = dict(
            sts.get("spec", {}).get("template", {}).get("metadata", {}).get("labels") or {}
        )
        update, revisions = self._history.current(sts, labels=labels)
        names = {r["metadata"]["name"]: r for r in revisions}
        current_name = str((sts.get("status") or {}).get("currentRevision") or "")
        current = names.get(current_name, update)
        pods = self._pods.owned(sts)
        self._manage(sts, pods, current, update)
        pods = self._pods.owned(sts)
        self._write_status(sts, pods, current, update)
        keep = {current["metadata"]["name"], update["metadata"]["name"]}
        keep.update(revision_of(p) for p in pods)
        self._history.truncate(sts, revisions, keep)

    def _pod_for(self, sts: Obj, ordinal: int, current: Obj, update: Obj) -> Obj:
        """``newVersionedStatefulSetPod``: below the partition the current revision's template."""
        cut = partition(sts)
        revision = current if cut is not None and ordinal < cut else update
        template = (revision.get("data") or {}).get("spec", {}).get("template") or {}
        template = {k: v for k, v in template.items() if k != "$patch"}
        return stateful_pod(sts, ordinal, template, revision["metadata"]["name"])

    def _event(self, sts: Obj, verb: str) -> str:
        return f"{verb} Pod {{pod}} in StatefulSet {sts['metadata']['name']} successful"

    def _manage(self, sts: Obj, pods: Sequence[Obj], current: Obj, update: Obj) -> None:
        """One pass of ``UpdateStatefulSet``: replicas, then condemned pods, then the update;
        under OrderedReady each step returns at the first pod it must wait for."""
        name = sts["metadata"]["name"]
        replicas = spec_replicas(sts)
        monotonic = sts.get("spec", {}).get("podManagementPolicy") != "Parallel"
        by_ordinal: dict[int, Obj] = {}
        condemned: list[tuple[int, Obj]] = []
        for pod in pods:
            ordinal = ordinal_of(name, pod)
            if ordinal is not None and ordinal < replicas:
                by_ordinal[ordinal] = pod
            elif ordinal is not None:
                condemned.append((ordinal, pod))
        if self._replicas(sts, by_ordinal, current, update, monotonic=monotonic):
            return
        if self._condemn(sts, [p for _, p in sorted(condemned, key=lambda i: -i[0])], monotonic):
            return
        cut = partition(sts)
        if cut is not None and not condemned:
            self._update(sts, by_ordinal, update, cut)

    def _replicas(
        self,
        sts: Obj,
        by_ordinal: dict[int, Obj],
        current: Obj,
        update: Obj,
        *,
        monotonic: bool,
    ) -> bool:
        """Create missing pods and replace finished ones; True when the sync must wait."""
        for ordinal in range(spec_replicas(sts)):
            pod = by_ordinal.get(ordinal)
            if pod is None:
                self._claims(sts, ordinal)
                self._pods.create(
                    sts,
                    self._pod_for(sts, ordinal, current, update),
                    message=self._event(sts, "create"),
                    # recordPodEvent's failure sentence
                    failed=f"create Pod {{pod}} in StatefulSet {sts['metadata']['name']} "
                    "failed error: {error}",
                )
            elif _finished(pod) and not _terminating(pod):
                self._pods.delete(sts, pod, message=self._event(sts, "delete"))
            elif _healthy(pod):
                continue
            if monotonic:
                return True
        return False

    def _claims(self, sts: Obj, ordinal: int) -> None:
        """``createPersistentVolumeClaims``: the ordinal's missing claims, each recorded as
        upstream records it (a claim kept from an earlier pod is used again)."""
        pod_name = f"{sts['metadata']['name']}-{ordinal}"
        for claim in stateful_claims(sts, ordinal):
            meta = claim["metadata"]
            if self._store.find(CLAIM, meta["namespace"], meta["name"]) is not None:
                continue
            self._store.create(CLAIM, claim)
            self._recorder.record(
                sts,
                kind=EventType.NORMAL,
                reason="SuccessfulCreate",
                message=(
                    f"create Claim {meta['name']} Pod {pod_name} in StatefulSet "
                    f"{sts['metadata']['name']} success"
                ),
                source=STATEFULSET_CONTROLLER,
            )

    def _release_claims(self, sts: Obj, pod: Obj) -> None:
        """``whenScaled: Delete``: a condemned pod's claims become the pod's instead of the
        set's (``updateClaimOwnerRefForSetAndPod``), so the garbage collector deletes them
        after it (Retain, the default, keeps them for a scale-up)."""
        retention = sts.get("spec", {}).get("persistentVolumeClaimRetentionPolicy") or {}
        ordinal = ordinal_of(sts["metadata"]["name"], pod)
        if retention.get("whenScaled") != "Delete" or ordinal is None:
            return
        meta = pod["metadata"]
        owner = {"apiVersion": "v1", "kind": "Pod", "name": meta["name"], "uid": meta["uid"]}

        set_uid = sts["metadata"]["uid"]

        def own(claim: Obj) -> None:
            refs = claim["metadata"].get("ownerReferences") or []
            kept = [r for r in refs if r.get("uid") not in (set_uid, owner["uid"])]
            claim["metadata"]["ownerReferences"] = [*kept, dict(owner)]

        for claim in stateful_claims(sts, ordinal):
            name = claim["metadata"]["name"]
            if self._store.find(CLAIM, meta["namespace"], name) is not None:
                self._store.mutate(CLAIM, meta["namespace"], name, own)

    def _condemn(self, sts: Obj, condemned: Sequence[Obj], monotonic: bool) -> bool:  # noqa: FBT001
        """Delete pods beyond the replicas, highest ordinal first; True when the sync must wait."""
        for pod in condemned:
            if not _terminating(pod):
                self._release_claims(sts, pod)
                self._pods.delete(sts, pod, message=self._event(sts, "delete"))
            if monotonic:
                return True
        return False

    def _update(self, sts: Obj, by_ordinal: dict[int, Obj], update: Obj, cut: int) -> None:
        """RollingUpdate: the highest pod not at the update revision is deleted, one at a time."""
        for ordinal in range(spec_replicas(sts) - 1, cut - 1, -1):
            pod = by_ordinal.get(ordinal)
            if pod is None:
                return
            if revision_of(pod) != update["metadata"]["name"] and not _terminating(pod):
                self._pods.delete(sts, pod, message=self._event(sts, "delete"))
                return
            if not _healthy(pod):
                return

    def _write_status(self, sts: Obj, pods: Sequence[Obj], current: Obj, update: Obj) -> None:
        min_ready = int(sts.get("spec", {}).get("minReadySeconds") or 0)
        current_name, update_name = current["metadata"]["name"], update["metadata"]["name"]
        replicas = ready = available = current_count = updated = 0
        wake: float | None = None
        for pod in pods:
            replicas += 1
            if _running_ready(pod):
                ready += 1
                left = available_in(pod, min_ready, self._clock)
                if left is not None and left <= 0:
                    available += 1
                elif left is not None:
                    wake = left if wake is None else min(wake, left)
            if not _terminating(pod):
                current_count += revision_of(pod) == current_name
                updated += revision_of(pod) == update_name
        if partition(sts) is not None and updated == replicas and ready == replicas:
            current_count, current_name = updated, update_name
        status: Obj = {
            "observedGeneration": int(sts["metadata"].get("generation") or 0),
            "replicas": replicas,
            "readyReplicas": ready,
            "currentReplicas": current_count,
            "updatedReplicas": updated,
            "currentRevision": current_name,
            "updateRevision": update_name,
            "collisionCount": 0,
            "availableReplicas": available,
        }
        status = {
            k: v
            for k, v in status.items()
            if v or k in ("replicas", "availableReplicas", "collisionCount", "observedGeneration")
        }
        self._pods.write_status("StatefulSet", sts, status)
        if wake is not None:
            self.queue.add_after(
                (sts["metadata"]["namespace"], sts["metadata"]["name"]), wake + 0.01
            )
