"""The fake Slack itself: the rules the bot's tests rely on must hold, or they prove nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.webhook import WebhookClient

from bot.transport.slack_serve import disconnect_socket_mode
from tests.fakeslack import ALICE, RESPONSE_URL, FakeSlack
from tests.fakeslack.drive import post


def client(fake: FakeSlack, token: str | None = None) -> WebClient:
    return WebClient(token=token or fake.bot_token, base_url=fake.api_url)


def test_auth_test_accepts_the_bot_token(fake: FakeSlack) -> None:
    assert client(fake).auth_test()["user_id"] == "U0BOT"


def test_wrong_token_is_invalid_auth(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as info:
        client(fake, "xoxb-wrong").chat_postMessage(channel="C1", text="hi")
    assert info.value.response["error"] == "invalid_auth"
    assert fake.calls_to("chat.postMessage")[0].token == "xoxb-wrong"


def test_post_message_is_recorded_with_blocks(fake: FakeSlack) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}]
    client(fake).chat_postMessage(channel="C1", text="hello", blocks=blocks)
    call = fake.wait_call("chat.postMessage")
    assert call.params["blocks"] == blocks
    assert call.headers["Authorization"] == f"Bearer {fake.bot_token}"


def test_too_many_blocks_are_invalid(fake: FakeSlack) -> None:
    blocks = [{"type": "divider"}] * 51
    with pytest.raises(SlackApiError) as info:
        client(fake).chat_postMessage(channel="C1", text="x", blocks=blocks)
    assert info.value.response["error"] == "invalid_blocks"


def test_not_in_channel_is_reported(fake: FakeSlack) -> None:
    fake.workspace.not_in_channel.add("C9")
    with pytest.raises(SlackApiError) as info:
        client(fake).chat_postMessage(channel="C9", text="x")
    assert info.value.response["error"] == "not_in_channel"


def test_rate_limit_answers_429_then_recovers(fake: FakeSlack) -> None:
    fake.rate_limit("chat.postMessage", times=1, retry_after=0)
    retrying = WebClient(
        token=fake.bot_token,
        base_url=fake.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    retrying.chat_postMessage(channel="C1", text="hi")
    statuses = [call.status for call in fake.calls_to("chat.postMessage")]
    assert statuses == [429, 200]


def test_rate_limited_call_fails_without_a_retry_handler(fake: FakeSlack) -> None:
    fake.rate_limit("auth.test", times=1, retry_after=0)
    plain = WebClient(token=fake.bot_token, base_url=fake.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as info:
        plain.auth_test()
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "0"


def test_files_upload_v2_shares_the_content(fake: FakeSlack) -> None:
    client(fake).files_upload_v2(
        channel="D1", content="a" * 5000, filename="pods.txt", title="pods", thread_ts="1.2"
    )
    (uploaded,) = fake.files
    assert (uploaded.filename, uploaded.channel, uploaded.thread_ts) == ("pods.txt", "D1", "1.2")
    assert uploaded.content == b"a" * 5000


def test_conversations_open_returns_a_dm_channel(fake: FakeSlack) -> None:
    channel = client(fake).conversations_open(users=ALICE.id)["channel"]
    assert channel["id"].startswith("D")


def test_response_url_accepts_five_posts_and_rejects_the_sixth(fake: FakeSlack) -> None:
    url = fake.new_response_url()
    webhook = WebhookClient(url=url, retry_handlers=[])
    statuses = [webhook.send(text=f"reply {i}").status_code for i in range(6)]
    assert statuses == [200, 200, 200, 200, 200, 404]
    assert fake.responses_to(url)[-1].status == 404


def test_response_url_expires_after_thirty_minutes(fake: FakeSlack) -> None:
    now = [1000.0]
    fake.clock = lambda: now[0]
    url = fake.new_response_url()
    now[0] += 30 * 60 + 1
    assert WebhookClient(url=url, retry_handlers=[]).send(text="late").status_code == 404


def test_response_url_rate_limit_is_retried_by_the_handler(fake: FakeSlack) -> None:
    url = fake.new_response_url()
    fake.rate_limit(RESPONSE_URL, times=1, retry_after=0)
    webhook = WebhookClient(url=url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    assert webhook.send(text="hi", response_type="ephemeral").status_code == 200
    assert [p.status for p in fake.responses_to(url)] == [429, 200]
    assert fake.responses_to(url)[-1].body["response_type"] == "ephemeral"


def test_unknown_response_url_is_404(fake: FakeSlack) -> None:
    status, _ = post(f"{fake.base_url}/commands/T0FAKE/1/nope", json.dumps({"text": "x"}), {})
    assert status == 404


def test_connections_open_needs_the_app_token(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as info:
        client(fake).apps_connections_open(app_token=fake.bot_token)
    assert info.value.response["error"] == "not_allowed_token_type"
    url = client(fake).apps_connections_open(app_token=fake.app_token)["url"]
    assert url.startswith(f"ws://127.0.0.1:{fake.port}/link/?ticket=")


@pytest.fixture
def socket_client(fake: FakeSlack) -> Iterator[SocketModeClient]:
    sm = SocketModeClient(app_token=fake.app_token, web_client=client(fake), ping_interval=1)

    def acknowledge(c: SocketModeClient, req: SocketModeRequest) -> None:
        c.send_socket_mode_response(SocketModeResponse(req.envelope_id, payload={"seen": req.type}))

    sm.socket_mode_request_listeners.append(acknowledge)
    sm.connect()
    try:
        yield sm
    finally:
        disconnect_socket_mode(sm)


def test_socket_mode_hello_envelope_and_ack(
    fake: FakeSlack, socket_client: SocketModeClient
) -> None:
    fake.wait_for(lambda: fake.socket.hellos == 1, what="hello")
    envelope = fake.socket.push("slash_commands", {"text": "get pods"})
    assert fake.wait_ack(envelope).payload == {"seen": "slash_commands"}


def test_socket_mode_disconnect_makes_the_client_reconnect(
    fake: FakeSlack, socket_client: SocketModeClient
) -> None:
    fake.wait_for(lambda: fake.socket.hellos == 1, what="first session")
    fake.socket.disconnect()
    fake.wait_for(lambda: fake.socket.hellos == 2 and fake.socket.live == 1, what="reconnect")
    assert len(fake.calls_to("apps.connections.open")) == 2
    envelope = fake.socket.push("interactive", {"type": "block_actions"})
    assert fake.wait_ack(envelope).envelope_id == envelope
