"""Verbs that change the cluster, end to end: who may, what is sent, what the channel sees.

Changes are announced in the channel with chat.postMessage ("@alice scaled ..."); the cluster's
state is checked through the Kubernetes client (and, on the sandbox, what the bot sent through
its request log). Each test changes a Deployment of its own in the run's namespace.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest

from bot.service.audit import Verdict
from tests.e2e.target import WAIT, AnyStack, Target, images, running_any_stack
from tests.fakeslack import BOB, OPS_CHANNEL


@pytest.fixture
def mine(target: Target) -> Iterator[str]:
    """A Deployment (1 replica) this test alone changes, deleted after it."""
    name = f"ch-{uuid.uuid4().hex[:6]}"
    target.deployment(name)
    yield name
    target.apps.delete_namespaced_deployment(name, target.namespace)


def _version(target: Target, name: str) -> str:
    found = target.apps.read_namespaced_deployment(name, target.namespace)
    return str(found.metadata.resource_version)


def _managers(target: Target, name: str) -> set[str] | None:
    """The field managers the cluster recorded; None where it keeps no managedFields (the
    sandbox, where the request log shows each patch's fieldManager instead)."""
    found = target.apps.read_namespaced_deployment(name, target.namespace)
    managers = {entry.manager for entry in found.metadata.managed_fields or []}
    return managers or None


def test_scale_is_announced_and_applied(any_stack: AnyStack, target: Target, mine: str) -> None:
    ns = target.namespace
    mark = any_stack.mark()
    reply = any_stack.run(f"scale deployment/{mine} --replicas=2")
    assert reply.via == "chat.postMessage"
    assert reply.body["channel"] == OPS_CHANNEL
    assert reply.headline == f"@alice scaled deployment/{mine} in namespace {ns} to 2 replicas"
    assert f"deployment.apps/{mine} scaled" in reply.text
    assert target.replicas(mine) == 2
    if (writes := any_stack.writes_since(mark)) is not None:
        (patch,) = writes
        assert patch.path == f"/apis/apps/v1/namespaces/{ns}/deployments/{mine}/scale"
        assert patch.body == {"spec": {"replicas": 2}}


@pytest.fixture(scope="module")
def unnotified(any_stack: AnyStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnyStack]:
    """A bot of its own on the run's namespace without the notifier, whose posts could take
    the one 429 meant for an announcement."""
    workdir = tmp_path_factory.mktemp(f"changes-{any_stack.mode}")
    with running_any_stack(
        any_stack.target, workdir, mode=any_stack.mode, account="k8s-chatops-429", notify=False
    ) as running:
        yield running


def test_announcement_is_retried_after_a_429(
    unnotified: AnyStack, target: Target, mine: str
) -> None:
    unnotified.fake.rate_limit("chat.postMessage", times=1, retry_after=0)
    before = len(unnotified.fake.calls_to("chat.postMessage"))
    reply = unnotified.run(f"scale deployment/{mine} --replicas=2 -n {target.namespace}")
    assert reply.headline == (
        f"@alice scaled deployment/{mine} in namespace {target.namespace} to 2 replicas"
    )
    statuses = [c.status for c in unnotified.fake.calls_to("chat.postMessage")[before:]]
    assert statuses == [429, 200]
    assert target.replicas(mine) == 2


def test_scale_with_a_wrong_current_replicas_changes_nothing(
    any_stack: AnyStack, target: Target, mine: str
) -> None:
    version, mark = _version(target, mine), any_stack.mark()
    reply = any_stack.run(f"scale deployment/{mine} --replicas=5 --current-replicas=7")
    assert reply.ephemeral
    assert "Expected replicas to be 7, was 1" in reply.text
    assert (target.replicas(mine), _version(target, mine)) == (1, version)
    assert any_stack.writes_since(mark) in ([], None)


def test_non_admin_may_not_scale(any_stack: AnyStack, target: Target, mine: str) -> None:
    version, mark = _version(target, mine), any_stack.mark()
    reply = any_stack.run(f"scale deployment/{mine} --replicas=9", user=BOB)
    assert reply.ephemeral
    assert f"you may not scale deployments/{mine} in namespace {target.namespace} here" in (
        reply.text
    )
    assert (target.replicas(mine), _version(target, mine)) == (1, version)
    assert any_stack.writes_since(mark) in ([], None)
    assert any_stack.audit.records[-1].decision is Verdict.DENIED


def test_set_image_sends_kubectls_patch_with_the_change_cause(
    any_stack: AnyStack, target: Target, mine: str
) -> None:
    ns, image = target.namespace, images()[1]
    mark = any_stack.mark()
    text = f"set image deployment/{mine} {mine}={image} -n {ns}"
    reply = any_stack.run(text)
    assert reply.via == "chat.postMessage"
    assert f"@alice set the image of deployment/{mine} in namespace {ns}" in reply.headline
    deployment = target.apps.read_namespaced_deployment(mine, ns)
    assert deployment.spec.template.spec.containers[0].image == image
    cause = deployment.metadata.annotations["kubernetes.io/change-cause"]
    assert cause == f"slack:@alice {text}"
    managers = _managers(target, mine)
    assert managers is None or "kubectl-set" in managers
    if (writes := any_stack.writes_since(mark)) is not None:
        (patch,) = writes
        assert patch.path == f"/apis/apps/v1/namespaces/{ns}/deployments/{mine}"
        assert patch.content_type == "application/strategic-merge-patch+json"
        assert patch.query["fieldManager"] == "kubectl-set"
        assert patch.body["metadata"]["annotations"]["kubernetes.io/change-cause"] == cause
        containers = patch.body["spec"]["template"]["spec"]["containers"]
        assert containers == [{"name": mine, "image": image}]


def test_rollout_status_of_a_settled_deployment(any_stack: AnyStack, mine: str) -> None:
    reply = any_stack.run(f"rollout status deployment/{mine}")
    assert reply.ephemeral
    assert f'deployment "{mine}" successfully rolled out' in reply.text


def test_rollout_history_shows_the_change_causes(
    any_stack: AnyStack, target: Target, mine: str
) -> None:
    first, second = images()
    for image in (second, first):
        any_stack.run(f"set image deployment/{mine} {mine}={image}")
        any_stack.run(f"rollout status deployment/{mine}", timeout=WAIT)
    reply = any_stack.run(f"rollout history deployment/{mine} -n {target.namespace}")
    assert re.search(r"REVISION\s+CHANGE-CAUSE", reply.text)
    assert re.search(
        rf"^2\s+slack:@alice set image deployment/{mine} {mine}={second}", reply.text, re.M
    )
    assert re.search(
        rf"^3\s+slack:@alice set image deployment/{mine} {mine}={first}", reply.text, re.M
    )


def test_rollout_undo_goes_back_to_the_previous_template(
    any_stack: AnyStack, target: Target, mine: str
) -> None:
    first, second = images()
    any_stack.run(f"set image deployment/{mine} {mine}={second}")
    any_stack.run(f"rollout status deployment/{mine}", timeout=WAIT)
    reply = any_stack.run(f"rollout undo deployment/{mine}")
    assert reply.via == "chat.postMessage"
    assert reply.headline == f"@alice rolled back deployment/{mine} in namespace {target.namespace}"
    assert f"deployment.apps/{mine} rolled back" in reply.text
    deployment = target.apps.read_namespaced_deployment(mine, target.namespace)
    assert deployment.spec.template.spec.containers[0].image == first


def test_rollout_restart_stamps_the_template(
    any_stack: AnyStack, target: Target, mine: str
) -> None:
    mark = any_stack.mark()
    reply = any_stack.run(f"rollout restart deployment/{mine}")
    assert reply.headline == f"@alice restarted deployment/{mine} in namespace {target.namespace}"
    template = target.apps.read_namespaced_deployment(mine, target.namespace).spec.template
    assert "kubectl.kubernetes.io/restartedAt" in template.metadata.annotations
    if (writes := any_stack.writes_since(mark)) is not None:
        (patch,) = writes
        assert patch.path == f"/apis/apps/v1/namespaces/{target.namespace}/deployments/{mine}"


def test_rollout_pause_and_resume_are_announced_and_applied(
    any_stack: AnyStack, target: Target, mine: str
) -> None:
    ns = target.namespace
    mark = any_stack.mark()
    reply = any_stack.run(f"rollout pause deployment/{mine} -n {ns}")
    assert reply.via == "chat.postMessage"
    assert reply.headline == f"@alice paused the rollout of deployment/{mine} in namespace {ns}"
    assert f"deployment.apps/{mine} paused" in reply.text
    assert target.apps.read_namespaced_deployment(mine, ns).spec.paused is True
    again = any_stack.run(f"rollout pause deployment/{mine} -n {ns}")
    assert again.ephemeral
    assert f'deployments.apps "{mine}" is already paused' in again.text
    reply = any_stack.run(f"rollout resume deployment/{mine} -n {ns}")
    assert reply.headline == f"@alice resumed the rollout of deployment/{mine} in namespace {ns}"
    assert not target.apps.read_namespaced_deployment(mine, ns).spec.paused
    if (writes := any_stack.writes_since(mark)) is not None:
        bodies = [r.body for r in writes]
        assert bodies == [{"spec": {"paused": True}}, {"spec": {"paused": None}}]


def test_non_admin_may_not_pause_a_rollout(any_stack: AnyStack, target: Target, mine: str) -> None:
    version, mark = _version(target, mine), any_stack.mark()
    reply = any_stack.run(f"rollout pause deployment/{mine}", user=BOB)
    assert (
        f"you may not rollout-pause deployments/{mine} in namespace {target.namespace} here"
        in reply.text
    )
    assert _version(target, mine) == version
    assert any_stack.writes_since(mark) in ([], None)


@pytest.fixture
def node(target: Target) -> Iterator[str]:
    """A node of the cluster, schedulable again after the test whatever it did."""
    name = str(target.core.list_node().items[-1].metadata.name)
    yield name
    target.core.patch_node(name, {"spec": {"unschedulable": None}})


def test_cordon_and_uncordon_are_announced_and_applied(
    any_stack: AnyStack, target: Target, node: str
) -> None:
    mark = any_stack.mark()
    reply = any_stack.run(f"cordon {node}")
    assert reply.via == "chat.postMessage"
    assert reply.headline == f"@alice cordoned node/{node}"
    assert f"node/{node} cordoned" in reply.text
    assert target.core.read_node(node).spec.unschedulable is True
    reply = any_stack.run(f"uncordon node/{node}")
    assert reply.headline == f"@alice uncordoned node/{node}"
    assert not target.core.read_node(node).spec.unschedulable
    if (writes := any_stack.writes_since(mark)) is not None:
        assert [(r.path, r.body) for r in writes] == [
            (f"/api/v1/nodes/{node}", {"spec": {"unschedulable": True}}),
            (f"/api/v1/nodes/{node}", {"spec": {"unschedulable": None}}),
        ]


def test_non_admin_may_not_cordon(any_stack: AnyStack, target: Target, node: str) -> None:
    reply = any_stack.run(f"cordon {node}", user=BOB)
    assert f"you may not cordon nodes/{node} here" in reply.text
    assert not target.core.read_node(node).spec.unschedulable


def test_label_and_annotate_are_announced_and_applied(
    any_stack: AnyStack, target: Target, mine: str
) -> None:
    ns = target.namespace
    mark = any_stack.mark()
    reply = any_stack.run(f"label deployment {mine} tier=backend -n {ns}")
    assert reply.via == "chat.postMessage"
    assert reply.headline == f"@alice labeled deployment/{mine} in namespace {ns}: tier=backend"
    assert f"deployment.apps/{mine} labeled" in reply.text
    reply = any_stack.run(f"annotate deploy/{mine} owner=team-a -n {ns}")
    assert reply.headline == f"@alice annotated deploy/{mine} in namespace {ns}: owner"
    metadata = target.apps.read_namespaced_deployment(mine, ns).metadata
    assert metadata.labels["tier"] == "backend"
    assert metadata.annotations["owner"] == "team-a"
    managers = _managers(target, mine)
    assert managers is None or {"kubectl-label", "kubectl-annotate"} <= managers
    refused = any_stack.run(f"label deployment {mine} tier=frontend -n {ns}")
    assert refused.ephemeral
    assert "'tier' already has a value (backend), and --overwrite is false" in refused.text
    if (writes := any_stack.writes_since(mark)) is not None:
        assert [(r.query["fieldManager"], r.body) for r in writes] == [
            ("kubectl-label", {"metadata": {"labels": {"tier": "backend"}}}),
            ("kubectl-annotate", {"metadata": {"annotations": {"owner": "team-a"}}}),
        ]


def test_non_admin_may_not_label(any_stack: AnyStack, node: str) -> None:
    reply = any_stack.run(f"label node {node} disk=ssd", user=BOB)
    assert f"you may not label nodes/{node} here" in reply.text
