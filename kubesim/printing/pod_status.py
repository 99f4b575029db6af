"""The READY, STATUS and RESTARTS cells of ``kubectl get pods``.

A straight port of ``printPod`` in ``pkg/printers/internalversion/printers.go`` (v1.32): init
containers (sidecars included), the last-to-first scan of container states, Completed versus
Running/NotReady, Terminating and NodeLost. The bot's replies and the sandbox's Tables both rely
on it, so it lives apart from the Table plumbing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kubesim.printing.cells import since, timestamp

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class PodSummary:
    """What ``printPod`` derives from a Pod before formatting the row."""

    ready: int
    total: int
    reason: str
    restarts: int
    last_restart: str | None
    """RFC 3339 ``finishedAt`` of the latest restart counted, if any."""

    def restarts_cell(self, now: datetime) -> str:
        """``"3"`` or ``"3 (12s ago)"``."""
        if self.restarts and self.last_restart:
            return f"{self.restarts} ({since(self.last_restart, now)} ago)"
        return str(self.restarts)


def _condition_true(status: JSON, kind: str) -> bool:
    return any(
        isinstance(c, dict) and c.get("type") == kind and c.get("status") == "True"
        for c in status.get("conditions") or []
    )


def _later(current: str | None, candidate: Any) -> str | None:
    if not isinstance(candidate, str) or not candidate:
        return current
    if current is None:
        return candidate
    a, b = timestamp(current), timestamp(candidate)
    if a is None or (b is not None and a < b):
        return candidate
    return current


def _terminated_reason(terminated: JSON, prefix: str) -> str:
    reason = terminated.get("reason")
    if reason:
        return f"{prefix}{reason}"
    signal = terminated.get("signal") or 0
    if signal:
        return f"{prefix}Signal:{signal}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def summarize(pod: JSON) -> PodSummary:
    """READY counts, STATUS reason and RESTARTS of a Pod, as ``printPod`` computes them."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    meta = pod.get("metadata") or {}
    containers = spec.get("containers") or []
    init_specs = spec.get("initContainers") or []
    sidecars = {
        c.get("name")
        for c in init_specs
        if isinstance(c, dict) and c.get("restartPolicy") == "Always"
    }
    total = len(containers) + len(sidecars)
    ready = 0
    restarts = 0
    sidecar_restarts = 0
    last_restart: str | None = None
    last_sidecar_restart: str | None = None

    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    initializing = False
    for index, cs in enumerate(status.get("initContainerStatuses") or []):
        state = cs.get("state") or {}
        finished = ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
        count = cs.get("restartCount") or 0
        restarts += count
        last_restart = _later(last_restart, finished)
        is_sidecar = cs.get("name") in sidecars
        if is_sidecar:
            sidecar_restarts += count
            last_sidecar_restart = _later(last_sidecar_restart, finished)
        terminated = state.get("terminated")
        waiting = state.get("waiting")
        if terminated is not None and (terminated.get("exitCode") or 0) == 0:
            continue
        if is_sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            reason = _terminated_reason(terminated, "Init:")
        elif (
            waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing"
        ):
            reason = f"Init:{waiting['reason']}"
        else:
            reason = f"Init:{index}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _condition_true(status, "Initialized"):
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += cs.get("restartCount") or 0
            finished = ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
            last_restart = _later(last_restart, finished)
            state = cs.get("state") or {}
            waiting = state.get("waiting")
            terminated = state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = _terminated_reason(terminated, "")
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        # A pod whose main container completed but a sidecar still runs is not "Completed".
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(status, "Ready") else "NotReady"

    if meta.get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"

    return PodSummary(ready, total, reason, restarts, last_restart if restarts else None)


def pod_status(pod: JSON) -> str:
    """The STATUS column of ``kubectl get pods``."""
    return summarize(pod).reason
