"""``kubectl describe replicaset``: replicas, the phases of the pods it controls, its template."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core import kube, tabwriter
from bot.core.describe import events_section
from bot.core.describe_out import Out, annotations_multiline, labels_multiline
from bot.core.describe_pod_spec import pod_template
from bot.core.kube import Obj


def pod_phases(owner: Obj, pods: Sequence[Obj]) -> tuple[int, int, int, int]:
    """``getPodStatusForController``: Running, Pending, Succeeded, Failed among the pods whose
    controller is ``owner`` (orphans and others' pods skipped)."""
    uid = kube.text(owner, "metadata", "uid")
    phases = [
        kube.text(p, "status", "phase") for p in pods if kube.controller_uid(p) == uid and uid
    ]
    return tuple(phases.count(p) for p in ("Running", "Pending", "Succeeded", "Failed"))  # type: ignore[return-value]


def describe_replica_set(
    rs: Obj,
    *,
    pods: Sequence[Obj] | None,
    pods_error: str = "",
    events: Sequence[Obj] | None,
    now: datetime,
) -> str:
    """``kubectl describe replicaset`` (``pods`` None: the pod list failed with ``pods_error``)."""
    out = Out()
    meta, spec = kube.mapping(rs, "metadata"), kube.mapping(rs, "spec")
    out.write(0, f"Name:\t{kube.text(meta, 'name')}\n")
    out.write(0, f"Namespace:\t{kube.text(meta, 'namespace')}\n")
    out.write(0, f"Selector:\t{kube.selector_string(kube.mapping(spec, 'selector'))}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    ref = kube.controller_ref(rs)
    if ref:
        out.write(0, f"Controlled By:\t{kube.text(ref, 'kind')}/{kube.text(ref, 'name')}\n")
    out.write(
        0,
        f"Replicas:\t{kube.number(rs, 'status', 'replicas')} current / "
        f"{kube.number(spec, 'replicas')} desired\n",
    )
    out.write(0, "Pods Status:\t")
    if pods is None:
        out.write(0, f"error in fetching pods: {pods_error}\n")
    else:
        running, waiting, succeeded, failed = pod_phases(rs, pods)
        out.write(
            0,
            f"{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n",
        )
    pod_template(out, kube.mapping(spec, "template"))
    conditions = kube.items(rs, "status", "conditions")
    if conditions:
        out.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        out.write(1, "----\t------\t------\n")
        for c in conditions:
            out.write(
                1, f"{kube.text(c, 'type')} \t{kube.text(c, 'status')}\t{kube.text(c, 'reason')}\n"
            )
    events_section(out, events, now)
    return tabwriter.align(out.text())
