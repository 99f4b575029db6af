"""Deployment status and the Progressing/Available conditions (``sync.go``, ``progress.go``).

``kubectl rollout status`` is computed entirely from these numbers and conditions, so they follow
upstream closely, including the quirks: unavailableReplicas counts desired-but-unavailable pods of
*all* ReplicaSets, and Progressing is refreshed (new lastUpdateTime) whenever progress is seen,
which is what the progress deadline is measured from.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

from kubesim.controllers.deployment import conditions as cond
from kubesim.controllers.deployment.rollout_math import (
    desired,
    max_unavailable,
    total_spec,
    total_status,
)
from kubesim.storage.storeport import Obj

_NO_DEADLINE = 2**31 - 1


def has_progress_deadline(d: Obj) -> bool:
    """``HasProgressDeadline``: set and not MaxInt32."""
    value = d.get("spec", {}).get("progressDeadlineSeconds")
    return value is not None and int(value) != _NO_DEADLINE


def calculate_status(all_rss: Sequence[Obj | None], new_rs: Obj | None, d: Obj, now: str) -> Obj:
    """``calculateStatus``: counters from the ReplicaSets plus the Available condition."""
    available = total_status(all_rss, "availableReplicas")
    unavailable = max(total_spec(all_rss) - available, 0)
    old = d.get("status", {})
    counters = {
        "observedGeneration": int(d.get("metadata", {}).get("generation") or 0),
        "replicas": total_status(all_rss, "replicas"),
        "updatedReplicas": total_status([new_rs], "replicas"),
        "readyReplicas": total_status(all_rss, "readyReplicas"),
        "availableReplicas": available,
        "unavailableReplicas": unavailable,
    }
    status: Obj = {k: v for k, v in counters.items() if v}
    if old.get("conditions"):
        status["conditions"] = copy.deepcopy(old["conditions"])
    if old.get("collisionCount") is not None:
        status["collisionCount"] = old["collisionCount"]
    if available >= desired(d) - max_unavailable(d):
        cond.set_condition(
            status,
            cond.new_condition(
                cond.AVAILABLE,
                "True",
                cond.MIN_AVAILABLE,
                "Deployment has minimum availability.",
                now,
            ),
        )
    else:
        cond.set_condition(
            status,
            cond.new_condition(
                cond.AVAILABLE,
                "False",
                cond.MIN_UNAVAILABLE,
                "Deployment does not have minimum availability.",
                now,
            ),
        )
    return status


def deployment_complete(d: Obj, status: Obj) -> bool:
    """``DeploymentComplete``: every desired replica updated, available and nothing older left."""
    want = desired(d)
    return (
        int(status.get("updatedReplicas") or 0) == want
        and int(status.get("replicas") or 0) == want
        and int(status.get("availableReplicas") or 0) == want
        and int(status.get("observedGeneration") or 0)
        >= int(d.get("metadata", {}).get("generation") or 0)
    )


def deployment_progressing(d: Obj, status: Obj) -> bool:
    """``DeploymentProgressing``: more updated/ready/available pods, or fewer old ones."""
    old = d.get("status", {})

    def get(s: Obj, field: str) -> int:
        return int(s.get(field) or 0)

    old_old = get(old, "replicas") - get(old, "updatedReplicas")
    new_old = get(status, "replicas") - get(status, "updatedReplicas")
    return (
        get(status, "updatedReplicas") > get(old, "updatedReplicas")
        or new_old < old_old
        or get(status, "readyReplicas") > get(old, "readyReplicas")
        or get(status, "availableReplicas") > get(old, "availableReplicas")
    )


def rollout_status(
    d: Obj,
    all_rss: Sequence[Obj | None],
    new_rs: Obj | None,
    *,
    now: str,
    timed_out: Callable[[Obj], bool],
) -> Obj:
    """``syncRolloutStatus``'s new status; ``timed_out(status)`` applies ``DeploymentTimedOut``."""
    status = calculate_status(all_rss, new_rs, d, now)
    if not has_progress_deadline(d):
        cond.remove_condition(status, cond.PROGRESSING)
    current = cond.get_condition(d.get("status", {}), cond.PROGRESSING)
    complete = (
        status.get("replicas", 0) == status.get("updatedReplicas", 0)
        and current is not None
        and current.get("reason") == cond.NEW_RS_AVAILABLE
    )
    if not has_progress_deadline(d) or complete:
        return _replica_failure(status, all_rss, new_rs)
    subject = f'ReplicaSet "{new_rs["metadata"]["name"]}"' if new_rs else f'Deployment "{_name(d)}"'
    if deployment_complete(d, status):
        cond.set_condition(
            status,
            cond.new_condition(
                cond.PROGRESSING,
                "True",
                cond.NEW_RS_AVAILABLE,
                f"{subject} has successfully progressed.",
                now,
            ),
        )
    elif deployment_progressing(d, status):
        update = cond.new_condition(
            cond.PROGRESSING, "True", cond.RS_UPDATED, f"{subject} is progressing.", now
        )
        if current is not None:
            if current.get("status") == "True":
                update["lastTransitionTime"] = current.get("lastTransitionTime")
            cond.remove_condition(status, cond.PROGRESSING)
        cond.set_condition(status, update)
    elif timed_out(status):
        cond.set_condition(
            status,
            cond.new_condition(
                cond.PROGRESSING,
                "False",
                cond.TIMED_OUT,
                f"{subject} has timed out progressing.",
                now,
            ),
        )
    return _replica_failure(status, all_rss, new_rs)


def _replica_failure(status: Obj, all_rss: Sequence[Obj | None], new_rs: Obj | None) -> Obj:
    """``getReplicaFailures``: the new ReplicaSet's ``ReplicaFailure`` condition (else an old
    one's) becomes the Deployment's, stamped with its transition time; none clears it."""
    for rs in [new_rs, *(r for r in all_rss if r is not new_rs)]:
        found = cond.get_condition((rs or {}).get("status") or {}, cond.REPLICA_FAILURE)
        if found is not None:
            at = found.get("lastTransitionTime")
            cond.set_condition(
                status,
                {
                    "type": cond.REPLICA_FAILURE,
                    "status": found.get("status", "True"),
                    "lastUpdateTime": at,
                    "lastTransitionTime": at,
                    "reason": found.get("reason", ""),
                    "message": found.get("message", ""),
                },
            )
            return status
    cond.remove_condition(status, cond.REPLICA_FAILURE)
    return status


def _name(d: Obj) -> str:
    return str(d.get("metadata", {}).get("name", ""))
