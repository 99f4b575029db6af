"""``rollout pause|resume`` against the sandbox: kubectl's GET, then its strategic merge patch
(or nothing, with kubectl's error, when the deployment is already in that state)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.core.results import Change, Document
from bot.errors import ClusterError, NotFound
from bot.gateway.gateway import KubernetesGateway
from kubesim.testing.harness import Sandbox
from tests.gateway.support import run

URL = "/apis/apps/v1/namespaces/prod/deployments/web"


def writes(cluster: Sandbox) -> list[Any]:
    return [r for r in cluster.requests.all() if r.method in ("PATCH", "PUT", "POST", "DELETE")]


def spec(gw: KubernetesGateway) -> dict[str, Any]:
    result = run(gw, "get deploy web -n prod -o json")
    assert isinstance(result, Document)
    found: dict[str, Any] = json.loads(result.text)["spec"]
    return found


def test_pause_sends_kubectls_strategic_merge_patch(
    gw: KubernetesGateway, cluster: Sandbox
) -> None:
    assert run(gw, "rollout pause deployment/web -n prod") == Change("deployment.apps/web paused")
    (patch,) = writes(cluster)
    assert (patch.method, patch.path) == ("PATCH", URL)
    assert patch.query["fieldManager"] == "kubectl-rollout"
    assert patch.content_type == "application/strategic-merge-patch+json"
    assert patch.body == {"spec": {"paused": True}}
    assert spec(gw)["paused"] is True


def test_resume_deletes_the_field_as_kubectl_does(gw: KubernetesGateway, cluster: Sandbox) -> None:
    run(gw, "rollout pause deployment/web -n prod")
    assert run(gw, "rollout resume deploy web -n prod") == Change("deployment.apps/web resumed")
    assert [r.body for r in writes(cluster)] == [
        {"spec": {"paused": True}},
        {"spec": {"paused": None}},
    ]
    assert "paused" not in spec(gw)


def test_pausing_a_paused_deployment_sends_nothing(gw: KubernetesGateway, cluster: Sandbox) -> None:
    run(gw, "rollout pause deployment/web -n prod")
    with pytest.raises(ClusterError, match=r'^deployments\.apps "web" is already paused$'):
        run(gw, "rollout pause deployment/web -n prod")
    assert len(writes(cluster)) == 1


def test_resuming_a_running_deployment_sends_nothing(
    gw: KubernetesGateway, cluster: Sandbox
) -> None:
    with pytest.raises(ClusterError, match=r'^deployments\.apps "web" is not paused$'):
        run(gw, "rollout resume deployment/web -n prod")
    assert writes(cluster) == []


def test_pause_of_a_missing_deployment_is_not_found(gw: KubernetesGateway) -> None:
    with pytest.raises(NotFound, match='"nope" not found'):
        run(gw, "rollout pause deployment/nope -n prod")
