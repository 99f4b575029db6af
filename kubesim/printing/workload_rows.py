"""Table rows of Deployments, ReplicaSets, StatefulSets, DaemonSets, ControllerRevisions, Jobs
and CronJobs (``printers.go`` v1.32)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kubesim.printing.cells import (
    NONE,
    container_cells,
    format_labels,
    human_duration,
    selector_string,
    since,
    timestamp,
)
from kubesim.printing.rows import JSON, Row, age, meta


def _deployment_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    names, images = container_cells((spec.get("template") or {}).get("spec"))
    return [
        meta(obj).get("name", ""),
        f"{status.get('readyReplicas') or 0}/{spec.get('replicas') or 0}",
        status.get("updatedReplicas") or 0,
        status.get("availableReplicas") or 0,
        age(obj, now),
        names,
        images,
        selector_string(spec.get("selector")),
    ]


def _replica_set_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    names, images = container_cells((spec.get("template") or {}).get("spec"))
    return [
        meta(obj).get("name", ""),
        spec.get("replicas") or 0,
        status.get("replicas") or 0,
        status.get("readyReplicas") or 0,
        age(obj, now),
        names,
        images,
        selector_string(spec.get("selector")),
    ]


def _stateful_set_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    names, images = container_cells((spec.get("template") or {}).get("spec"))
    return [
        meta(obj).get("name", ""),
        f"{status.get('readyReplicas') or 0}/{spec.get('replicas') or 0}",
        age(obj, now),
        names,
        images,
    ]


def _daemon_set_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    template_spec = (spec.get("template") or {}).get("spec") or {}
    names, images = container_cells(template_spec)
    return [
        meta(obj).get("name", ""),
        status.get("desiredNumberScheduled") or 0,
        status.get("currentNumberScheduled") or 0,
        status.get("numberReady") or 0,
        status.get("updatedNumberScheduled") or 0,
        status.get("numberAvailable") or 0,
        format_labels(template_spec.get("nodeSelector")),
        age(obj, now),
        names,
        images,
        label_selector_string(spec.get("selector")),
    ]


def label_selector_string(selector: Any) -> str:
    """``metav1.FormatLabelSelector``: ``<none>`` for an empty selector."""
    return selector_string(selector) or NONE


def _controller_revision_row(obj: JSON, now: datetime) -> list[Any]:
    owner = next((r for r in meta(obj).get("ownerReferences") or [] if r.get("controller")), None)
    controller = NONE
    if owner is not None:
        group = str(owner.get("apiVersion", "")).rpartition("/")[0]
        kind = str(owner.get("kind", "")).lower()
        controller = (
            f"{kind}.{group}/{owner.get('name', '')}"
            if group
            else f"{kind}/{owner.get('name', '')}"
        )
    return [meta(obj).get("name", ""), controller, obj.get("revision") or 0, age(obj, now)]


def _true_condition(obj: JSON, kind: str) -> bool:
    return any(
        c.get("type") == kind and c.get("status") == "True"
        for c in (obj.get("status") or {}).get("conditions") or []
    )


def job_status(obj: JSON) -> str:
    """``printJob``'s Status cell."""
    if _true_condition(obj, "Complete"):
        return "Complete"
    if _true_condition(obj, "Failed"):
        return "Failed"
    if meta(obj).get("deletionTimestamp"):
        return "Terminating"
    for kind in ("Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if _true_condition(obj, kind):
            return kind
    return "Running"


def _job_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    succeeded = status.get("succeeded") or 0
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif int(spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    start = timestamp(status.get("startTime"))
    done = timestamp(status.get("completionTime"))
    duration = ""
    if start is not None:
        duration = human_duration(((done or now) - start).total_seconds())
    names, images = container_cells((spec.get("template") or {}).get("spec"))
    return [
        meta(obj).get("name", ""),
        job_status(obj),
        completions,
        duration,
        age(obj, now),
        names,
        images,
        label_selector_string(spec.get("selector")),
    ]


def _cron_job_row(obj: JSON, now: datetime) -> list[Any]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    names, images = container_cells((job_spec.get("template") or {}).get("spec"))
    last = status.get("lastScheduleTime")
    suspend = spec.get("suspend")
    return [
        meta(obj).get("name", ""),
        spec.get("schedule", ""),
        spec.get("timeZone") or NONE,
        "<unset>" if suspend is None else ("True" if suspend else "False"),
        len(status.get("active") or []),
        since(last, now) if last else NONE,
        age(obj, now),
        names,
        images,
        label_selector_string(job_spec.get("selector")),
    ]


ROWS: dict[str, Row] = {
    "Deployment": _deployment_row,
    "ReplicaSet": _replica_set_row,
    "StatefulSet": _stateful_set_row,
    "DaemonSet": _daemon_set_row,
    "ControllerRevision": _controller_revision_row,
    "Job": _job_row,
    "CronJob": _cron_job_row,
}
