"""kubectl's Deployment rollout algorithms (status, history, undo, restart) over raw objects.

Reproduced from kubectl's ``polymorphichelpers`` (rollout_status.go, history.go, rollback.go,
objectrestarter.go) and ``pkg/util/deployment``: the gateway fetches the Deployment and its
ReplicaSets as JSON and these functions decide what kubectl would print or send. Keeping them pure
lets the edge cases (skipped rollback, paused deployments, unparsable revisions) be tested as
tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from bot.core import kube, tabwriter
from bot.core.ages import parse_time, rfc3339
from bot.core.describe import describe_template
from bot.core.kube import Obj
from bot.core.results import Document
from bot.errors import ClusterError, NotFound

REVISION: Final = "deployment.kubernetes.io/revision"
CHANGE_CAUSE: Final = "kubernetes.io/change-cause"
HASH_LABEL: Final = "pod-template-hash"
RESTARTED_AT: Final = "kubectl.kubernetes.io/restartedAt"

SKIPPED_ANNOTATIONS: Final = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    }
)
"""Annotations a rollback keeps from the Deployment instead of copying from the ReplicaSet."""


@dataclass(frozen=True, slots=True)
class Status:
    """One evaluation of kubectl's ``DeploymentStatusViewer.Status``."""

    message: str
    """The line kubectl prints (without the trailing newline)."""
    done: bool = False
    failed: bool = False
    """True for ``exceeded its progress deadline``: kubectl exits 1 with ``error: ...``."""


def status(deployment: Obj) -> Status:
    """What ``kubectl rollout status`` prints for this state of the Deployment."""
    name = kube.name_of(deployment)
    generation = kube.number(deployment, "metadata", "generation")
    observed = kube.number(deployment, "status", "observedGeneration")
    if generation > observed:
        return Status("Waiting for deployment spec update to be observed...")
    for cond in kube.items(deployment, "status", "conditions"):
        if cond.get("type") == "Progressing":
            if cond.get("reason") == "ProgressDeadlineExceeded":
                return Status(f'deployment "{name}" exceeded its progress deadline', failed=True)
            break
    updated = kube.number(deployment, "status", "updatedReplicas")
    replicas = kube.number(deployment, "status", "replicas")
    available = kube.number(deployment, "status", "availableReplicas")
    waiting = f'Waiting for deployment "{name}" rollout to finish: '
    if kube.has(deployment, "spec", "replicas"):
        desired = kube.number(deployment, "spec", "replicas")
        if updated < desired:
            return Status(f"{waiting}{updated} out of {desired} new replicas have been updated...")
    if replicas > updated:
        return Status(f"{waiting}{replicas - updated} old replicas are pending termination...")
    if available < updated:
        return Status(f"{waiting}{available} of {updated} updated replicas are available...")
    return Status(f'deployment "{name}" successfully rolled out', done=True)


def revision(obj: Obj) -> int | None:
    """``deploymentutil.Revision``: the revision annotation, 0 when absent, None if unparsable."""
    annotations = kube.string_map(obj, "metadata", "annotations")
    if REVISION not in annotations:
        return 0
    value = annotations[REVISION]
    # Go's strconv.ParseInt: optional sign and ASCII digits only (no spaces or underscores).
    return int(value) if re.fullmatch(r"[+-]?[0-9]+", value) else None


def owned_replica_sets(deployment: Obj, replica_sets: Sequence[Obj]) -> list[Obj]:
    """The listed ReplicaSets whose controller ownerReference is this Deployment (by uid)."""
    uid = kube.text(deployment, "metadata", "uid")
    return [rs for rs in replica_sets if kube.controller_uid(rs) == uid]


