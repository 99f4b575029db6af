"""The notifier against the sandbox's controllers and the fake Slack: one message per rollout,
edited in place, continued across restarts and leader changes."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from kubernetes import client

from bot.cluster import Cluster
from bot.notifications import NotifierTimings, RunningNotifier, notifications
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
STEADY = Settings.model_validate(
    {
        "notifications": {"routes": [{"namespaces": ["*"], "channel": CHANNEL}]},
        "leader_election": {
            "lease_duration_seconds": 30,
            "renew_deadline_seconds": 20,
            "retry_period_seconds": 0.3,
        },
    }
)
"""The same, for a test that is not about leadership: a renewal that a loaded machine delays
past 2 s must not hand the burst to no one halfway."""
WORDS = ("started", "in progress", "complete", "failed", "superseded by a newer revision")
FAST = NotifierTimings(tick=0.1, edit_interval=0.3, batch_window=0.4)


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


SCALES = SETTINGS.model_copy(
    update={"notifications": SETTINGS.notifications.model_copy(update={"scale_changes": True})}
)
"""The same, with ``scale_changes: true``."""


@contextmanager
def notifier(
    sandbox: Sandbox,
    slack: FakeSlack,
    name: str = "a",
    timings: NotifierTimings = FAST,
    settings: Settings = SETTINGS,
) -> Iterator[RunningNotifier]:
    cluster = Cluster(in_cluster=False, kubeconfig=sandbox.kubeconfig, label="sandbox")
    sink = Delivery(web_client("xoxb-fake-bot", base_url=slack.api_url))
    with notifications(settings, cluster, sink, identity=name, timings=timings) as running:
        assert running is not None
        yield running


def leading(running: RunningNotifier) -> bool:
    return running.leading()


def watching(sandbox: Sandbox, since: int) -> bool:
    """Whether a notifier started once the log held ``since`` requests has listed the
    Deployments and watches them (a change made before its list would be its starting point)."""
    return any(
        r.method == "GET"
        and r.path == "/apis/apps/v1/deployments"
        and r.query.get("watch") == "true"
        for r in sandbox.requests.all()[since:]
    )


def set_image(
    apps: Any,
    image: str,
    *,
    name: str = "web",
    namespace: str = "prod",
    deadline: int = 60,
    min_ready: int = 0,
) -> None:
    """Change the image; ``deadline`` is the progress deadline in sandbox seconds (speed 20);
    ``min_ready`` keeps a pod that crashes soon after starting from counting as available."""
    template = {"spec": {"containers": [{"name": name, "image": image}]}}
    spec = {"template": template, "progressDeadlineSeconds": deadline, "minReadySeconds": min_ready}
    body = {"spec": spec}
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

    heads = lambda: [m["text"].split("\n")[0] for m in top_messages(slack)]  # noqa: E731
    try:
        return slack.wait_for(done, timeout=WAIT, what=f"{count} message(s) saying {word}")
    except AssertionError as e:
        raise AssertionError(f"{e}; the channel has: {heads()}") from None


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


def test_the_other_replica_takes_over_a_killed_leader_and_finishes_its_message(
    sandbox: Sandbox, slack: FakeSlack, apps: Any
) -> None:
    with notifier(sandbox, slack, "one") as one, notifier(sandbox, slack, "two") as two:
        leader = slack.wait_for(
            lambda: one if leading(one) else two if leading(two) else None,
            timeout=WAIT,
            what="a leader",
        )
        other = two if leader is one else one
        set_image(apps, "nginx:doesnotexist", deadline=100)
        (message,) = slack.wait_for(lambda: top_messages(slack), timeout=WAIT, what="a post")
        leader.halt(release=False)  # as SIGKILL: the lease is left to expire
        slack.wait_for(lambda: leading(other), timeout=WAIT, what="the take-over")
        final(slack, "failed")
    assert len(top_messages(slack)) == 1
    assert phases(slack, message["ts"])[-1] == "failed"


def test_rate_limited_edits_are_retried_and_nothing_is_lost(
    sandbox: Sandbox, slack: FakeSlack, apps: Any
) -> None:
    slack.rate_limit("chat.update", times=3)
    with notifier(sandbox, slack) as running:
        slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
        set_image(apps, "nginx:1.28")
        (message,) = final(slack, "complete")
    assert [c for c in slack.calls_to("chat.update") if c.status == 429]
    assert len(top_messages(slack)) == 1
    assert phases(slack, message["ts"])[-1] == "complete"


def test_dropped_and_expired_watches_still_give_one_message(
    sandbox: Sandbox, slack: FakeSlack, apps: Any
) -> None:
    with notifier(sandbox, slack) as running:
        slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
        set_image(apps, "nginx:doesnotexist", deadline=100)
        slack.wait_for(lambda: top_messages(slack), timeout=WAIT, what="a post")
        sandbox.faults.expire_next_watch()
        sandbox.faults.drop_watches()
        final(slack, "failed")
    assert len(top_messages(slack)) == 1


def test_undo_is_a_new_message(sandbox: Sandbox, slack: FakeSlack, apps: Any) -> None:
    with notifier(sandbox, slack) as running:
        slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
        set_image(apps, "nginx:1.28")
        final(slack, "complete")
        set_image(apps, "nginx:1.27")  # what `rollout undo` sends: the previous template
        final(slack, "complete", count=2)
    revisions = [m["text"].split("revision ")[1].split(":")[0] for m in top_messages(slack)]
    assert revisions == ["3", "4"]


def test_a_crashing_image_reports_the_log_tail(
    sandbox: Sandbox, slack: FakeSlack, apps: Any
) -> None:
    with notifier(sandbox, slack) as running:
        slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
        set_image(apps, "nginx:crash", deadline=100, min_ready=60)
        (message,) = slack.wait_for(lambda: top_messages(slack), timeout=WAIT, what="a post")

        def crash_reported() -> list[dict[str, Any]]:
            return [
                m
                for m in slack.messages
                if m["thread_ts"] == message["ts"] and "CrashLoopBackOff" in m["text"]
            ]

        try:
            (reported, *_) = slack.wait_for(crash_reported, timeout=WAIT, what="the crash")
        except AssertionError as e:
            seen = [(m["text"][:70], m["edits"]) for m in slack.messages]
            state = apps.read_namespaced_deployment_status("web", "prod").status
            raise AssertionError(f"{e}; messages {seen}; status {state}") from None
    assert "```" in str(reported["blocks"]) or "log" in str(reported["blocks"]).lower()


def test_a_burst_of_rollouts_is_one_digest_with_every_outcome(slack: FakeSlack) -> None:
    with running_sandbox(scenario="scale", pods=30, deployments=30, speed=20.0) as sandbox:
        api = sandbox.api_client()
        apps = client.AppsV1Api(api)
        names = sorted(d.metadata.name for d in apps.list_namespaced_deployment("default").items)
        assert len(names) == 30
        containers = {
            name: apps.read_namespaced_deployment(name, "default")
            .spec.template.spec.containers[0]
            .name
            for name in names
        }
        burst = NotifierTimings(tick=0.1, edit_interval=0.3, batch_window=1.0)
        with notifier(sandbox, slack, timings=burst, settings=STEADY) as running:
            slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
            for index, name in enumerate(names):
                failing = index < 3
                image = "nginx:doesnotexist" if failing else "nginx:1.28"
                template = {"spec": {"containers": [{"name": containers[name], "image": image}]}}
                # The three that fail do so within 3 s; the others get the default 30 s (600
                # at speed 20) to complete, which 30 at once on a loaded machine may need.
                deadline = 60 if failing else 600
                body = {"spec": {"progressDeadlineSeconds": deadline, "template": template}}
                apps.patch_namespaced_deployment(name, "default", body)

            def counted(message: dict[str, Any]) -> tuple[int, int, int]:
                """(rollouts, failed, in progress) a top message accounts for."""
                head = message["text"].split("\n")[0]
                found = re.match(r"(\d+) rollouts: \d+ complete, (\d+) failed, (\d+) in", head)
                if found:
                    return int(found[1]), int(found[2]), int(found[3])
                ended = head.endswith(("complete", "failed"))
                return 1, int(head.endswith("failed")), int(not ended)

            def settled() -> list[tuple[int, int, int]]:
                counts = [counted(m) for m in top_messages(slack)]
                done = sum(c[0] for c in counts) == 30 and not any(c[2] for c in counts)
                return counts if done else []

            # 30 rollouts at once: more than one usually takes on a loaded machine.
            counts = slack.wait_for(settled, timeout=3 * WAIT, what="every outcome")
        api.close()
    assert sum(c[1] for c in counts) == 3
    # One digest; the first start of a burst cannot know one follows and may keep its own
    # message, and starts spread over longer than a digest lives may open a second one.
    assert len(counts) <= 3, counts
    digests = [m for m in top_messages(slack) if " rollouts: " in m["text"]]
    assert digests
    assert max(counted(m)[0] for m in digests) >= 10
    threads = [m for m in slack.messages if m["thread_ts"]]
    for name in names[:3]:
        named = [m for m in [*threads, *top_messages(slack)] if f"default/{name}" in m["text"]]
        assert named, name
    for digest in digests:
        assert digest["edits"] <= 30


def test_a_scale_is_followed_like_a_rollout_when_scale_changes_is_on(
    sandbox: Sandbox, slack: FakeSlack, apps: Any
) -> None:
    since = len(sandbox.requests)
    with notifier(sandbox, slack, settings=SCALES) as running:
        slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
        slack.wait_for(lambda: watching(sandbox, since), timeout=WAIT, what="the watch")
        apps.patch_namespaced_deployment_scale("web", "staging", {"spec": {"replicas": 5}})
        (message,) = final(slack, "complete")
    assert message["text"].split("\n")[0] == ("Deployment staging/web scaled 2 → 5: complete")
    assert "5 updated, 5 ready, 5 available of 5" in str(message["blocks"])
    order = phases(slack, message["ts"])
    assert order == [p for p in ("started", "in progress", "complete") if p in order]
    assert len(top_messages(slack)) == 1


def test_a_scale_says_nothing_by_default(sandbox: Sandbox, slack: FakeSlack, apps: Any) -> None:
    with notifier(sandbox, slack) as running:
        slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
        apps.patch_namespaced_deployment_scale("web", "staging", {"spec": {"replicas": 5}})
        slack.wait_for(
            lambda: apps.read_namespaced_deployment("web", "staging").status.ready_replicas == 5,
            timeout=WAIT,
            what="the scale",
        )
        set_image(apps, "nginx:1.28", namespace="staging")  # the notifier did see the scale
        final(slack, "complete")
    assert [m["text"].split("\n")[0] for m in top_messages(slack)] == [
        "Rollout of deployment staging/web revision 2: complete"
    ]


def test_pod_errors_arrive_through_a_watch_of_the_new_replicaset(
    sandbox: Sandbox, slack: FakeSlack, apps: Any
) -> None:
    with notifier(sandbox, slack) as running:
        slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
        mark = len(sandbox.requests.all())
        set_image(apps, "nginx:doesnotexist", deadline=100)
        (message,) = final(slack, "failed")
        thread = [m for m in slack.messages if m["thread_ts"] == message["ts"]]
        assert any("ImagePullBackOff" in m["text"] or "ErrImagePull" in m["text"] for m in thread)
        pods = [
            r
            for r in sandbox.requests.all()[mark:]
            if r.method == "GET" and r.path == "/api/v1/namespaces/prod/pods"
        ]
        new = apps.list_namespaced_replica_set("prod", label_selector="app=web").items
        (replica_set,) = [
            rs for rs in new if rs.metadata.annotations["deployment.kubernetes.io/revision"] == "3"
        ]
        selector = f"pod-template-hash={replica_set.metadata.labels['pod-template-hash']}"
        watches = [r for r in pods if r.query.get("watch") == "true"]
        lists = [r for r in pods if r.query.get("watch") != "true"]
        assert watches, [r.query for r in pods]
        assert all(selector in r.query["labelSelector"] for r in pods)
        # The watch's first list (and one more should a loaded sandbox expire the watch),
        # never polled every tick as before.
        assert len(lists) <= 2, [r.query for r in lists]
        slack.wait_for(
            lambda: not [t for t in threading.enumerate() if t.name == "notifier-pods-web"],
            timeout=WAIT,
            what="the pod watch to stop with the rollout",
        )


def _as_if_killed_before_storing_the_ts(sandbox: Sandbox) -> None:
    """Leave the stored records as a leader killed between chat.postMessage and its store
    write leaves them: the marker, no ts."""
    api = sandbox.api_client()
    core = client.CoreV1Api(api)
    found = core.read_namespaced_config_map("k8s-chatops-rollouts", "default")
    data = {}
    for key, text in found.data.items():
        record = json.loads(text)
        record.pop("ts", None)
        record["posting"] = key
        data[key] = json.dumps(record)
    core.patch_namespaced_config_map("k8s-chatops-rollouts", "default", {"data": data})
    api.close()


@pytest.mark.parametrize("case", ["posted", "lost"])
def test_a_post_cut_off_before_its_ts_was_stored_is_found_or_made_once(
    case: str, sandbox: Sandbox, slack: FakeSlack, apps: Any
) -> None:
    posted = case == "posted"
    with notifier(sandbox, slack, "first") as running:
        slack.wait_for(lambda: leading(running), timeout=WAIT, what="leadership")
        set_image(apps, "nginx:doesnotexist", deadline=100)
        (first,) = slack.wait_for(lambda: top_messages(slack), timeout=WAIT, what="the post")
        running.halt(release=True)
    _as_if_killed_before_storing_the_ts(sandbox)
    if not posted:  # the post never reached Slack
        slack.workspace.messages.clear()
    with notifier(sandbox, slack, "second"):
        (message,) = final(slack, "failed")
    assert slack.calls_to("conversations.history")
    assert len(top_messages(slack)) == 1
    assert (message["ts"] == first["ts"]) is posted
