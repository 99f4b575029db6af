"""The demo's CronJob and Jobs, written settled as their controllers would have left them:
Completed pods, the CronJob's scheduled Jobs and their status, so the controllers adopt them
unchanged.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from kubesim.api.cron import parse
from kubesim.api.resources import by_kind
from kubesim.controllers.workloads.cronjob import SCHEDULED_TIMESTAMP, job_name
from kubesim.controllers.workloads.history import controller_ref
from kubesim.kubelet.images import image_id
from kubesim.kubelet.kubelet import node_ip
from kubesim.kubelet.pod_status import ContainerRun, PodRun, render
from kubesim.machinery.clock import rfc3339
from kubesim.scenarios.backdating import backdated
from kubesim.scenarios.pods import POD, PodWriter, scheduled_status
from kubesim.scenarios.workloads import set_status
from kubesim.storage.store import Store
from kubesim.storage.storeport import Obj

JOB, CRONJOB = by_kind("Job"), by_kind("CronJob")


def _completed_status(spec: Obj, node: Obj, started: datetime, took: timedelta) -> Obj:
    """A kubelet's report of a pod whose containers all exited 0."""
    start, end = rfc3339(started), rfc3339(started + took)
    run = PodRun(
        uid="",
        namespace="",
        name="",
        node=node["metadata"]["name"],
        host_ip=node_ip(node),
        start_time=start,
        init=[],
        main=[],
        restart_policy=spec.get("restartPolicy", "Never"),
    )
    for c in spec.get("containers") or ():
        run.main.append(
            ContainerRun(
                name=c["name"],
                image=c["image"],
                init=False,
                state="terminated",
                reason="Completed",
                started_at=rfc3339(started + timedelta(seconds=2)),
                finished_at=end,
                container_id="containerd://"
                + hashlib.sha256(f"{c['name']}@{start}".encode()).hexdigest(),
                image_id=image_id(c["image"]),
                created=True,
            )
        )
        run.volume_mounts[c["name"]] = []
    status = render(run, scheduled_status(start), end)
    for cond in status["conditions"]:
        if cond["type"] in ("Ready", "ContainersReady"):
            cond["reason"] = "PodCompleted"
            cond.pop("message", None)
        if cond["type"] == "PodReadyToStartContainers":
            cond["status"] = "False"
    status.pop("podIP", None)
    status.pop("podIPs", None)
    return status


def finished_job(
    store: Store,
    make: PodWriter,
    node: Obj,
    manifest: Obj,
    *,
    started: datetime,
    took: timedelta,
) -> Obj:
    """A Job that ran one pod to completion ``took`` after ``started``."""
    with backdated(store, started):
        job = store.create(JOB, manifest)
    template = job["spec"]["template"]
    pod: Obj = {
        "metadata": {
            "name": f"{job['metadata']['name']}-{make.suffix()}",
            "generateName": f"{job['metadata']['name']}-",
            "namespace": job["metadata"]["namespace"],
            "labels": dict(template["metadata"].get("labels") or {}),
            "ownerReferences": [controller_ref(job)],
        },
        "spec": {**template["spec"], "nodeName": node["metadata"]["name"]},
    }
    pod["status"] = _completed_status(pod["spec"], node, started, took)
    with backdated(store, started):
        store.create(POD, pod)
    done = rfc3339(started + took)
    message = "Reached expected number of succeeded pods"
    conditions = [
        {
            "type": kind,
            "status": "True",
            "lastProbeTime": done,
            "lastTransitionTime": done,
            "reason": "CompletionsReached",
            "message": message,
        }
        for kind in ("SuccessCriteriaMet", "Complete")
    ]
    return set_status(
        store,
        "Job",
        job,
        {
            "conditions": conditions,
            "startTime": rfc3339(started),
            "completionTime": done,
            "succeeded": 1,
            "ready": 0,
            "terminating": 0,
            "uncountedTerminatedPods": {},
        },
    )


def cron_job(
    store: Store,
    make: PodWriter,
    node: Obj,
    *,
    name: str,
    namespace: str,
    schedule: str,
    container: Obj,
    age: timedelta,
) -> Obj:
    """A CronJob whose last scheduled run finished, that Job kept in its history."""
    born = make.now - age
    with backdated(store, born):
        cronjob = store.create(
            CRONJOB,
            {
                "metadata": {"name": name, "namespace": namespace},
                "spec": {
                    "schedule": schedule,
                    "jobTemplate": {
                        "spec": {
                            "template": {
                                "spec": {"restartPolicy": "OnFailure", "containers": [container]}
                            }
                        }
                    },
                },
            },
        )
    parsed = parse(schedule)
    last: datetime | None = None
    t = parsed.next_after(born)
    while t is not None and t <= make.now:
        last, t = t, parsed.next_after(t)
    if last is None:
        return cronjob
    took = timedelta(seconds=14)
    job = finished_job(
        store,
        make,
        node,
        {
            "metadata": {
                "name": job_name(name, last),
                "namespace": namespace,
                "annotations": {SCHEDULED_TIMESTAMP: rfc3339(last)},
                "ownerReferences": [controller_ref(cronjob)],
            },
            "spec": dict(cronjob["spec"]["jobTemplate"]["spec"]),
        },
        started=last,
        took=took,
    )
    return set_status(
        store,
        "CronJob",
        cronjob,
        {
            "lastScheduleTime": rfc3339(last),
            "lastSuccessfulTime": job["status"]["completionTime"],
        },
    )
