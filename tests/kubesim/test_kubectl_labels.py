"""``kubectl label`` / ``annotate`` on namespaced, cluster-scoped and custom objects: kubectl sends
a JSON merge patch of ``metadata``; the sandbox must answer as an apiserver does (a new
resourceVersion, no new generation for a metadata-only change, selectors and watches see it)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import Judge, Kubectl, eventually, stored, stored_list

pytestmark = pytest.mark.kubectl
JUDGE = Judge(scenario="demo", speed=20.0)


def first_pod(sandbox: Sandbox, app: str, namespace: str = "prod") -> str:
    pods = stored_list(sandbox, "Pod", namespace, f"app={app}")
    return str(sorted(p["metadata"]["name"] for p in pods)[0])


def meta(sandbox: Sandbox, kind: str, namespace: str | None, name: str) -> dict[str, Any]:
    found = stored(sandbox, kind, namespace, name)
    assert found is not None
    return dict(found["metadata"])


def test_label_a_pod_then_overwrite_and_remove_it(sandbox: Sandbox, kubectl: Kubectl) -> None:
    name = first_pod(sandbox, "api")
    pod = f"pod/{name}"
    before = meta(sandbox, "Pod", "prod", name)
    run = kubectl("label", "-n", "prod", pod, "tier=gold", "-v=8")
    assert run.stdout == f"{pod} labeled\n"
    assert f"PATCH {sandbox.url}/api/v1/namespaces/prod/pods/{name}?fieldManager=kubectl-label" in (
        run.stderr
    )
    assert "Content-Type: application/merge-patch+json" in run.stderr
    assert r'body="{\"metadata\":{\"labels\":{\"tier\":\"gold\"}}}"' in run.stderr
    after = meta(sandbox, "Pod", "prod", name)
    assert after["labels"]["tier"] == "gold"
    assert int(after["resourceVersion"]) > int(before["resourceVersion"])
    assert "generation" not in after  # pods have no generation in 1.32
    selected = kubectl("get", "pods", "-n", "prod", "-l", "tier=gold", "-o", "name")
    assert selected.stdout == f"{pod}\n"

    refused = kubectl.fails("label", "-n", "prod", pod, "tier=silver")
    assert refused.stderr == "error: 'tier' already has a value (gold), and --overwrite is false\n"
    overwritten = kubectl("label", "-n", "prod", pod, "tier=silver", "--overwrite")
    assert overwritten.stdout == f"{pod} labeled\n"
    same = kubectl("label", "-n", "prod", pod, "tier=silver", "--overwrite")
    assert same.stdout == f"{pod} not labeled\n"
    assert kubectl("label", "-n", "prod", pod, "tier-").stdout == f"{pod} unlabeled\n"
    assert "tier" not in meta(sandbox, "Pod", "prod", name)["labels"]
    missing = kubectl("label", "-n", "prod", pod, "tier-")
    assert missing.stdout == f'label "tier" not found.\n{pod} not labeled\n'
    stale = kubectl.fails("label", "-n", "prod", pod, "tier=bronze", "--resource-version=1")
    assert stale.stderr == (
        f'Error from server (Conflict): Operation cannot be fulfilled on pods "{name}": the object'
        " has been modified; please apply your changes to the latest version and try again\n"
    )


def test_annotate_a_pod(sandbox: Sandbox, kubectl: Kubectl) -> None:
    name = first_pod(sandbox, "web")
    pod = f"pod/{name}"
    run = kubectl("annotate", "-n", "prod", pod, "note=hello", "-v=8")
    assert run.stdout == f"{pod} annotated\n"
    assert r'body="{\"metadata\":{\"annotations\":{\"note\":\"hello\"}}}"' in run.stderr
    assert meta(sandbox, "Pod", "prod", name)["annotations"]["note"] == "hello"
    refused = kubectl.fails("annotate", "-n", "prod", pod, "note=bye")
    assert refused.stderr == (
        "error: --overwrite is false but found the following declared annotation(s):"
        " 'note' already has a value (hello)\n"
    )
    kubectl("annotate", "-n", "prod", pod, "note=bye", "--overwrite")
    assert meta(sandbox, "Pod", "prod", name)["annotations"]["note"] == "bye"
    assert kubectl("annotate", "-n", "prod", pod, "note-").stdout == f"{pod} annotated\n"
    assert "note" not in (meta(sandbox, "Pod", "prod", name).get("annotations") or {})


def test_a_deployment_label_keeps_its_generation_and_an_annotation_bumps_it(
    sandbox: Sandbox, kubectl: Kubectl
) -> None:
    before = meta(sandbox, "Deployment", "staging", "redis")
    pods = {p["metadata"]["uid"] for p in stored_list(sandbox, "Pod", "staging", "app=redis")}
    kubectl("label", "-n", "staging", "deployment/redis", "owner=data")
    labelled = meta(sandbox, "Deployment", "staging", "redis")
    assert labelled["labels"]["owner"] == "data"
    assert labelled["generation"] == before["generation"]
    assert int(labelled["resourceVersion"]) > int(before["resourceVersion"])
    # The deployment strategy bumps the generation on annotation changes too: the controller
    # copies a Deployment's annotations onto its ReplicaSets.
    kubectl("annotate", "-n", "staging", "deployment/redis", "owner=data")
    annotated = meta(sandbox, "Deployment", "staging", "redis")
    assert annotated["annotations"]["owner"] == "data"
    assert annotated["generation"] == before["generation"] + 1

    def observed() -> bool:
        d = stored(sandbox, "Deployment", "staging", "redis")
        return d is not None and d["status"]["observedGeneration"] == d["metadata"]["generation"]

    eventually(observed, what="the annotation observed")
    [current] = [
        rs
        for rs in stored_list(sandbox, "ReplicaSet", "staging", "app=redis")
        if rs["spec"]["replicas"]
    ]
    eventually(
        lambda: (
            (rs := stored(sandbox, "ReplicaSet", "staging", current["metadata"]["name"]))
            and rs["metadata"]["annotations"].get("owner") == "data"
        ),
        what="the annotation copied onto the ReplicaSet",
    )
    status = kubectl("rollout", "status", "-n", "staging", "deployment/redis", "--watch=false")
    assert status.stdout == 'deployment "redis" successfully rolled out\n'
    assert {p["metadata"]["uid"] for p in stored_list(sandbox, "Pod", "staging", "app=redis")} == (
        pods
    )


def test_label_and_annotate_cluster_scoped_objects(sandbox: Sandbox, kubectl: Kubectl) -> None:
    assert kubectl("label", "node", "sandbox-worker2", "disk=ssd").stdout == (
        "node/sandbox-worker2 labeled\n"
    )
    nodes = kubectl("get", "nodes", "-l", "disk=ssd", "-o", "name")
    assert nodes.stdout == "node/sandbox-worker2\n"
    assert kubectl("annotate", "node", "sandbox-worker2", "rack=r1").stdout == (
        "node/sandbox-worker2 annotated\n"
    )
    assert meta(sandbox, "Node", None, "sandbox-worker2")["annotations"]["rack"] == "r1"
    assert kubectl("label", "namespace", "staging", "team=blue").stdout == (
        "namespace/staging labeled\n"
    )
    assert kubectl("annotate", "ns", "staging", "owner=ops").stdout == (
        "namespace/staging annotated\n"
    )
    [row] = kubectl("get", "ns", "-l", "team=blue", "--show-labels").table()
    assert (row["NAME"], row["LABELS"]) == (
        "staging",
        "kubernetes.io/metadata.name=staging,team=blue",
    )
    kubectl("label", "node", "sandbox-worker2", "disk-")
    kubectl("label", "namespace", "staging", "team-")


def served_meta(kubectl: Kubectl, *args: str) -> dict[str, Any]:
    """The object's metadata as the API serves it to kubectl."""
    found: dict[str, Any] = json.loads(kubectl("get", *args, "-o", "json").stdout)["metadata"]
    return found


