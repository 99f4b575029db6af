"""Which of a controller's pods count (active, ready) and which go first when it scales down.

Upstream's ``FilterActivePods``, ``IsPodReady`` and ``ActivePodsWithRanks``, shared by the
ReplicaSet controller and the workload controllers.
"""

from __future__ import annotations

from typing import Any

from kubesim.machinery.clock import parse_rfc3339
from kubesim.storage.storeport import Obj

_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def is_active(pod: Obj) -> bool:
    """``FilterActivePods``: not terminal and not being deleted."""
    return pod.get("status", {}).get("phase") not in (
        "Succeeded",
        "Failed",
    ) and not pod.get("metadata", {}).get("deletionTimestamp")


def ready_condition(pod: Obj) -> dict[str, Any] | None:
    """The pod's Ready condition."""
    for c in pod.get("status", {}).get("conditions") or ():
        if c.get("type") == "Ready":
            return dict(c)
    return None


def is_ready(pod: Obj) -> bool:
    """``IsPodReady``."""
    c = ready_condition(pod)
    return c is not None and c.get("status") == "True"


def _stamp(text: str | None) -> float:
    return parse_rfc3339(text).timestamp() if text else 0.0


def deletion_rank(pod: Obj) -> tuple[Any, ...]:
    """``ActivePodsWithRanks`` order: the pods to delete first sort first."""
    meta, spec, status = pod.get("metadata", {}), pod.get("spec", {}), pod.get("status", {})
    ready = is_ready(pod)
    ready_since = _stamp((ready_condition(pod) or {}).get("lastTransitionTime")) if ready else 0
    cost = (meta.get("annotations") or {}).get("controller.kubernetes.io/pod-deletion-cost", "0")
    restarts = max(
        (int(c.get("restartCount", 0)) for c in status.get("containerStatuses") or ()), default=0
    )
    created = meta.get("creationTimestamp")
    return (
        bool(spec.get("nodeName")),
        _PHASE_RANK.get(status.get("phase", "Pending"), 0),
        ready,
        int(cost) if str(cost).lstrip("-").isdigit() else 0,
        -ready_since,
        -restarts,
        created is not None,
        -_stamp(created),
    )
