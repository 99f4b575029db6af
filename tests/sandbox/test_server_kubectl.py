"""Smoke test: the real kubectl v1.32 talks to the sandbox as to a cluster."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.sandbox.harness import Sandbox

pytestmark = pytest.mark.kubectl


@pytest.fixture
def kubectl(tmp_path: Path) -> str:
    found = shutil.which("kubectl")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("kubectl is required in CI")
        pytest.skip("kubectl is not installed")
    return found


def run(kubectl: str, sb: Sandbox, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home), "KUBECONFIG": ""}
    return subprocess.run(
        [kubectl, "--kubeconfig", str(sb.kubeconfig), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_kubectl_reads_the_sandbox(kubectl: str, sandbox: Sandbox, tmp_path: Path) -> None:
    namespaces = run(kubectl, sandbox, tmp_path, "get", "ns")
    assert namespaces.returncode == 0, namespaces.stderr
    assert namespaces.stdout.splitlines()[0].split() == ["NAME", "STATUS", "AGE"]
    assert "kube-system" in namespaces.stdout

    pods = run(kubectl, sandbox, tmp_path, "get", "pods", "-A")
    assert pods.returncode == 0, pods.stderr

    version = run(kubectl, sandbox, tmp_path, "version")
    assert version.returncode == 0, version.stderr
    assert "Server Version: v1.32" in version.stdout

    assert sandbox.requests.matching(method="GET", path="/api/v1/namespaces")
    listed = sandbox.requests.matching(method="GET", path="/api/v1/pods")
    assert listed[-1].query["limit"] == "500"
    assert "as=Table" in listed[-1].headers["Accept"]
