"""The Slack app in HTTP mode guarding its door, over real HTTP against the fake Slack: bad
signatures and timestamps, the bound on a command, replays, and the busy reply when the workers
are full."""

from __future__ import annotations

import hmac
import json
import threading

import pytest

from bot.core.reply import Reply
from bot.service.service import Request
from bot.transport.blocks import CONFIRM_ACTION
from bot.transport.slack_app import SlackApp, build_app
from bot.transport.slack_clients import web_client
from bot.transport.slack_front import (
    SeenSignatures,
)
from bot.transport.slack_http import running_http
from bot.transport.slack_workers import WorkerSizes
from tests.fakeslack import (
    ALICE,
    BOB,
    CAROL,
    FakeSlack,
    HttpSlack,
    payloads,
)
from tests.fakeslack.chatops import ScriptedChatOps, echo
from tests.fakeslack.drive import Sent, post
from tests.transport.http_app import SECRET


@pytest.mark.parametrize("timestamp", ["soon", "", "1e9", "-1", "99999999999999999999999"])
def test_malformed_timestamp_is_refused_and_runs_nothing(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack, timestamp: str
) -> None:
    body = payloads.form_body(fake.slash_command("get pods"))
    headers = payloads.signature_headers(SECRET, body)
    base = f"v0:{timestamp}:{body}".encode()
    headers["X-Slack-Request-Timestamp"] = timestamp
    headers["X-Slack-Signature"] = "v0=" + hmac.new(SECRET.encode(), base, "sha256").hexdigest()
    status, _ = post(slack.app_url, body, headers)
    assert status == 401
    assert chatops.requests == []


