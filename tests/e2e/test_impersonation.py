"""``kubernetes.impersonate``: each Slack user acts in the cluster as a user of their own, with
their Slack user groups, so that the sandbox's RBAC is a second wall behind the bot's policy.

The real app in HTTP mode, the fake Slack (which knows each person's email and groups) and the
sandbox with real RBAC; the real kubectl, impersonating the same identity, agrees on every 403.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client

from tests.e2e.stack import Stack, running_stack
from tests.fakeslack import ALICE, BOB
from tests.kubesim.kubectl import Kubectl

pytestmark = pytest.mark.sandbox_only
"""These tests use the demo scenario's objects and the sandbox's request log or fault hooks."""

IMPERSONATE = """\
  impersonate:
    user: "slack:{user_id}"
    group: "slack:{handle}"
    extra_groups: [chatops-users]
"""
GROUPS = {"S0OPS": [BOB.id]}
HANDLES = {"S0OPS": "ops"}


@pytest.fixture(scope="module")
def acting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("e2e-impersonate")
    with running_stack(
        "http", workdir, kubernetes=IMPERSONATE, usergroups=GROUPS, handles=HANDLES
    ) as stack:
        yield stack


@pytest.fixture(scope="module")
def kubectl(acting: Stack, tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    binary = shutil.which("kubectl")
    if binary is None:
        pytest.fail("kubectl is not on PATH")
    home: Path = tmp_path_factory.mktemp("kubectl-home")
    return Kubectl(binary, acting.sandbox.kubeconfig, home)


@pytest.fixture(scope="module")
def rbac(acting: Stack) -> Iterator[client.RbacAuthorizationV1Api]:
    api = acting.sandbox.api_client()
    try:
        yield client.RbacAuthorizationV1Api(api)
    finally:
        api.close()


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
    acting: Stack, kubectl: Kubectl
) -> None:
    mark = len(acting.sandbox.requests)
    reply = acting.run("get pods -n prod", user=ALICE)
    assert (
        'you (Kubernetes user "slack:U0ALICE") may not list pods in namespace "prod" (forbidden)'
        in reply.text
    ), reply.text
    lists = [r for r in acting.requests_since(mark) if r.path == "/api/v1/namespaces/prod/pods"]
    assert lists
    assert all(r.headers.get("Impersonate-User") == "slack:U0ALICE" for r in lists)
    assert all(r.headers.getall("Impersonate-Group") == ["chatops-users"] for r in lists)
    refused = kubectl.fails(
        "get", "pods", "-n", "prod", "--as", "slack:U0ALICE", "--as-group", "chatops-users"
    )
    assert refused.stderr.strip() == (
        'Error from server (Forbidden): pods is forbidden: User "slack:U0ALICE" cannot list '
        'resource "pods" in API group "" in the namespace "prod"'
    )


def test_slack_user_groups_become_kubernetes_groups(
    acting: Stack, kubectl: Kubectl, rbac: client.RbacAuthorizationV1Api
) -> None:
    _grant(
        rbac,
        "ops-read-pods",
        "staging",
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["list", "get"]},
        {"kind": "Group", "name": "slack:ops"},
    )
    mark = len(acting.sandbox.requests)
    reply = acting.run("get pods -n staging", user=BOB)
    assert "NAME" in reply.text, reply.text
    assert "api-" in reply.text, reply.text
    (listed, *_) = [
        r for r in acting.requests_since(mark) if r.path == "/api/v1/namespaces/staging/pods"
    ]
    assert listed.headers.get("Impersonate-User") == "slack:U0BOB"
    assert sorted(listed.headers.getall("Impersonate-Group")) == ["chatops-users", "slack:ops"]
    kubectl(
        "get", "pods", "-n", "staging", "--as", "slack:U0BOB",
        "--as-group", "slack:ops", "--as-group", "chatops-users",
    )  # fmt: skip
    # Alice is not in the group: the bot's policy lets her (an admin), the cluster does not.
    denied = acting.run("get pods -n staging", user=ALICE)
    assert 'you (Kubernetes user "slack:U0ALICE") may not list pods' in denied.text


def test_a_change_the_cluster_refuses_the_user_changes_nothing(
    acting: Stack, kubectl: Kubectl, rbac: client.RbacAuthorizationV1Api
) -> None:
    apps = client.AppsV1Api(acting.sandbox.api_client())
    before = apps.read_namespaced_deployment("redis", "staging").spec.replicas
    reply = acting.run("scale deployment/redis --replicas=2 -n staging", user=ALICE)
    assert 'you (Kubernetes user "slack:U0ALICE") may not patch deployments.apps/scale' in (
        reply.text
    ), reply.text
    assert apps.read_namespaced_deployment("redis", "staging").spec.replicas == before
    as_alice = ("-n", "staging", "--as", "slack:U0ALICE", "--as-group", "chatops-users")
    # kubectl reads the Deployment before it patches its scale: refused one step earlier.
    refused = kubectl.fails("scale", "deployment/redis", "--replicas=2", *as_alice)
    assert 'User "slack:U0ALICE" cannot get resource "deployments"' in refused.stderr
    _grant(
        rbac,
        "alice-scales",
        "staging",
        {"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"],
         "verbs": ["get", "patch"]},
        {"kind": "User", "name": "slack:U0ALICE"},
    )  # fmt: skip
    done = acting.run("scale deployment/redis --replicas=2 -n staging", user=ALICE)
    assert "scaled" in done.text, done.text
    assert apps.read_namespaced_deployment("redis", "staging").spec.replicas == 2
    kubectl("scale", "deployment/redis", f"--replicas={before}", *as_alice)
    assert apps.read_namespaced_deployment("redis", "staging").spec.replicas == before
