"""``kubernetes.impersonate``: each Slack user acts in the cluster as a user of their own, with
their Slack user groups, so that the sandbox's RBAC is a second wall behind the bot's policy.

The real app in HTTP mode, the fake Slack (which knows each person's email and groups) and the
cluster's RBAC (the sandbox's or a real one's), in the run's namespace; the real kubectl,
impersonating the same identity, agrees on every 403.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client

from bot.transport.blocks import CONFIRM_ACTION
from tests.e2e.target import AnyStack, running_any_stack
from tests.fakeslack import ALICE, BOB
from tests.kubesim.kubectl import Kubectl

IMPERSONATE = """\
  impersonate:
    user: "slack:{user_id}"
    group: "slack:{handle}"
    extra_groups: [chatops-users]
"""
GROUPS = {"S0OPS": [BOB.id]}
HANDLES = {"S0OPS": "ops"}


@pytest.fixture(scope="module")
def acting(any_stack: AnyStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnyStack]:
    """A second bot on the run's namespace, in the same mode, impersonating each Slack user
    (its account may only impersonate; no notifier)."""
    workdir = tmp_path_factory.mktemp(f"e2e-impersonate-{any_stack.mode}")
    with running_any_stack(
        any_stack.target,
        workdir,
        mode=any_stack.mode,
        account="k8s-chatops-acting",
        kubernetes=IMPERSONATE,
        notify=False,
    ) as stack:
        stack.fake.workspace.usergroups = dict(GROUPS)
        stack.fake.workspace.handles = dict(HANDLES)
        yield stack


@pytest.fixture(scope="module")
def kubectl(acting: AnyStack, tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    binary = shutil.which("kubectl")
    if binary is None:
        pytest.fail("kubectl is not on PATH")
    home: Path = tmp_path_factory.mktemp("kubectl-home")
    return Kubectl(binary, acting.target.kubeconfig, home)


@pytest.fixture(scope="module")
def rbac(acting: AnyStack) -> client.RbacAuthorizationV1Api:
    return acting.target.rbac


@pytest.fixture(scope="module")
def ns(acting: AnyStack) -> str:
    """The run's namespace, with Deployment ``redis`` (1 replica) nobody else changes."""
    acting.target.deployment("redis")
    return acting.target.namespace


def _grant(
    rbac: client.RbacAuthorizationV1Api,
    name: str,
    namespace: str,
    rule: dict[str, object],
    subject: dict[str, str],
) -> None:
    rbac.create_namespaced_role(namespace, {"metadata": {"name": name}, "rules": [rule]})
    rbac.create_namespaced_role_binding(
        namespace,
        {
            "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", **subject}],
        },
    )


def test_a_command_runs_as_the_slack_user_and_their_403_names_them(
    acting: AnyStack, kubectl: Kubectl, ns: str
) -> None:
    mark = acting.mark()
    reply = acting.run(f"get pods -n {ns}", user=ALICE)
    assert (
        f'you (Kubernetes user "slack:U0ALICE") may not list pods in namespace "{ns}" '
        "(forbidden)" in reply.text
    ), reply.text
    if (sent := acting.sent_since(mark)) is not None:
        lists = [r for r in sent if r.path == f"/api/v1/namespaces/{ns}/pods"]
        assert lists
        assert all(r.headers.get("Impersonate-User") == "slack:U0ALICE" for r in lists)
        assert all(r.headers.getall("Impersonate-Group") == ["chatops-users"] for r in lists)
    refused = kubectl.fails(
        "get", "pods", "-n", ns, "--as", "slack:U0ALICE", "--as-group", "chatops-users"
    )
    assert refused.stderr.strip() == (
        'Error from server (Forbidden): pods is forbidden: User "slack:U0ALICE" cannot list '
        f'resource "pods" in API group "" in the namespace "{ns}"'
    )


def test_slack_user_groups_become_kubernetes_groups(
    acting: AnyStack, kubectl: Kubectl, rbac: client.RbacAuthorizationV1Api, ns: str
) -> None:
    _grant(
        rbac,
        "ops-read-pods",
        ns,
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["list", "get"]},
        {"kind": "Group", "name": "slack:ops"},
    )
    mark = acting.mark()
    reply = acting.run(f"get pods -n {ns}", user=BOB)
    assert "NAME" in reply.text, reply.text
    assert "redis-" in reply.text, reply.text
    if (sent := acting.sent_since(mark)) is not None:
        (listed, *_) = [r for r in sent if r.path == f"/api/v1/namespaces/{ns}/pods"]
        assert listed.headers.get("Impersonate-User") == "slack:U0BOB"
        groups = sorted(listed.headers.getall("Impersonate-Group"))
        assert groups == ["chatops-users", "slack:ops"]
    kubectl(
        "get", "pods", "-n", ns, "--as", "slack:U0BOB",
        "--as-group", "slack:ops", "--as-group", "chatops-users",
    )  # fmt: skip
    # Alice is not in the group: the bot's policy lets her (an admin), the cluster does not.
    denied = acting.run(f"get pods -n {ns}", user=ALICE)
    assert 'you (Kubernetes user "slack:U0ALICE") may not list pods' in denied.text


