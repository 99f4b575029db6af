"""Smoke test: the real kubectl v1.32 talks to the sandbox as to a cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import Kubectl, require_kubectl

pytestmark = pytest.mark.kubectl


@pytest.fixture
def kubectl(sandbox: Sandbox, tmp_path: Path) -> Kubectl:
    return Kubectl(require_kubectl(), sandbox.kubeconfig, tmp_path)


def test_kubectl_reads_the_sandbox(kubectl: Kubectl, sandbox: Sandbox) -> None:
    namespaces = kubectl("get", "ns")
    assert namespaces.header() == ["NAME", "STATUS", "AGE"]
    assert "kube-system" in namespaces.stdout

    kubectl("get", "pods", "-A")

    assert "Server Version: v1.32" in kubectl("version").stdout

    assert sandbox.requests.matching(method="GET", path="/api/v1/namespaces")
    listed = sandbox.requests.matching(method="GET", path="/api/v1/pods")
    assert listed[-1].query["limit"] == "500"
    assert "as=Table" in listed[-1].headers["Accept"]
