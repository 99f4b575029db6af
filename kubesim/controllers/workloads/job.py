"""The Job controller: run pods until ``completions`` succeed or ``backoffLimit`` is passed.

NonIndexed Jobs as upstream runs them: at most ``parallelism`` active pods, never more than the
completions still missing; each failed pod counts against ``backoffLimit`` and is replaced after
an exponential back-off (10 s, 20 s, ... on the sandbox clock). The terminal conditions are set
as v1.32 sets them: ``SuccessCriteriaMet`` then ``Complete`` (reason ``CompletionsReached``), or
``FailureTarget`` then ``Failed`` (``BackoffLimitExceeded``, the active pods deleted). How a pod's
container ends is the kubelet's business (its command decides, see the kubelet's rules).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from kubesim.controllers.active_pods import is_ready
from kubesim.controllers.workloads.pods import PodMaker, template_pod
from kubesim.machinery.clock import Clock, parse_rfc3339, rfc3339
from kubesim.machinery.informer import Cache, Key
from kubesim.machinery.recorder import EventRecorder, EventType, Source
from kubesim.machinery.workqueue import WorkQueue
from kubesim.storage.storeport import Obj, StorePort

JOB_CONTROLLER = Source("job-controller")
_BACKOFF_SECONDS = 10.0
_BACKOFF_MAX_SECONDS = 360.0


def condition(job: Obj, kind: str) -> Obj | None:
    """The Job's condition of ``kind`` with status True."""
    for cond in (job.get("status") or {}).get("conditions") or ():
        if cond.get("type") == kind and cond.get("status") == "True":
            return dict(cond)
    return None


def finished(job: Obj) -> str | None:
    """``Complete`` or ``Failed`` once the Job has ended, else None."""
    for kind in ("Complete", "Failed"):
        if condition(job, kind) is not None:
            return kind
    return None


def _phase(pod: Obj) -> str:
    return str(pod.get("status", {}).get("phase", "Pending"))


def _condition(kind: str, reason: str, message: str, now: str) -> Obj:
    return {
        "type": kind,
        "status": "True",
        "lastProbeTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


class JobController:
    """Reconciles Jobs into pods and their outcome."""

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
        self._recorder = recorder
        self._pods = PodMaker(store, cache, recorder, JOB_CONTROLLER, rng=rng)
        self.queue: WorkQueue[Key] = WorkQueue("job", self._sync, clock)

    def enqueue(self, key: Key) -> None:
        """Reconcile this Job on the next tick."""
        self.queue.add(key)

    def _sync(self, key: Key) -> None:
        job = self._cache.get("Job", *key)
        if job is None or job["metadata"].get("deletionTimestamp") or finished(job):
            return
        spec = job.get("spec", {})
        pods = self._pods.owned(job)
        active = [p for p in pods if _phase(p) not in ("Succeeded", "Failed")]
        succeeded = sum(1 for p in pods if _phase(p) == "Succeeded")
        failed = sum(1 for p in pods if _phase(p) == "Failed")
        now = rfc3339(self._clock.now())
        status = dict(job.get("status") or {})
        suspended = bool(spec.get("suspend"))
        if not suspended:
            status.setdefault("startTime", now)
        completions = spec.get("completions")
        backoff_limit = int(spec.get("backoffLimit", 6))
        outcome: str | None = None
        if failed > backoff_limit:
            outcome = "Failed"
            for pod in active:
                if not pod["metadata"].get("deletionTimestamp"):
                    self._pods.delete(job, pod)
            active = []
        elif (completions is not None and succeeded >= int(completions)) or (
            completions is None and succeeded > 0 and not active
        ):
            outcome = "Complete"
        elif not suspended:
            self._scale(job, active, succeeded, failed)
            active = [p for p in self._pods.owned(job) if _phase(p) not in ("Succeeded", "Failed")]
        self._write(
            job,
            status,
            active=active,
            succeeded=succeeded,
            failed=failed,
            outcome=outcome,
            now=now,
        )

    def _scale(self, job: Obj, active: Sequence[Obj], succeeded: int, failed: int) -> None:
        spec = job.get("spec", {})
        parallelism = int(spec.get("parallelism", 1))
        completions = spec.get("completions")
        want = parallelism
        if completions is not None:
            want = min(parallelism, int(completions) - succeeded)
        elif succeeded > 0:
            want = 0
        live = [p for p in active if not p["metadata"].get("deletionTimestamp")]
        if len(live) > want:
            for pod in sorted(live, key=lambda p: p["metadata"]["name"])[want:]:
                self._pods.delete(job, pod)
            return
        missing = want - len(live)
        if missing <= 0:
            return
        delay = self._backoff_left(job, failed)
        if delay > 0:
            self.queue.add_after((job["metadata"]["namespace"], job["metadata"]["name"]), delay)
            return
        template = spec.get("template", {})
        for _ in range(missing):
            pod = template_pod(job, template)
            pod["metadata"]["generateName"] = f"{job['metadata']['name']}-"
            self._pods.create(job, pod)

    def _backoff_left(self, job: Obj, failed: int) -> float:
        """Simulated seconds until a failed pod may be replaced (0 when it may now)."""
        if failed == 0:
            return 0.0
        finished_at = [
            parse_rfc3339(str(s["state"]["terminated"]["finishedAt"]))
            for p in self._pods.owned(job)
            if _phase(p) == "Failed"
            for s in p.get("status", {}).get("containerStatuses") or ()
            if (s.get("state") or {}).get("terminated", {}).get("finishedAt")
        ]
        if not finished_at:
            return 0.0
        delay = min(_BACKOFF_SECONDS * 2 ** (failed - 1), _BACKOFF_MAX_SECONDS)
        return float(delay - self._clock.elapsed(max(finished_at)))

    def _write(
        self,
        job: Obj,
        status: Obj,
        *,
        active: Sequence[Obj],
        succeeded: int,
        failed: int,
        outcome: str | None,
        now: str,
    ) -> None:
        ready = sum(1 for p in active if is_ready(p))
        status.pop("active", None)
        if active:
            status["active"] = len(active)
        for field, value in (("succeeded", succeeded), ("failed", failed)):
            status.pop(field, None)
            if value:
                status[field] = value
        status["ready"] = ready
        status["terminating"] = sum(1 for p in active if p["metadata"].get("deletionTimestamp"))
        status["uncountedTerminatedPods"] = {}
        if outcome == "Complete":
            message = "Reached expected number of succeeded pods"
            status["conditions"] = [
                *(status.get("conditions") or ()),
                _condition("SuccessCriteriaMet", "CompletionsReached", message, now),
                _condition("Complete", "CompletionsReached", message, now),
            ]
            status["completionTime"] = now
            self._recorder.record(
                job,
                kind=EventType.NORMAL,
                reason="Completed",
                message="Job completed",
                source=JOB_CONTROLLER,
            )
        elif outcome == "Failed":
            message = "Job has reached the specified backoff limit"
            status["conditions"] = [
                *(status.get("conditions") or ()),
                _condition("FailureTarget", "BackoffLimitExceeded", message, now),
                _condition("Failed", "BackoffLimitExceeded", message, now),
            ]
            self._recorder.record(
                job,
                kind=EventType.WARNING,
                reason="BackoffLimitExceeded",
                message=message,
                source=JOB_CONTROLLER,
            )
        self._pods.write_status("Job", job, status)