def test_a_change_the_cluster_refuses_the_user_changes_nothing(
    acting: AnyStack, kubectl: Kubectl, rbac: client.RbacAuthorizationV1Api, ns: str
) -> None:
    apps = acting.target.apps
    before = apps.read_namespaced_deployment("redis", ns).spec.replicas
    reply = acting.run(f"scale deployment/redis --replicas=2 -n {ns}", user=ALICE)
    assert 'you (Kubernetes user "slack:U0ALICE") may not patch deployments.apps/scale' in (
        reply.text
    ), reply.text
    assert apps.read_namespaced_deployment("redis", ns).spec.replicas == before
    as_alice = ("-n", ns, "--as", "slack:U0ALICE", "--as-group", "chatops-users")
    # kubectl reads the Deployment before it patches its scale: refused one step earlier.
    refused = kubectl.fails("scale", "deployment/redis", "--replicas=2", *as_alice)
    assert 'User "slack:U0ALICE" cannot get resource "deployments"' in refused.stderr
    _grant(
        rbac,
        "alice-scales",
        ns,
        {"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"],
         "verbs": ["get", "patch"]},
        {"kind": "User", "name": "slack:U0ALICE"},
    )  # fmt: skip
    done = acting.run(f"scale deployment/redis --replicas=2 -n {ns}", user=ALICE)
    assert "scaled" in done.text, done.text
    assert apps.read_namespaced_deployment("redis", ns).spec.replicas == 2
    kubectl("scale", "deployment/redis", f"--replicas={before}", *as_alice)
    assert apps.read_namespaced_deployment("redis", ns).spec.replicas == before


def test_a_preview_reads_as_the_user_the_change_will_run_as(
    acting: AnyStack, kubectl: Kubectl, rbac: client.RbacAuthorizationV1Api, ns: str
) -> None:
    (pod, *_) = acting.target.pods("app=redis")
    as_alice = ("-n", ns, "--as", "slack:U0ALICE", "--as-group", "chatops-users")
    assert kubectl.fails("auth", "can-i", "get", "pods", *as_alice).stdout.strip() == "no"
    mark = acting.mark()
    # A delete always asks first; its preview (the existence check) is refused her: no question.
    refused = acting.run(f"delete pod {pod} -n {ns}", user=ALICE)
    assert (
        f'you (Kubernetes user "slack:U0ALICE") may not get pods in namespace "{ns}" '
        "(forbidden)" in refused.text
    ), refused.text
    assert "Confirm" not in refused.text
    if (sent := acting.sent_since(mark)) is not None:
        reads = [r for r in sent if r.path == f"/api/v1/namespaces/{ns}/pods/{pod}"]
        assert [r.headers.get("Impersonate-User") for r in reads] == ["slack:U0ALICE"]
        assert [r for r in sent if "/configmaps" in r.path and r.method == "POST"] == []

    # Allowed to read pods one by one (not to list them, not to delete them).
    _grant(
        rbac,
        "alice-gets-pods",
        ns,
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
        {"kind": "User", "name": "slack:U0ALICE"},
    )
    assert kubectl("auth", "can-i", "get", "pods", *as_alice).stdout.strip() == "yes"
    mark = acting.mark()
    prompt = acting.run(f"delete pod {pod} -n {ns}", user=ALICE)
    assert pod in prompt.text, prompt.text
    token = prompt.confirm_token()
    if (sent := acting.sent_since(mark)) is not None:
        reads = [r for r in sent if r.path == f"/api/v1/namespaces/{ns}/pods/{pod}"]
        assert [r.headers.get("Impersonate-User") for r in reads] == ["slack:U0ALICE"]
        # The pending request is the bot's own state: written as the bot.
        (parked,) = [r for r in sent if r.method == "POST" and "/configmaps" in r.path]
        assert parked.headers.get("Impersonate-User") is None
    # At the click the pod is read again as her, and the delete is hers: refused by RBAC.
    mark = acting.mark()
    outcome, announced = acting.click(CONFIRM_ACTION, token, user=ALICE)
    assert 'you (Kubernetes user "slack:U0ALICE") may not delete pods' in outcome.text, outcome.text
    assert announced == []
    assert pod in acting.target.pods("app=redis")
    if (sent := acting.sent_since(mark)) is not None:
        mine = [r for r in sent if r.path == f"/api/v1/namespaces/{ns}/pods/{pod}"]
        assert [r.method for r in mine] == ["GET", "DELETE"]
        assert {r.headers.get("Impersonate-User") for r in mine} == {"slack:U0ALICE"}
    assert kubectl.fails("auth", "can-i", "delete", "pods", *as_alice).stdout.strip() == "no"
