"""Commands, clicks and notifications through the cluster-agnostic fixtures (``target.py``):
on the sandbox in ``make test``, on the cluster ``KUBECONFIG`` names in ``make test-cluster``.

Each test works on the namespace the run created; what it changes it puts back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.transport.blocks import CONFIRM_ACTION
from tests.e2e.target import WAIT, AnyStack, Target, images, running_any_stack, running_target


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    with running_target() as running:
        yield running


@pytest.fixture(scope="module")
def any_stack(target: Target, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnyStack]:
    with running_any_stack(target, tmp_path_factory.mktemp("any-cluster")) as running:
        yield running


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
    outcome = any_stack.click(CONFIRM_ACTION, prompt.confirm_token())
    assert outcome.body["replace_original"] is True
    assert target.replicas("web") == 0
    any_stack.run("scale deployment/web --replicas=2")
    assert target.replicas("web") == 2


def test_set_image_rolls_out_is_notified_and_undone(any_stack: AnyStack) -> None:
    first, second = images()
    changed = any_stack.run(f"set image deployment/web web={second}")
    assert "image updated" in changed.text
    status = any_stack.run("rollout status deployment/web", timeout=WAIT)
    assert 'deployment "web" successfully rolled out' in status.text

    def notified() -> list[str]:
        texts = [str(m.get("text", "")) for m in any_stack.notifications()]
        return [t for t in texts if "web" in t and "complete" in t]

    assert any_stack.fake.wait_for(notified, timeout=WAIT, what="the rollout's notification")
    undone = any_stack.run("rollout undo deployment/web")
    assert "rolled back" in undone.text
    status = any_stack.run("rollout status deployment/web", timeout=WAIT)
    assert "successfully rolled out" in status.text
    history = any_stack.run("rollout history deployment/web")
    assert "REVISION" in history.text
    assert first
