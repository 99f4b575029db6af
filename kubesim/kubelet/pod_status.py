"""Render a pod's ``status`` from the simulated kubelet's view of its containers.

The kubelet owns the whole status except PodScheduled (the scheduler's). Phase follows the
kubelet's ``getPhase`` (a crash-looping container still counts as Running under
restartPolicy Always), and conditions keep their lastTransitionTime while their status holds, so
``kubectl describe`` and ``get pods`` read like a real node's report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubesim.kubelet.images import resolved
from kubesim.storage.storeport import Obj

_CONDITION_ORDER = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")


@dataclass(slots=True)
class ContainerRun:
    """One container's runtime state (mutable: the kubelet advances it)."""

    name: str
    image: str
    init: bool
    state: str = "waiting"
    """waiting, running or terminated."""
    reason: str = "ContainerCreating"
    message: str = ""
    exit_code: int = 0
    started_at: str = ""
    finished_at: str = ""
    container_id: str = ""
    image_id: str = ""
    restarts: int = 0
    ready: bool = False
    created: bool = False
    """Once created, the status shows the resolved image instead of the spec's."""
    last: dict[str, Any] | None = None
    """lastState.terminated of the previous run."""
    crashes: int = 0
    """Crashes so far, for the restart back-off."""
    pull_failures: int = 0
    """Failed pulls in a row, for the image back-off."""
    epoch: int = 0
    """Bumped on every (re)launch: timers of an older run of the container do nothing."""
    spec: dict[str, Any] = field(default_factory=dict)
    """The container's spec (readinessProbe, imagePullPolicy ...)."""


@dataclass(slots=True)
class PodRun:
    """The kubelet's record of one pod on its node."""

    uid: str
    namespace: str
    name: str
    node: str
    host_ip: str
    start_time: str
    init: list[ContainerRun]
    main: list[ContainerRun]
    restart_policy: str = "Always"
    pod_ip: str = ""
    sandbox_ready: bool = False
    token: int = 0
    """Bumped when the pod starts terminating: timers of the old token do nothing."""
    terminating: bool = False
    volume_mounts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    job: bool = False
    """A Job's pod: its containers run to completion even without a command."""


def initialized(run: PodRun) -> bool:
    """Every init container completed."""
    return all(c.state == "terminated" and c.exit_code == 0 for c in run.init)


def phase(run: PodRun) -> str:
    """The kubelet's ``getPhase``."""
    if not initialized(run):
        failed = any(c.state == "terminated" and c.exit_code != 0 for c in run.init)
        return "Failed" if failed and run.restart_policy == "Never" else "Pending"
    running = stopped = succeeded = waiting = 0
    for c in run.main:
        if c.state == "running":
            running += 1
        elif c.state == "terminated":
            stopped += 1
            succeeded += c.exit_code == 0
        elif c.last is not None:
            stopped += 1
        else:
            waiting += 1
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if run.restart_policy == "Always":
        return "Running"
    if stopped == succeeded:
        return "Succeeded"
    return "Running" if run.restart_policy == "OnFailure" else "Failed"


def container_status(c: ContainerRun, mounts: list[dict[str, Any]]) -> Obj:
    """One entry of containerStatuses / initContainerStatuses."""
    if c.state == "running":
        state: Obj = {"running": {"startedAt": c.started_at}}
    elif c.state == "terminated":
        state = {"terminated": _terminated(c)}
    else:
        waiting: Obj = {"reason": c.reason}
        if c.message:
            waiting["message"] = c.message
        state = {"waiting": waiting}
    status: Obj = {}
    if c.container_id:
        status["containerID"] = c.container_id
    status.update(
        {
            "image": resolved(c.image) if c.created else c.image,
            "imageID": c.image_id,
            "lastState": {"terminated": dict(c.last)} if c.last else {},
            "name": c.name,
            "ready": c.ready,
            "restartCount": c.restarts,
            "started": c.state == "running",
            "state": state,
        }
    )
    if mounts:
        status["volumeMounts"] = mounts
    return status


def _terminated(c: ContainerRun) -> Obj:
    return {
        "containerID": c.container_id,
        "exitCode": c.exit_code,
        "finishedAt": c.finished_at,
        "reason": c.reason,
        "startedAt": c.started_at,
    }


def terminated_record(c: ContainerRun) -> dict[str, Any]:
    """The ``lastState.terminated`` a restart leaves behind."""
    return _terminated(c)


def render(run: PodRun, old: Obj, now: str) -> Obj:
    """The full pod status; ``old`` provides PodScheduled, qosClass and transition times."""
    names_unready = [c.name for c in run.main if not c.ready]
    pending_init = [c.name for c in run.init if not (c.state == "terminated" and c.exit_code == 0)]
    wanted: dict[str, tuple[str, str, str]] = {
        "PodReadyToStartContainers": ("True" if run.sandbox_ready else "False", "", ""),
        "Initialized": (
            ("True", "", "")
            if not pending_init
            else (
                "False",
                "ContainersNotInitialized",
                f"containers with incomplete status: [{' '.join(pending_init)}]",
            )
        ),
    }
    ready = (
        ("True", "", "")
        if not names_unready and not pending_init
        else (
            "False",
            "ContainersNotReady",
            f"containers with unready status: [{' '.join(names_unready)}]",
        )
    )
    if pending_init and not names_unready:
        ready = ("False", "ContainersNotInitialized", wanted["Initialized"][2])
    wanted["Ready"] = ready
    wanted["ContainersReady"] = ready
    previous = {c.get("type"): c for c in old.get("conditions") or ()}
    conditions: list[Obj] = []
    for kind in _CONDITION_ORDER:
        status, reason, message = wanted[kind]
        before = previous.get(kind)
        since = (
            before.get("lastTransitionTime") if before and before.get("status") == status else now
        )
        entry: Obj = {
            "type": kind,
            "status": status,
            "lastProbeTime": None,
            "lastTransitionTime": since,
        }
        if reason:
            entry["reason"] = reason
            entry["message"] = message
        conditions.append(entry)
    if "PodScheduled" in previous:
        conditions.append(previous["PodScheduled"])
    result: Obj = {"conditions": conditions}
    result["containerStatuses"] = [
        container_status(c, run.volume_mounts.get(c.name, [])) for c in run.main
    ]
    result["hostIP"] = run.host_ip
    result["hostIPs"] = [{"ip": run.host_ip}]
    if run.init:
        result["initContainerStatuses"] = [
            container_status(c, run.volume_mounts.get(c.name, [])) for c in run.init
        ]
    result["phase"] = phase(run)
    if run.pod_ip:
        result["podIP"] = run.pod_ip
        result["podIPs"] = [{"ip": run.pod_ip}]
    if old.get("qosClass"):
        result["qosClass"] = old["qosClass"]
    result["startTime"] = run.start_time
    return result
