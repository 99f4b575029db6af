"""The Slack app in HTTP mode, over real HTTP against the fake Slack, with a scripted ChatOps."""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bot.core.pending import PromptPlace
from bot.core.reply import ConfirmRequest, Preformatted, Reply, Tone, Visibility
from bot.errors import ConfigError
from bot.logs import QUIETED, configure_logging
from bot.secrets import redact
from bot.service.service import Request
from bot.settings import Settings, load_settings
from bot.transport.blocks import CONFIRM_ACTION, DENY_ACTION, RUN_ACTION
from bot.transport.slack_app import build_app
from bot.transport.slack_clients import web_client
from bot.transport.slack_front import (
    COLLECTOR_THRESHOLDS,
    EVENTS_PATH,
    HEALTH_PATH,
)
from bot.transport.slack_http import running_http, serve_http
from bot.transport.slack_payloads import slack_subject
from bot.transport.slack_serve import app_from_settings
from tests.fakeslack import (
    ALICE,
    BOB,
    OPS_CHANNEL,
    RESPONSE_URL,
    FakeSlack,
    HttpSlack,
)
from tests.fakeslack.chatops import Answer, ScriptedChatOps
from tests.transport.http_app import SECRET

LONG = "\n".join(f"pod-{i:03d}   1/1   Running   0   5m" for i in range(400))


def blocks_text(body: dict[str, object]) -> str:
    return json.dumps(body.get("blocks", []))


