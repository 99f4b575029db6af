"""``kubectl cordon|uncordon`` against the sandbox: the API stores ``spec.unschedulable`` from
kubectl's strategic merge patch and deletes it on ``null``, so kubectl sees what it set."""

from __future__ import annotations

import pytest

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import Judge, Kubectl, stored

pytestmark = pytest.mark.kubectl
JUDGE = Judge(scenario="demo")


def test_cordon_then_uncordon(sandbox: Sandbox, kubectl: Kubectl) -> None:
    assert kubectl("cordon", "sandbox-worker").stdout == "node/sandbox-worker cordoned\n"
    node = stored(sandbox, "Node", None, "sandbox-worker")
    assert node is not None
    assert node["spec"]["unschedulable"] is True
    jsonpath = kubectl("get", "node", "sandbox-worker", "-o", "jsonpath={.spec.unschedulable}")
    assert jsonpath.stdout == "true"
    assert kubectl("cordon", "node/sandbox-worker").stdout == (
        "node/sandbox-worker already cordoned\n"
    )
    assert kubectl("uncordon", "sandbox-worker").stdout == "node/sandbox-worker uncordoned\n"
    node = stored(sandbox, "Node", None, "sandbox-worker")
    assert node is not None
    assert "unschedulable" not in node["spec"]
    assert kubectl("uncordon", "sandbox-worker").stdout == (
        "node/sandbox-worker already uncordoned\n"
    )


def test_cordon_of_a_missing_node(kubectl: Kubectl) -> None:
    run = kubectl.fails("cordon", "absent")
    assert run.stderr == 'Error from server (NotFound): nodes "absent" not found\n'
