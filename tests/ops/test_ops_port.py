"""The ops port in-process: readiness and its reasons, and metrics counted at the real seams
(the notifier's posts and watch, Slack's retries and 429s, the leader gauge), one registry per
bot."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from bot.cluster import Cluster
from bot.errors import ConfigError
from bot.notifications import NotifierTimings, notifications
from bot.settings import Settings
from bot.telemetry import Metrics
from bot.transport.ops_server import CLUSTER_CHECK_SECONDS, Health, running_ops
from bot.transport.slack_clients import web_client
from bot.transport.slack_delivery import Delivery
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.fakeslack.server import FakeSlack, running_fake_slack
from tests.ops.test_run_process import _sample, get


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ops() -> Iterator[tuple[str, Health, dict[str, bool], Clock, Any]]:

    stop = threading.Event()
    answers = {"cluster": True}
    clock = Clock()
    health = Health(stop=stop, cluster=lambda: answers["cluster"], clock=clock)
    with running_ops(health, Metrics(), host="127.0.0.1", port=0) as port:
        yield f"http://127.0.0.1:{port}", health, answers, clock, stop


def test_ready_only_with_slack_and_the_cluster_and_not_after_sigterm(
    ops: tuple[str, Health, dict[str, bool], Clock, Any],
) -> None:
    url, health, answers, clock, stop = ops
    assert get(url + "/healthz") == (200, "ok\n")
    assert get(url + "/readyz") == (503, "not ready: Slack not connected\n")
    health.slack = lambda: True
    assert get(url + "/readyz") == (200, "ok\n")
    answers["cluster"] = False
    assert get(url + "/readyz") == (200, "ok\n")  # the last answer is reused for a while
    clock.now += CLUSTER_CHECK_SECONDS
    assert get(url + "/readyz") == (503, "not ready: cluster unreachable\n")
    answers["cluster"] = True
    clock.now += CLUSTER_CHECK_SECONDS
    assert get(url + "/readyz")[0] == 200
    stop.set()
    assert get(url + "/readyz") == (503, "not ready: shutting down\n")
    assert get(url + "/healthz")[0] == 200


def test_each_bot_has_its_own_registry() -> None:
    one, other = Metrics(), Metrics()
    one.slack_call("chat.postMessage")
    one.kubernetes_request("GET", 404)
    assert _sample(one.exposition().decode(), "k8s_chatops_slack_api_calls_total") == 1
    assert _sample(one.exposition().decode(), "k8s_chatops_kubernetes_errors_total", code="404")
    assert _sample(other.exposition().decode(), "k8s_chatops_slack_api_calls_total") is None


def test_the_busy_port_is_a_config_error() -> None:

    health = Health(stop=threading.Event(), cluster=lambda: True)
    with running_ops(health, Metrics(), host="127.0.0.1", port=0) as port:
        busy = running_ops(health, Metrics(), host="127.0.0.1", port=port)
        with pytest.raises(ConfigError, match=rf"ops.port: cannot listen on 127.0.0.1:{port}"):
            busy.__enter__()


SETTINGS = Settings.model_validate(
    {
        "notifications": {"routes": [{"namespaces": ["*"], "channel": "C0DEPLOYS"}]},
        "leader_election": {
            # Nothing here waits for a Lease to expire: long enough that a renewal a loaded
            # machine delays does not end the leadership the test reads the gauges of.
            "lease_duration_seconds": 30,
            "renew_deadline_seconds": 20,
            "retry_period_seconds": 0.3,
        },
    }
)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(scenario="demo", speed=20.0) as sb:
        yield sb


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with running_fake_slack() as fake:
        yield fake


def test_notifier_posts_leadership_watch_and_slack_retries_are_counted(
    sandbox: Sandbox, slack: FakeSlack
) -> None:
    metrics = Metrics()
    cluster = Cluster(in_cluster=False, kubeconfig=sandbox.kubeconfig, label="sandbox")
    sink = Delivery(web_client(slack.bot_token, base_url=slack.api_url, metrics=metrics))
    slack.rate_limit("chat.postMessage", times=1)
    timings = NotifierTimings(tick=0.1, edit_interval=0.3, batch_window=0.4)
    with notifications(SETTINGS, cluster, sink, timings=timings, metrics=metrics) as running:
        assert running is not None
        slack.wait_for(running.leading, timeout=30, what="leadership")
        text = metrics.exposition().decode()
        assert _sample(text, "k8s_chatops_leader") == 1
        api = sandbox.api_client()
        try:
            template = {"spec": {"containers": [{"name": "web", "image": "nginx:1.28"}]}}
            client.AppsV1Api(api).patch_namespaced_deployment(
                "web", "prod", {"spec": {"template": template}}
            )
        finally:
            api.close()

        def posted() -> str | None:
            text = metrics.exposition().decode()
            found = _sample(text, "k8s_chatops_notifications_posted_total", kind="post")
            return text if found else None

        text = slack.wait_for(posted, timeout=30, what="a notification")
        lag = _sample(text, "k8s_chatops_notifier_watch_lag_seconds")
        assert lag is not None
        assert lag >= 0
        running.halt()
    # The watch's reader thread ends once the closed client fails its read: soon, not at once.
    slack.wait_for(
        lambda: (
            _sample(metrics.exposition().decode(), "k8s_chatops_notifier_watch_lag_seconds") == 0
        ),
        what="the watch's end",
    )
    text = metrics.exposition().decode()
    assert _sample(text, "k8s_chatops_leader") == 0
    assert _sample(text, "k8s_chatops_slack_rate_limited_total") == 1
    assert _sample(text, "k8s_chatops_slack_api_retries_total", reason="rate_limited") == 1
    assert (_sample(text, "k8s_chatops_slack_api_calls_total", method="chat.postMessage") or 0) >= 1
    requests = _sample(text, "k8s_chatops_kubernetes_requests_total", method="PUT", code="200")
    assert (requests or 0) >= 1  # the Lease renewals
