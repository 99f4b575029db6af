"""``make test-cluster`` runs every e2e test that can run on any cluster: each test in
``tests/e2e`` either goes through the cluster-agnostic fixtures (``tests/e2e/target.py``), and
then none of the sandbox's, or is marked ``sandbox_only(reason=...)`` itself (not its whole
module), so a new test cannot silently leave the real-cluster run."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.subprocess_env import REPO, child_env

E2E = REPO / "tests" / "e2e"
AGNOSTIC = frozenset({"target", "any_stack"})
"""The fixtures of ``tests/e2e/conftest.py`` built only from ``target.py``."""
SANDBOX = frozenset({"stack", "core", "apps", "replica"})
"""The sandbox's own fixtures, which an agnostic test may not take."""


def _marked(decorators: list[ast.expr]) -> bool:
    """Marked ``sandbox_only`` with a reason (the one ``make test-cluster`` prints)."""
    return any(
        isinstance(d, ast.Call)
        and "sandbox_only" in ast.unparse(d.func)
        and any(k.arg == "reason" for k in d.keywords)
        for d in decorators
    )


def _fixture(node: ast.FunctionDef) -> bool:
    return any("fixture" in ast.unparse(d) for d in node.decorator_list)


def unplaced(source: str) -> list[str]:
    """Test functions of a module neither on the agnostic fixtures alone nor marked
    sandbox-only with a reason (a module-wide mark does not count: each test says why). A
    module's own fixture built from agnostic fixtures alone is agnostic too."""
    functions = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef)]
    agnostic, sandbox = set(AGNOSTIC), set(SANDBOX)
    for node in (n for n in functions if _fixture(n)):  # in order: fixtures use earlier ones
        arguments = {a.arg for a in node.args.args}
        (agnostic if arguments & agnostic and not arguments & sandbox else sandbox).add(node.name)
    found = []
    for node in functions:
        if not node.name.startswith("test_"):
            continue
        arguments = {a.arg for a in node.args.args}
        if _marked(node.decorator_list) or (arguments & agnostic and not arguments & sandbox):
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
    marked = '@pytest.mark.sandbox_only(reason="a fault hook")\n'
    assert unplaced("import pytest\n\n" + marked + source) == []
    assert unplaced("def test_anywhere(any_stack):\n    pass\n") == []
    built = "@pytest.fixture\ndef mine(target):\n    pass\n\ndef test_anywhere(mine):\n    pass\n"
    assert unplaced(built) == []


@pytest.mark.parametrize(
    "source",
    [
        "pytestmark = pytest.mark.sandbox_only\n\ndef test_a(stack):\n    pass\n",
        "@pytest.mark.sandbox_only\ndef test_a(stack):\n    pass\n",
        "def test_a(any_stack, stack):\n    pass\n",
        "def test_a(target, core):\n    pass\n",
        "@pytest.fixture\ndef mine(any_stack, stack):\n    pass\n\ndef test_a(mine):\n    pass\n",
        "@pytest.fixture\ndef mine(tmp_path):\n    pass\n\ndef test_a(mine):\n    pass\n",
    ],
    ids=[
        "module-wide",
        "no-reason",
        "agnostic-and-sandbox",
        "target-and-sandbox-client",
        "fixture-on-the-sandbox",
        "fixture-on-nothing-agnostic",
    ],
)
def test_the_check_wants_a_reason_per_test_and_no_sandbox_fixture(source: str) -> None:
    assert unplaced(source) == ["test_a"]


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