def _normalized(value: Any) -> Any:
    """Drop nulls and empty maps/lists: apimachinery's semantic equality treats nil == empty."""
    if isinstance(value, dict):
        out = {k: _normalized(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    return value


def _without_hash(template: Obj) -> Obj:
    copy = _normalized(template)
    labels = dict(kube.mapping(copy, "metadata", "labels"))
    labels.pop(HASH_LABEL, None)
    meta = dict(kube.mapping(copy, "metadata"))
    if labels:
        meta["labels"] = labels
    else:
        meta.pop("labels", None)
    result = dict(copy)
    if meta:
        result["metadata"] = meta
    else:
        result.pop("metadata", None)
    return result


def templates_equal(a: Obj, b: Obj) -> bool:
    """``equalIgnoreHash``: pod templates equal apart from the ``pod-template-hash`` label."""
    return bool(_without_hash(a) == _without_hash(b))


def _creation_key(rs: Obj) -> tuple[str, str]:
    when = parse_time(kube.text(rs, "metadata", "creationTimestamp"))
    return (when.isoformat() if when else "", kube.name_of(rs))


def new_replica_set(deployment: Obj, owned: Sequence[Obj]) -> Obj | None:
    """``FindNewReplicaSet``: the oldest owned RS whose template matches the Deployment's."""
    template = kube.mapping(deployment, "spec", "template")
    for rs in sorted(owned, key=_creation_key):
        if templates_equal(kube.mapping(rs, "spec", "template"), template):
            return rs
    return None


def old_replica_sets(deployment: Obj, owned: Sequence[Obj]) -> list[Obj]:
    """All owned ReplicaSets except the new one, oldest first (describe's OldReplicaSets)."""
    new = new_replica_set(deployment, owned)
    new_uid = kube.text(new, "metadata", "uid") if new else None
    return [
        rs for rs in sorted(owned, key=_creation_key) if kube.text(rs, "metadata", "uid") != new_uid
    ]


@dataclass(frozen=True, slots=True)
class Undo:
    """What ``rollout undo`` does: a JSON patch to send, or nothing with a skip message."""

    outcome: str
    """kubectl's words after ``deployment.apps/NAME``: ``rolled back`` or ``skipped ...``."""
    patch: tuple[Obj, ...] = ()
    """The ``application/json-patch+json`` operations; empty when nothing is to be sent."""


def plan_undo(deployment: Obj, owned: Sequence[Obj], *, to_revision: int = 0) -> Undo:
    """kubectl's ``DeploymentRollbacker.Rollback`` decision for the Deployment's own ReplicaSets.

    Raises ``NotFound`` for a missing revision or history, ``ClusterError`` for a paused
    Deployment (both with kubectl's messages).
    """
    name = kube.name_of(deployment)
    if to_revision < 0:
        raise NotFound(f"unable to find specified revision {to_revision} in history")
    target = _rollback_target(name, owned, to_revision)
    if kube.flag(deployment, "spec", "paused"):
        raise ClusterError(
            "you cannot rollback a paused deployment; resume it first with "
            "'kubectl rollout resume' and try again"
        )
    template = kube.mapping(target, "spec", "template")
    if templates_equal(template, kube.mapping(deployment, "spec", "template")):
        return Undo(f"skipped rollback (current template already matches revision {to_revision})")
    restored = dict(template)
    meta = dict(kube.mapping(restored, "metadata"))
    labels = dict(kube.mapping(meta, "labels"))
    labels.pop(HASH_LABEL, None)
    meta["labels"] = labels
    restored["metadata"] = meta
    current = kube.string_map(deployment, "metadata", "annotations")
    annotations = {k: current[k] for k in SKIPPED_ANNOTATIONS if k in current}
    for key, value in kube.string_map(target, "metadata", "annotations").items():
        if key not in SKIPPED_ANNOTATIONS:
            annotations[key] = value
    return Undo(
        "rolled back",
        (
            {"op": "replace", "path": "/spec/template", "value": restored},
            {"op": "replace", "path": "/metadata/annotations", "value": annotations},
        ),
    )


def _rollback_target(name: str, owned: Sequence[Obj], to_revision: int) -> Obj:
    if to_revision > 0:
        for rs in owned:
            if revision(rs) == to_revision:
                return rs
        raise NotFound(f"unable to find specified revision {to_revision} in history")
    previous_rev, max_rev = -1, -1
    previous: Obj | None = None
    latest: Obj | None = None
    for rs in owned:
        rev = revision(rs)
        if rev is None:
            continue
        if rev > max_rev:
            previous_rev, previous = max_rev, latest
            max_rev, latest = rev, rs
        elif rev > previous_rev:
            previous_rev, previous = rev, rs
    if previous is None:
        raise NotFound(f'no rollout history found for deployment "{name}"')
    return previous


def history(owned: Sequence[Obj]) -> dict[int, Obj]:
    """``ViewHistory``'s map revision -> pod template, with each RS's change-cause folded in."""
    result: dict[int, Obj] = {}
    for rs in owned:
        rev = revision(rs)
        if rev is None:
            continue
        template = dict(kube.mapping(rs, "spec", "template"))
        cause = kube.string_map(rs, "metadata", "annotations").get(CHANGE_CAUSE, "")
        if cause:
            meta = dict(kube.mapping(template, "metadata"))
            meta["annotations"] = {**kube.string_map(meta, "annotations"), CHANGE_CAUSE: cause}
            template["metadata"] = meta
        result[rev] = template
    return result


def history_rows(owned: Sequence[Obj]) -> list[tuple[str, str]]:
    """The ``REVISION  CHANGE-CAUSE`` rows, ascending, ``<none>`` for an empty cause."""
    revisions = history(owned)
    return [
        (
            str(rev),
            kube.string_map(revisions[rev], "metadata", "annotations").get(CHANGE_CAUSE)
            or "<none>",
        )
        for rev in sorted(revisions)
    ]


def history_document(
    resource: str,
    to_revision: int | None,
    templates: Mapping[int, Obj],
    rows: Sequence[tuple[str, str]],
) -> Document:
    """``rollout history`` as kubectl prints it for ``resource`` (``deployment.apps/web``): one
    revision's pod template with ``--revision``, else the revision table."""
    if to_revision:
        if to_revision not in templates:
            raise NotFound("unable to find the specified revision")
        header = f"{resource} with revision #{to_revision}\n"
        return Document(header + describe_template(templates[to_revision]))
    if not rows:
        return Document("No rollout history found.")
    table = "REVISION\tCHANGE-CAUSE\n" + "".join(f"{r}\t{c}\n" for r, c in rows)
    # kubectl's name printer adds "NAME " + newline around history's tabwriter text.
    return Document(f"{resource} \n{tabwriter.align(table)}\n")


def restart_patch(deployment: Obj, now: datetime) -> Obj:
    """The strategic-merge patch ``rollout restart`` sends (``restartedAt`` = now, RFC 3339).

    Raises ``ClusterError`` like kubectl for a paused Deployment, or when a restart was already
    triggered within the same second (the patch would be empty).
    """
    name = kube.name_of(deployment)
    if kube.flag(deployment, "spec", "paused"):
        raise ClusterError("can't restart paused deployment (run rollout resume first)")
    stamp = rfc3339(now)
    current = kube.string_map(deployment, "spec", "template", "metadata", "annotations")
    if current.get(RESTARTED_AT) == stamp:
        raise ClusterError(
            f'failed to create patch for deployment "{name}": if restart has already been '
            "triggered within the past second, please wait before attempting to trigger another"
        )
    return {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}


UNSCHEDULABLE: Final = "Unschedulable"
"""The PodScheduled condition's reason for a pod that fits on no node."""

STUCK_REASONS: Final = frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "ErrImageNeverPull",
        "CrashLoopBackOff",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
    }
)
"""Waiting reasons of a container that will not come up without a change (kubelet's words)."""


