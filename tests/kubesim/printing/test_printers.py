"""Server-side Tables and the pod STATUS column, against printers.go (v1.32) behaviour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kubesim.printing.cells import human_duration, selector_string
from kubesim.printing.tables import column_definitions, pod_status, to_table

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def ago(seconds: float) -> str:
    return (NOW - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-5, "<invalid>"),
        (-1, "0s"),
        (0, "0s"),
        (5.9, "5s"),
        (119, "119s"),
        (120, "2m"),
        (200, "3m20s"),
        (600, "10m"),
        (179 * 60, "179m"),
        (3 * 3600, "3h"),
        (3 * 3600 + 25 * 60, "3h25m"),
        (8 * 3600, "8h"),
        (47 * 3600, "47h"),
        (2 * 86400 + 3 * 3600, "2d3h"),
        (7 * 86400, "7d"),
        (30 * 86400, "30d"),
        (800 * 86400, "2y70d"),
        (9 * 365 * 86400, "9y"),
    ],
)
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


# --- pod STATUS ----------------------------------------------------------------------------


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


# --- other kinds -----------------------------------------------------------------------------

DEPLOYMENT = {
    "metadata": {"name": "web", "namespace": "default", "creationTimestamp": ago(200), "uid": "u1"},
    "spec": {
        "replicas": 3,
        "selector": {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}],
        },
        "template": {
            "spec": {
                "containers": [
                    {"name": "web", "image": "nginx:1.27"},
                    {"name": "log", "image": "fluent-bit:3"},
                ]
            }
        },
    },
    "status": {"replicas": 3, "updatedReplicas": 2, "readyReplicas": 1, "availableReplicas": 1},
}


@pytest.mark.parametrize(
    ("kind", "obj", "columns", "cells"),
    [
        (
            "Deployment",
            DEPLOYMENT,
            [
                ("Name", 0),
                ("Ready", 0),
                ("Up-to-date", 0),
                ("Available", 0),
                ("Age", 0),
                ("Containers", 1),
                ("Images", 1),
                ("Selector", 1),
            ],
            [
                "web",
                "1/3",
                2,
                1,
                "3m20s",
                "web,log",
                "nginx:1.27,fluent-bit:3",
                "app=web,tier in (a,b)",
            ],
        ),
        (
            "ReplicaSet",
            {**DEPLOYMENT, "metadata": {"name": "web-5d4f8", "creationTimestamp": ago(200)}},
            [
                ("Name", 0),
                ("Desired", 0),
                ("Current", 0),
                ("Ready", 0),
                ("Age", 0),
                ("Containers", 1),
                ("Images", 1),
                ("Selector", 1),
            ],
            [
                "web-5d4f8",
                3,
                3,
                1,
                "3m20s",
                "web,log",
                "nginx:1.27,fluent-bit:3",
                "app=web,tier in (a,b)",
            ],
        ),
        (
            "Service",
            {
                "metadata": {"name": "web", "creationTimestamp": ago(7200)},
                "spec": {
                    "type": "NodePort",
                    "clusterIPs": ["10.96.0.10"],
                    "ports": [
                        {"port": 80, "nodePort": 31234, "protocol": "TCP"},
                        {"port": 53, "protocol": "UDP"},
                    ],
                    "selector": {"tier": "front", "app": "web"},
                },
            },
            [
                ("Name", 0),
                ("Type", 0),
                ("Cluster-IP", 0),
                ("External-IP", 0),
                ("Port(s)", 0),
                ("Age", 0),
                ("Selector", 1),
            ],
            [
                "web",
                "NodePort",
                "10.96.0.10",
                "<none>",
                "80:31234/TCP,53/UDP",
                "120m",
                "app=web,tier=front",
            ],
        ),
        (
            "Node",
            {
                "metadata": {
                    "name": "node-1",
                    "creationTimestamp": ago(86400 * 3),
                    "labels": {
                        "node-role.kubernetes.io/control-plane": "",
                        "kubernetes.io/role": "worker",
                    },
                },
                "spec": {"unschedulable": True},
                "status": {
                    "conditions": [{"type": "Ready", "status": "True"}],
                    "addresses": [
                        {"type": "InternalIP", "address": "172.18.0.2"},
                        {"type": "Hostname", "address": "node-1"},
                    ],
                    "nodeInfo": {
                        "kubeletVersion": "v1.32.0",
                        "osImage": "Debian GNU/Linux 12 (bookworm)",
                        "kernelVersion": "6.8.0",
                        "containerRuntimeVersion": "containerd://1.7.24",
                    },
                },
            },
            [
                ("Name", 0),
                ("Status", 0),
                ("Roles", 0),
                ("Age", 0),
                ("Version", 0),
                ("Internal-IP", 1),
                ("External-IP", 1),
                ("OS-Image", 1),
                ("Kernel-Version", 1),
                ("Container-Runtime", 1),
            ],
            [
                "node-1",
                "Ready,SchedulingDisabled",
                "control-plane,worker",
                "3d",
                "v1.32.0",
                "172.18.0.2",
                "<none>",
                "Debian GNU/Linux 12 (bookworm)",
                "6.8.0",
                "containerd://1.7.24",
            ],
        ),
        (
            "Namespace",
            {
                "metadata": {"name": "prod", "creationTimestamp": ago(90)},
                "status": {"phase": "Active"},
            },
            [("Name", 0), ("Status", 0), ("Age", 0)],
            ["prod", "Active", "90s"],
        ),
        (
            "Event",
            {
                "metadata": {"name": "web.17f", "creationTimestamp": ago(100)},
                "involvedObject": {
                    "kind": "Pod",
                    "name": "web-0",
                    "fieldPath": "spec.containers{web}",
                },
                "reason": "BackOff",
                "type": "Warning",
                "message": "Back-off restarting failed container web in pod web-0\n",
                "source": {"component": "kubelet", "host": "node-1"},
                "firstTimestamp": ago(400),
                "lastTimestamp": ago(20),
                "count": 7,
            },
            [
                ("Last Seen", 0),
                ("Type", 0),
                ("Reason", 0),
                ("Object", 0),
                ("Subobject", 1),
                ("Source", 1),
                ("Message", 0),
                ("First Seen", 1),
                ("Count", 1),
                ("Name", 1),
            ],
            [
                "20s",
                "Warning",
                "BackOff",
                "pod/web-0",
                "spec.containers{web}",
                "kubelet, node-1",
                "Back-off restarting failed container web in pod web-0",
                "6m40s",
                7,
                "web.17f",
            ],
        ),
        (
            "Endpoints",
            {
                "metadata": {"name": "web", "creationTimestamp": ago(5)},
                "subsets": [
                    {
                        "addresses": [{"ip": f"10.0.0.{i}"} for i in range(1, 6)],
                        "ports": [{"port": 80}],
                    }
                ],
            },
            [("Name", 0), ("Endpoints", 0), ("Age", 0)],
            ["web", "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...", "5s"],
        ),
        (
            "ConfigMap",
            {
                "metadata": {"name": "cfg", "creationTimestamp": ago(5)},
                "data": {"a": "1", "b": "2"},
                "binaryData": {"c": ""},
            },
            [("Name", 0), ("Data", 0), ("Age", 0)],
            ["cfg", 3, "5s"],
        ),
        (
            "Secret",
            {
                "metadata": {"name": "tls", "creationTimestamp": ago(5)},
                "type": "kubernetes.io/tls",
                "data": {"tls.crt": "", "tls.key": ""},
            },
            [("Name", 0), ("Type", 0), ("Data", 0), ("Age", 0)],
            ["tls", "kubernetes.io/tls", 2, "5s"],
        ),
        (
            "ServiceAccount",
            {"metadata": {"name": "default", "creationTimestamp": ago(5)}},
            [("Name", 0), ("Secrets", 0), ("Age", 0)],
            ["default", 0, "5s"],
        ),
        (
            "Lease",
            {
                "metadata": {"name": "bot", "creationTimestamp": ago(5)},
                "spec": {"holderIdentity": "bot-7f9c"},
            },
            [("Name", 0), ("Holder", 0), ("Age", 0)],
            ["bot", "bot-7f9c", "5s"],
        ),
        (
            "Widget",
            {"metadata": {"name": "w", "creationTimestamp": "2026-02-01T10:00:00Z"}},
            [("Name", 0), ("Created At", 0)],
            ["w", "2026-02-01T10:00:00Z"],
        ),
    ],
)
def test_kind_tables(
    kind: str, obj: dict[str, Any], columns: list[tuple[str, int]], cells: list[Any]
) -> None:
    table = to_table(kind, [obj], now=NOW)
    assert [(c["name"], c["priority"]) for c in table["columnDefinitions"]] == columns
    assert table["rows"][0]["cells"] == cells


def test_events_v1_event_prints_like_core() -> None:
    event = {
        "metadata": {"name": "web.1", "creationTimestamp": ago(50)},
        "regarding": {"kind": "Deployment", "name": "web"},
        "reason": "ScalingReplicaSet",
        "type": "Normal",
        "note": "Scaled up replica set web-1 to 3",
        "eventTime": "2026-03-01T11:59:10.000000Z",
        "reportingController": "deployment-controller",
        "reportingInstance": "",
    }
    cells = to_table("Event", [event], now=NOW)["rows"][0]["cells"]
    assert cells == [
        "50s",
        "Normal",
        "ScalingReplicaSet",
        "deployment/web",
        "",
        "deployment-controller",
        "Scaled up replica set web-1 to 3",
        "50s",
        1,
        "web.1",
    ]


@pytest.mark.parametrize(
    ("spec", "status", "external"),
    [
        ({"type": "ClusterIP", "externalIPs": ["1.2.3.4"]}, {}, "1.2.3.4"),
        ({"type": "LoadBalancer"}, {"loadBalancer": {}}, "<pending>"),
        (
            {"type": "LoadBalancer"},
            {"loadBalancer": {"ingress": [{"ip": "34.1.2.3"}, {"hostname": "lb.example.com"}]}},
            "34.1.2.3,lb.example.com",
        ),
        ({"type": "ExternalName", "externalName": "db.example.com"}, {}, "db.example.com"),
    ],
)
def test_service_external_ip(spec: dict[str, Any], status: dict[str, Any], external: str) -> None:
    obj = {"metadata": {"name": "s"}, "spec": spec, "status": status}
    cells = to_table("Service", [obj], now=NOW)["rows"][0]["cells"]
    assert cells[3] == external


def test_headless_service_and_no_ports() -> None:
    obj = {"metadata": {"name": "db"}, "spec": {"type": "ClusterIP", "clusterIPs": ["None"]}}
    assert to_table("Service", [obj], now=NOW)["rows"][0]["cells"][2:5] == [
        "None",
        "<none>",
        "<none>",
    ]


def test_missing_timestamp_is_unknown() -> None:
    assert (
        to_table("Namespace", [{"metadata": {"name": "x"}}], now=NOW)["rows"][0]["cells"][2]
        == "<unknown>"
    )


@pytest.mark.parametrize(
    ("include", "expected"),
    [
        (
            "Metadata",
            {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": DEPLOYMENT["metadata"],
            },
        ),
        ("Object", DEPLOYMENT),
        ("None", None),
    ],
)
def test_include_object(include: str, expected: dict[str, Any] | None) -> None:
    table = to_table("Deployment", [DEPLOYMENT], now=NOW, include_object=include)
    assert (table["kind"], table["apiVersion"], table["metadata"]) == (
        "Table",
        "meta.k8s.io/v1",
        {},
    )
    assert table["rows"][0].get("object") == expected


def test_empty_list_keeps_columns() -> None:
    table = to_table("Pod", [], now=NOW)
    assert table["rows"] == []
    assert len(table["columnDefinitions"]) == 9


def test_column_definitions_are_copies() -> None:
    column_definitions("Pod")[0]["name"] = "changed"
    assert column_definitions("Pod")[0]["name"] == "Name"


@pytest.mark.parametrize(
    ("selector", "text"),
    [
        (None, ""),
        ({}, ""),
        ({"matchLabels": {"b": "2", "a": "1"}}, "a=1,b=2"),
        (
            {
                "matchExpressions": [
                    {"key": "env", "operator": "NotIn", "values": ["dev"]},
                    {"key": "canary", "operator": "DoesNotExist"},
                    {"key": "app", "operator": "Exists"},
                ]
            },
            "app,!canary,env notin (dev)",
        ),
    ],
)
def test_selector_string(selector: dict[str, Any] | None, text: str) -> None:
    assert selector_string(selector) == text


def test_many_pods_render_one_row_each() -> None:
    pods = [_pod(running()) for _ in range(2000)]
    for i, pod in enumerate(pods):
        pod["metadata"]["name"] = f"p{i}"
    rows = to_table("Pod", pods, now=NOW)["rows"]
    assert [r["cells"][0] for r in rows[:2]] == ["p0", "p1"]
    assert len(rows) == 2000
