"""The demo scenario (what ``k8s-chatops sandbox`` serves) as kubectl sees it: a settled kind-like
cluster, with history to roll back, whose every Service has endpoints."""

from __future__ import annotations

import pytest

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import Judge, Kubectl

pytestmark = pytest.mark.kubectl
JUDGE = Judge(scenario="demo", speed=20.0)


def test_cluster_info_finds_coredns(sandbox: Sandbox, kubectl: Kubectl) -> None:
    assert kubectl("cluster-info").lines()[:2] == [
        f"Kubernetes control plane is running at {sandbox.url}",
        f"CoreDNS is running at {sandbox.url}"
        "/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy",
    ]


def test_every_pod_runs_and_is_ready(kubectl: Kubectl) -> None:
    """Every pod runs and is ready, except the finished Jobs' pods, which show Completed."""
    rows = kubectl("get", "pods", "-A").table()
    assert len(rows) > 10
    jobs = {row["NAME"] for row in kubectl("get", "jobs", "-A").table()}
    assert jobs == {"db-migrate", next(j for j in jobs if j.startswith("db-backup-"))}
    for row in rows:
        ready, total = row["READY"].split("/")
        if row["NAME"].rsplit("-", 1)[0] in jobs:
            assert (row["STATUS"], ready) == ("Completed", "0"), row
        else:
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


def test_certificates_print_their_crd_columns(kubectl: Kubectl) -> None:
    result = kubectl("get", "certificates", "-A")
    assert result.header() == ["NAMESPACE", "NAME", "READY", "SECRET", "AGE"]
    rows = {(r["NAMESPACE"], r["NAME"]): r for r in result.table()}
    assert set(rows) == {("prod", "api"), ("prod", "web"), ("staging", "api")}
    assert (rows["prod", "api"]["READY"], rows["prod", "api"]["SECRET"]) == ("True", "api-tls")
    assert (rows["prod", "api"]["AGE"], rows["staging", "api"]["READY"]) == ("7d", "False")
    wide = kubectl("get", "certs", "-n", "staging", "-o", "wide").table()
    assert wide[0]["ISSUER"] == "letsencrypt-prod"
    assert wide[0]["STATUS"] == "Issuing certificate as Secret does not exist"


def test_certificate_by_short_name_as_yaml(kubectl: Kubectl) -> None:
    text = kubectl("get", "cert", "web", "-n", "prod", "-o", "yaml").stdout
    assert text.startswith("apiVersion: cert-manager.io/v1\nkind: Certificate\n")
    assert "  secretName: web-tls\n" in text


def test_api_resources_lists_the_crd_and_its_type(kubectl: Kubectl) -> None:
    rows = {r["NAME"]: r for r in kubectl("api-resources").table()}
    assert rows["certificates"]["SHORTNAMES"] == "cert,certs"
    assert rows["certificates"]["APIVERSION"] == "cert-manager.io/v1"
    assert (rows["certificates"]["NAMESPACED"], rows["certificates"]["KIND"]) == (
        "true",
        "Certificate",
    )
    assert rows["customresourcedefinitions"]["SHORTNAMES"] == "crd,crds"
    crds = kubectl("get", "crd").table()
    assert [r["NAME"] for r in crds] == ["certificates.cert-manager.io"]
    assert crds[0]["CREATED AT"].endswith("Z")
