"""``kubectl describe`` text for StatefulSets, DaemonSets, Jobs and CronJobs (kubectl 1.32).

Field order and wording follow ``pkg/describe/describe.go`` (``describeStatefulSet``,
``describeDaemonSet``, ``describeJob``, ``describeCronJob``); the gateway reads the object, the
pods its selector and controller reference pick (for ``Pods Status``) and the events about it.
Quirks kept on purpose: a DaemonSet's description has no Namespace line and its node counts are
not tab-aligned, a CronJob's ``Suspend`` prints ``True``/``False`` while a Job's prints
``true``/``false``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core import kube, tabwriter
from bot.core.ages import human_duration, parse_time, rfc1123z
from bot.core.describe import events_section
from bot.core.describe_out import Out, annotations_multiline, labels_multiline
from bot.core.describe_pod_spec import pod_template
from bot.core.kube import Obj


def pods_status(pods: Sequence[Obj] | None) -> str:
    """``getPodStatusForController``: ``R Running / W Waiting / S Succeeded / F Failed``."""
    counts = dict.fromkeys(("Running", "Pending", "Succeeded", "Failed"), 0)
    for pod in pods or ():
        phase = kube.text(pod, "status", "phase")
        if phase in counts:
            counts[phase] += 1
    return (
        f"{counts['Running']} Running / {counts['Pending']} Waiting / "
        f"{counts['Succeeded']} Succeeded / {counts['Failed']} Failed"
    )


def label_selector(selector: Obj) -> str:
    """``LabelSelectorAsSelector(...).String()``, which prints ``<none>`` for an empty one."""
    return kube.selector_string(selector) or "<none>"


def _header(out: Out, obj: Obj, *, namespace: bool = True) -> None:
    meta = kube.mapping(obj, "metadata")
    out.write(0, f"Name:\t{kube.text(meta, 'name')}\n")
    if namespace:
        out.write(0, f"Namespace:\t{kube.text(meta, 'namespace')}\n")


def _volume_claims(out: Out, claims: Sequence[Obj]) -> None:
    """``describeVolumeClaimTemplates``."""
    if not claims:
        out.write(0, "Volume Claims:\t<none>\n")
        return
    out.write(0, "Volume Claims:\n")
    for claim in claims:
        spec = kube.mapping(claim, "spec")
        out.write(1, f"Name:\t{kube.name_of(claim)}\n")
        out.write(1, f"StorageClass:\t{kube.text(spec, 'storageClassName')}\n")
        labels_multiline(out, "  Labels", kube.string_map(claim, "metadata", "labels"))
        annotations_multiline(
            out, "  Annotations", kube.string_map(claim, "metadata", "annotations")
        )
        capacity = kube.text(spec, "resources", "requests", "storage") or "0"
        out.write(1, f"Capacity:\t{capacity}\n")
        # Go's %v of the list, not the short forms of describe pvc
        out.write(1, f"Access Modes:\t[{' '.join(kube.strings(spec, 'accessModes'))}]\n")


def describe_statefulset(
    sts: Obj, pods: Sequence[Obj] | None, events: Sequence[Obj] | None, now: datetime
) -> str:
    """``kubectl describe statefulset``."""
    out = Out()
    meta, spec, status = (kube.mapping(sts, k) for k in ("metadata", "spec", "status"))
    _header(out, sts)
    out.write(0, f"CreationTimestamp:\t{rfc1123z(kube.text(meta, 'creationTimestamp'))}\n")
    out.write(0, f"Selector:\t{label_selector(kube.mapping(spec, 'selector'))}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    out.write(
        0,
        f"Replicas:\t{kube.number(spec, 'replicas')} desired | "
        f"{kube.number(status, 'replicas')} total\n",
    )
    out.write(0, f"Update Strategy:\t{kube.text(spec, 'updateStrategy', 'type')}\n")
    rolling = kube.mapping(spec, "updateStrategy", "rollingUpdate")
    if kube.has(spec, "updateStrategy", "rollingUpdate") and kube.has(rolling, "partition"):
        out.write(1, f"Partition:\t{kube.number(rolling, 'partition')}\n")
        if kube.has(rolling, "maxUnavailable"):
            out.write(1, f"MaxUnavailable:\t{kube.text(rolling, 'maxUnavailable')}\n")
    out.write(0, f"Pods Status:\t{pods_status(pods)}\n")
    pod_template(out, kube.mapping(spec, "template"))
    _volume_claims(out, kube.items(spec, "volumeClaimTemplates"))
    events_section(out, events, now)
    return tabwriter.align(out.text())


def describe_daemonset(
    ds: Obj, pods: Sequence[Obj] | None, events: Sequence[Obj] | None, now: datetime
) -> str:
    """``kubectl describe daemonset``."""
    out = Out()
    meta, spec, status = (kube.mapping(ds, k) for k in ("metadata", "spec", "status"))
    _header(out, ds, namespace=False)
    out.write(0, f"Selector:\t{label_selector(kube.mapping(spec, 'selector'))}\n")
    node_selector = kube.string_map(spec, "template", "spec", "nodeSelector")
    out.write(0, f"Node-Selector:\t{kube.format_labels(node_selector)}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    for title, field in (
        ("Desired Number of Nodes Scheduled", "desiredNumberScheduled"),
        ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
        ("Number of Nodes Scheduled with Up-to-date Pods", "updatedNumberScheduled"),
        ("Number of Nodes Scheduled with Available Pods", "numberAvailable"),
        ("Number of Nodes Misscheduled", "numberMisscheduled"),
    ):
        out.write(0, f"{title}: {kube.number(status, field)}\n")
    out.write(0, f"Pods Status:\t{pods_status(pods)}\n")
    pod_template(out, kube.mapping(spec, "template"))
    events_section(out, events, now)
    return tabwriter.align(out.text())


def _controlled_by(obj: Obj) -> str:
    ref = kube.controller_ref(obj)
    return f"{kube.text(ref, 'kind')}/{kube.text(ref, 'name')}" if ref else ""


def describe_job(job: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe job``."""
    out = Out()
    meta, spec, status = (kube.mapping(job, k) for k in ("metadata", "spec", "status"))
    _header(out, job)
    out.write(0, f"Selector:\t{label_selector(kube.mapping(spec, 'selector'))}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    if _controlled_by(job):
        out.write(0, f"Controlled By:\t{_controlled_by(job)}\n")
    if kube.has(spec, "parallelism"):
        out.write(0, f"Parallelism:\t{kube.number(spec, 'parallelism')}\n")
    completions = kube.number(spec, "completions") if kube.has(spec, "completions") else None
    out.write(0, f"Completions:\t{'<unset>' if completions is None else completions}\n")
    if kube.text(spec, "completionMode"):
        out.write(0, f"Completion Mode:\t{kube.text(spec, 'completionMode')}\n")
    _job_spec(out, spec)
    _job_times(out, status)
    if kube.has(spec, "activeDeadlineSeconds"):
        deadline = kube.number(spec, "activeDeadlineSeconds")
        out.write(0, f"Active Deadline Seconds:\t{deadline}s\n")
    counts = (
        f"{kube.number(status, 'active')} Active"
        + (f" ({kube.number(status, 'ready')} Ready)" if kube.has(status, "ready") else "")
        + f" / {kube.number(status, 'succeeded')} Succeeded"
        + f" / {kube.number(status, 'failed')} Failed"
    )
    out.write(0, f"Pods Statuses:\t{counts}\n")
    if kube.text(spec, "completionMode") == "Indexed":
        out.write(0, f"Completed Indexes:\t{kube.text(status, 'completedIndexes') or '<none>'}\n")
    pod_template(out, kube.mapping(spec, "template"))
    events_section(out, events, now)
    return tabwriter.align(out.text())


def _job_spec(out: Out, spec: Obj) -> None:
    if kube.has(spec, "suspend"):
        out.write(0, f"Suspend:\t{'true' if kube.flag(spec, 'suspend') else 'false'}\n")
    if kube.has(spec, "backoffLimit"):
        out.write(0, f"Backoff Limit:\t{kube.number(spec, 'backoffLimit')}\n")
    if kube.has(spec, "ttlSecondsAfterFinished"):
        ttl = kube.number(spec, "ttlSecondsAfterFinished")
        out.write(0, f"TTL Seconds After Finished:\t{ttl}\n")


def _job_times(out: Out, status: Obj) -> None:
    started, completed = kube.text(status, "startTime"), kube.text(status, "completionTime")
    if started:
        out.write(0, f"Start Time:\t{rfc1123z(started)}\n")
    if completed:
        out.write(0, f"Completed At:\t{rfc1123z(completed)}\n")
    start_at, end_at = parse_time(started), parse_time(completed)
    if start_at is not None and end_at is not None:
        out.write(0, f"Duration:\t{human_duration((end_at - start_at).total_seconds())}\n")


def _unset_or(spec: Obj, field: str, suffix: str = "") -> str:
    return f"{kube.number(spec, field)}{suffix}" if kube.has(spec, field) else "<unset>"


def describe_cronjob(cronjob: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe cronjob``."""
    out = Out()
    meta, spec, status = (kube.mapping(cronjob, k) for k in ("metadata", "spec", "status"))
    _header(out, cronjob)
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    out.write(0, f"Schedule:\t{kube.text(spec, 'schedule')}\n")
    out.write(0, f"Concurrency Policy:\t{kube.text(spec, 'concurrencyPolicy')}\n")
    suspend = "<unset>"
    if kube.has(spec, "suspend"):
        suspend = "True" if kube.flag(spec, "suspend") else "False"
    out.write(0, f"Suspend:\t{suspend}\n")
    out.write(
        0, f"Successful Job History Limit:\t{_unset_or(spec, 'successfulJobsHistoryLimit')}\n"
    )
    out.write(0, f"Failed Job History Limit:\t{_unset_or(spec, 'failedJobsHistoryLimit')}\n")
    out.write(0, f"Starting Deadline Seconds:\t{_unset_or(spec, 'startingDeadlineSeconds', 's')}\n")
    job = kube.mapping(spec, "jobTemplate", "spec")
    selector = "<unset>"
    if kube.has(job, "selector"):
        selector = label_selector(kube.mapping(job, "selector"))
    out.write(0, f"Selector:\t{selector}\n")
    out.write(0, f"Parallelism:\t{_unset_or(job, 'parallelism')}\n")
    out.write(0, f"Completions:\t{_unset_or(job, 'completions')}\n")
    if kube.has(job, "activeDeadlineSeconds"):
        out.write(0, f"Active Deadline Seconds:\t{kube.number(job, 'activeDeadlineSeconds')}s\n")
    pod_template(out, kube.mapping(job, "template"))
    last = kube.text(status, "lastScheduleTime")
    out.write(0, f"Last Schedule Time:\t{rfc1123z(last) if last else '<unset>'}\n")
    active = [kube.text(ref, "name") for ref in kube.items(status, "active")]
    out.write(0, f"Active Jobs:\t{', '.join(active) or '<none>'}\n")
    events_section(out, events, now)
    return tabwriter.align(out.text())
