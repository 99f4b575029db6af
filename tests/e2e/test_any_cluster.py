"""Commands, clicks and notifications through the cluster-agnostic fixtures (``target.py``):
on the sandbox in ``make test``, on the cluster ``KUBECONFIG`` names in ``make test-cluster``.

Each test works on the namespace the run created; what it changes it puts back.
"""

from __future__ import annotations

import re
import uuid

import pytest
from kubernetes import client

from bot.service.audit import Outcome
from bot.transport.blocks import CONFIRM_ACTION, DENY_ACTION
from tests.e2e.target import WAIT, AnyStack, images
from tests.fakeslack import BOB


def test_reads_the_seeded_deployment(any_stack: AnyStack) -> None:
    ns = any_stack.target.namespace
    listed = any_stack.run(f"get deployments -n {ns}")
    assert listed.ephemeral
    assert any(line.split()[:2] == ["web", "2/2"] for line in listed.text.splitlines())
    pods = any_stack.run("get pods -l app=web")  # the default namespace is the run's
    assert sum(line.startswith("web-") for line in pods.text.splitlines()) >= 2
    described = any_stack.run("describe deployment web")
    assert f"Namespace:              {ns}" in described.text
    assert "Replicas:" in described.text


def test_scale_is_announced_and_applied(any_stack: AnyStack) -> None:
    target = any_stack.target
    reply = any_stack.run("scale deployment/web --replicas=3")
    assert (
        reply.headline
        == f"@alice scaled deployment/web in namespace {target.namespace} to 3 replicas"
    )
    assert target.replicas("web") == 3
    any_stack.run("scale deployment/web --replicas=2")
    assert target.replicas("web") == 2


def test_scale_to_zero_runs_after_the_confirm_click(any_stack: AnyStack) -> None:
    target = any_stack.target
    prompt = any_stack.run("scale deployment/web --replicas=0")
    assert prompt.ephemeral
    assert target.replicas("web") == 2
    outcome, _ = any_stack.click(CONFIRM_ACTION, prompt.confirm_token())
    assert outcome.body["replace_original"] is True
    assert target.replicas("web") == 0
    any_stack.run("scale deployment/web --replicas=2")
    assert target.replicas("web") == 2


def _digested_complete(any_stack: AnyStack) -> int:
    """How many rollouts the channel's digests count as complete: a start while a digest of a
    burst (other tests' Deployments in the run's namespace) is still live joins it."""
    counts = (DIGESTED.search(str(m.get("text", ""))) for m in any_stack.notifications())
    return sum(int(found.group(1)) for found in counts if found)


DIGESTED = re.compile(r"^\d+ rollouts: (\d+) complete")


def test_set_image_rolls_out_is_notified_and_undone(any_stack: AnyStack) -> None:
    _, second = images()
    digested = _digested_complete(any_stack)
    changed = any_stack.run(f"set image deployment/web web={second}")
    assert "image updated" in changed.text
    status = any_stack.run("rollout status deployment/web", timeout=WAIT)
    assert 'deployment "web" successfully rolled out' in status.text

    def notified() -> list[str] | bool:
        texts = [str(m.get("text", "")) for m in any_stack.notifications()]
        named = [t for t in texts if "web" in t and "complete" in t]
        return named or _digested_complete(any_stack) > digested

    assert any_stack.fake.wait_for(notified, timeout=WAIT, what="the rollout's notification")
    undone = any_stack.run("rollout undo deployment/web")
    assert "rolled back" in undone.text
    status = any_stack.run("rollout status deployment/web", timeout=WAIT)
    assert "successfully rolled out" in status.text
    history = any_stack.run("rollout history deployment/web")
    assert "REVISION" in history.text


READS = (
    "version",
    "get all",
    "get pods -o wide",
    "get deployment web -o yaml",
    "get nodes",
    "events",
    "logs deployment/web",
    "describe pods -l app=web",
    "describe service kubernetes -n default",
    "rollout history deployment/web",
    "whoami",
    "can-i scale deployments",
)


@pytest.mark.parametrize("text", READS)
def test_reads_answer_without_error(any_stack: AnyStack, text: str) -> None:
    before = len(any_stack.audit.records)
    reply = any_stack.run(text)
    (record,) = any_stack.audit.records[before:]
    assert (record.text, record.outcome) == (text, Outcome.OK), reply.text


def test_describe_node_of_the_cluster(any_stack: AnyStack) -> None:
    api = any_stack.target.api()
    try:
        node = client.CoreV1Api(api).list_node().items[0].metadata.name
    finally:
        api.close()
    reply = any_stack.run(f"describe node {node}")
    assert f"Name:               {node}" in reply.text


def test_restart_pause_resume_label_and_annotate(any_stack: AnyStack) -> None:
    for text, headline in (
        ("rollout restart deployment/web", "restarted"),
        ("rollout pause deployment/web", "paused"),
        ("rollout resume deployment/web", "resumed"),
        ("label deployment web team=ops", "labeled"),
        ("annotate deployment web note=e2e", "annotated"),
        ("label deployment web team-", "unlabeled"),
    ):
        reply = any_stack.run(text)
        assert reply.headline.startswith("@alice "), reply.text
        assert headline in reply.text, reply.text
    status = any_stack.run("rollout status deployment/web", timeout=WAIT)
    assert 'deployment "web" successfully rolled out' in status.text


def test_delete_pod_after_confirmation_and_cancel(any_stack: AnyStack) -> None:
    target = any_stack.target
    api = target.api()
    try:
        core = client.CoreV1Api(api)
        # A Deployment of its own: web's pods come and go with the other tests' rollouts.
        name = target.pods(f"app={target.deployment(f'gone-{uuid.uuid4().hex[:6]}')}")[0]
        prompt = any_stack.run(f"delete pod {name}")
        cancelled, _ = any_stack.click(DENY_ACTION, prompt.confirm_token())
        assert cancelled.headline == "Cancelled"
        assert name in {p.metadata.name for p in core.list_namespaced_pod(target.namespace).items}
        prompt = any_stack.run(f"delete pod {name}")
        any_stack.click(CONFIRM_ACTION, prompt.confirm_token())

        def gone() -> bool:
            listed = core.list_namespaced_pod(target.namespace).items
            return name not in {p.metadata.name for p in listed}

        any_stack.fake.wait_for(gone, timeout=WAIT, what=f"pod {name} to be deleted")
    finally:
        api.close()


def test_the_policy_refuses_a_change_to_someone_else(any_stack: AnyStack) -> None:
    reply = any_stack.run("scale deployment/web --replicas=5", user=BOB)
    assert "you may not scale" in reply.text
    assert any_stack.target.replicas("web") == 2
