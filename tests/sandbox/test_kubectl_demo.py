"""The demo scenario (what ``k8s-chatops sandbox`` serves) as kubectl sees it: a settled kind-like
cluster, with history to roll back, whose every Service has endpoints."""

from __future__ import annotations

import pytest
from kubectl import Judge, Kubectl

from bot.sandbox.harness import Sandbox

pytestmark = pytest.mark.kubectl
JUDGE = Judge(scenario="demo", speed=20.0)


def test_cluster_info_finds_coredns(sandbox: Sandbox, kubectl: Kubectl) -> None:
    assert kubectl("cluster-info").lines()[:2] == [
        f"Kubernetes control plane is running at {sandbox.url}",
        f"CoreDNS is running at {sandbox.url}"
        "/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy",
    ]


def test_every_pod_runs_and_is_ready(kubectl: Kubectl) -> None:
    rows = kubectl("get", "pods", "-A").table()
    assert len(rows) > 10
    for row in rows:
        ready, total = row["READY"].split("/")
        assert (row["STATUS"], ready) == ("Running", total), row


def test_every_service_has_endpoints(kubectl: Kubectl) -> None:
    services = kubectl("get", "services", "-A").table()
    endpoints = {(r["NAMESPACE"], r["NAME"]): r for r in kubectl("get", "endpoints", "-A").table()}
    assert len(endpoints) == len(services)
    for service in services:
        row = endpoints[service["NAMESPACE"], service["NAME"]]
        assert row["ENDPOINTS"] != "<none>", row
    assert endpoints["default", "kubernetes"]["ENDPOINTS"].endswith(":6443")
    # settled since the Services were created: the controllers adopt them without a write
    assert endpoints["default", "kubernetes"]["AGE"] == "12d"


def test_prod_api_has_history_to_roll_back(kubectl: Kubectl) -> None:
    lines = kubectl("rollout", "history", "deployment/api", "-n", "prod").lines()
    assert [line.split(None, 1)[0] for line in lines[2:]] == ["1", "2", "3"]
    assert lines[-1].split(None, 1)[1] == "slack:@alice set image api=ghcr.io/acme/api:1.3.1"
    text = kubectl("describe", "deployment", "api", "-n", "prod").stdout
    assert "Replicas:               3 desired | 3 updated | 3 total | 3 available" in text
