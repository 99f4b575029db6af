"""Defaults the apiserver fills in: snapshots for the objects kubectl users create most."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubesim.admission.defaults import (
    NODE_PORT_MAX,
    NODE_PORT_MIN,
    apply_defaults,
    preserve_allocations,
)
from kubesim.admission.pod_defaults import image_pull_policy, qos_class


def _ip() -> str:
    return "10.96.0.42"


def _defaulted(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    apply_defaults(kind, out, allocate_cluster_ip=_ip)
    return out


def test_minimal_deployment_snapshot() -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
            },
        },
    }
    # As `kubectl create deployment web --image=nginx:1.27 -o yaml` returns it (v1.32).
    assert _defaulted("Deployment", deployment)["spec"] == {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "web"}},
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
        },
        "revisionHistoryLimit": 10,
        "progressDeadlineSeconds": 600,
        "template": {
            "metadata": {"labels": {"app": "web"}, "creationTimestamp": None},
            "spec": {
                "containers": [
                    {
                        "name": "nginx",
                        "image": "nginx:1.27",
                        "imagePullPolicy": "IfNotPresent",
                        "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File",
                        "resources": {},
                    }
                ],
                "restartPolicy": "Always",
                "terminationGracePeriodSeconds": 30,
                "dnsPolicy": "ClusterFirst",
                "securityContext": {},
                "schedulerName": "default-scheduler",
                "enableServiceLinks": True,
            },
        },
    }


def test_minimal_service_snapshot() -> None:
    service = {
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]},
    }
    assert _defaulted("Service", service)["spec"] == {
        "selector": {"app": "web"},
        "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
        "type": "ClusterIP",
        "sessionAffinity": "None",
        "clusterIP": "10.96.0.42",
        "clusterIPs": ["10.96.0.42"],
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "internalTrafficPolicy": "Cluster",
    }


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        ("registry.local:5000/team/app", "Always"),  # the port is not a tag
        ("registry.local:5000/team/app:2.1", "IfNotPresent"),
        ("nginx@sha256:0123abcd", "IfNotPresent"),
    ],
)
def test_image_pull_policy(image: str, policy: str) -> None:
    assert image_pull_policy(image) == policy


def test_pod_gets_admission_defaults() -> None:
    pod = _defaulted(
        "Pod",
        {
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {
                "containers": [{"name": "c", "image": "busybox", "ports": [{"containerPort": 80}]}]
            },
        },
    )
    spec = pod["spec"]
    assert spec["serviceAccountName"] == spec["serviceAccount"] == "default"
    assert (spec["priority"], spec["preemptionPolicy"]) == (0, "PreemptLowerPriority")
    assert [t["key"] for t in spec["tolerations"]] == [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ]
    token = spec["volumes"][0]["name"]
    assert token.startswith("kube-api-access-")
    container = spec["containers"][0]
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert container["volumeMounts"] == [
        {
            "name": token,
            "readOnly": True,
            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
        }
    ]
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


@pytest.mark.parametrize("kind", ["Pod", "Deployment", "Service", "Namespace", "Secret"])
def test_defaulting_is_idempotent(kind: str) -> None:
    obj: dict[str, Any] = {
        "metadata": {"name": "x", "namespace": "default"},
        "spec": {
            "containers": [{"name": "c", "image": "nginx"}],
            "selector": {"matchLabels": {"a": "b"}},
            "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}},
            "ports": [{"port": 80}],
            "type": "NodePort",
        },
    }
    once = _defaulted(kind, obj)
    assert _defaulted(kind, once) == once


def test_limits_without_requests_become_requests() -> None:
    pod = _defaulted(
        "Pod",
        {
            "metadata": {"name": "p"},
            "spec": {
                "containers": [
                    {
                        "name": "c",
                        "image": "x",
                        "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
                    }
                ]
            },
        },
    )
    resources = pod["spec"]["containers"][0]["resources"]
    assert resources["requests"] == {"cpu": "1", "memory": "1Gi"}
    assert pod["status"]["qosClass"] == "Guaranteed"


@pytest.mark.parametrize(
    ("resources", "qos"),
    [
        ({}, "BestEffort"),
        ({"requests": {"cpu": "100m"}}, "Burstable"),
        (
            {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
            "Guaranteed",
        ),
        ({"requests": {"cpu": "1"}, "limits": {"cpu": "2", "memory": "1Gi"}}, "Burstable"),
    ],
)
def test_qos_class(resources: dict[str, Any], qos: str) -> None:
    assert qos_class({"containers": [{"name": "c", "resources": resources}]}) == qos


def test_node_port_service_gets_ports_in_range() -> None:
    svc = _defaulted(
        "Service",
        {
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "type": "NodePort",
                "ports": [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}],
            },
        },
    )
    node_ports = [p["nodePort"] for p in svc["spec"]["ports"]]
    assert all(NODE_PORT_MIN <= p <= NODE_PORT_MAX for p in node_ports)
    assert len(set(node_ports)) == 2
    assert svc["spec"]["externalTrafficPolicy"] == "Cluster"


def test_headless_service_keeps_none() -> None:
    svc = _defaulted(
        "Service",
        {"metadata": {"name": "db"}, "spec": {"clusterIP": "None", "selector": {"app": "db"}}},
    )
    assert svc["spec"]["clusterIPs"] == ["None"]
    # pkg/registry/core/service/storage: headless with a selector defaults to RequireDualStack.
    assert svc["spec"]["ipFamilyPolicy"] == "RequireDualStack"


def test_external_name_service_has_no_cluster_ip() -> None:
    svc = _defaulted(
        "Service",
        {
            "metadata": {"name": "ext"},
            "spec": {"type": "ExternalName", "externalName": "example.com"},
        },
    )
    assert "clusterIP" not in svc["spec"]


def test_update_keeps_allocated_cluster_ip_and_node_ports() -> None:
    old = _defaulted(
        "Service",
        {
            "metadata": {"name": "s", "namespace": "d"},
            "spec": {"type": "NodePort", "ports": [{"port": 80}]},
        },
    )
    new: dict[str, Any] = {
        "metadata": {"name": "s", "namespace": "d"},
        "spec": {"type": "NodePort", "ports": [{"port": 80}]},
    }
    preserve_allocations("Service", new, old)
    apply_defaults("Service", new, allocate_cluster_ip=lambda: "10.96.9.9")
    assert new["spec"]["clusterIP"] == old["spec"]["clusterIP"]
    assert new["spec"]["ports"][0]["nodePort"] == old["spec"]["ports"][0]["nodePort"]


def test_namespace_defaults() -> None:
    ns = _defaulted(
        "Namespace", {"metadata": {"name": "prod", "labels": {"kubernetes.io/metadata.name": "x"}}}
    )
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "prod"}
    assert ns["spec"] == {"finalizers": ["kubernetes"]}
    assert ns["status"] == {"phase": "Active"}


def test_secret_type_defaults_to_opaque() -> None:
    assert _defaulted("Secret", {"metadata": {"name": "s"}})["type"] == "Opaque"
    assert (
        _defaulted("Secret", {"metadata": {"name": "s"}, "type": "kubernetes.io/tls"})["type"]
        == "kubernetes.io/tls"
    )


def test_recreate_strategy_gets_no_rolling_update() -> None:
    dep = _defaulted(
        "Deployment", {"metadata": {"name": "d"}, "spec": {"strategy": {"type": "Recreate"}}}
    )
    assert dep["spec"]["strategy"] == {"type": "Recreate"}


def test_probe_defaults() -> None:
    pod = _defaulted(
        "Pod",
        {
            "metadata": {"name": "p"},
            "spec": {
                "containers": [
                    {"name": "c", "image": "x", "readinessProbe": {"httpGet": {"port": 80}}}
                ]
            },
        },
    )
    assert pod["spec"]["containers"][0]["readinessProbe"] == {
        "httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
