"""``kubectl label`` and ``annotate`` against the sandbox: the API applies kubectl's merge
patches to ``metadata.labels`` and ``metadata.annotations`` (null deletes, an empty map is kept),
on namespaced and cluster-scoped objects, so kubectl reads back what it wrote."""

from __future__ import annotations

import pytest

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import Judge, Kubectl, deployment_manifest, stored

pytestmark = pytest.mark.kubectl
JUDGE = Judge(scenario="demo")

V1 = "gcr.io/google-samples/kubernetes-bootcamp:v1"


def test_label_a_deployment(sandbox: Sandbox, kubectl: Kubectl) -> None:
    kubectl.create(deployment_manifest("labeled", V1))
    assert kubectl("label", "deploy", "labeled", "tier=front").stdout == (
        "deployment.apps/labeled labeled\n"
    )
    refused = kubectl.fails("label", "deploy", "labeled", "tier=back")
    assert refused.stderr == "error: 'tier' already has a value (front), and --overwrite is false\n"
    assert kubectl("label", "deploy/labeled", "tier=back", "--overwrite").stdout == (
        "deployment.apps/labeled labeled\n"
    )
    assert kubectl("label", "deploy", "labeled", "tier=back").stdout == (
        "deployment.apps/labeled not labeled\n"
    )
    shown = kubectl("get", "deploy", "labeled", "-o", "jsonpath={.metadata.labels.tier}")
    assert shown.stdout == "back"
    assert kubectl("label", "deploy", "labeled", "tier-").stdout == (
        "deployment.apps/labeled unlabeled\n"
    )
    deployment = stored(sandbox, "Deployment", "default", "labeled")
    assert deployment is not None
    assert "tier" not in deployment["metadata"]["labels"]


def test_label_a_node_and_an_object_without_labels(sandbox: Sandbox, kubectl: Kubectl) -> None:
    assert kubectl("label", "node", "sandbox-worker", "disk=ssd").stdout == (
        "node/sandbox-worker labeled\n"
    )
    node = stored(sandbox, "Node", None, "sandbox-worker")
    assert node is not None
    assert node["metadata"]["labels"]["disk"] == "ssd"
    kubectl("label", "node", "sandbox-worker", "disk-")
    missing = kubectl("label", "configmap", "kube-root-ca.crt", "-n", "staging", "x-")
    assert missing.stdout == 'label "x" not found.\nconfigmap/kube-root-ca.crt labeled\n'
    configmap = stored(sandbox, "ConfigMap", "staging", "kube-root-ca.crt")
    assert configmap is not None
    assert configmap["metadata"]["labels"] == {}


def test_annotate(sandbox: Sandbox, kubectl: Kubectl) -> None:
    assert kubectl("annotate", "svc", "web", "-n", "prod", "note=hello").stdout == (
        "service/web annotated\n"
    )
    refused = kubectl.fails("annotate", "svc", "web", "-n", "prod", "note=bye")
    assert refused.stderr == (
        "error: --overwrite is false but found the following declared annotation(s): "
        "'note' already has a value (hello)\n"
    )
    kubectl("annotate", "svc", "web", "-n", "prod", "note-")
    service = stored(sandbox, "Service", "prod", "web")
    assert service is not None
    assert "note" not in service["metadata"].get("annotations", {})
