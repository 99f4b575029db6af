"""What the Deployment controller does to ReplicaSets: find, create, scale and prune them.

Ported from ``pkg/controller/deployment/sync.go`` (getNewReplicaSet, scaleReplicaSet,
cleanupDeployment). Every write goes through the Store and straight into the shared cache, so the
rest of the same sync (and the next one) sees it before the Store's event arrives.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

from kubesim.api.resources import by_kind
from kubesim.api.status import ApiError
from kubesim.controllers.deployment import conditions as cond
from kubesim.controllers.deployment import revisions as rev
from kubesim.controllers.deployment.rollout_math import (
    desired,
    max_surge,
    new_rs_new_replicas,
    spec_replicas,
)
from kubesim.controllers.deployment.status import has_progress_deadline
from kubesim.controllers.podtemplate import HASH_LABEL, equal_ignore_hash, template_hash
from kubesim.machinery.clock import Clock, rfc3339
from kubesim.machinery.informer import Cache, controller_ref
from kubesim.machinery.recorder import DEPLOYMENT_CONTROLLER, EventRecorder, EventType
from kubesim.storage.storeport import Obj, StorePort

_DEFAULT_HISTORY_LIMIT = 10


class Requeue(Exception):
    """Stop this sync, write the status gathered so far and try again on the status event."""


def by_creation(rs: Obj) -> tuple[str, str]:
    """Sort key of ``ReplicaSetsByCreationTimestamp``."""
    meta = rs.get("metadata", {})
    return (str(meta.get("creationTimestamp", "")), str(meta.get("name", "")))


def find_new(d: Obj, rss: Sequence[Obj]) -> Obj | None:
    """``FindNewReplicaSet``: the oldest ReplicaSet whose template equals the Deployment's."""
    template = d.get("spec", {}).get("template", {})
    for rs in sorted(rss, key=by_creation):
        if equal_ignore_hash(rs.get("spec", {}).get("template", {}), template):
            return rs
    return None


