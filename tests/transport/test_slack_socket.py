"""The Slack app in Socket Mode: envelopes over the fake's websocket, acks, reconnects.

One connected app serves most of the module, so that the tests share one session's set-up.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from slack_sdk.socket_mode import SocketModeClient

from bot.core.reply import Reply, Tone, Visibility
from bot.transport.blocks import CONFIRM_ACTION
from bot.transport.slack_app import build_app
from bot.transport.slack_clients import web_client
from bot.transport.slack_serve import connect_socket_mode, disconnect_socket_mode
from bot.transport.slack_workers import WorkerSizes
from tests.fakeslack import ALICE, BOB, OPS_CHANNEL, FakeSlack, SocketSlack, running_fake_slack
from tests.fakeslack.chatops import Answer, ScriptedChatOps, echo


@dataclass(frozen=True)
class Rig:
    fake: FakeSlack
    chatops: ScriptedChatOps
    slack: SocketSlack


@pytest.fixture(scope="module")
def connected() -> Iterator[Rig]:
    with running_fake_slack() as fake:
        chatops = ScriptedChatOps()
        client = web_client(fake.bot_token, base_url=fake.api_url)
        app = build_app(chatops=chatops, client=client, progress_after=None)
        handler = connect_socket_mode(app, app_token=fake.app_token)
        try:
            fake.wait_for(lambda: fake.socket.live == 1, what="the app's session")
            yield Rig(fake, chatops, SocketSlack(fake))
        finally:
            disconnect_socket_mode(handler)
            app.close()


@pytest.fixture
def rig(connected: Rig) -> Rig:
    connected.chatops.script = echo
    connected.chatops.gate = None
    connected.fake.wait_for(lambda: connected.fake.socket.live == 1, what="one live session")
    return connected


def test_the_app_connects_with_the_app_token(rig: Rig) -> None:
    opened = rig.fake.calls_to("apps.connections.open")[0]
    assert opened.token == rig.fake.app_token
    assert opened.ok


def test_command_is_acked_before_the_work_then_answered(rig: Rig) -> None:
    rig.chatops.gate = threading.Event()
    sent = rig.slack.command("get pods -A")  # returns once the ack arrived
    assert rig.fake.responses_to(sent.response_url) == []
    rig.chatops.gate.set()
    post = rig.fake.wait_response(sent.response_url)
    assert post.body["text"] == "ran get pods -A"
    assert post.body["response_type"] == "ephemeral"


def test_click_is_acked_and_settled(rig: Rig) -> None:
    rig.chatops.on_answer = lambda a: Reply(
        headline="@alice deleted pod/web-1", tone=Tone.SUCCESS, visibility=Visibility.IN_CHANNEL
    )
    sent = rig.slack.click(CONFIRM_ACTION, "token-9")
    post = rig.fake.wait_response(sent.response_url)
    assert post.body["replace_original"] is True
    assert (
        Answer(rig.chatops.answers[-1].subject, "token-9", approved=True, channel=OPS_CHANNEL)
        in rig.chatops.answers
    )
    announced = rig.fake.wait_for(
        lambda: [c for c in rig.fake.calls_to("chat.postMessage") if "web-1" in c.params["text"]],
        what="the announcement",
    )
    assert announced[0].params["channel"] == OPS_CHANNEL
    assert rig.chatops.answers[-1].subject.user_id == ALICE.id


def test_refresh_disconnect_reconnects_and_keeps_working(rig: Rig) -> None:
    hellos = rig.fake.socket.hellos
    opened = len(rig.fake.calls_to("apps.connections.open"))
    rig.fake.socket.disconnect("refresh_requested")
    rig.fake.wait_for(
        lambda: rig.fake.socket.hellos == hellos + 1 and rig.fake.socket.live == 1,
        what="a fresh session replacing the old one",
    )
    assert len(rig.fake.calls_to("apps.connections.open")) == opened + 1
    sent = rig.slack.command("version")
    assert rig.fake.wait_response(sent.response_url).body["text"] == "ran version"


def test_envelopes_are_acked_on_receipt_even_without_room() -> None:
    with running_fake_slack() as fake:
        chatops = ScriptedChatOps(gate=threading.Event())
        client = web_client(fake.bot_token, base_url=fake.api_url)
        sizes = WorkerSizes(workers=1, long_workers=1, queue=0, per_user=9)
        app = build_app(chatops=chatops, client=client, sizes=sizes, progress_after=None)
        session = connect_socket_mode(app, app_token=fake.app_token)
        try:
            fake.wait_for(lambda: fake.socket.live == 1, what="the app's session")
            slack = SocketSlack(fake)
            held = slack.command("get pods")  # acked while its work is held
            busy = slack.command("get pods", user=BOB)  # acked at once, with the busy message
            assert held.body == ""
            assert json.loads(busy.body)["text"] == "The bot is busy, try again in a moment."
            # The held command reaches the service on its worker, maybe after the second ack.
            fake.wait_for(lambda: chatops.requests, what="the held command at the service")
            assert [r.text for r in chatops.requests] == ["get pods"]
            chatops.gate.set()
            fake.wait_response(held.response_url)
            assert fake.responses_to(busy.response_url) == []
        finally:
            disconnect_socket_mode(session)
            app.close()


def test_a_command_over_the_bound_is_refused_in_the_ack(rig: Rig) -> None:
    before = len(rig.chatops.requests)
    sent = rig.slack.command("get pods -l " + ",".join(["a=b"] * 2000))
    assert "more than the 4,096 a command may have" in sent.body
    assert len(rig.chatops.requests) == before


def _client_threads(session: SocketModeClient) -> list[threading.Thread]:
    """The threads slack_sdk's client runs: its session runner, its monitor, its message
    processor and its message workers (counted by the client itself, not by what else happens
    to start a thread in this process meanwhile)."""
    runners = (session.current_session_runner, session.current_app_monitor)
    found = [r.thread for r in (*runners, session.message_processor) if r.thread is not None]
    return [*found, *session.message_workers._threads]


def test_disconnect_ends_the_session_and_every_client_thread_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with running_fake_slack() as fake:
        client = web_client(fake.bot_token, base_url=fake.api_url)
        app = build_app(chatops=ScriptedChatOps(script=echo), client=client, progress_after=None)
        session = connect_socket_mode(app, app_token=fake.app_token)
        try:
            fake.wait_for(lambda: fake.socket.live == 1, what="the app's session")
            threads = _client_threads(session)
            assert threads
            with caplog.at_level("INFO", logger="bot.transport.socket_mode"):
                disconnect_socket_mode(session)
            fake.wait_for(lambda: fake.socket.live == 0, what="the session's end at Slack")
            assert [t.name for t in [*threads, *_client_threads(session)] if t.is_alive()] == []
            assert [r.getMessage() for r in caplog.records if r.levelname != "INFO"] == []
            assert session.closed
        finally:
            app.close()
