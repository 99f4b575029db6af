"""``label`` and ``annotate`` against the sandbox: kubectl's GET, then its merge patch (even an
empty one) with its field manager, and kubectl's ``labeled|unlabeled|not labeled`` lines."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.core.results import Change, Document
from bot.errors import Conflict, NotFound
from bot.gateway.gateway import KubernetesGateway
from kubesim.testing.harness import Sandbox
from tests.gateway.support import run

DEPLOYMENT = "/apis/apps/v1/namespaces/prod/deployments/web"


def patches(cluster: Sandbox) -> list[Any]:
    return [r for r in cluster.requests.all() if r.method == "PATCH"]


def metadata(gw: KubernetesGateway, what: str) -> dict[str, Any]:
    result = run(gw, f"get {what} -o json")
    assert isinstance(result, Document)
    found: dict[str, Any] = json.loads(result.text)["metadata"]
    return found


def test_label_sends_kubectls_merge_patch(gw: KubernetesGateway, cluster: Sandbox) -> None:
    assert run(gw, "label deploy web tier=front -n prod") == Change("deployment.apps/web labeled")
    (patch,) = patches(cluster)
    assert (patch.path, dict(patch.query)) == (DEPLOYMENT, {"fieldManager": "kubectl-label"})
    assert patch.content_type == "application/merge-patch+json"
    assert patch.body == {"metadata": {"labels": {"tier": "front"}}}
    assert metadata(gw, "deploy web -n prod")["labels"] == {"app": "web", "tier": "front"}


@pytest.mark.parametrize(
    ("texts", "line", "body"),
    [
        (["label deploy/web tier- -n prod"], "unlabeled", {"metadata": {"labels": {"tier": None}}}),
        (["label deploy/web tier=front -n prod"], "not labeled", {}),
        (
            ["label deploy/web tier=back app- --overwrite -n prod"],
            "labeled",
            {"metadata": {"labels": {"tier": "back", "app": None}}},
        ),
    ],
)
def test_label_outcome_lines(
    gw: KubernetesGateway, cluster: Sandbox, texts: list[str], line: str, body: object
) -> None:
    run(gw, "label deploy web tier=front -n prod")
    (text,) = texts
    assert run(gw, text) == Change(f"deployment.apps/web {line}")
    assert patches(cluster)[-1].body == body


def test_changing_a_label_needs_overwrite(gw: KubernetesGateway, cluster: Sandbox) -> None:
    with pytest.raises(
        Conflict, match=r"^'app' already has a value \(web\), and --overwrite is false$"
    ):
        run(gw, "label deploy web app=api -n prod")
    assert patches(cluster) == []


def test_removing_a_missing_label_says_so(gw: KubernetesGateway, cluster: Sandbox) -> None:
    result = run(gw, "label cm kube-root-ca.crt x- -n prod")
    # The configmap has no labels: kubectl's copy gets an empty map, and the patch says so.
    assert result == Change("configmap/kube-root-ca.crt labeled", notes=('label "x" not found.',))
    assert patches(cluster)[-1].body == {"metadata": {"labels": {}}}


def test_label_a_cluster_scoped_node(gw: KubernetesGateway, cluster: Sandbox) -> None:
    assert run(gw, "label node/sandbox-worker disk=ssd") == Change("node/sandbox-worker labeled")
    assert patches(cluster)[-1].path == "/api/v1/nodes/sandbox-worker"
    assert metadata(gw, "node sandbox-worker")["labels"]["disk"] == "ssd"


def test_annotate(gw: KubernetesGateway, cluster: Sandbox) -> None:
    assert run(gw, "annotate svc web note=hello -n prod") == Change("service/web annotated")
    (patch,) = patches(cluster)
    assert dict(patch.query) == {"fieldManager": "kubectl-annotate"}
    assert patch.body == {"metadata": {"annotations": {"note": "hello"}}}
    assert run(gw, "annotate svc web note=hello -n prod") == Change("service/web annotated")
    assert patches(cluster)[-1].body == {}
    with pytest.raises(
        Conflict,
        match=r"^--overwrite is false but found the following declared "
        r"annotation\(s\): 'note' already has a value \(hello\)$",
    ):
        run(gw, "annotate svc web note=bye -n prod")
    run(gw, "annotate svc web note- -n prod")
    assert "note" not in metadata(gw, "svc web -n prod").get("annotations", {})


def test_annotate_change_cause_needs_no_overwrite(gw: KubernetesGateway) -> None:
    run(gw, "annotate deploy web kubernetes.io/change-cause=first -n prod")
    assert run(gw, "annotate deploy web kubernetes.io/change-cause=second -n prod") == Change(
        "deployment.apps/web annotated"
    )


def test_label_of_an_unknown_object_is_not_found(gw: KubernetesGateway) -> None:
    with pytest.raises(NotFound):
        run(gw, "label deploy nope a=b -n prod")
