"""A prompt nobody answers: when its request expires, the bot replaces it (no buttons, "expired
at HH:MM UTC, nothing was changed") and writes one ``expired`` record, however many replicas
follow the pending requests. The real app in HTTP mode, the sandbox and the fake Slack, with
requests that expire after three seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from bot.service.audit import Outcome, Verdict
from bot.transport.blocks import CONFIRM_ACTION
from tests.e2e.approval_policy import APPROVALS, QUICK_EXPIRY
from tests.e2e.stack import Stack, running_replica, running_stack
from tests.fakeslack import ALICE, BOB, CAROL

SANDBOX = "a second replica shares the sandbox stack, and the test reads the bot's ConfigMaps"
"""Why each test here runs on the sandbox only."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("expiry")
    with running_stack("http", workdir, policy=APPROVALS, extra=QUICK_EXPIRY) as running:
        yield running
        assert [p for p in running.fake.responses if p.status != 200] == []
        assert [c for c in running.fake.calls if not c.ok] == []


def expired_records(stack: Stack, request: str) -> list[Any]:
    return [
        r for r in stack.audit.records if r.request == request and r.decision is Verdict.EXPIRED
    ]


def stored_state(stack: Stack, request: str) -> str:
    api = stack.sandbox.api_client()
    try:
        found = client.CoreV1Api(api).read_namespaced_config_map(
            f"k8s-chatops-request-{request}", "default"
        )
    finally:
        api.close()
    return str(found.data["request"]).split('"state": "')[1].split('"')[0]


def expiry_of(prompt: str) -> str:
    """HH:MM of the prompt's "expires at HH:MM:SS UTC"."""
    return prompt.split("expires at ")[1][:5]


def no_buttons(body: dict[str, Any]) -> bool:
    return not [b for b in body.get("blocks", []) if b.get("type") == "actions"]


@pytest.mark.sandbox_only(reason=SANDBOX)
def test_an_unanswered_confirmation_is_replaced_when_it_expires(stack: Stack) -> None:
    prompt = stack.run("scale deployment/web --replicas=0 -n prod", user=ALICE)
    assert prompt.ephemeral
    token = prompt.confirm_token()
    url = prompt.sent.response_url

    def replaced() -> dict[str, Any] | None:
        posts = [p.body for p in stack.fake.responses_to(url) if p.status == 200]
        return posts[-1] if posts and "Expired at" in str(posts[-1].get("text")) else None

    body = stack.fake.wait_for(replaced, timeout=30, what="the prompt replaced at its expiry")
    record = stack.audit.wait_for(lambda r: r.request == token and r.decision is Verdict.EXPIRED)
    assert body["replace_original"] is True
    assert no_buttons(body)
    assert body["text"] == f"Expired at {expiry_of(prompt.text)} UTC; nothing was changed."
    assert "@alice asked: scale deployment/web --replicas=0 -n prod" in str(body["blocks"])
    assert record.outcome is Outcome.NOT_RUN
    assert (record.user_id, record.verb) == (ALICE.id, "scale")
    assert stored_state(stack, token) == "expired"
    # A click after that changes nothing and says the request is settled.
    late, announced = stack.click(CONFIRM_ACTION, token, user=ALICE)
    assert "no longer pending: it expired" in late.text
    assert announced == []
    assert len(expired_records(stack, token)) == 1


@pytest.mark.sandbox_only(reason=SANDBOX)
def test_two_replicas_expire_an_approval_prompt_once(stack: Stack) -> None:
    with running_replica(stack) as other:
        prompt = other.run("scale deployment/api --replicas=2 -n prod", user=CAROL)
        assert prompt.via == "chat.postMessage"
        token = prompt.confirm_token()
        (message,) = [m for m in stack.fake.messages if token in str(m["blocks"])]

        def expired() -> dict[str, Any] | None:
            (now,) = [m for m in stack.fake.messages if m["ts"] == message["ts"]]
            return now if "Expired at" in now["text"] else None

        edited = stack.fake.wait_for(expired, timeout=30, what="the approval prompt edited")
        stack.audit.wait_for(lambda r: r.request == token and r.decision is Verdict.EXPIRED)
        assert no_buttons(edited)
        assert edited["text"] == f"Expired at {expiry_of(prompt.text)} UTC; nothing was changed."
        assert "@carol asked: scale deployment/api --replicas=2 -n prod" in str(edited["blocks"])
    updates = [
        c
        for c in stack.fake.calls_to("chat.update")
        if c.params.get("ts") == message["ts"] and "Expired" in str(c.params.get("text"))
    ]
    assert len(updates) == 1
    assert len(expired_records(stack, token)) == 1
    late, _ = stack.click(CONFIRM_ACTION, token, user=BOB, ephemeral=False)
    assert "no longer pending: it expired" in late.text