def test_command_is_acked_before_the_work_then_answered(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    chatops.gate = threading.Event()
    sent = slack.command("get pods -n prod")
    assert (sent.status, sent.body) == (200, "")  # answered while handle() is still held
    assert fake.responses_to(sent.response_url) == []
    chatops.gate.set()
    post = fake.wait_response(sent.response_url)
    assert post.body["response_type"] == "ephemeral"
    assert post.body["text"] == "ran get pods -n prod"
    assert chatops.requests == [
        Request(slack_subject(ALICE.id, ALICE.name), OPS_CHANNEL, "get pods -n prod")
    ]


def test_the_service_sees_people_named_the_slack_way(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    fake.wait_response(slack.command("get pods").response_url)
    fake.wait_response(slack.click(CONFIRM_ACTION, "token-0", user=BOB).response_url)
    typed, clicked = chatops.requests[0].subject, chatops.answers[0].subject
    assert (typed.user_id, typed.display, typed.actor) == (ALICE.id, "@alice", "slack:@alice")
    assert (clicked.user_id, clicked.display, clicked.actor) == (BOB.id, "@bob", "slack:@bob")


@pytest.mark.parametrize("visibility", [Visibility.EPHEMERAL, Visibility.IN_CHANNEL])
def test_slow_command_gets_a_working_note_that_the_answer_clears(
    fake: FakeSlack, chatops: ScriptedChatOps, visibility: Visibility
) -> None:
    client = web_client(fake.bot_token, base_url=fake.api_url)
    app = build_app(chatops=chatops, client=client, signing_secret=SECRET, progress_after=0.01)
    chatops.gate = threading.Event()
    chatops.script = lambda r: Reply(headline="rolled out", visibility=visibility)
    with running_http(app) as url:
        sent = HttpSlack(fake, url, SECRET).command("rollout status deployment/web")
        note = fake.wait_response(sent.response_url)
        assert note.body["text"] == "Working on /k8s rollout status deployment/web …"
        assert note.body["response_type"] == "ephemeral"
        chatops.gate.set()
        final = fake.wait_response(sent.response_url, count=2)
    app.close()
    if visibility is Visibility.EPHEMERAL:
        assert (final.body["text"], final.body["replace_original"]) == ("rolled out", True)
    else:
        assert final.body == {"delete_original": True}
        assert fake.calls_to("chat.postMessage")[0].params["text"] == "rolled out"


def test_bad_signature_is_refused_and_runs_nothing(
    chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    sent = slack.command("delete pod web", secret="not-the-signing-secret")
    assert sent.status == 401
    assert chatops.requests == []


def test_stale_signature_is_refused_and_runs_nothing(
    chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    sent = slack.command("get pods", timestamp=int(time.time()) - 301)
    assert sent.status == 401
    assert chatops.requests == []


def test_change_is_announced_in_channel_retrying_a_429(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    chatops.script = lambda r: Reply(
        headline="@alice scaled deployment/web in namespace prod to 3 replicas",
        tone=Tone.SUCCESS,
        visibility=Visibility.IN_CHANNEL,
    )
    fake.rate_limit("chat.postMessage", times=1, retry_after=0)
    sent = slack.command("scale deployment/web --replicas=3 -n prod")
    posted = fake.wait_call("chat.postMessage")
    assert [call.status for call in fake.calls_to("chat.postMessage")] == [429, 200]
    assert posted.params["channel"] == OPS_CHANNEL
    assert "@alice scaled deployment/web" in posted.params["text"]
    assert fake.responses_to(sent.response_url) == []  # the response_url is left unused


def test_response_url_429_is_retried(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    fake.rate_limit(RESPONSE_URL, times=1, retry_after=0)
    sent = slack.command("get pods")
    fake.wait_response(sent.response_url)
    assert [post.status for post in fake.responses_to(sent.response_url)] == [429, 200]


def test_announcement_falls_back_to_response_url_outside_the_bots_channels(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    fake.workspace.not_in_channel.add(OPS_CHANNEL)
    chatops.script = lambda r: Reply(headline="@alice restarted", visibility=Visibility.IN_CHANNEL)
    sent = slack.command("rollout restart deployment/web")
    post = fake.wait_response(sent.response_url)
    assert post.body["response_type"] == "in_channel"
    assert post.body["text"] == "@alice restarted"


def test_long_private_output_is_sent_to_the_users_dm(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    chatops.script = lambda r: Reply(headline="pods", parts=(Preformatted(LONG, "pods.txt"),))
    sent = slack.command("get pods -A")
    post = fake.wait_response(sent.response_url)
    (shared,) = fake.wait_for(lambda: fake.files, what="the upload")  # it follows the answer
    assert shared.channel == "D0ALICE"  # conversations.open with alice
    assert fake.calls_to("conversations.open")[0].params["users"] == ALICE.id
    assert (shared.filename, shared.content.decode()) == ("pods.txt", LONG)
    assert "direct message" in blocks_text(post.body)
    assert post.body["response_type"] == "ephemeral"


def test_a_failed_upload_replaces_the_answer_with_one_that_says_so(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    chatops.script = lambda r: Reply(headline="pods", parts=(Preformatted(LONG, "pods.txt"),))
    fake.fail("files.getUploadURLExternal", status=200)  # refused: ok false
    sent = slack.command("get pods -A")
    first = fake.wait_response(sent.response_url)
    assert "direct message" in blocks_text(first.body)  # the answer did not wait for the upload
    second = fake.wait_response(sent.response_url, count=2)
    assert second.body["replace_original"] is True
    assert "could not be attached" in blocks_text(second.body)
    assert "pod-000" in blocks_text(second.body)  # the same preview
    assert fake.files == []


def test_long_announcement_output_goes_to_its_thread(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    chatops.script = lambda r: Reply(
        headline="@alice deleted",
        parts=(Preformatted(LONG, "deleted.txt"),),
        visibility=Visibility.IN_CHANNEL,
    )
    slack.command("delete service -l app=web")
    posted = fake.wait_call("chat.postMessage")
    (shared,) = fake.wait_for(lambda: fake.files, what="the upload")
    assert (shared.channel, shared.thread_ts) == (OPS_CHANNEL, posted.response["ts"])
    assert "thread" in json.dumps(posted.params["blocks"])


def test_spent_response_url_falls_back_to_post_ephemeral(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    def expire_then_answer(request: Request) -> Reply:
        later = time.monotonic() + 31 * 60
        fake.clock = lambda: later
        return Reply(headline="late answer")

    chatops.script = expire_then_answer
    slack.command("rollout status deployment/web")
    call = fake.wait_call("chat.postEphemeral")
    assert (call.params["channel"], call.params["user"]) == (OPS_CHANNEL, ALICE.id)
    assert call.params["text"] == "late answer"


def test_unexpected_failure_becomes_an_ephemeral_error(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    def explode(request: Request) -> Reply:
        raise RuntimeError("boom")

    chatops.script = explode
    sent = slack.command("get pods")
    post = fake.wait_response(sent.response_url)
    assert post.body["response_type"] == "ephemeral"
    assert "Something went wrong" in post.body["text"]
    assert "boom" not in json.dumps(post.body)


def test_confirm_click_replaces_the_prompt_and_announces_the_change(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    chatops.on_answer = lambda a: Reply(
        headline="@alice deleted pod/web-1 in namespace prod",
        tone=Tone.SUCCESS,
        visibility=Visibility.IN_CHANNEL,
    )
    sent = slack.click(CONFIRM_ACTION, "token-1")
    assert sent.status == 200
    post = fake.wait_response(sent.response_url)
    assert post.body["replace_original"] is True
    assert "deleted pod/web-1" in post.body["text"]
    assert "@alice deleted pod/web-1" in fake.wait_call("chat.postMessage").params["text"]
    assert chatops.answers == [
        Answer(slack_subject(ALICE.id, ALICE.name), "token-1", approved=True, channel=OPS_CHANNEL)
    ]


def test_cancel_click_replaces_the_prompt(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    sent = slack.click(DENY_ACTION, "token-2")
    post = fake.wait_response(sent.response_url)
    assert (post.body["replace_original"], post.body["text"]) == (True, "Cancelled")
    assert chatops.answers[0].approved is False
    assert fake.calls_to("chat.postMessage") == []


def prompt(visibility: Visibility) -> Reply:
    return Reply(
        headline="Scale?",
        confirm=ConfirmRequest(prompt="Scale?", token="0123456789abcdef"),
        visibility=visibility,
    )


def test_where_a_prompt_went_is_told_to_the_service(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    chatops.script = lambda r: prompt(Visibility.EPHEMERAL)
    whispered = slack.command("scale deployment/web --replicas=0")
    fake.wait_for(lambda: chatops.places, what="the ephemeral prompt's place")
    chatops.script = lambda r: prompt(Visibility.IN_CHANNEL)
    slack.command("scale deployment/web --replicas=5")
    fake.wait_for(lambda: len(chatops.places) == 2, what="the posted prompt's place")
    (message,) = [m for m in fake.messages if m["text"] == "Scale?"]
    assert chatops.places == [
        ("0123456789abcdef", PromptPlace(OPS_CHANNEL, reply_url=whispered.response_url)),
        ("0123456789abcdef", PromptPlace(message["channel"], message=message["ts"])),
    ]


def test_a_prompt_whispered_for_a_button_is_not_replaced_through_its_url(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    # The click's response_url "original" is the message with the button (a notification):
    # replacing the prompt there at its expiry would wipe that message instead.
    chatops.script = lambda r: prompt(Visibility.EPHEMERAL)
    sent = slack.click(f"{RUN_ACTION}_0", "rollout undo deployment/web -n prod")
    fake.wait_response(sent.response_url)
    chatops.script = lambda r: prompt(Visibility.IN_CHANNEL)
    slack.click(f"{RUN_ACTION}_0", "rollout undo deployment/web -n prod")
    fake.wait_for(lambda: chatops.places, what="the posted prompt's place")
    assert [bool(place.message) for _, place in chatops.places] == [True]


def test_refused_click_on_a_shared_prompt_keeps_its_buttons(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    chatops.on_answer = lambda a: Reply(headline="Only @alice can confirm", tone=Tone.ERROR)
    sent = slack.click(CONFIRM_ACTION, "token-3", user=BOB, ephemeral=False)
    post = fake.wait_response(sent.response_url)
    assert post.body["replace_original"] is False
    assert post.body["response_type"] == "ephemeral"
    assert chatops.answers[0].subject == slack_subject(BOB.id, BOB.name)


def test_refusal_posted_in_channel_still_keeps_a_shared_prompt(
    fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    chatops.on_answer = lambda a: Reply(
        headline="Only @alice can confirm", tone=Tone.ERROR, visibility=Visibility.IN_CHANNEL
    )
    sent = slack.click(CONFIRM_ACTION, "token-4", user=BOB, ephemeral=False)
    assert "Only @alice" in fake.wait_call("chat.postMessage").params["text"]
    assert fake.responses_to(sent.response_url) == []


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """DEBUG records captured, set before the app starts (when its ack process reads the level)."""
    caplog.set_level(logging.DEBUG)
    return caplog


def test_tokens_never_reach_the_log(
    debug_log: pytest.LogCaptureFixture, fake: FakeSlack, chatops: ScriptedChatOps, slack: HttpSlack
) -> None:
    caplog = debug_log
    chatops.script = lambda r: Reply(headline="announced", visibility=Visibility.IN_CHANNEL)
    slack.command("rollout restart deployment/web")
    fake.wait_call("chat.postMessage")
    assert caplog.records  # debug logging was on
    assert fake.bot_token not in caplog.text
    assert SECRET not in caplog.text


def test_health_endpoint_answers(slack: HttpSlack) -> None:
    url = slack.app_url.removesuffix(EVENTS_PATH) + HEALTH_PATH
    with urllib.request.urlopen(url, timeout=5) as answer:
        assert answer.status == 200


def _settings(tmp_path: Path, env: dict[str, str]) -> Settings:
    path = tmp_path / "settings.yaml"
    path.write_text("slack:\n  mode: http\n")
    return load_settings(path, env=env)


def test_http_mode_requires_the_signing_secret(tmp_path: Path, fake: FakeSlack) -> None:
    settings = _settings(tmp_path, {"SLACK_BOT_TOKEN": fake.bot_token})
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        app_from_settings(settings, ScriptedChatOps())


def test_a_refused_bot_token_is_a_config_error(tmp_path: Path, fake: FakeSlack) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-not-the-right-one",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
    }
    with pytest.raises(ConfigError, match="invalid_auth") as info:
        app_from_settings(_settings(tmp_path, env), ScriptedChatOps())
    assert "xoxb-not-the-right-one" not in str(info.value)


def test_settings_point_the_client_at_slack_api_url(tmp_path: Path, fake: FakeSlack) -> None:
    env = {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
    }
    app = app_from_settings(_settings(tmp_path, env), ScriptedChatOps())
    assert app.client.base_url == fake.api_url
    assert fake.wait_call("auth.test").token == fake.bot_token


def test_debug_logging_shows_no_response_url_token_or_reply_body(
    fake: FakeSlack,
    chatops: ScriptedChatOps,
    slack: HttpSlack,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = "c3VwZXItc2VjcmV0LXBhc3N3b3Jk"  # what a Secret's data looks like
    chatops.script = lambda r: Reply(
        headline="secret/db", parts=(Preformatted(f"password: {data}"),)
    )
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, {n: logging.getLogger(n).level for n in QUIETED})
    try:
        configure_logging("DEBUG", (fake.bot_token, SECRET))
        fake.fail(RESPONSE_URL, status=500, times=1)  # a retry, which slack_sdk logs at INFO
        sent = slack.command("get secret db -o yaml")
        fake.wait_response(sent.response_url)
        logging.getLogger("bot.test").debug("the bot's own debug records still go out")
    finally:
        handlers, level, levels = saved
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)
    log = capsys.readouterr().err
    assert "the bot's own debug records still go out" in log
    assert [p.status for p in fake.responses_to(sent.response_url)] == [500, 200]
    assert "/commands/T0FAKE/" not in log
    assert sent.response_url.rsplit("/", 1)[1] not in log
    assert fake.bot_token not in log
    assert data not in log


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/commands/T0123ABC/1234567890/AbCdEf123",
        "https://hooks.slack.com/actions/T0123ABC/1234567890/AbCdEf123",
        "http://127.0.0.1:5555/commands/T0FAKE/42/0f0f0f",
    ],
)
def test_response_urls_are_redacted(url: str) -> None:
    assert redact(f"POST {url} failed") == "POST [REDACTED] failed"


def test_serving_freezes_the_start_up_heap_and_collects_young_objects_less_often(
    fake: FakeSlack, chatops: ScriptedChatOps
) -> None:
    client = web_client(fake.bot_token, base_url=fake.api_url)
    app = build_app(chatops=chatops, client=client, signing_secret=SECRET, progress_after=None)
    before = gc.get_threshold()
    stop = threading.Event()
    seen: list[tuple[tuple[int, int, int], int]] = []

    def listening() -> None:
        seen.append((gc.get_threshold(), gc.get_freeze_count()))
        stop.set()

    try:
        serve_http(app, host="127.0.0.1", port=0, stop=stop, listening=listening)
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
        app.close()
    ((thresholds, frozen),) = seen
    assert thresholds == COLLECTOR_THRESHOLDS != before
    assert frozen > 0