def test_missing_signature_headers_are_refused(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    body = payloads.form_body(fake.slash_command("get pods"))
    status, _ = post(slack.app_url, body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 401
    assert chatops.requests == []


HOSTILE = "get pods -l " + ",".join(["a=b"] * 25_000)
"""A 100 KB label selector."""


@pytest.mark.parametrize(
    ("text", "size"),
    [
        (HOSTILE, len(HOSTILE)),
        ("get pods -l " + "é" * 2100, 12 + 4200),  # 4,212 bytes, 12,612 characters encoded
    ],
)
def test_a_command_over_the_bound_is_refused_in_the_ack(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack, text: str, size: int
) -> None:
    sent = slack.command(text)
    assert sent.status == 200
    ack = json.loads(sent.body)
    assert ack["response_type"] == "ephemeral"
    assert f"the command is {size:,} bytes long, more than the 4,096" in ack["text"]
    assert chatops.requests == []  # nothing queued: no worker spends time on it
    after = slack.command("get pods")  # and the next command is answered as usual
    assert fake.wait_response(after.response_url).body["text"] == "ran get pods"
    assert [r.text for r in chatops.requests] == ["get pods"]


def test_a_command_just_under_the_bound_is_taken(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    text = "get pods -l " + "é" * 2040  # 4,092 bytes; 12,252 characters once encoded
    sent = slack.command(text)
    assert (sent.status, sent.body) == (200, "")
    fake.wait_response(sent.response_url)
    assert [r.text for r in chatops.requests] == [text]


def test_a_replayed_request_is_answered_once(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    fields = fake.slash_command("rollout restart deployment/web")
    body = payloads.form_body(fields)
    headers = payloads.signature_headers(SECRET, body)
    statuses = [post(slack.app_url, body, headers)[0] for _ in range(3)]
    assert statuses == [200, 200, 200]
    fake.wait_response(fields["response_url"])  # the first delivery, answered
    assert len(chatops.requests) == 1


def test_a_refused_signature_does_not_shadow_the_real_request(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    fields = fake.slash_command("get pods")
    body = payloads.form_body(fields)
    headers = payloads.signature_headers(SECRET, body)
    forged = payloads.form_body(fake.slash_command("delete pod web"))
    assert post(slack.app_url, forged, headers)[0] == 401  # someone else's signature, other body
    assert post(slack.app_url, body, headers)[0] == 200
    fake.wait_response(fields["response_url"])  # the real request, answered
    assert [r.text for r in chatops.requests] == ["get pods"]


def test_seen_signatures_expire_after_the_window() -> None:
    now = [0.0]
    seen = SeenSignatures(window=300, clock=lambda: now[0])
    assert seen.first_time("v0=a")
    assert not seen.first_time("v0=a")
    now[0] = 300.0
    assert seen.first_time("v0=a")


def test_seen_signatures_are_bounded() -> None:
    seen = SeenSignatures(limit=3)
    for name in ("a", "b", "c", "d"):
        assert seen.first_time(name)
    assert seen.first_time("a")  # the oldest made room


def _saturable(fake: FakeSlack, chatops: ScriptedChatOps, sizes: WorkerSizes) -> SlackApp:
    client = web_client(fake.bot_token, base_url=fake.api_url)
    return build_app(
        chatops=chatops, client=client, signing_secret=SECRET, sizes=sizes, progress_after=None
    )


def _busy(sent: Sent) -> bool:
    return sent.status == 200 and "The bot is busy, try again in a moment." in sent.body


def test_one_users_commands_past_the_limit_get_the_busy_reply(
    fake: FakeSlack, chatops: ScriptedChatOps
) -> None:
    chatops.gate = threading.Event()
    app = _saturable(fake, chatops, WorkerSizes(workers=4, queue=4, per_user=2))
    with running_http(app) as url:
        slack = HttpSlack(fake, url, SECRET)
        first, second, third = (slack.command(f"get pods -n ns{i}") for i in range(3))
        others = slack.command("get pods", user=BOB)
        assert [_busy(s) for s in (first, second, third, others)] == [False, False, True, False]
        assert json.loads(third.body)["response_type"] == "ephemeral"
        chatops.gate.set()
        for sent in (first, second, others):
            fake.wait_response(sent.response_url)
    assert sorted(r.text for r in chatops.requests) == [
        "get pods",
        "get pods -n ns0",
        "get pods -n ns1",
    ]
    app.close()


def test_a_full_queue_gets_the_busy_reply(fake: FakeSlack, chatops: ScriptedChatOps) -> None:
    chatops.gate = threading.Event()
    app = _saturable(fake, chatops, WorkerSizes(workers=1, long_workers=1, queue=1, per_user=9))
    with running_http(app) as url:
        slack = HttpSlack(fake, url, SECRET)
        running, waiting, refused = (slack.command("version", user=u) for u in (ALICE, BOB, CAROL))
        assert [_busy(s) for s in (running, waiting, refused)] == [False, False, True]
        chatops.gate.set()
        fake.wait_response(running.response_url)
        fake.wait_response(waiting.response_url)
        again = slack.command("version", user=CAROL)  # room again once the work is done
        assert not _busy(again)
        fake.wait_response(again.response_url)
    app.close()


def test_a_click_without_room_is_told_so_at_its_response_url(
    fake: FakeSlack, chatops: ScriptedChatOps
) -> None:
    chatops.gate = threading.Event()
    app = _saturable(fake, chatops, WorkerSizes(workers=1, long_workers=1, queue=0, per_user=9))
    with running_http(app) as url:
        slack = HttpSlack(fake, url, SECRET)
        held = slack.command("version", user=BOB)
        click = slack.click(CONFIRM_ACTION, "token-5")
        assert (click.status, click.body) == (200, "")
        note = fake.wait_response(click.response_url)
        assert note.body["text"] == "The bot is busy, try again in a moment."
        assert note.body["replace_original"] is False  # the prompt keeps its buttons
        assert chatops.answers == []
        chatops.gate.set()
        fake.wait_response(held.response_url)
    app.close()


def test_waiting_commands_leave_the_workers_to_the_others(
    fake: FakeSlack, chatops: ScriptedChatOps
) -> None:
    rollout = threading.Event()

    def hold_rollouts(request: Request) -> Reply:
        if request.text.startswith("rollout status") and not rollout.wait(timeout=10):
            raise TimeoutError("the test never released the rollouts")
        return echo(request)

    chatops.script = hold_rollouts
    app = _saturable(fake, chatops, WorkerSizes(workers=1, long_workers=2, queue=0, per_user=9))
    with running_http(app) as url:
        slack = HttpSlack(fake, url, SECRET)
        waits = [slack.command("rollout status deployment/web", user=u) for u in (ALICE, BOB)]
        probe = slack.command("get pods", user=CAROL)
        assert not any(_busy(s) for s in (*waits, probe))
        assert fake.wait_response(probe.response_url).body["text"] == "ran get pods"
        assert all(fake.responses_to(s.response_url) == [] for s in waits)  # still waiting
        rollout.set()
        for sent in waits:
            fake.wait_response(sent.response_url)
    app.close()