class ReplicaSetActions:
    """The Deployment controller's writes to ReplicaSets, with their events."""

    def __init__(
        self, store: StorePort, cache: Cache, clock: Clock, recorder: EventRecorder
    ) -> None:
        self._store = store
        self._cache = cache
        self._clock = clock
        self._recorder = recorder
        self._rt = by_kind("ReplicaSet")

    def all_and_sync_revision(
        self, d: Obj, rss: Sequence[Obj], *, create: bool
    ) -> tuple[Obj | None, list[Obj]]:
        """``getAllReplicaSetsAndSyncRevision``: (new RS or None, old RSes); edits ``d``."""
        current = find_new(d, rss)
        old = [rs for rs in rss if rs is not current]
        return self._new_replica_set(d, current, old, create=create), old

    def _new_replica_set(
        self, d: Obj, existing: Obj | None, old: list[Obj], *, create: bool
    ) -> Obj | None:
        new_revision = rev.max_revision(old) + 1
        now = rfc3339(self._clock.now())
        status = d.setdefault("status", {})
        if existing is not None:
            rs = copy.deepcopy(existing)
            changed = rev.set_new_rs_annotations(
                d, rs, new_revision, exists=True, desired=desired(d), max_replicas=0
            )
            min_ready = d.get("spec", {}).get("minReadySeconds", 0)
            if changed or rs.get("spec", {}).get("minReadySeconds", 0) != min_ready:
                wanted = rs["metadata"]["annotations"]

                def update(obj: Obj) -> None:
                    rev.annotations_of(obj).update(wanted)
                    obj["spec"]["minReadySeconds"] = min_ready

                rs = self._write(rs, update)
            rev.set_deployment_revision(d, rev.annotations_of(rs).get(rev.REVISION, ""))
            if has_progress_deadline(d) and cond.get_condition(status, cond.PROGRESSING) is None:
                name = rs["metadata"]["name"]
                cond.set_condition(
                    status,
                    cond.new_condition(
                        cond.PROGRESSING,
                        "True",
                        cond.FOUND_NEW_RS,
                        f'Found new replica set "{name}"',
                        now,
                    ),
                )
            return rs
        if not create:
            return None
        rs = self._template_replica_set(d)
        rs["spec"]["replicas"] = new_rs_new_replicas(d, [*old, rs], rs)
        rev.set_new_rs_annotations(
            d,
            rs,
            new_revision,
            exists=False,
            desired=desired(d),
            max_replicas=desired(d) + max_surge(d),
        )
        created, already_exists = self._create(d, rs)
        count = spec_replicas(created)
        if not already_exists and count > 0:
            self._event(d, f"Scaled up replica set {created['metadata']['name']} to {count}")
        rev.set_deployment_revision(d, str(new_revision))
        if not already_exists and has_progress_deadline(d):
            cond.set_condition(
                status,
                cond.new_condition(
                    cond.PROGRESSING,
                    "True",
                    cond.NEW_RS_CREATED,
                    f'Created new replica set "{created["metadata"]["name"]}"',
                    now,
                ),
            )
        return created

    def _template_replica_set(self, d: Obj) -> Obj:
        meta, spec = d["metadata"], d.get("spec", {})
        template = copy.deepcopy(spec.get("template", {}))
        pod_hash = template_hash(template, d.get("status", {}).get("collisionCount"))
        labels = {**(template.get("metadata", {}).get("labels") or {}), HASH_LABEL: pod_hash}
        template.setdefault("metadata", {})["labels"] = labels
        selector = copy.deepcopy(spec.get("selector") or {})
        selector.setdefault("matchLabels", {})[HASH_LABEL] = pod_hash
        return {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"{meta['name']}-{pod_hash}",
                "namespace": meta["namespace"],
                "labels": dict(labels),
                "ownerReferences": [
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": meta["name"],
                        "uid": meta["uid"],
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "replicas": 0,
                "minReadySeconds": spec.get("minReadySeconds", 0),
                "selector": selector,
                "template": template,
            },
        }

    def _create(self, d: Obj, rs: Obj) -> tuple[Obj, bool]:
        try:
            created = self._store.create(self._rt, rs)
        except ApiError as err:
            if err.code != 409:
                raise
            meta = rs["metadata"]
            found = self._store.find(self._rt, meta["namespace"], meta["name"])
            ref = controller_ref(found) if found else None
            template = d.get("spec", {}).get("template", {})
            if (
                found is not None
                and ref is not None
                and ref.get("uid") == d["metadata"]["uid"]
                and equal_ignore_hash(found.get("spec", {}).get("template", {}), template)
            ):
                self._cache.apply("MODIFIED", "ReplicaSet", found)
                return found, True
            status = d.setdefault("status", {})
            status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
            raise Requeue from err
        self._cache.apply("ADDED", "ReplicaSet", created)
        return created, False

    def scale_and_record(self, d: Obj, rs: Obj, new_scale: int) -> tuple[bool, Obj]:
        """``scaleReplicaSetAndRecordEvent``: nothing to do when the size already matches."""
        if spec_replicas(rs) == new_scale:
            return False, rs
        operation = "up" if spec_replicas(rs) < new_scale else "down"
        return self.scale(d, rs, new_scale, operation)

    def scale(self, d: Obj, rs: Obj, new_scale: int, operation: str) -> tuple[bool, Obj]:
        """``scaleReplicaSet``: set the size and the desired/max-replicas annotations."""
        want, most = desired(d), desired(d) + max_surge(d)
        annotations = rs.get("metadata", {}).get("annotations") or {}
        size_changes = spec_replicas(rs) != new_scale
        if not size_changes and (
            annotations.get(rev.DESIRED_REPLICAS) == str(want)
            and annotations.get(rev.MAX_REPLICAS) == str(most)
        ):
            return False, rs
        old_scale = spec_replicas(rs)

        def update(obj: Obj) -> None:
            obj["spec"]["replicas"] = new_scale
            rev.set_replicas_annotations(obj, want, most)

        rs = self._write(rs, update)
        if size_changes:
            self._event(
                d,
                f"Scaled {operation} replica set {rs['metadata']['name']} "
                f"to {new_scale} from {old_scale}",
            )
        return size_changes, rs

    def cleanup(self, d: Obj, old: Sequence[Obj]) -> None:
        """``cleanupDeployment``: delete the oldest idle ReplicaSets beyond revisionHistoryLimit."""
        limit = d.get("spec", {}).get("revisionHistoryLimit", _DEFAULT_HISTORY_LIMIT)
        if limit is None:
            return
        alive = [rs for rs in old if not rs.get("metadata", {}).get("deletionTimestamp")]
        surplus = len(alive) - int(limit)
        if surplus <= 0:
            return
        alive.sort(key=lambda rs: (rev.revision(rs) or 0, *by_creation(rs)))
        for rs in alive[:surplus]:
            status = rs.get("status", {})
            generation = int(rs.get("metadata", {}).get("generation") or 0)
            if (
                int(status.get("replicas") or 0) != 0
                or spec_replicas(rs) != 0
                or generation > int(status.get("observedGeneration") or 0)
            ):
                continue
            meta = rs["metadata"]
            deleted = self._store.delete(self._rt, meta["namespace"], meta["name"])
            self._cache.forget("ReplicaSet", deleted)

    def _write(self, rs: Obj, update: Callable[[Obj], None]) -> Obj:
        meta = rs["metadata"]
        written = self._store.mutate(self._rt, meta["namespace"], meta["name"], update)
        self._cache.apply("MODIFIED", "ReplicaSet", written)
        return written

    def _event(self, d: Obj, message: str) -> None:
        self._recorder.record(
            d,
            kind=EventType.NORMAL,
            reason="ScalingReplicaSet",
            message=message,
            source=DEPLOYMENT_CONTROLLER,
        )
