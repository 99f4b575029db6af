"""kubectl's rollout algorithms for StatefulSets and DaemonSets, over raw objects.

From kubectl's ``polymorphichelpers``: the StatefulSet and DaemonSet status viewers
(rollout_status.go), the ControllerRevision history (history.go) and rollbackers
(rollback.go). Unlike a Deployment, a set remembers its templates in ControllerRevisions whose
``data`` is a strategic merge patch replacing ``spec.template``; undo sends that patch back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.core import kube
from bot.core.kube import Obj
from bot.core.rollout import CHANGE_CAUSE, templates_equal
from bot.core.rollout_status import Status
from bot.errors import ClusterError, NotFound

_ROLLING_ONLY = "rollout status is only available for RollingUpdate strategy type"


def statefulset_status(sts: Obj) -> Status:
    """``StatefulSetStatusViewer.Status``."""
    spec, status = kube.mapping(sts, "spec"), kube.mapping(sts, "status")
    if kube.text(spec, "updateStrategy", "type") != "RollingUpdate":
        return Status(_ROLLING_ONLY, failed=True)
    observed = kube.number(status, "observedGeneration")
    if observed == 0 or kube.number(sts, "metadata", "generation") > observed:
        return Status("Waiting for statefulset spec update to be observed...")
    replicas = kube.number(spec, "replicas") if kube.has(spec, "replicas") else None
    ready = kube.number(status, "readyReplicas")
    if replicas is not None and ready < replicas:
        return Status(f"Waiting for {replicas - ready} pods to be ready...")
    return _statefulset_update(spec, status, replicas)


def _statefulset_update(spec: Obj, status: Obj, replicas: int | None) -> Status:
    """The viewer's last steps, once every pod is ready: the partition, then the revisions."""
    updated = kube.number(status, "updatedReplicas")
    if kube.has(spec, "updateStrategy", "rollingUpdate"):
        rolling = kube.mapping(spec, "updateStrategy", "rollingUpdate")
        if replicas is not None and kube.has(rolling, "partition"):
            wanted = replicas - kube.number(rolling, "partition")
            if updated < wanted:
                return Status(
                    "Waiting for partitioned roll out to finish: "
                    f"{updated} out of {wanted} new pods have been updated..."
                )
        return Status(
            f"partitioned roll out complete: {updated} new pods have been updated...", done=True
        )
    update, current = kube.text(status, "updateRevision"), kube.text(status, "currentRevision")
    if update != current:
        return Status(
            f"waiting for statefulset rolling update to complete {updated} pods at revision "
            f"{update}..."
        )
    return Status(
        f"statefulset rolling update complete {kube.number(status, 'currentReplicas')} pods at "
        f"revision {current}...",
        done=True,
    )


def daemonset_status(ds: Obj) -> Status:
    """``DaemonSetStatusViewer.Status``."""
    name = kube.name_of(ds)
    if kube.text(ds, "spec", "updateStrategy", "type") != "RollingUpdate":
        return Status(_ROLLING_ONLY, failed=True)
    if kube.number(ds, "metadata", "generation") > kube.number(ds, "status", "observedGeneration"):
        return Status("Waiting for daemon set spec update to be observed...")
    desired = kube.number(ds, "status", "desiredNumberScheduled")
    updated = kube.number(ds, "status", "updatedNumberScheduled")
    available = kube.number(ds, "status", "numberAvailable")
    waiting = f'Waiting for daemon set "{name}" rollout to finish: '
    if updated < desired:
        return Status(f"{waiting}{updated} out of {desired} new pods have been updated...")
    if available < desired:
        return Status(f"{waiting}{available} of {desired} updated pods are available...")
    return Status(f'daemon set "{name}" successfully rolled out', done=True)


def owned_revisions(owner: Obj, revisions: Sequence[Obj]) -> list[Obj]:
    """``controlledHistories``: the listed ControllerRevisions the owner controls (by uid)."""
    uid = kube.text(owner, "metadata", "uid")
    return [r for r in revisions if kube.controller_uid(r) == uid]


def revision_number(revision: Obj) -> int:
    """``ControllerRevision.revision``."""
    return kube.number(revision, "revision")


def revision_template(revision: Obj) -> Obj:
    """The pod template a revision's patch restores (``$patch`` dropped)."""
    template = dict(kube.mapping(revision, "data", "spec", "template"))
    template.pop("$patch", None)
    return template


def history(revisions: Sequence[Obj]) -> dict[int, Obj]:
    """Revision -> pod template, each with the revision's change-cause folded in."""
    result: dict[int, Obj] = {}
    for revision in revisions:
        template = revision_template(revision)
        cause = kube.string_map(revision, "metadata", "annotations").get(CHANGE_CAUSE, "")
        if cause:
            meta = dict(kube.mapping(template, "metadata"))
            meta["annotations"] = {**kube.string_map(meta, "annotations"), CHANGE_CAUSE: cause}
            template["metadata"] = meta
        result[revision_number(revision)] = template
    return result


def history_rows(revisions: Sequence[Obj]) -> list[tuple[str, str]]:
    """The ``REVISION  CHANGE-CAUSE`` rows, ascending, ``<none>`` for no cause."""
    by_number = {revision_number(r): r for r in revisions}
    return [
        (
            str(number),
            kube.string_map(by_number[number], "metadata", "annotations").get(CHANGE_CAUSE)
            or "<none>",
        )
        for number in sorted(by_number)
    ]


@dataclass(frozen=True, slots=True)
class SetUndo:
    """What ``rollout undo`` of a set does: a strategic merge patch, or a skip message."""

    outcome: str
    patch: Obj | None = None


def plan_undo(owner: Obj, revisions: Sequence[Obj], *, to_revision: int = 0) -> SetUndo:
    """kubectl's ``StatefulSetRollbacker``/``DaemonSetRollbacker.Rollback`` decision."""
    if to_revision < 0:
        raise NotFound(f"unable to find specified revision {to_revision} in history")
    if to_revision == 0 and len(revisions) <= 1:
        raise ClusterError("no last revision to roll back to")
    ordered = sorted(revisions, key=revision_number)
    target: Obj | None
    if to_revision == 0:
        target = ordered[-2]
    else:
        target = next((r for r in ordered if revision_number(r) == to_revision), None)
    if target is None:
        raise NotFound(f"unable to find specified revision {to_revision} in history")
    if templates_equal(revision_template(target), kube.mapping(owner, "spec", "template")):
        return SetUndo(
            f"skipped rollback (current template already matches revision {to_revision})"
        )
    patch: Any = json.loads(json.dumps(kube.mapping(target, "data")))
    return SetUndo("rolled back", patch if isinstance(patch, dict) else {})
