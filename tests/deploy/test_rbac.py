"""deploy/'s RBAC is least privilege, proven twice against the sandbox.

The bot runs the e2e suite's kinds of commands, clicks and notifications (``workload.play``)
authenticated as its ServiceAccount, with the rendered RBAC applied:

1. every (verb, group, resource, subresource, namespace) it requested, as the sandbox's request
   log recorded what the authorizer was asked, is granted by the rendered rules, and every
   grant of those rules was requested: no rule, verb or resource is there for nothing;
2. the sandbox's RBAC authorizer forbade nothing.

Each optional component is proven the same way: ``delete`` with the deletes played, and
``impersonate`` with ``kubernetes.impersonate`` on (and, again, with the real kubectl
impersonating through the bot's identity). The static rules hold for every combination: no
``*``, no Secrets, writes only where a feature writes.
"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pytest
from kubernetes import client

from bot.transport.blocks import CONFIRM_ACTION
from kubesim.testing.harness import running_sandbox
from tests.ci import require_kubectl
from tests.deploy.as_account import apply_rbac
from tests.deploy.manifests import (
    ACCOUNT,
    COMPONENTS,
    NAMESPACE,
    RBAC_KINDS,
    Grant,
    grants,
    of_kind,
    rendered,
)
from tests.deploy.played import Played
from tests.deploy.workload import FORBIDDEN
from tests.fakeslack import ALICE

DISCOVERY = {"/api", "/apis", "/version"}
"""The non-resource paths the bot reads; every authenticated identity may (the cluster's
system:discovery and system:public-info-viewer roles), so deploy/ grants none."""
WRITES = {"create", "update", "patch", "delete", "deletecollection", "impersonate", "escalate"}
WRITABLE = {
    # (group, resource, namespace or "" for any): where a feature writes.
    ("coordination.k8s.io", "leases", NAMESPACE): "leader election",
    ("", "configmaps", NAMESPACE): "the notifier's state",
    ("apps", "deployments", ""): "set image, rollout undo/restart/pause/resume, label, annotate",
    ("apps", "deployments/scale", ""): "scale",
    ("apps", "statefulsets", ""): "rollout undo/restart; delete (components/delete)",
    ("apps", "daemonsets", ""): "rollout undo/restart; delete (components/delete)",
    ("batch", "jobs", ""): "delete (components/delete)",
    ("batch", "cronjobs", ""): "delete (components/delete)",
    ("apps", "statefulsets/scale", ""): "scale",
    ("", "nodes", ""): "cordon, uncordon, label, annotate",
    ("", "pods", ""): "label, annotate; delete pod (components/delete)",
    ("", "services", ""): "label, annotate; delete service (components/delete)",
    ("", "users", ""): "impersonation (components/impersonate)",
    ("", "groups", ""): "impersonation (components/impersonate)",
}
COMBINATIONS = [
    c for n in range(len(COMPONENTS) + 1) for c in itertools.combinations(COMPONENTS, n)
]


# --- 1. the rendered rules against what the bot asked ---------------------------------------


def test_every_request_is_granted(played: Played) -> None:
    given = grants(rendered(played.components))
    missing = {a for a in played.asked if not any(a.granted_by(g) for g in given)}
    assert missing == set()


def held_to(components: tuple[str, ...]) -> list[Grant]:
    """The grants a run must use: all of deploy/'s; with impersonation on, commands run as the
    Slack user, so the run is held to the impersonate component's grants (the base run proves
    the others)."""
    given = grants(rendered(components))
    if "impersonate" in components:
        return [g for g in given if g.role == "ClusterRole/k8s-chatops-impersonate"]
    return given


EXPIRY_ONLY = {("delete", "", "configmaps")}
"""Grants used only once a pending confirmation has expired (the next one parked deletes it),
which this workload never waits for: ``tests/gateway/test_gateway_preview.py``'s
``test_expired_requests_are_collected`` makes that DELETE, in the bot's own namespace."""


UNSERVED = {
    ("list", "", "replicationcontrollers"),
    ("list", "autoscaling", "horizontalpodautoscalers"),
}
"""Grants for resources the sandbox does not serve: ``get all`` lists them, as kubectl's ``all``
category does, only where discovery names them (``make test-cluster`` on a real cluster)."""


