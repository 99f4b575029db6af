"""The server-side Table of each other kind, against printers.go (v1.32) behaviour."""

from __future__ import annotations

from typing import Any

import pytest

from kubesim.printing.tables import to_table
from tests.kubesim.printing.samples import DEPLOYMENT, NOW, ago


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
