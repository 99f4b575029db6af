"""Slack delivery as a ``ChatSink``: post, edit in place, reply in the thread, over real HTTP."""

from __future__ import annotations

import pytest

from bot.core.chat_sink import ChatSink, MessageRef
from bot.core.reply import Preformatted, Reply, Tone
from bot.transport import slack_delivery
from bot.transport.blocks import BLOCK_LIMIT, INLINE_LINES, SlackMessage, to_slack
from bot.transport.slack_clients import web_client
from bot.transport.slack_delivery import Delivery
from bot.transport.slack_files import SLICE, utf8_length, utf8_slices
from tests.fakeslack import OPS_CHANNEL, FakeSlack

STARTED = Reply(headline="Rollout of deployment/web in namespace prod started")
DONE = Reply(headline="deployment/web in namespace prod rolled out", tone=Tone.SUCCESS)
LONG = "\n".join(f"line {n}" for n in range(INLINE_LINES + 50))


@pytest.fixture
def sink(fake: FakeSlack) -> ChatSink:
    return Delivery(web_client(fake.bot_token, base_url=fake.api_url))


def test_post_returns_the_messages_reference(fake: FakeSlack, sink: ChatSink) -> None:
    ref = sink.post(OPS_CHANNEL, STARTED)
    assert ref is not None
    [message] = fake.messages
    assert ref == MessageRef(channel=OPS_CHANNEL, id=message["ts"])
    assert message["text"] == STARTED.headline
    assert message["thread_ts"] is None


def test_update_edits_the_message_in_place(fake: FakeSlack, sink: ChatSink) -> None:
    ref = sink.post(OPS_CHANNEL, STARTED)
    assert ref is not None
    assert sink.update(ref, DONE) == ref
    [message] = fake.messages
    assert message["edits"] == 1
    assert DONE.headline in message["text"]
    [call] = fake.calls_to("chat.update")
    assert (call.params["channel"], call.params["ts"]) == (OPS_CHANNEL, ref.id)
    assert call.params["blocks"]


def test_reply_in_thread_posts_under_the_first_message(fake: FakeSlack, sink: ChatSink) -> None:
    root = sink.post(OPS_CHANNEL, STARTED)
    assert root is not None
    first = sink.reply_in_thread(root, Reply(headline="pod web-1: ImagePullBackOff"))
    assert first == MessageRef(channel=OPS_CHANNEL, id=fake.messages[1]["ts"], thread=root.id)
    # A reply to a reply stays in the same thread: Slack threads are one level deep.
    second = sink.reply_in_thread(first, Reply(headline="pod web-2: ImagePullBackOff"))
    assert second is not None
    assert second.thread == root.id
    assert [m["thread_ts"] for m in fake.messages] == [None, root.id, root.id]


def test_a_long_output_goes_to_the_messages_thread(fake: FakeSlack, sink: ChatSink) -> None:
    ref = sink.post(OPS_CHANNEL, Reply(headline="logs", parts=(Preformatted(LONG, "web.log"),)))
    assert ref is not None
    file = fake.wait_for(lambda: fake.files, what="the upload")[0]
    assert (file.filename, file.channel, file.thread_ts) == ("web.log", OPS_CHANNEL, ref.id)
    assert file.content.decode() == LONG
    assert "Full output in the thread (web.log)." in str(fake.messages[0]["blocks"])


def test_a_long_output_in_many_scripts_arrives_whole(fake: FakeSlack, sink: ChatSink) -> None:
    # Several upload slices long, with characters of one to four bytes across their boundaries:
    # the fake refuses a file whose bytes differ from the length announced.
    line = "pod-é 日本 🚀 " + "x" * 40
    text = "\n".join(f"{n} {line}" for n in range(3 * SLICE // len(line)))
    ref = sink.post(OPS_CHANNEL, Reply(headline="pods", parts=(Preformatted(text, "pods.txt"),)))
    assert ref is not None
    (file,) = fake.wait_for(lambda: fake.files, what="the upload")
    assert file.content.decode() == text
    assert utf8_length(text) == len(text.encode()) > len(text)
    assert b"".join(utf8_slices(text)) == text.encode()


def test_refusals_are_none_not_errors(fake: FakeSlack, sink: ChatSink) -> None:
    fake.workspace.not_in_channel.add("C0ELSEWHERE")
    assert sink.post("C0ELSEWHERE", STARTED) is None
    assert sink.update(MessageRef(OPS_CHANNEL, "1700000000.000001"), DONE) is None
    assert [c.response["error"] for c in fake.calls] == ["not_in_channel", "message_not_found"]


def test_an_update_rate_limited_once_is_retried(fake: FakeSlack, sink: ChatSink) -> None:
    ref = sink.post(OPS_CHANNEL, STARTED)
    assert ref is not None
    fake.rate_limit("chat.update", times=1, retry_after=0)
    assert sink.update(ref, DONE) == ref
    assert [c.status for c in fake.calls_to("chat.update")] == [429, 200]
    assert fake.messages[0]["edits"] == 1


def test_a_reply_is_rendered_once_even_when_its_output_is_attached(
    fake: FakeSlack, sink: ChatSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[Reply] = []

    def counted(reply: Reply) -> SlackMessage:
        rendered.append(reply)
        return to_slack(reply)

    monkeypatch.setattr(slack_delivery, "to_slack", counted)
    fake.workspace.not_in_channel.add("C0ELSEWHERE")
    reply = Reply(headline="logs", parts=(Preformatted(LONG, "web.log"),))
    assert sink.post(OPS_CHANNEL, reply) is not None
    assert sink.post("C0ELSEWHERE", reply) is None  # refused after rendering: still once
    assert rendered == [reply, reply]
    blocks = fake.messages[0]["blocks"]
    assert blocks[-1]["elements"][0]["text"] == "Full output in the thread (web.log)."
    assert len(blocks) <= BLOCK_LIMIT