def test_every_grant_is_used(played: Played) -> None:
    given = held_to(played.components)
    unused = [
        g
        for g in given
        if not any(a.granted_by(g) for a in played.asked)
        and (g.verb, g.group, g.resource) not in EXPIRY_ONLY | UNSERVED
    ]
    assert unused == []


def test_the_bot_reads_discovery_and_nothing_else_outside_the_api(played: Played) -> None:
    assert played.paths == DISCOVERY


# --- 2. the sandbox's authorizer -------------------------------------------------------------


def test_nothing_was_forbidden(played: Played) -> None:
    refused = [s for s in played.statuses if s[2] in (401, 403)]
    assert refused == []
    assert played.refused == []


@pytest.mark.parametrize("played", [()], indirect=True, ids=["base"])
def test_without_the_delete_component_deletes_are_forbidden(played: Played) -> None:
    stack = played.running.stack
    api = stack.sandbox.api_client()
    try:
        pod = client.CoreV1Api(api).list_namespaced_pod("prod").items[0].metadata.name
    finally:
        api.close()
    prompt = stack.run(f"delete pod {pod} -n prod")
    done, _ = stack.click(CONFIRM_ACTION, prompt.confirm_token())
    assert FORBIDDEN in done.text
    assert "may not delete" in done.text


# --- the impersonate component ------------------------------------------------------------


def kubectl_as(kubeconfig: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_kubectl(), "--kubeconfig", str(kubeconfig), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize("components", [(), ("impersonate",)], ids=["base", "impersonate"])
def test_impersonation_needs_its_component(components: tuple[str, ...]) -> None:
    with running_sandbox(scenario="demo") as sandbox:
        apply_rbac(sandbox, components)
        # The cluster's own RBAC for the Slack user's group: read-only in prod.
        binding = kubectl_as(
            sandbox.kubeconfig,
            *("create", "rolebinding", "slack-oncall-view", "--clusterrole=view"),
            *("--group=slack:oncall", "-n", "prod"),
        )
        assert binding.returncode == 0, binding.stderr
        bot = sandbox.kubeconfig_for(sandbox.service_account_token(NAMESPACE, ACCOUNT))
        user = f"slack:{ALICE.id}"
        mark = len(sandbox.requests)
        done = kubectl_as(
            bot, "get", "pods", "-n", "prod", "--as", user, "--as-group", "slack:oncall"
        )
        if not components:
            assert done.returncode == 1
            assert 'cannot impersonate resource "users"' in done.stderr
            return
        assert done.returncode == 0, done.stderr
        assert "web-" in done.stdout
        listed = [
            r for r in sandbox.requests.all()[mark:] if r.path == "/api/v1/namespaces/prod/pods"
        ]
        assert {r.outcome.user for r in listed} == {user}
        # Impersonated, the Slack user has only the cluster's RBAC: not the bot's.
        refused = kubectl_as(
            bot, "scale", "deployment/web", "--replicas=1", "-n", "prod", "--as", user
        )
        assert refused.returncode == 1
        assert f'User "{user}" cannot' in refused.stderr


# --- the rules themselves, for every combination of components --------------------------------


@pytest.mark.parametrize("components", COMBINATIONS, ids=lambda c: "+".join(c) or "base")
def test_rules_have_no_wildcards_no_secrets_and_write_only_where_features_write(
    components: tuple[str, ...],
) -> None:
    objects = rendered(components)
    for role in of_kind(objects, "ClusterRole", "Role"):
        for rule in role["rules"]:
            for key in ("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"):
                assert "*" not in rule.get(key, []), (role["metadata"]["name"], rule)
            assert "nonResourceURLs" not in rule
            assert not {"secrets", "serviceaccounts/token"} & set(rule["resources"])
    for grant in grants(objects):
        if grant.verb in WRITES:
            assert (grant.group, grant.resource, grant.namespace) in WRITABLE, grant
    bound = {
        (b["roleRef"]["kind"], b["roleRef"]["name"])
        for b in of_kind(objects, "ClusterRoleBinding", "RoleBinding")
    }
    defined = {(r["kind"], r["metadata"]["name"]) for r in of_kind(objects, "ClusterRole", "Role")}
    assert bound == defined, "a role bound to nothing, or a binding to a role deploy/ lacks"
    assert {o["kind"] for o in objects} >= set(RBAC_KINDS)
