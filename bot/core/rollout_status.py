"""What ``kubectl rollout status`` says of a Deployment, and what stops its new pods.

From kubectl's ``DeploymentStatusViewer`` (rollout_status.go); the stuck pods and the
``ReplicaFailure`` line are the bot's own, so that a failing rollout says why at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.core import kube
from bot.core.kube import Obj


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
