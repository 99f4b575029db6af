"""Damaging commands end to end: the ephemeral prompt, the buttons, who may press them."""

from __future__ import annotations

from typing import Any

import pytest

from bot.service.audit import Verdict
from bot.transport.blocks import CONFIRM_ACTION, DENY_ACTION
from tests.e2e.stack import Stack
from tests.fakeslack import BOB, OPS_CHANNEL

pytestmark = pytest.mark.sandbox_only
"""These tests use the demo scenario's objects and the sandbox's request log or fault hooks."""


def test_delete_pod_after_confirmation(stack: Stack, core: Any) -> None:
    pods = core.list_namespaced_pod("default", label_selector="app=kubernetes-bootcamp").items
    name = pods[0].metadata.name
    mark = len(stack.sandbox.requests)
    prompt = stack.run(f"delete pod {name}")
    assert prompt.ephemeral
    assert f"Delete pod {name} in namespace default?" in prompt.headline
    assert [r for r in stack.requests_since(mark) if r.method == "DELETE"] == []

    outcome, announcements = stack.click(CONFIRM_ACTION, prompt.confirm_token())
    assert outcome.body["replace_original"] is True
    (announcement,) = announcements
    assert announcement.headline == f"@alice deleted pod/{name} in namespace default"
    (delete,) = [r for r in stack.requests_since(mark) if r.method == "DELETE"]
    assert delete.path == f"/api/v1/namespaces/default/pods/{name}"
    stack.fake.wait_for(
        lambda: name not in {p.metadata.name for p in core.list_namespaced_pod("default").items},
        what=f"pod {name} to be gone",
    )


def test_cancel_keeps_the_pod(stack: Stack, core: Any) -> None:
    pods = core.list_namespaced_pod("staging", label_selector="app=api").items
    # One that is not already going away (another test may be rolling api out): a pod that is
    # gone by the time it is asked about is reported missing, not put to a question.
    name = next(p.metadata.name for p in pods if p.metadata.deletion_timestamp is None)
    mark = len(stack.sandbox.requests)
    prompt = stack.run(f"delete pod {name} -n staging")
    outcome, announcements = stack.click(DENY_ACTION, prompt.confirm_token())
    assert (outcome.headline, outcome.body["replace_original"]) == ("Cancelled", True)
    assert announcements == []
    assert [r for r in stack.requests_since(mark) if r.method == "DELETE"] == []
    assert core.read_namespaced_pod(name, "staging").metadata.deletion_timestamp is None


def test_delete_services_by_selector_only_for_the_author(stack: Stack, core: Any) -> None:
    for name in ("old-a", "old-b"):
        core.create_namespaced_service(
            "default",
            {
                "metadata": {"name": name, "labels": {"tier": "retired"}},
                "spec": {"ports": [{"port": 80}], "selector": {"app": name}},
            },
        )
    mark = len(stack.sandbox.requests)
    prompt = stack.run("delete service -l tier=retired")
    assert "Delete every service matching tier=retired in namespace default?" in prompt.headline
    token = prompt.confirm_token()

    refused, announcements = stack.click(CONFIRM_ACTION, token, user=BOB)
    assert "Only @alice, who ran this command, can confirm" in refused.text
    refusal = stack.audit.records[-1]
    assert (refusal.user_id, refusal.decision, refusal.channel) == (
        BOB.id,
        Verdict.REFUSED,
        OPS_CHANNEL,
    )
    assert announcements == []
    assert [r for r in stack.requests_since(mark) if r.method == "DELETE"] == []
    assert len(core.list_namespaced_service("default", label_selector="tier=retired").items) == 2

    done, announcements = stack.click(CONFIRM_ACTION, token)
    assert done.body["replace_original"] is True
    assert (
        "@alice deleted the services matching tier=retired in namespace default"
        in announcements[0].headline
    )
    deletes = sorted(r.path for r in stack.requests_since(mark) if r.method == "DELETE")
    assert deletes == [
        "/api/v1/namespaces/default/services/old-a",
        "/api/v1/namespaces/default/services/old-b",
    ]
    assert core.list_namespaced_service("default", label_selector="tier=retired").items == []
