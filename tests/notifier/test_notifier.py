"""The notifier against the sandbox's controllers and the fake Slack: one message per rollout,
edited in place, continued across restarts and leader changes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from kubernetes import client

from bot.compose import Cluster, NotifierTimings, notifications
from bot.notifier.notifier import Notifier
from bot.settings import Settings
from bot.transport.slack_clients import web_client
from bot.transport.slack_delivery import Delivery
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.fakeslack.server import FakeSlack, running_fake_slack

CHANNEL = "C0DEPLOYS"
WAIT = 30.0
SETTINGS = Settings.model_validate(
    {
        "notifications": {"routes": [{"namespaces": ["*"], "channel": CHANNEL}]},
        "leader_election": {
            "lease_duration_seconds": 3,
            "renew_deadline_seconds": 2,
            "retry_period_seconds": 0.3,
        },
    }
)
WORDS = ("started", "in progress", "complete", "failed", "superseded by a newer revision")
FAST = NotifierTimings(tick=0.1, edit_interval=0.3)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(scenario="demo", speed=20.0) as sb:
        yield sb


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with running_fake_slack() as fake:
        yield fake


@pytest.fixture
def apps(sandbox: Sandbox) -> Iterator[Any]:
    api = sandbox.api_client()
    try:
        yield client.AppsV1Api(api)
    finally:
        api.close()


@contextmanager
def notifier(sandbox: Sandbox, slack: FakeSlack, name: str = "a") -> Iterator[Notifier]:
    cluster = Cluster(False, sandbox.kubeconfig, None, "sandbox")
    sink = Delivery(web_client("xoxb-fake-bot", base_url=slack.api_url))
    with notifications(SETTINGS, cluster, sink, identity=name, timings=FAST) as running:
        assert running is not None
        yield running


def leading(running: Notifier) -> bool:
    return running._elector.leading()  # the test's window onto the election


def set_image(
    apps: Any, image: str, *, name: str = "web", namespace: str = "prod", deadline: int = 60
) -> None:
    """Change the image; ``deadline`` is the progress deadline in sandbox seconds (speed 20)."""
    template = {"spec": {"containers": [{"name": name, "image": image}]}}
    body = {"spec": {"template": template, "progressDeadlineSeconds": deadline}}
    apps.patch_namespaced_deployment(name, namespace, body)


def texts(slack: FakeSlack, ts: str) -> list[str]:
    """What a message said, post then each edit, in order."""
    posted = [
        c.params.get("text", "")
        for c in slack.calls_to("chat.postMessage")
        if c.ok and c.response.get("ts") == ts
    ]
    edits = [
        c.params.get("text", "")
        for c in slack.calls_to("chat.update")
        if c.ok and c.params.get("ts") == ts
    ]
    return [str(t) for t in posted + edits]


def phases(slack: FakeSlack, ts: str) -> list[str]:
    """The states a message went through (repeats of one state counted once)."""
    seen: list[str] = []
    for text in texts(slack, ts):
        headline = text.split("\n")[0]
        word = next((w for w in WORDS if headline.endswith(w)), headline)
        if not seen or seen[-1] != word:
            seen.append(word)
    return seen


def top_messages(slack: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in slack.messages if m["channel"] == CHANNEL and not m["thread_ts"]]


def final(slack: FakeSlack, word: str, *, count: int = 1) -> list[dict[str, Any]]:
    def done() -> list[dict[str, Any]]:
        found = [m for m in top_messages(slack) if word in m["text"].split("\n")[0]]
        return found if len(found) >= count else []

    return slack.wait_for(done, timeout=WAIT, what=f"{count} message(s) saying {word}")


def test_set_image_gives_one_message_edited_to_complete(
    sandbox: Sandbox, slack: FakeSlack, apps: Any
) -> None:
    with notifier(sandbox, slack) as running:
        slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
        set_image(apps, "nginx:1.28")
        (message,) = final(slack, "complete")
        assert len(top_messages(slack)) == 1
        assert "revision 3" in message["text"]
        order = phases(slack, message["ts"])
        assert order[-1] == "complete"
        assert order == [p for p in ("started", "in progress", "complete") if p in order]
        assert message["edits"] >= 1


def test_nothing_for_deployments_complete_at_start(sandbox: Sandbox, slack: FakeSlack) -> None:
    with notifier(sandbox, slack) as running:
        slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
        slack.wait_for(
            lambda: sandbox.requests.matching(
                method="GET", path="/apis/apps/v1/deployments", query={"watch": "true"}
            ),
            timeout=WAIT,
            what="the watch",
        )
    assert slack.messages == []


def test_missing_image_fails_with_the_reason_in_the_thread(
    sandbox: Sandbox, slack: FakeSlack, apps: Any
) -> None:
    with notifier(sandbox, slack) as running:
        slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
        set_image(apps, "nginx:doesnotexist")
        (message,) = final(slack, "failed")
        thread = [m for m in slack.messages if m["thread_ts"] == message["ts"]]
        assert any("ImagePullBackOff" in m["text"] or "ErrImagePull" in m["text"] for m in thread)
        assert "exceeded its progress deadline" in message["text"] or any(
            "exceeded its progress deadline" in str(b) for b in message["blocks"]
        )


def test_restart_mid_rollout_continues_the_same_message(
    sandbox: Sandbox, slack: FakeSlack, apps: Any
) -> None:
    with notifier(sandbox, slack, "first") as running:
        slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
        set_image(apps, "nginx:doesnotexist")
        slack.wait_for(lambda: top_messages(slack), timeout=WAIT, what="the first post")
    with notifier(sandbox, slack, "second"):
        (message,) = final(slack, "failed")
    assert len(top_messages(slack)) == 1
    assert phases(slack, message["ts"])[-1] == "failed"


def test_a_rollout_started_while_down_supersedes_the_stored_one(
    sandbox: Sandbox, slack: FakeSlack, apps: Any
) -> None:
    with notifier(sandbox, slack, "first") as running:
        slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
        set_image(apps, "nginx:doesnotexist", deadline=600)
        (first,) = slack.wait_for(lambda: top_messages(slack), timeout=WAIT, what="a post")
    set_image(apps, "nginx:1.29")
    with notifier(sandbox, slack, "second"):
        final(slack, "superseded by a newer revision")
    assert phases(slack, first["ts"])[-1] == "superseded by a newer revision"
    assert len([m for m in top_messages(slack) if "revision 3" in m["text"]]) == 1


def test_two_notifiers_one_posts_and_the_other_takes_over(
    sandbox: Sandbox, slack: FakeSlack, apps: Any
) -> None:
    with notifier(sandbox, slack, "one") as one, notifier(sandbox, slack, "two") as two:
        slack.wait_for(lambda: leading(one) or leading(two), timeout=WAIT, what="a leader")
        assert not (leading(one) and leading(two))
        set_image(apps, "nginx:1.28")
        final(slack, "complete")
    assert len(top_messages(slack)) == 1
