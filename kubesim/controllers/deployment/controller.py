"""The Deployment controller (kube-controller-manager's ``syncDeployment``), one key at a time.

Each sync reads the Deployment and the ReplicaSets it controls from the shared cache, takes one
step (scale, roll or recreate), then writes the revision annotation and the status only when they
changed, so a settled Deployment costs no writes and never hot-loops. The progress deadline is
measured on the sandbox clock; a stuck rollout is re-checked by a timer, not by polling.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime, timedelta

from kubesim.api.resources import by_kind
from kubesim.controllers.deployment import conditions as cond
from kubesim.controllers.deployment import revisions as rev
from kubesim.controllers.deployment.replicasets import ReplicaSetActions, Requeue, find_new
from kubesim.controllers.deployment.rollout import active, recreate, rolling, scale
from kubesim.controllers.deployment.rollout_math import (
    RECREATE,
    desired,
    strategy_type,
    total_status,
)
from kubesim.controllers.deployment.status import (
    calculate_status,
    deployment_complete,
    deployment_progressing,
    has_progress_deadline,
    rollout_status,
)
from kubesim.machinery.clock import Clock, parse_rfc3339, rfc3339
from kubesim.machinery.informer import Cache, Key, uid_of
from kubesim.machinery.recorder import EventRecorder
from kubesim.machinery.workqueue import WorkQueue
from kubesim.storage.storeport import Obj, StorePort

_TERMINAL = frozenset({"Failed", "Succeeded"})


class DeploymentController:
    """Reconciles Deployments into ReplicaSets; feed it keys with :meth:`enqueue`."""

    def __init__(
        self, store: StorePort, cache: Cache, clock: Clock, recorder: EventRecorder
    ) -> None:
        self._store = store
        self._cache = cache
        self._clock = clock
        self._rt = by_kind("Deployment")
        self._actions = ReplicaSetActions(store, cache, clock, recorder)
        self.queue: WorkQueue[Key] = WorkQueue("deployment", self._sync, clock)
        # uid -> (Progressing.lastUpdateTime as written, the precise instant behind it):
        # timestamps are written to the second, which at speed 100 is 100 simulated seconds.
        self._marks: dict[str, tuple[str, datetime]] = {}

    def enqueue(self, key: Key) -> None:
        """Reconcile this Deployment on the next tick."""
        self.queue.add(key)

    def forget(self, uid: str) -> None:
        """The Deployment is gone."""
        self._marks.pop(uid, None)

    def _sync(self, key: Key) -> None:
        cached = self._cache.get("Deployment", *key)
        if cached is None or cached.get("metadata", {}).get("deletionTimestamp"):
            return
        precise = self._clock.now()
        now = rfc3339(precise)
        d = copy.deepcopy(cached)
        d.setdefault("status", {})
        paused = bool(d.get("spec", {}).get("paused"))
        rolled = False
        try:
            if self._check_paused(d, now):
                # The deadline restarts here, even within the second of the last mark.
                self._marks[uid_of(d)] = (now, precise)
                # checkPausedConditions writes the condition alone, before the sync proper: a
                # watcher sees it with the old observedGeneration first.
                cached = self._write_status(cached, d["status"])
            if paused or self._is_scaling_event(d):
                status = self._sync_scale(d, now, cleanup=paused)
            else:
                status = self._rollout(d, now)
                rolled = True
        except Requeue:
            status = d["status"]
        self._persist(cached, d, status, precise)
        if rolled:
            self._requeue_if_stuck(key, d, status)

    def _rss(self, d: Obj) -> list[Obj]:
        return self._cache.controlled(uid_of(d), "ReplicaSet")

    def _check_paused(self, d: Obj, now: str) -> bool:
        """``checkPausedConditions``: True when it changed the Progressing condition."""
        if not has_progress_deadline(d):
            return False
        current = cond.get_condition(d["status"], cond.PROGRESSING)
        if current is not None and current.get("reason") == cond.TIMED_OUT:
            return False
        paused_shown = current is not None and current.get("reason") == cond.PAUSED
        paused = bool(d.get("spec", {}).get("paused"))
        if paused and not paused_shown:
            update = cond.new_condition(
                cond.PROGRESSING, "Unknown", cond.PAUSED, "Deployment is paused", now
            )
        elif not paused and paused_shown:
            update = cond.new_condition(
                cond.PROGRESSING, "Unknown", cond.RESUMED, "Deployment is resumed", now
            )
        else:
            return False
        cond.set_condition(d["status"], update)
        return True

    def _is_scaling_event(self, d: Obj) -> bool:
        new_rs, old = self._actions.all_and_sync_revision(d, self._rss(d), create=False)
        for rs in active([*old, new_rs]):
            wanted = rev.desired_annotation(rs)
            if wanted is not None and wanted != desired(d):
                return True
        return False

    def _sync_scale(self, d: Obj, now: str, *, cleanup: bool) -> Obj:
        """``sync``: scaling and paused Deployments (no rollout step, no deadline)."""
        new_rs, old = self._actions.all_and_sync_revision(d, self._rss(d), create=False)
        scale(self._actions, d, new_rs, old)
        if cleanup:
            self._actions.cleanup(d, old)
        new_rs, old = self._split(d)
        return calculate_status([*old, new_rs], new_rs, d, now)

    def _rollout(self, d: Obj, now: str) -> Obj:
        if strategy_type(d) == RECREATE:
            new_rs, old = recreate(self._actions, d, self._rss(d), self._old_pods_running)
            done = True
        else:
            new_rs, old = self._actions.all_and_sync_revision(d, self._rss(d), create=True)
            assert new_rs is not None  # create=True either returns one or raises
            new_rs, old, scaled = rolling(self._actions, d, new_rs, old)
            done = not scaled
        if done and deployment_complete(d, d["status"]):
            self._actions.cleanup(d, old)
        return rollout_status(
            d,
            [*old, new_rs],
            new_rs,
            now=now,
            timed_out=lambda status: self._timed_out(d, status),
        )

    def _split(self, d: Obj) -> tuple[Obj | None, list[Obj]]:
        rss = self._rss(d)
        new_rs = find_new(d, rss)
        return new_rs, [rs for rs in rss if rs is not new_rs]

    def _old_pods_running(self, old: Sequence[Obj]) -> bool:
        if total_status(old, "replicas") > 0:
            return True
        return any(
            pod.get("status", {}).get("phase") not in _TERMINAL
            for rs in old
            for pod in self._cache.controlled(uid_of(rs), "Pod")
        )

    def _last_progress(self, d: Obj, stamp: str) -> datetime:
        mark = self._marks.get(uid_of(d))
        if mark is not None and mark[0] == stamp:
            return mark[1]
        # Only the second is known: take its end, so we are late rather than early.
        return parse_rfc3339(stamp) + timedelta(seconds=0.999)

    def _timed_out(self, d: Obj, status: Obj) -> bool:
        """``DeploymentTimedOut`` on the sandbox clock."""
        current = cond.get_condition(status, cond.PROGRESSING)
        if current is None or current.get("reason") == cond.NEW_RS_AVAILABLE:
            return False
        if current.get("reason") == cond.TIMED_OUT:
            return True
        since = self._last_progress(d, str(current.get("lastUpdateTime", "")))
        deadline = float(d["spec"]["progressDeadlineSeconds"])
        return self._clock.elapsed(since) > deadline

    def _requeue_if_stuck(self, key: Key, d: Obj, status: Obj) -> None:
        """``requeueStuckDeployment``: wake up when the deadline would pass."""
        current = cond.get_condition(status, cond.PROGRESSING)
        if not has_progress_deadline(d) or current is None:
            return
        if deployment_complete(d, status) or current.get("reason") == cond.TIMED_OUT:
            return
        since = self._last_progress(d, str(current.get("lastUpdateTime", "")))
        remaining = float(d["spec"]["progressDeadlineSeconds"]) - self._clock.elapsed(since)
        self.queue.add_after(key, max(remaining, 0.0) + 0.005 * self._clock.speed)

    def _persist(self, cached: Obj, d: Obj, status: Obj, precise: datetime) -> None:
        revision = rev.annotations_of(d).get(rev.REVISION)
        written = (cached["metadata"].get("annotations") or {}).get(rev.REVISION)
        old_status = cached.get("status") or {}
        self._mark_progress(d, old_status, status, precise)
        if status != old_status or (revision is not None and revision != written):
            self._write_status(cached, status, revision=revision)

    def _write_status(self, cached: Obj, status: Obj, *, revision: str | None = None) -> Obj:
        """``UpdateStatus``, which also carries the revision annotation (only a spec or
        annotation change through the main resource bumps the generation)."""
        meta = cached["metadata"]

        def set_status(obj: Obj) -> None:
            obj["status"] = copy.deepcopy(status)
            if revision is not None:
                rev.annotations_of(obj)[rev.REVISION] = revision

        written = self._store.mutate(
            self._rt, meta["namespace"], meta["name"], set_status, subresource="status"
        )
        self._cache.apply("MODIFIED", "Deployment", written)
        return written

    def _mark_progress(self, d: Obj, old: Obj, new: Obj, precise: datetime) -> None:
        now = rfc3339(precise)
        current = cond.get_condition(new, cond.PROGRESSING)
        if current is None or current.get("lastUpdateTime") != now:
            return
        mark = self._marks.get(uid_of(d))
        fresh = current != cond.get_condition(old, cond.PROGRESSING)
        if fresh or mark is None or mark[0] != now or deployment_progressing(d, new):
            self._marks[uid_of(d)] = (now, precise)
