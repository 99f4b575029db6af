"""A node holds at most its pod capacity; the excess stays Pending with the scheduler's reason,
and a scale to 100,000 replicas leaves the sandbox answering kubectl as a real cluster does."""

from __future__ import annotations

import pytest

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import (
    Judge,
    Kubectl,
    deployment_manifest,
    eventually,
    judged_sandbox,
    stored_list,
)

pytestmark = pytest.mark.kubectl
JUDGE = Judge(speed=50.0)

V1 = "gcr.io/google-samples/kubernetes-bootcamp:v1"
FULL = (
    "0/2 nodes are available: 1 Too many pods, 1 node(s) had untolerated taint "
    "{node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: "
    "1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling."
)


def test_the_excess_stays_pending_with_failed_scheduling(
    sandbox: Sandbox, kubectl: Kubectl
) -> None:
    kubectl.create(deployment_manifest("many", V1, replicas=130))
    worker = kubectl("get", "node", "sandbox-worker", "-o", "jsonpath={.status.allocatable.pods}")
    assert worker.stdout == "110"

    def settled() -> list[str] | None:
        pods = stored_list(sandbox, "Pod", "default", "app=many")
        pending = [  # turned down by the scheduler, not merely not yet looked at
            p
            for p in pods
            if not p["spec"].get("nodeName")
            and any(
                c.get("reason") == "Unschedulable"
                for c in p.get("status", {}).get("conditions", ())
            )
        ]
        return [p["metadata"]["name"] for p in pending] if len(pods) == 130 and pending else None

    pending = eventually(settled, what="130 pods, some unschedulable")
    bound = [
        p
        for p in stored_list(sandbox, "Pod", None)
        if p["spec"].get("nodeName") == "sandbox-worker"
    ]
    assert len(bound) == 110
    events = kubectl(
        "get",
        "events",
        "--field-selector",
        f"involvedObject.name={pending[0]}",
        "-o",
        'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}',
    )
    assert f"FailedScheduling: {FULL}" in events.lines()
    row = next(
        r for r in kubectl("get", "pods", "-l", "app=many").table() if r["NAME"] == pending[0]
    )
    assert (row["READY"], row["STATUS"]) == ("0/1", "Pending")


def test_kubectl_keeps_answering_while_100000_replicas_are_created() -> None:
    with judged_sandbox(scenario="empty", speed=5.0) as (sandbox, kubectl):
        kubectl.create(deployment_manifest("huge", V1, replicas=1))
        assert kubectl("scale", "deployment/huge", "--replicas=100000").stdout == (
            "deployment.apps/huge scaled\n"
        )
        for _ in range(5):  # each within kubectl's own timeouts (no TLS handshake timeout)
            rows = kubectl("get", "deployment", "huge", timeout=20).table()
            assert rows[0]["READY"].endswith("/100000")
        assert kubectl("get", "nodes", timeout=20).table()
        assert len(stored_list(sandbox, "Pod", "default", "app=huge")) < 100000
