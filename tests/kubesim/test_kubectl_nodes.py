"""``kubectl cordon`` / ``uncordon`` against the sandbox: what kubectl prints, and what a real
cluster does next (the node controller's taint, the kubelet's events, the scheduler's refusal)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import (
    Judge,
    Kubectl,
    deployment_manifest,
    eventually,
    stored,
    stored_list,
)

pytestmark = pytest.mark.kubectl
JUDGE = Judge()

WORKER = "sandbox-worker"
TAINT = "node.kubernetes.io/unschedulable"


@pytest.fixture(autouse=True)
def uncordoned(kubectl: Kubectl) -> Iterator[None]:
    """Leave the shared cluster's worker schedulable whatever the test did."""
    yield
    kubectl.run("uncordon", WORKER)


def worker_status(kubectl: Kubectl) -> str:
    rows = {r["NAME"]: r for r in kubectl("get", "nodes").table()}
    return rows[WORKER]["STATUS"]


def taint_keys(sandbox: Sandbox) -> list[str]:
    node = stored(sandbox, "Node", None, WORKER)
    assert node is not None
    return [t["key"] for t in node["spec"].get("taints") or ()]


def phases(sandbox: Sandbox, app: str) -> list[str]:
    return [
        p["status"].get("phase", "") for p in stored_list(sandbox, "Pod", "default", f"app={app}")
    ]


def test_cordon_taints_the_node_and_keeps_new_pods_off_it(
    sandbox: Sandbox, kubectl: Kubectl
) -> None:
    assert kubectl("cordon", WORKER).stdout == f"node/{WORKER} cordoned\n"
    assert kubectl("cordon", WORKER).stdout == f"node/{WORKER} already cordoned\n"
    assert worker_status(kubectl) == "Ready,SchedulingDisabled"
    eventually(lambda: taint_keys(sandbox) == [TAINT], what="the unschedulable taint")
    node = stored(sandbox, "Node", None, WORKER)
    assert node is not None
    assert node["spec"]["unschedulable"] is True
    assert node["spec"]["taints"][0]["timeAdded"]
    described = kubectl("describe", "node", WORKER).stdout
    assert re.search(r"^Unschedulable:\s+true$", described, re.M)
    assert re.search(rf"^Taints:\s+{TAINT}:NoSchedule$", described, re.M)
    assert re.search(
        # AGE reads "5s", or "0s (x2 over 1s)" when another test of the module cordoned it too
        rf"^\s+Normal\s+NodeNotSchedulable\s+\S+(?: \(x\d+ over \S+\))?\s+kubelet\s+"
        rf"Node {WORKER} status is now: NodeNotSchedulable$",
        described,
        re.M,
    )

    kubectl.create(deployment_manifest("stranded", "nginx:1.27"))
    eventually(lambda: phases(sandbox, "stranded") == ["Pending"], what="a pending pod")
    [pod] = stored_list(sandbox, "Pod", "default", "app=stranded")
    described_pod = kubectl("describe", "pod", pod["metadata"]["name"]).stdout
    assert re.search(
        r"Warning\s+FailedScheduling\s+.*default-scheduler\s+0/2 nodes are available: "
        r"1 node\(s\) had untolerated taint \{node-role\.kubernetes\.io/control-plane: \}, "
        r"1 node\(s\) were unschedulable\.",
        described_pod,
    )

    assert kubectl("uncordon", WORKER).stdout == f"node/{WORKER} uncordoned\n"
    assert kubectl("uncordon", WORKER).stdout == f"node/{WORKER} already uncordoned\n"
    assert worker_status(kubectl) == "Ready"
    eventually(lambda: taint_keys(sandbox) == [], what="the taint removed")
    eventually(lambda: phases(sandbox, "stranded") == ["Running"], what="the pod scheduled")
    described = kubectl("describe", "node", WORKER).stdout
    assert re.search(r"^Unschedulable:\s+false$", described, re.M)
    assert re.search(r"^Taints:\s+<none>$", described, re.M)
    assert re.search(rf"kubelet\s+Node {WORKER} status is now: NodeSchedulable$", described, re.M)


def test_cordon_sends_a_strategic_merge_patch_of_spec_unschedulable(
    sandbox: Sandbox, kubectl: Kubectl
) -> None:
    run = kubectl("cordon", WORKER, "-v=8")
    assert run.stdout == f"node/{WORKER} cordoned\n"
    assert f"PATCH {sandbox.url}/api/v1/nodes/{WORKER}" in run.stderr
    assert "Content-Type: application/strategic-merge-patch+json" in run.stderr
    assert r'body="{\"spec\":{\"unschedulable\":true}}"' in run.stderr
    undone = kubectl("uncordon", WORKER, "-v=8")
    assert r'body="{\"spec\":{\"unschedulable\":null}}"' in undone.stderr
    node = stored(sandbox, "Node", None, WORKER)
    assert node is not None
    assert "unschedulable" not in node["spec"]
