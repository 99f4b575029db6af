"""``k8s-chatops check`` against the sandbox's real RBAC, as the bot's ServiceAccount."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client

from bot.__main__ import main
from bot.core.rbac import Access
from bot.preflight import needed_access
from bot.settings import load_settings
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.fakeslack import ALICE, FakeSlack, running_fake_slack

NAMESPACE = "chatops"
ACCOUNT = "k8s-chatops"
SETTINGS = (
    f"policy:\n  admins: [{ALICE.id}]\n"
    "notifications:\n  routes:\n    - channel: C0DEPLOYS\n"
    f"leader_election:\n  namespace: {NAMESPACE}\n"
)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(scenario="demo") as running:
        yield running


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with running_fake_slack() as running:
        yield running


def _rule(access: Access) -> dict[str, object]:
    if access.path:
        return {"nonResourceURLs": [access.path], "verbs": [access.verb]}
    sub = f"/{access.subresource}" if access.subresource else ""
    return {
        "apiGroups": [access.group],
        "resources": [access.resource + sub],
        "verbs": [access.verb],
    }


def grant(sandbox: Sandbox, name: str, accesses: list[Access]) -> str:
    """A ServiceAccount bound to a ClusterRole (and a Role in its namespace) of ``accesses``;
    returns its token."""
    token = sandbox.service_account_token(NAMESPACE, name)
    subject = {"kind": "ServiceAccount", "name": name, "namespace": NAMESPACE}
    api = sandbox.api_client()
    try:
        rbac = client.RbacAuthorizationV1Api(api)
        cluster = [_rule(a) for a in accesses if not a.own_namespace]
        own = [_rule(a) for a in accesses if a.own_namespace]
        rbac.create_cluster_role({"metadata": {"name": name}, "rules": cluster})
        rbac.create_cluster_role_binding(
            {
                "metadata": {"name": name},
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "ClusterRole",
                    "name": name,
                },
                "subjects": [subject],
            }
        )
        rbac.create_namespaced_role(NAMESPACE, {"metadata": {"name": name}, "rules": own})
        rbac.create_namespaced_role_binding(
            NAMESPACE,
            {
                "metadata": {"name": name},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
                "subjects": [subject],
            },
        )
    finally:
        api.close()
    return token


def check(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fake: FakeSlack,
    kubeconfig: Path,
    *,
    token: str | None = None,
) -> tuple[int, str]:
    config = tmp_path / "k8s-chatops.yaml"
    config.write_text(SETTINGS + f"kubernetes:\n  kubeconfig: {kubeconfig}\n")
    for name in (
        "KUBECONFIG",
        "KUBERNETES_SERVICE_HOST",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SLACK_BOT_TOKEN", token or fake.bot_token)
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    status = main(["check", "--config", str(config)])
    return status, capsys.readouterr().out


def everything(tmp_path: Path) -> list[Access]:
    path = tmp_path / "needs.yaml"
    path.write_text(SETTINGS)
    return list(needed_access(load_settings(path, env={})))


def test_check_passes_with_the_rbac_the_bot_needs(
    sandbox: Sandbox,
    fake: FakeSlack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = grant(sandbox, "complete", everything(tmp_path))
    kubeconfig = sandbox.kubeconfig_for(token, namespace=NAMESPACE)
    status, out = check(monkeypatch, capsys, tmp_path, fake, kubeconfig)
    assert status == 0, out
    assert "✗" not in out
    assert out.rstrip().endswith("all checks passed")
    assert "✓ patch deployments.apps/scale" in out
    assert "✓ update leases.coordination.k8s.io in chatops" in out
    assert "✓ get leases.coordination.k8s.io in kube-node-lease" in out  # describe node's only
    assert "✓ Slack scope chat:write" in out


def test_check_names_each_missing_rule_and_fails(
    sandbox: Sandbox,
    fake: FakeSlack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    scale = Access("patch", "deployments", "apps", "scale")
    lease = Access("update", "leases", "coordination.k8s.io", own_namespace=True)
    granted = [a for a in everything(tmp_path) if a not in (scale, lease)]
    token = grant(sandbox, "incomplete", granted)
    kubeconfig = sandbox.kubeconfig_for(token, namespace=NAMESPACE)
    status, out = check(monkeypatch, capsys, tmp_path, fake, kubeconfig)
    assert status == 1
    lines = out.splitlines()
    failed = [line.split()[1] for line in lines if line.startswith("✗")]
    assert failed == ["patch", "update"]
    assert any(
        line.startswith("✗ patch deployments.apps/scale") and "scale" in line for line in lines
    )
    assert (
        "-> add to the bot's ClusterRole: "
        '{apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"]}'
    ) in out
    assert (
        "-> add to the bot's Role in chatops: "
        '{apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["update"]}'
    ) in out
    assert out.rstrip().endswith(f"2 of {len(lines) - 4} checks failed")


def test_check_names_a_missing_slack_scope(
    sandbox: Sandbox,
    fake: FakeSlack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake.workspace.scopes = [
        "commands",
        "chat:write",
        "im:write",
        "channels:history",
        "groups:history",
    ]
    status, out = check(monkeypatch, capsys, tmp_path, fake, sandbox.kubeconfig)
    assert status == 1
    assert [line.split()[3] for line in out.splitlines() if line.startswith("✗")] == ["files:write"]
    assert "add the bot scope files:write" in out


def test_check_says_when_slack_refuses_the_token_or_the_cluster_is_unreachable(
    fake: FakeSlack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with running_sandbox() as gone:
        kubeconfig = gone.kubeconfig_for(gone.user_token("nobody"))
        copy = tmp_path / "kubeconfig"
        copy.write_text(kubeconfig.read_text())
    status, out = check(monkeypatch, capsys, tmp_path, fake, copy, token="xoxb-wrong")
    assert status == 1
    failed = [line for line in out.splitlines() if line.startswith("✗")]
    assert len(failed) == 2
    assert "auth.test: invalid_auth" in failed[0]
    assert failed[1].startswith("✗ cluster")


def test_with_impersonation_the_bot_needs_only_to_impersonate_and_its_own_requests(
    sandbox: Sandbox,
    fake: FakeSlack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = grant(sandbox, "impersonator", [Access("impersonate", "users")])
    kubeconfig = sandbox.kubeconfig_for(token, namespace=NAMESPACE)
    config = tmp_path / "k8s-chatops.yaml"
    config.write_text(
        f"policy:\n  admins: [{ALICE.id}]\n"
        f"kubernetes:\n  kubeconfig: {kubeconfig}\n  impersonate:\n    user: 'mail:{{email}}'\n"
    )
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SLACK_BOT_TOKEN", fake.bot_token)
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    status = main(["check", "--config", str(config)])
    out = capsys.readouterr().out
    failed = [line.split()[1:3] for line in out.splitlines() if line.startswith("✗")]
    assert status == 1
    # The pending confirmations are the bot's own state: kept as the bot, not the user.
    verbs = ("create", "get", "update", "list", "watch", "delete")
    pending = [[verb, "configmaps"] for verb in verbs]
    assert failed == [["Slack", "scope"], ["Slack", "scope"], ["impersonate", "groups"], *pending]
    assert "✓ impersonate users" in out
    assert "users:read.email" in out
    assert "patch deployments" not in out  # the users' RBAC, not the bot's