def failing_pods(new_rs: Obj, pods: Sequence[Obj]) -> list[str]:
    """What stops the new ReplicaSet's pods, one line per failing container, by pod name.

    ``pod web-7d9f-x: ImagePullBackOff — Back-off pulling image "nginx:doesnotexist"``, with the
    container named when the pod has several and the restart count once it restarted; a pod that
    fits on no node says the scheduler's reason. Pods of other ReplicaSets are ignored.
    """
    uid = kube.text(new_rs, "metadata", "uid")
    lines: list[str] = []
    for pod in sorted(pods, key=kube.name_of):
        if kube.controller_uid(pod) != uid or kube.has(pod, "metadata", "deletionTimestamp"):
            continue
        name = kube.name_of(pod)
        for cond in kube.items(pod, "status", "conditions"):
            if cond.get("type") == "PodScheduled" and cond.get("reason") == UNSCHEDULABLE:
                message = kube.text(cond, "message")
                lines.append(_failure_line(f"pod {name}", UNSCHEDULABLE, message))
        statuses = kube.items(pod, "status", "containerStatuses")
        for status in statuses:
            container = kube.text(status, "name")
            waiting = kube.mapping(status, "state", "waiting")
            reason, detail = kube.text(waiting, "reason"), kube.text(waiting, "message")
            if reason not in STUCK_REASONS:
                reason, detail = kube.text(status, "lastState", "terminated", "reason"), ""
                if reason != "OOMKilled":
                    continue
            who = f"pod {name}" if len(statuses) == 1 else f"pod {name}, container {container}"
            count = kube.number(status, "restartCount")
            suffix = f" ({count} restart{'s' if count != 1 else ''})" if count else ""
            lines.append(_failure_line(who, reason, detail) + suffix)
    return lines


def replica_failure(deployment: Obj) -> str:
    """The Deployment's ``ReplicaFailure`` condition as one line (its ReplicaSet cannot create
    pods: a quota, a LimitRange), or "" when it has none."""
    for cond in kube.items(deployment, "status", "conditions"):
        if cond.get("type") == "ReplicaFailure" and cond.get("status") == "True":
            return _failure_line(
                "new pods cannot be created", kube.text(cond, "reason"), kube.text(cond, "message")
            )
    return ""


def _failure_line(who: str, reason: str, detail: str) -> str:
    return f"{who}: {reason} — {detail}" if detail else f"{who}: {reason}"