def test_label_and_annotate_a_custom_resource(sandbox: Sandbox, kubectl: Kubectl) -> None:
    certificate = ("-n", "prod", "certificate", "web")
    before = served_meta(kubectl, *certificate)
    run = kubectl("label", "-n", "prod", "certificate", "web", "issuer=letsencrypt", "-v=8")
    assert run.stdout == "certificate.cert-manager.io/web labeled\n"
    assert (
        f"PATCH {sandbox.url}/apis/cert-manager.io/v1/namespaces/prod/certificates/web"
        "?fieldManager=kubectl-label"
    ) in run.stderr
    assert "Content-Type: application/merge-patch+json" in run.stderr
    annotated = kubectl("annotate", "-n", "prod", "certificates.cert-manager.io/web", "a=b")
    assert annotated.stdout == "certificate.cert-manager.io/web annotated\n"
    after = served_meta(kubectl, *certificate)
    assert (after["labels"]["issuer"], after["annotations"]["a"]) == ("letsencrypt", "b")
    assert after["generation"] == before["generation"]  # metadata is not the spec
    assert int(after["resourceVersion"]) > int(before["resourceVersion"])
    rows = kubectl("get", "certificates", "-n", "prod", "-l", "issuer=letsencrypt").table()
    assert [r["NAME"] for r in rows] == ["web"]


def test_a_watch_sees_the_label_as_modified(sandbox: Sandbox, kubectl: Kubectl) -> None:
    name = first_pod(sandbox, "worker")
    watch = ("get", "pods", "-n", "prod", "-l", "app=worker", "-w", "--output-watch-events")
    with kubectl.streaming(*watch, "-L", "canary") as lines:
        eventually(lambda: any(line.startswith("ADDED") for line in lines), what="the watch")
        kubectl("label", "-n", "prod", f"pod/{name}", "canary=yes")
        seen = eventually(
            lambda: [line for line in lines if line.startswith("MODIFIED")], what="MODIFIED"
        )
    assert name in seen[0]
    assert seen[0].split()[-1] == "yes"  # the -L column shows the new label


def test_relabelling_a_pod_out_of_its_replicaset_gets_it_replaced(
    sandbox: Sandbox, kubectl: Kubectl
) -> None:
    name = first_pod(sandbox, "api", namespace="staging")
    assert kubectl("label", "-n", "staging", f"pod/{name}", "app=debug", "--overwrite").stdout == (
        f"pod/{name} labeled\n"
    )

    def serving() -> list[dict[str, str]]:
        rows = kubectl("get", "pods", "-n", "staging", "-l", "app=api").table()
        return rows if len(rows) == 2 and all(r["STATUS"] == "Running" for r in rows) else []

    rows = eventually(serving, what="a replacement pod")
    assert name not in {r["NAME"] for r in rows}
    assert "ownerReferences" not in meta(sandbox, "Pod", "staging", name)
    [row] = kubectl("get", "deployment", "-n", "staging", "api").table()
    assert row["READY"] == "2/2"
    kubectl("label", "-n", "staging", f"pod/{name}", "app=api", "--overwrite")
    eventually(
        lambda: (
            (owners := meta(sandbox, "Pod", "staging", name).get("ownerReferences"))
            and owners[0]["kind"] == "ReplicaSet"
        ),
        what="the pod adopted again",
    )
    eventually(
        lambda: len(kubectl("get", "pods", "-n", "staging", "-l", "app=api").lines()) == 3,
        what="the surplus pod deleted",
    )
