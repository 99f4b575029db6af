"""A large scale-up, typed by an admin whom no rule asks to confirm, is previewed and confirmed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from bot.service.audit import Verdict
from bot.transport.blocks import CONFIRM_ACTION, DENY_ACTION
from tests.e2e.stack import Stack

pytestmark = pytest.mark.sandbox_only
"""These tests read the sandbox's request log."""


def _template(name: str) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": name}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
    }


@pytest.fixture
def deployment(apps: Any) -> Iterator[str]:
    name = f"guard-{uuid.uuid4().hex[:6]}"
    body = {
        "metadata": {"name": name},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": _template(name),
        },
    }
    apps.create_namespaced_deployment("default", body)
    yield name
    apps.delete_namespaced_deployment(name, "default")


@pytest.fixture
def statefulset(apps: Any) -> Iterator[str]:
    name = f"guard-{uuid.uuid4().hex[:6]}"
    body = {
        "metadata": {"name": name},
        "spec": {
            "replicas": 1,
            "serviceName": name,
            "selector": {"matchLabels": {"app": name}},
            "template": _template(name),
        },
    }
    apps.create_namespaced_stateful_set("default", body)
    yield name
    apps.delete_namespaced_stateful_set(name, "default")


def _writes(stack: Stack, mark: int) -> list[Any]:
    return [r for r in stack.requests_since(mark) if r.method not in ("GET", "LIST")]


def test_a_tenfold_scale_up_waits_for_confirmation(
    stack: Stack, apps: Any, deployment: str
) -> None:
    mark = len(stack.sandbox.requests)
    prompt = stack.run(f"scale deployment/{deployment} --replicas=12")
    assert prompt.ephemeral
    assert (
        f"Scale deployment {deployment} in namespace default from 1 to 12 replicas? "
        "That is more than 10 times its current 1." in prompt.headline
    )
    assert f"deployment {deployment} in namespace default: 1 → 12 replicas" in prompt.text
    # Nothing but the pending request's ConfigMap was written.
    assert [r.path for r in _writes(stack, mark) if "/configmaps" not in r.path] == []
    assert apps.read_namespaced_deployment(deployment, "default").spec.replicas == 1

    done, announcements = stack.click(CONFIRM_ACTION, prompt.confirm_token())
    assert done.body["replace_original"] is True
    assert announcements[0].headline == (
        f"@alice scaled deployment/{deployment} in namespace default to 12 replicas"
    )
    assert apps.read_namespaced_deployment(deployment, "default").spec.replicas == 12
    assert stack.audit.records[-1].decision is Verdict.CONFIRMED


def test_past_the_absolute_count_a_statefulset_asks_too(
    stack: Stack, apps: Any, statefulset: str
) -> None:
    prompt = stack.run(f"scale statefulset/{statefulset} --replicas=100000")
    assert (
        f"Scale statefulset {statefulset} in namespace default from 1 to 100000 replicas? "
        "That is more than 100 replicas." in prompt.headline
    )
    assert f"statefulset {statefulset} in namespace default: 1 → 100000 replicas" in prompt.text
    cancelled, announcements = stack.click(DENY_ACTION, prompt.confirm_token())
    assert (cancelled.headline, announcements) == ("Cancelled", [])
    assert apps.read_namespaced_stateful_set(statefulset, "default").spec.replicas == 1


def test_a_small_scale_up_runs_at_once(stack: Stack, apps: Any, statefulset: str) -> None:
    reply = stack.run(f"scale statefulset/{statefulset} --replicas=3")
    assert reply.headline == (
        f"@alice scaled statefulset/{statefulset} in namespace default to 3 replicas"
    )
    assert apps.read_namespaced_stateful_set(statefulset, "default").spec.replicas == 3


def test_a_statefulset_scaled_to_zero_is_previewed(stack: Stack, statefulset: str) -> None:
    prompt = stack.run(f"scale statefulset/{statefulset} --replicas=0")
    assert f"statefulset {statefulset} in namespace default: 1 → 0 replicas" in prompt.text
    assert "all 1 of its pods will stop" in prompt.text
    stack.click(DENY_ACTION, prompt.confirm_token())
