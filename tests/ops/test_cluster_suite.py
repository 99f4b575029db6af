"""``make test-cluster`` runs every e2e test that can run on any cluster: each test in
``tests/e2e`` either goes through the cluster-agnostic fixtures (``tests/e2e/target.py``) or is
marked ``sandbox_only``, so a new test cannot silently leave the real-cluster run."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.subprocess_env import REPO, child_env

E2E = REPO / "tests" / "e2e"
AGNOSTIC = frozenset({"target", "any_stack"})
"""The fixtures of ``tests/e2e/test_any_cluster.py``, built only from ``target.py``."""


def _marked(decorators: list[ast.expr]) -> bool:
    return any("sandbox_only" in ast.unparse(d) for d in decorators)


def unplaced(source: str) -> list[str]:
    """Test functions of a module neither on the agnostic fixtures nor marked sandbox-only."""
    tree = ast.parse(source)
    module_marked = any(
        isinstance(node, ast.Assign)
        and any(getattr(t, "id", "") == "pytestmark" for t in node.targets)
        and "sandbox_only" in ast.unparse(node.value)
        for node in tree.body
    )
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test_"):
            continue
        arguments = {a.arg for a in node.args.args}
        if module_marked or _marked(node.decorator_list) or arguments & AGNOSTIC:
            continue
        found.append(node.name)
    return found


def test_every_e2e_test_runs_anywhere_or_is_marked_sandbox_only() -> None:
    missing = {
        path.name: names
        for path in sorted(E2E.glob("test_*.py"))
        if (names := unplaced(path.read_text(encoding="utf-8")))
    }
    assert missing == {}


def test_the_check_sees_an_unmarked_sandbox_test() -> None:
    source = "def test_uses_the_sandbox(stack):\n    stack.sandbox.faults.clear()\n"
    assert unplaced(source) == ["test_uses_the_sandbox"]
    assert unplaced("import pytest\n\n@pytest.mark.sandbox_only\n" + source) == []
    assert unplaced("def test_anywhere(any_stack):\n    pass\n") == []


def test_without_a_reachable_cluster_the_run_says_so_and_fails(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: gone\n"
        "clusters: [{name: gone, cluster: {server: 'https://127.0.0.1:9'}}]\n"
        "users: [{name: gone, user: {token: nothing}}]\n"
        "contexts: [{name: gone, context: {cluster: gone, user: gone}}]\n"
    )
    env = child_env(K8S_CHATOPS_TEST_CLUSTER="1", KUBECONFIG=str(kubeconfig))
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    argv += ["--no-cov", str(E2E / "test_any_cluster.py")]
    done = subprocess.run(
        argv, env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert "is not reachable" in done.stdout + done.stderr
    assert "point KUBECONFIG at one" in done.stdout + done.stderr
