"""Deployment status conditions, set the way ``deploymentutil.SetDeploymentCondition`` does.

The details are visible to users: an update with the same status and reason changes nothing
(so timestamps stay put), a status flip gets a new lastTransitionTime, and an updated condition
moves to the end of the list, which is why ``describe`` shows Available before Progressing.
"""

from __future__ import annotations

from typing import Any

from kubesim.storage.storeport import Obj

PROGRESSING = "Progressing"
AVAILABLE = "Available"

# Reasons (pkg/controller/deployment/util/deployment_util.go).
NEW_RS_CREATED = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
RS_UPDATED = "ReplicaSetUpdated"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
REPLICA_FAILURE = "ReplicaFailure"
MIN_AVAILABLE = "MinimumReplicasAvailable"
MIN_UNAVAILABLE = "MinimumReplicasUnavailable"


def new_condition(kind: str, status: str, reason: str, message: str, now: str) -> dict[str, Any]:
    """A condition stamped ``now`` for both update and transition times."""
    return {
        "type": kind,
        "status": status,
        "lastUpdateTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def get_condition(status: Obj, kind: str) -> dict[str, Any] | None:
    """The condition of this type, or None."""
    for cond in status.get("conditions") or ():
        if cond.get("type") == kind:
            return dict(cond)
    return None


def set_condition(status: Obj, cond: dict[str, Any]) -> None:
    """``SetDeploymentCondition``: no-op on same status+reason; same status keeps its transition."""
    current = get_condition(status, cond["type"])
    if current is not None and current["status"] == cond["status"]:
        if current.get("reason") == cond["reason"]:
            return
        cond = {**cond, "lastTransitionTime": current.get("lastTransitionTime")}
    remove_condition(status, cond["type"])
    status.setdefault("conditions", []).append(cond)


def remove_condition(status: Obj, kind: str) -> None:
    """Drop the condition of this type (the list is removed when it empties)."""
    kept = [c for c in status.get("conditions") or () if c.get("type") != kind]
    if kept:
        status["conditions"] = kept
    else:
        status.pop("conditions", None)
