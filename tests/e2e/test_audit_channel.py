"""``audit.channel``: every record also becomes a short message in a Slack channel, through the
real app and the fake Slack, without ever delaying or dropping the audit trail's own line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.service.audit import Verdict
from tests.e2e.target import AnyStack, running_any_stack
from tests.fakeslack import ALICE, CAROL
from tests.fakeslack.records import ApiCall

AUDIT_CHANNEL = "C0AUDIT"


@pytest.fixture(scope="module")
def audited(any_stack: AnyStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnyStack]:
    """A second bot on the run's namespace (its own account and fake Slack, no notifier),
    with an audit channel: its tests make Slack refuse posts."""
    workdir = tmp_path_factory.mktemp(f"e2e-audit-channel-{any_stack.mode}")
    extra = f"audit:\n  channel: {AUDIT_CHANNEL}\n"
    with running_any_stack(
        any_stack.target,
        workdir,
        mode=any_stack.mode,
        account="k8s-chatops-audited",
        extra=extra,
        notify=False,
    ) as stack:
        yield stack


def _posts(stack: AnyStack) -> list[ApiCall]:
    return [
        call
        for call in stack.fake.calls_to("chat.postMessage")
        if call.params.get("channel") == AUDIT_CHANNEL
    ]


def _posted(stack: AnyStack, *needles: str) -> ApiCall:
    def found() -> ApiCall | None:
        return next(
            (c for c in _posts(stack) if c.ok and all(n in str(c.params) for n in needles)),
            None,
        )

    return stack.fake.wait_for(found, timeout=30.0, what=f"an audit message with {needles}")


def test_each_record_is_posted_in_the_audit_channel(audited: AnyStack) -> None:
    audited.run("get pods -n kube-system", user=ALICE)
    allowed = _posted(audited, "alice", "get pods -n kube-system", "allowed", "ok")
    audited.run("scale deployment/web --replicas=2 -n kube-system", user=CAROL)
    denied = _posted(audited, "carol", "scale deployment/web --replicas=2 -n kube-system", "denied")
    assert _posts(audited).index(allowed) < _posts(audited).index(denied)
    assert "may not scale" in str(denied.params)


def test_slack_failing_neither_delays_the_trail_nor_drops_the_message(audited: AnyStack) -> None:
    # Slack refuses every post: the client's retries give up, the audit channel tries again.
    audited.fake.fail("chat.postMessage", status=503, times=10**6)
    failed = len(audited.fake.calls_to("chat.postMessage"))
    mark = len(audited.audit.records)
    audited.run("get deployments -n default", user=ALICE)
    record = audited.audit.wait_for(lambda r: r.text == "get deployments -n default", since=mark)
    assert record.decision is Verdict.ALLOWED
    audited.fake.wait_for(
        lambda: len(audited.fake.calls_to("chat.postMessage")) >= failed + 5,
        timeout=30.0,
        what="the audit channel to retry past the client's own retries",
    )
    audited.fake.fail("chat.postMessage", times=0)
    _posted(audited, "get deployments -n default", "allowed")


def test_tokens_typed_into_a_command_are_not_posted(audited: AnyStack) -> None:
    leaked = "xoxb-123456789-secretsecret"
    audited.run(f"get pods -n kube-system -l token={leaked}", user=ALICE)
    message = _posted(audited, "get pods -n kube-system -l token=")
    assert leaked not in str(message.params)
    assert audited.fake.bot_token not in str(message.params)
