"""A ReplicaSet's status from the pods it owns (upstream's ``calculateStatus``), with the
``ReplicaFailure`` condition a refused creation sets and the next look that minReadySeconds asks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from kubesim.controllers.active_pods import is_ready, ready_condition
from kubesim.machinery.clock import Clock, parse_rfc3339, rfc3339
from kubesim.storage.storeport import Obj

REPLICA_FAILURE = "ReplicaFailure"


def replicaset_status(
    rs: Obj, pods: Sequence[Obj], clock: Clock, failure: str | None = None
) -> tuple[Obj, float | None]:
    """``calculateStatus``, plus when to look again for minReadySeconds: a failed creation
    sets the ``ReplicaFailure`` condition (reason FailedCreate), a sync without one clears
    it."""
    template_labels = rs.get("spec", {}).get("template", {}).get("metadata", {}).get("labels") or {}
    min_ready = int(rs.get("spec", {}).get("minReadySeconds") or 0)
    labeled = ready = available = 0
    wake: float | None = None
    for pod in pods:
        labels = pod.get("metadata", {}).get("labels") or {}
        if all(labels.get(k) == v for k, v in template_labels.items()):
            labeled += 1
        if not is_ready(pod):
            continue
        ready += 1
        if min_ready == 0:
            available += 1
            continue
        since = (ready_condition(pod) or {}).get("lastTransitionTime")
        start = parse_rfc3339(since) + timedelta(seconds=0.999) if since else clock.now()
        left = min_ready - clock.elapsed(start)
        if left < 0:
            available += 1
        else:
            wake = left if wake is None else min(wake, left)
    status: Obj = {"replicas": len(pods)}
    for field, value in (
        ("fullyLabeledReplicas", labeled),
        ("readyReplicas", ready),
        ("availableReplicas", available),
        ("observedGeneration", int(rs.get("metadata", {}).get("generation") or 0)),
    ):
        if value:
            status[field] = value
    conditions = [
        c
        for c in (rs.get("status") or {}).get("conditions") or ()
        if c.get("type") != REPLICA_FAILURE
    ]
    if failure is not None:
        old = next(
            (
                c
                for c in (rs.get("status") or {}).get("conditions") or ()
                if c.get("type") == REPLICA_FAILURE
            ),
            None,
        )
        # A condition already there is kept as it is (setCondition only when none exists).
        conditions.append(
            old
            or {
                "type": REPLICA_FAILURE,
                "status": "True",
                "lastTransitionTime": rfc3339(clock.now()),
                "reason": "FailedCreate",
                "message": failure,
            }
        )
    if conditions:
        status["conditions"] = conditions
    return status, None if wake is None else wake + 0.005 * clock.speed
