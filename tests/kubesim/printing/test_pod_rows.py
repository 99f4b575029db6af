"""The pod table and its STATUS column, against printers.go (v1.32) behaviour."""

from __future__ import annotations

from typing import Any

import pytest

from kubesim.printing.tables import pod_status, to_table
from tests.kubesim.printing.samples import NOW, ago


def _pod(
    *statuses: dict[str, Any],
    init: tuple[dict[str, Any], ...] = (),
    init_specs: tuple[dict[str, Any], ...] = (),
    phase: str = "Running",
    conditions: tuple[dict[str, Any], ...] = (),
    deleting: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "web-0", "creationTimestamp": ago(600)}
    if deleting:
        meta["deletionTimestamp"] = ago(1)
    status: dict[str, Any] = {
        "phase": phase,
        "conditions": list(conditions),
        "containerStatuses": list(statuses),
        "initContainerStatuses": list(init),
    }
    if reason:
        status["reason"] = reason
    return {
        "metadata": meta,
        "spec": {
            "containers": [{"name": s["name"]} for s in statuses] or [{"name": "app"}],
            "initContainers": list(init_specs) or [{"name": s["name"]} for s in init],
        },
        "status": status,
    }


def running(name: str = "app", *, ready: bool = True, restarts: int = 0) -> dict[str, Any]:
    return {
        "name": name,
        "ready": ready,
        "restartCount": restarts,
        "state": {"running": {"startedAt": ago(60)}},
    }


def waiting(
    reason: str, name: str = "app", restarts: int = 0, finished: float | None = None
) -> dict[str, Any]:
    status: dict[str, Any] = {
        "name": name,
        "ready": False,
        "restartCount": restarts,
        "state": {"waiting": {"reason": reason}},
    }
    if finished is not None:
        status["lastState"] = {
            "terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(finished)}
        }
    return status


def terminated(
    exit_code: int, reason: str | None = None, name: str = "app", signal: int = 0
) -> dict[str, Any]:
    state: dict[str, Any] = {"exitCode": exit_code}
    if reason:
        state["reason"] = reason
    if signal:
        state["signal"] = signal
    return {"name": name, "ready": False, "restartCount": 0, "state": {"terminated": state}}


READY = {"type": "Ready", "status": "True"}
INITIALIZED = {"type": "Initialized", "status": "True"}


