"""What ``kubectl rollout undo`` does to a Deployment: kubectl's ``DeploymentRollbacker``
(rollback.go), a JSON patch back to an earlier ReplicaSet's template, or a skip."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.core import kube
from bot.core.kube import Obj
from bot.core.rollout import HASH_LABEL, REVISION, revision, templates_equal
from bot.errors import ClusterError, NotFound

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
