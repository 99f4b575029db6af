"""Verbs that change the cluster, end to end: who may, what is sent, what the channel sees.

Changes are announced in the channel with chat.postMessage ("@alice scaled ..."); the cluster's
state is checked through the Kubernetes client and the sandbox's request log.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.service.audit import Verdict
from tests.e2e.stack import Stack
from tests.fakeslack import BOB, OPS_CHANNEL

pytestmark = pytest.mark.sandbox_only
"""These tests use the demo scenario's objects and the sandbox's request log or fault hooks."""

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def test_scale_is_announced_and_applied(stack: Stack, apps: Any) -> None:
    mark = len(stack.sandbox.requests)
    reply = stack.run("scale deployment/web --replicas=4")
    assert reply.via == "chat.postMessage"
    assert reply.body["channel"] == OPS_CHANNEL
    assert reply.headline == "@alice scaled deployment/web in namespace default to 4 replicas"
    assert "deployment.apps/web scaled" in reply.text
    (patch,) = [r for r in stack.requests_since(mark) if r.method == "PATCH"]
    assert patch.path == "/apis/apps/v1/namespaces/default/deployments/web/scale"
    assert patch.body == {"spec": {"replicas": 4}}
    assert apps.read_namespaced_deployment("web", "default").spec.replicas == 4


def test_announcement_is_retried_after_a_429(stack: Stack, apps: Any) -> None:
    stack.fake.rate_limit("chat.postMessage", times=1, retry_after=0)
    before = len(stack.fake.calls_to("chat.postMessage"))
    reply = stack.run("scale deployment/api --replicas=3 -n staging")
    assert reply.headline == "@alice scaled deployment/api in namespace staging to 3 replicas"
    statuses = [c.status for c in stack.fake.calls_to("chat.postMessage")[before:]]
    assert statuses == [429, 200]
    assert apps.read_namespaced_deployment("api", "staging").spec.replicas == 3


def test_scale_with_a_wrong_current_replicas_changes_nothing(stack: Stack, apps: Any) -> None:
    mark = len(stack.sandbox.requests)
    reply = stack.run("scale deployment/web --replicas=5 --current-replicas=7 -n staging")
    assert reply.ephemeral
    assert "Expected replicas to be 7, was 2" in reply.text
    assert [r for r in stack.requests_since(mark) if r.method in WRITES] == []
    assert apps.read_namespaced_deployment("web", "staging").spec.replicas == 2


def test_non_admin_may_not_scale(stack: Stack, apps: Any) -> None:
    mark = len(stack.sandbox.requests)
    reply = stack.run("scale deployment/worker --replicas=9 -n prod", user=BOB)
    assert reply.ephemeral
    assert "you may not scale deployments/worker in namespace prod here" in reply.text
    assert [r for r in stack.requests_since(mark) if r.method in WRITES] == []
    assert apps.read_namespaced_deployment("worker", "prod").spec.replicas == 2
    assert stack.audit.records[-1].decision is Verdict.DENIED


def test_set_image_sends_kubectls_patch_with_the_change_cause(stack: Stack, apps: Any) -> None:
    mark = len(stack.sandbox.requests)
    text = "set image deployment/api api=ghcr.io/acme/api:1.5.0 -n staging"
    reply = stack.run(text)
    assert reply.via == "chat.postMessage"
    assert "@alice set the image of deployment/api in namespace staging" in reply.headline
    (patch,) = [r for r in stack.requests_since(mark) if r.method == "PATCH"]
    assert patch.path == "/apis/apps/v1/namespaces/staging/deployments/api"
    assert patch.content_type == "application/strategic-merge-patch+json"
    assert patch.query["fieldManager"] == "kubectl-set"
    cause = patch.body["metadata"]["annotations"]["kubernetes.io/change-cause"]
    assert cause == f"slack:@alice {text}"
    containers = patch.body["spec"]["template"]["spec"]["containers"]
    assert containers == [{"name": "api", "image": "ghcr.io/acme/api:1.5.0"}]
    deployment = apps.read_namespaced_deployment("api", "staging")
    assert deployment.spec.template.spec.containers[0].image == "ghcr.io/acme/api:1.5.0"


def test_rollout_status_of_a_settled_deployment(stack: Stack) -> None:
    reply = stack.run("rollout status deployment/worker -n prod")
    assert reply.ephemeral
    assert 'deployment "worker" successfully rolled out' in reply.text


def test_rollout_history_shows_the_change_causes(stack: Stack) -> None:
    reply = stack.run("rollout history deployment/api -n prod")
    assert re.search(r"REVISION\s+CHANGE-CAUSE", reply.text)
    assert re.search(r"^3\s+slack:@alice set image api=ghcr.io/acme/api:1.3.1", reply.text, re.M)
    assert re.search(r"^2\s+slack:@bob set image", reply.text, re.M)


def test_rollout_undo_goes_back_to_the_previous_template(stack: Stack, apps: Any) -> None:
    assert apps.read_namespaced_deployment("web", "prod").spec.template.spec.containers[
        0
    ].image == ("nginx:1.27")
    reply = stack.run("rollout undo deployment/web -n prod")
    assert reply.via == "chat.postMessage"
    assert reply.headline == "@alice rolled back deployment/web in namespace prod"
    assert "deployment.apps/web rolled back" in reply.text
    deployment = apps.read_namespaced_deployment("web", "prod")
    assert deployment.spec.template.spec.containers[0].image == "nginx:1.26"


def test_rollout_restart_stamps_the_template(stack: Stack, apps: Any) -> None:
    mark = len(stack.sandbox.requests)
    reply = stack.run("rollout restart deployment/redis -n staging")
    assert reply.headline == "@alice restarted deployment/redis in namespace staging"
    (patch,) = [r for r in stack.requests_since(mark) if r.method == "PATCH"]
    assert patch.path == "/apis/apps/v1/namespaces/staging/deployments/redis"
    template = apps.read_namespaced_deployment("redis", "staging").spec.template
    assert "kubectl.kubernetes.io/restartedAt" in template.metadata.annotations


def test_rollout_pause_and_resume_are_announced_and_applied(stack: Stack, apps: Any) -> None:
    mark = len(stack.sandbox.requests)
    reply = stack.run("rollout pause deployment/coredns -n kube-system")
    assert reply.via == "chat.postMessage"
    assert (
        reply.headline == "@alice paused the rollout of deployment/coredns in namespace kube-system"
    )
    assert "deployment.apps/coredns paused" in reply.text
    assert apps.read_namespaced_deployment("coredns", "kube-system").spec.paused is True
    again = stack.run("rollout pause deployment/coredns -n kube-system")
    assert again.ephemeral
    assert 'deployments.apps "coredns" is already paused' in again.text
    reply = stack.run("rollout resume deployment/coredns -n kube-system")
    assert (
        reply.headline
        == "@alice resumed the rollout of deployment/coredns in namespace kube-system"
    )
    assert not apps.read_namespaced_deployment("coredns", "kube-system").spec.paused
    bodies = [r.body for r in stack.requests_since(mark) if r.method in WRITES]
    assert bodies == [{"spec": {"paused": True}}, {"spec": {"paused": None}}]


def test_non_admin_may_not_pause_a_rollout(stack: Stack, apps: Any) -> None:
    mark = len(stack.sandbox.requests)
    reply = stack.run("rollout pause deployment/coredns -n kube-system", user=BOB)
    assert (
        "you may not rollout-pause deployments/coredns in namespace kube-system here" in reply.text
    )
    assert [r for r in stack.requests_since(mark) if r.method in WRITES] == []


def test_cordon_and_uncordon_are_announced_and_applied(stack: Stack, core: Any) -> None:
    mark = len(stack.sandbox.requests)
    reply = stack.run("cordon sandbox-worker2")
    assert reply.via == "chat.postMessage"
    assert reply.headline == "@alice cordoned node/sandbox-worker2"
    assert "node/sandbox-worker2 cordoned" in reply.text
    assert core.read_node("sandbox-worker2").spec.unschedulable is True
    reply = stack.run("uncordon node/sandbox-worker2")
    assert reply.headline == "@alice uncordoned node/sandbox-worker2"
    assert not core.read_node("sandbox-worker2").spec.unschedulable
    patches = [r for r in stack.requests_since(mark) if r.method in WRITES]
    assert [(r.path, r.body) for r in patches] == [
        ("/api/v1/nodes/sandbox-worker2", {"spec": {"unschedulable": True}}),
        ("/api/v1/nodes/sandbox-worker2", {"spec": {"unschedulable": None}}),
    ]


def test_non_admin_may_not_cordon(stack: Stack) -> None:
    reply = stack.run("cordon sandbox-worker2", user=BOB)
    assert "you may not cordon nodes/sandbox-worker2 here" in reply.text


def test_label_and_annotate_are_announced_and_applied(stack: Stack, apps: Any) -> None:
    mark = len(stack.sandbox.requests)
    reply = stack.run("label deployment redis tier=backend -n staging")
    assert reply.via == "chat.postMessage"
    assert reply.headline == "@alice labeled deployment/redis in namespace staging: tier=backend"
    assert "deployment.apps/redis labeled" in reply.text
    reply = stack.run("annotate deploy/redis owner=team-a -n staging")
    assert reply.headline == "@alice annotated deploy/redis in namespace staging: owner"
    metadata = apps.read_namespaced_deployment("redis", "staging").metadata
    assert metadata.labels["tier"] == "backend"
    assert metadata.annotations["owner"] == "team-a"
    refused = stack.run("label deployment redis tier=frontend -n staging")
    assert refused.ephemeral
    assert "'tier' already has a value (backend), and --overwrite is false" in refused.text
    patches = [r for r in stack.requests_since(mark) if r.method in WRITES]
    assert [(r.query["fieldManager"], r.body) for r in patches] == [
        ("kubectl-label", {"metadata": {"labels": {"tier": "backend"}}}),
        ("kubectl-annotate", {"metadata": {"annotations": {"owner": "team-a"}}}),
    ]


def test_non_admin_may_not_label(stack: Stack) -> None:
    reply = stack.run("label node sandbox-worker2 disk=ssd", user=BOB)
    assert "you may not label nodes/sandbox-worker2 here" in reply.text