@pytest.mark.parametrize(
    ("pod", "status", "ready", "restarts"),
    [
        (_pod(running()), "Running", "1/1", "0"),
        (_pod(waiting("ContainerCreating"), phase="Pending"), "ContainerCreating", "0/1", "0"),
        (_pod(waiting("ImagePullBackOff"), phase="Pending"), "ImagePullBackOff", "0/1", "0"),
        (_pod(waiting("ErrImagePull"), phase="Pending"), "ErrImagePull", "0/1", "0"),
        (
            _pod(waiting("CrashLoopBackOff", restarts=3, finished=12)),
            "CrashLoopBackOff",
            "0/1",
            "3 (12s ago)",
        ),
        (_pod(terminated(1, "Error"), phase="Failed"), "Error", "0/1", "0"),
        (_pod(terminated(137, "OOMKilled")), "OOMKilled", "0/1", "0"),
        (_pod(terminated(0, "Completed"), phase="Succeeded"), "Completed", "0/1", "0"),
        (_pod(terminated(2)), "ExitCode:2", "0/1", "0"),
        (_pod(terminated(0, signal=9)), "Signal:9", "0/1", "0"),
        # Last to first: the first container's reason wins.
        (
            _pod(waiting("CrashLoopBackOff", "a"), waiting("ImagePullBackOff", "b")),
            "CrashLoopBackOff",
            "0/2",
            "0",
        ),
        # Completed main container while another still runs: Running or NotReady by PodReady.
        (
            _pod(terminated(0, "Completed", "a"), running("b"), conditions=(READY,)),
            "Running",
            "1/2",
            "0",
        ),
        (_pod(terminated(0, "Completed", "a"), running("b")), "NotReady", "1/2", "0"),
        (_pod(running(ready=False)), "Running", "0/1", "0"),
        # Init containers.
        (
            _pod(waiting("PodInitializing"), init=(running("init"),), phase="Pending"),
            "Init:0/1",
            "0/1",
            "0",
        ),
        (
            _pod(
                waiting("PodInitializing"), init=(terminated(1, "Error", "init"),), phase="Pending"
            ),
            "Init:Error",
            "0/1",
            "0",
        ),
        (
            _pod(waiting("PodInitializing"), init=(terminated(3, name="init"),), phase="Pending"),
            "Init:ExitCode:3",
            "0/1",
            "0",
        ),
        (
            _pod(
                waiting("PodInitializing"),
                init=(waiting("CrashLoopBackOff", "init", restarts=4, finished=30),),
                phase="Pending",
            ),
            "Init:CrashLoopBackOff",
            "0/1",
            "4 (30s ago)",
        ),
        (
            _pod(
                waiting("PodInitializing"),
                init=(terminated(0, "Completed", "one"), waiting("PodInitializing", "two")),
                phase="Pending",
            ),
            "Init:1/2",
            "0/1",
            "0",
        ),
        # A started sidecar counts toward READY and does not hold up the pod.
        (
            _pod(
                running("app"),
                init=({**running("proxy"), "started": True},),
                init_specs=({"name": "proxy", "restartPolicy": "Always"},),
                conditions=(INITIALIZED, READY),
            ),
            "Running",
            "2/2",
            "0",
        ),
        # Deletion.
        (_pod(running(), deleting=True), "Terminating", "1/1", "0"),
        (
            _pod(terminated(0, "Completed"), phase="Succeeded", deleting=True),
            "Completed",
            "0/1",
            "0",
        ),
        (_pod(running(), deleting=True, reason="NodeLost"), "Unknown", "1/1", "0"),
        # Scheduling.
        (_pod(phase="Pending"), "Pending", "0/1", "0"),
        (
            _pod(
                phase="Pending",
                conditions=(
                    {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"},
                ),
            ),
            "SchedulingGated",
            "0/1",
            "0",
        ),
        (_pod(running(), phase="Failed", reason="Evicted"), "Evicted", "1/1", "0"),
    ],
)
def test_pod_columns(pod: dict[str, Any], status: str, ready: str, restarts: str) -> None:
    cells = to_table("Pod", [pod], now=NOW)["rows"][0]["cells"]
    assert cells[1:4] == [ready, status, restarts]
    assert pod_status(pod) == status


def test_pod_restarts_use_latest_finish() -> None:
    pod = _pod(
        waiting("CrashLoopBackOff", "a", restarts=2, finished=300),
        waiting("CrashLoopBackOff", "b", restarts=1, finished=45),
    )
    assert to_table("Pod", [pod], now=NOW)["rows"][0]["cells"][3] == "3 (45s ago)"


def test_pod_table_columns_and_wide_cells() -> None:
    pod = _pod(running())
    pod["spec"]["nodeName"] = "node-1"
    pod["spec"]["readinessGates"] = [{"conditionType": "example.com/lb"}]
    pod["status"]["podIPs"] = [{"ip": "10.244.1.7"}]
    pod["status"]["conditions"] = [{"type": "example.com/lb", "status": "True"}]
    table = to_table("Pod", [pod], now=NOW)
    columns = [(c["name"], c["priority"]) for c in table["columnDefinitions"]]
    assert columns == [
        ("Name", 0),
        ("Ready", 0),
        ("Status", 0),
        ("Restarts", 0),
        ("Age", 0),
        ("IP", 1),
        ("Node", 1),
        ("Nominated Node", 1),
        ("Readiness Gates", 1),
    ]
    assert table["columnDefinitions"][0]["format"] == "name"
    assert table["rows"][0]["cells"] == [
        "web-0",
        "1/1",
        "Running",
        "0",
        "10m",
        "10.244.1.7",
        "node-1",
        "<none>",
        "1/1",
    ]


def test_unscheduled_pod_wide_cells_are_none() -> None:
    cells = to_table("Pod", [_pod(phase="Pending")], now=NOW)["rows"][0]["cells"]
    assert cells[5:] == ["<none>", "<none>", "<none>", "<none>"]


def test_finished_pods_carry_completed_row_condition() -> None:
    table = to_table(
        "Pod", [_pod(terminated(0, "Completed"), phase="Succeeded"), _pod(running())], now=NOW
    )
    assert table["rows"][0]["conditions"] == [
        {
            "type": "Completed",
            "status": "True",
            "reason": "Succeeded",
            "message": "The pod has completed successfully.",
        }
    ]
    assert "conditions" not in table["rows"][1]


def test_many_pods_render_one_row_each() -> None:
    pods = [_pod(running()) for _ in range(2000)]
    for i, pod in enumerate(pods):
        pod["metadata"]["name"] = f"p{i}"
    rows = to_table("Pod", pods, now=NOW)["rows"]
    assert [r["cells"][0] for r in rows[:2]] == ["p0", "p1"]
    assert len(rows) == 2000
