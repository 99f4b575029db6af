"""The CronJob controller: a Job for every scheduled time, on the wall clock.

As upstream's cronjob v2 controller: the most recent scheduled time after
``status.lastScheduleTime`` (else the creation time) that is not in the future gets one Job named
``<cronjob>-<minutes since the epoch>``, unless the CronJob is suspended, the time is older than
``startingDeadlineSeconds``, or ``concurrencyPolicy: Forbid`` finds a Job still active
(``Replace`` deletes it first). Finished Jobs leave ``status.active``, set
``lastSuccessfulTime``, and the oldest beyond the history limits are deleted. The next sync is a
timer at the next scheduled time, in real seconds since cron is wall-clock time; a test moves
``status.lastScheduleTime`` back instead of waiting for a minute to pass.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kubesim.api.cron import CronError, parse
from kubesim.api.resources import by_kind
from kubesim.api.status import ApiError
from kubesim.controllers.workloads.history import controller_ref
from kubesim.controllers.workloads.job import finished
from kubesim.machinery.clock import Clock, parse_rfc3339, rfc3339
from kubesim.machinery.informer import Cache, Key, key_of, uid_of
from kubesim.machinery.recorder import EventRecorder, EventType, Source
from kubesim.machinery.workqueue import WorkQueue
from kubesim.storage.storeport import Obj, StorePort

CRONJOB_CONTROLLER = Source("cronjob-controller")
SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp"
JOBS = by_kind("Job")
_MAX_MISSED = 10_000
_RECENT = timedelta(days=1)


def job_name(cronjob: str, scheduled: datetime) -> str:
    """``getJobName``: the scheduled time in minutes since the epoch."""
    return f"{cronjob}-{int(scheduled.timestamp()) // 60}"


def _zone(cronjob: Obj) -> ZoneInfo | None:
    name = cronjob.get("spec", {}).get("timeZone")
    if not name:
        return None
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return None


def most_recent(cronjob: Obj, now: datetime) -> tuple[datetime | None, datetime | None]:
    """``mostRecentScheduleTime``: (the latest missed time, the next one after now)."""
    spec = cronjob.get("spec", {})
    try:
        schedule = parse(str(spec.get("schedule", "")))
    except CronError:
        return None, None
    zone = _zone(cronjob) or UTC
    last = (cronjob.get("status") or {}).get("lastScheduleTime")
    earliest = parse_rfc3339(last or cronjob["metadata"]["creationTimestamp"])
    deadline = spec.get("startingDeadlineSeconds")
    if deadline is not None:
        earliest = max(earliest, now - timedelta(seconds=int(deadline)))
    # The last day first: a schedule missed for weeks (a lastScheduleTime set far back) then
    # costs at most a day of steps, not every run since; older runs only matter without one.
    for start in (max(earliest, now - _RECENT), earliest):
        missed: datetime | None = None
        t = schedule.next_after(start.astimezone(zone))
        for _ in range(_MAX_MISSED):
            if t is None or t > now:
                break
            missed = t
            t = schedule.next_after(t)
        if missed is not None or start == earliest:
            return missed, t
    return None, None


class CronJobController:
    """Creates Jobs on schedule and keeps the CronJob's status and history."""

    def __init__(
        self, store: StorePort, cache: Cache, clock: Clock, recorder: EventRecorder
    ) -> None:
        self._store = store
        self._cache = cache
        self._clock = clock
        self._recorder = recorder
        self.queue: WorkQueue[Key] = WorkQueue("cronjob", self._sync, clock)

    def enqueue(self, key: Key) -> None:
        """Reconcile this CronJob on the next tick."""
        self.queue.add(key)

    def _sync(self, key: Key) -> None:
        cronjob = self._cache.get("CronJob", *key)
        if cronjob is None or cronjob["metadata"].get("deletionTimestamp"):
            return
        jobs = self._cache.controlled(uid_of(cronjob), "Job")
        status = copy.deepcopy(cronjob.get("status") or {})
        self._track(cronjob, jobs, status)
        now = self._clock.now()
        spec = cronjob.get("spec", {})
        if not spec.get("suspend"):
            scheduled, upcoming = most_recent(cronjob, now)
            if scheduled is not None:
                self._start(cronjob, jobs, status, scheduled)
            if upcoming is not None:
                real = (upcoming - now).total_seconds() + 0.01
                self.queue.add_after(key, real * self._clock.speed)
        self._clean(cronjob, jobs)
        self._write(cronjob, status)

    def _track(self, cronjob: Obj, jobs: list[Obj], status: Obj) -> None:
        """Drop finished or vanished Jobs from ``active``; note the last success."""
        by_uid = {uid_of(j): j for j in jobs}
        still: list[Obj] = []
        for ref in status.get("active") or ():
            job = by_uid.get(str(ref.get("uid")))
            if job is None:
                continue
            outcome = finished(job)
            if outcome is None:
                still.append(ref)
                continue
            self._recorder.record(
                cronjob,
                kind=EventType.NORMAL,
                reason="SawCompletedJob",
                message=f"Saw completed job: {job['metadata']['name']}, condition: {outcome}",
                source=CRONJOB_CONTROLLER,
            )
            done = (job.get("status") or {}).get("completionTime")
            if outcome == "Complete" and done:
                status["lastSuccessfulTime"] = done
        known = {str(r.get("uid")) for r in still}
        for job in jobs:
            if finished(job) is None and uid_of(job) not in known:
                still.append(_reference(job))
        if still:
            status["active"] = still
        else:
            status.pop("active", None)

    def _start(self, cronjob: Obj, jobs: list[Obj], status: Obj, scheduled: datetime) -> None:
        spec = cronjob.get("spec", {})
        name = job_name(cronjob["metadata"]["name"], scheduled)
        if any(j["metadata"]["name"] == name for j in jobs):
            status["lastScheduleTime"] = rfc3339(scheduled)
            return
        active = [j for j in jobs if finished(j) is None]
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and active:
            self._recorder.record(
                cronjob,
                kind=EventType.NORMAL,
                reason="JobAlreadyActive",
                message="Not starting job because prior execution is running and concurrency "
                "policy is Forbid",
                source=CRONJOB_CONTROLLER,
            )
            return
        if policy == "Replace":
            for job in active:
                self._delete(cronjob, job)
                status["active"] = [
                    r for r in status.get("active") or () if r.get("uid") != uid_of(job)
                ]
        template = spec.get("jobTemplate") or {}
        meta = template.get("metadata") or {}
        zone = _zone(cronjob) or UTC
        job_meta: Obj = {
            "name": name,
            "namespace": cronjob["metadata"]["namespace"],
            "annotations": {
                **dict(meta.get("annotations") or {}),
                SCHEDULED_TIMESTAMP: scheduled.astimezone(zone).isoformat().replace("+00:00", "Z"),
            },
            "ownerReferences": [controller_ref(cronjob)],
        }
        if meta.get("labels"):
            job_meta["labels"] = dict(meta["labels"])
        try:
            created = self._store.create(
                JOBS, {"metadata": job_meta, "spec": copy.deepcopy(template.get("spec") or {})}
            )
        except ApiError as err:
            if err.code != 409:
                raise
            status["lastScheduleTime"] = rfc3339(scheduled)
            return
        self._cache.apply("ADDED", "Job", created)
        self._recorder.record(
            cronjob,
            kind=EventType.NORMAL,
            reason="SuccessfulCreate",
            message=f"Created job {name}",
            source=CRONJOB_CONTROLLER,
        )
        status["active"] = [*(status.get("active") or ()), _reference(created)]
        status["lastScheduleTime"] = rfc3339(scheduled)

    def _clean(self, cronjob: Obj, jobs: list[Obj]) -> None:
        """``cleanupFinishedJobs``: keep the newest successful and failed Jobs up to the limits."""
        spec = cronjob.get("spec", {})
        for outcome, field in (
            ("Complete", "successfulJobsHistoryLimit"),
            ("Failed", "failedJobsHistoryLimit"),
        ):
            limit = spec.get(field)
            if limit is None:
                continue
            done = [j for j in jobs if finished(j) == outcome]
            done.sort(key=lambda j: str((j.get("status") or {}).get("startTime") or ""))
            for job in done[: max(len(done) - int(limit), 0)]:
                self._delete(cronjob, job)

    def _delete(self, cronjob: Obj, job: Obj) -> None:
        meta = job["metadata"]
        try:
            gone = self._store.delete(JOBS, meta["namespace"], meta["name"])
        except ApiError as err:
            if err.code == 404:
                return
            raise
        self._cache.forget("Job", gone)
        self._recorder.record(
            cronjob,
            kind=EventType.NORMAL,
            reason="SuccessfulDelete",
            message=f"Deleted job {meta['name']}",
            source=CRONJOB_CONTROLLER,
        )

    def _write(self, cronjob: Obj, status: Obj) -> None:
        if status == (cronjob.get("status") or {}):
            return
        meta = cronjob["metadata"]

        def put(obj: Obj) -> None:
            obj["status"] = status

        written = self._store.mutate(
            by_kind("CronJob"), meta["namespace"], meta["name"], put, subresource="status"
        )
        self._cache.apply("MODIFIED", "CronJob", written)


def _reference(job: Obj) -> Obj:
    meta = job["metadata"]
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "name": meta["name"],
        "namespace": meta["namespace"],
        "resourceVersion": str(meta.get("resourceVersion", "")),
        "uid": meta["uid"],
    }


__all__ = ["CronJobController", "job_name", "key_of", "most_recent"]
