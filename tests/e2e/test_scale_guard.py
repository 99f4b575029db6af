"""A large scale-up, typed by an admin whom no rule asks to confirm, is previewed and confirmed.

Each test scales a Deployment or StatefulSet of its own in the run's namespace (any cluster).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bot.service.audit import Verdict
from bot.transport.blocks import CONFIRM_ACTION, DENY_ACTION
from tests.e2e.target import AnyStack, Target, images


@pytest.fixture
def deployment(target: Target) -> Iterator[str]:
    name = target.deployment(f"guard-{uuid.uuid4().hex[:6]}")
    yield name
    target.apps.delete_namespaced_deployment(name, target.namespace)


@pytest.fixture
def statefulset(target: Target) -> Iterator[str]:
    name = f"guard-{uuid.uuid4().hex[:6]}"
    body = {
        "metadata": {"name": name},
        "spec": {
            "replicas": 1,
            "serviceName": name,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": images()[0]}]},
            },
        },
    }
    target.apps.create_namespaced_stateful_set(target.namespace, body)
    yield name
    target.apps.delete_namespaced_stateful_set(name, target.namespace)


def _set_replicas(target: Target, name: str) -> int:
    found = target.apps.read_namespaced_stateful_set(name, target.namespace)
    return int(found.spec.replicas)


def test_a_tenfold_scale_up_waits_for_confirmation(
    any_stack: AnyStack, target: Target, deployment: str
) -> None:
    ns = target.namespace
    mark = any_stack.mark()
    prompt = any_stack.run(f"scale deployment/{deployment} --replicas=12")
    assert prompt.ephemeral
    assert (
        f"Scale deployment {deployment} in namespace {ns} from 1 to 12 replicas? "
        "That is more than 10 times its current 1." in prompt.headline
    )
    assert f"deployment {deployment} in namespace {ns}: 1 → 12 replicas" in prompt.text
    # Nothing but the pending request's ConfigMap was written.
    assert any_stack.writes_since(mark) in (None, [])
    assert target.replicas(deployment) == 1

    done, announcements = any_stack.click(CONFIRM_ACTION, prompt.confirm_token())
    assert done.body["replace_original"] is True
    assert announcements[0].headline == (
        f"@alice scaled deployment/{deployment} in namespace {ns} to 12 replicas"
    )
    assert target.replicas(deployment) == 12
    assert any_stack.audit.records[-1].decision is Verdict.CONFIRMED


def test_past_the_absolute_count_a_statefulset_asks_too(
    any_stack: AnyStack, target: Target, statefulset: str
) -> None:
    ns = target.namespace
    prompt = any_stack.run(f"scale statefulset/{statefulset} --replicas=100000")
    assert (
        f"Scale statefulset {statefulset} in namespace {ns} from 1 to 100000 replicas? "
        "That is more than 100 replicas." in prompt.headline
    )
    assert f"statefulset {statefulset} in namespace {ns}: 1 → 100000 replicas" in prompt.text
    cancelled, announcements = any_stack.click(DENY_ACTION, prompt.confirm_token())
    assert (cancelled.headline, announcements) == ("Cancelled", [])
    assert _set_replicas(target, statefulset) == 1


def test_a_small_scale_up_runs_at_once(
    any_stack: AnyStack, target: Target, statefulset: str
) -> None:
    ns = target.namespace
    reply = any_stack.run(f"scale statefulset/{statefulset} --replicas=3")
    assert reply.headline == (
        f"@alice scaled statefulset/{statefulset} in namespace {ns} to 3 replicas"
    )
    assert _set_replicas(target, statefulset) == 3


def test_a_statefulset_scaled_to_zero_is_previewed(
    any_stack: AnyStack, target: Target, statefulset: str
) -> None:
    ns = target.namespace
    prompt = any_stack.run(f"scale statefulset/{statefulset} --replicas=0")
    assert f"statefulset {statefulset} in namespace {ns}: 1 → 0 replicas" in prompt.text
    assert "all 1 of its pods will stop" in prompt.text
    any_stack.click(DENY_ACTION, prompt.confirm_token())
