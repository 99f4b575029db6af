"""The record of signed Slack requests taken, in the bot's namespace of the sandbox."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kubernetes import client

from bot.gateway.api import Api
from bot.gateway.gateway import KubernetesGateway
from bot.gateway.seen_requests import LABEL, SeenRequests, record_name
from kubesim.testing.harness import Sandbox


@pytest.fixture
def core(cluster: Sandbox) -> Iterator[Any]:
    api = cluster.api_client()
    try:
        yield client.CoreV1Api(api)
    finally:
        api.close()


def _records(core: Any) -> list[str]:
    found = core.list_namespaced_config_map("default", label_selector=LABEL).items
    return sorted(item.metadata.name for item in found)


def test_a_signature_is_taken_once(gw: KubernetesGateway, core: Any) -> None:
    seen = gw.seen_requests(namespace="default")
    other = gw.seen_requests(namespace="default")  # another replica's
    assert seen.first_time("v0=aa")
    assert not other.first_time("v0=aa")
    assert not seen.first_time("v0=aa")
    assert other.first_time("v0=bb")
    assert _records(core) == sorted([record_name("v0=aa"), record_name("v0=bb")])


def test_expired_records_are_swept_at_most_once_a_minute(core: Any, cluster: Sandbox) -> None:
    now = [1_000_000.0]
    api = Api(cluster.api_client(), timeout=10, connect_timeout=5)
    seen = SeenRequests(
        api, namespace="default", window=300, clock=lambda: now[0], run_apart=lambda job: job()
    )
    assert seen.first_time("v0=old")
    now[0] += 200
    assert seen.first_time("v0=new")
    assert len(_records(core)) == 2
    now[0] += 150  # "old" expired, "new" has 150 s left, and a sweep is due
    assert seen.first_time("v0=newer")
    assert _records(core) == sorted([record_name("v0=new"), record_name("v0=newer")])
    now[0] += 400  # both expired
    assert seen.first_time("v0=newest")
    assert _records(core) == [record_name("v0=newest")]
    mark = len(cluster.requests)
    now[0] += 10
    assert seen.first_time("v0=later")
    assert [r.method for r in cluster.requests.all()[mark:]] == ["POST"]  # no sweep yet


def test_the_sweep_runs_apart_from_the_request_that_is_due(core: Any, cluster: Sandbox) -> None:
    now = [1_000_000.0]
    due: list[Callable[[], None]] = []
    api = Api(cluster.api_client(), timeout=10, connect_timeout=5)
    seen = SeenRequests(
        api, namespace="default", window=300, clock=lambda: now[0], run_apart=due.append
    )
    assert seen.first_time("v0=old")
    now[0] += 400
    mark = len(cluster.requests)
    assert seen.first_time("v0=new")
    assert [r.method for r in cluster.requests.all()[mark:]] == ["POST"]  # only its own record
    (sweep,) = due
    now[0] += 120
    assert seen.first_time("v0=newer")
    assert len(due) == 1  # no second sweep while the first has not run
    sweep()
    assert _records(core) == sorted([record_name("v0=new"), record_name("v0=newer")])


def test_the_default_sweep_runs_on_a_thread_of_its_own(core: Any, cluster: Sandbox) -> None:
    now = [1_000_000.0]
    api = Api(cluster.api_client(), timeout=10, connect_timeout=5)
    seen = SeenRequests(api, namespace="default", window=300, clock=lambda: now[0])
    assert seen.first_time("v0=old")
    now[0] += 400
    assert seen.first_time("v0=new")
    deadline = time.monotonic() + 10
    while _records(core) != [record_name("v0=new")]:
        assert time.monotonic() < deadline, "the expired record was not swept"
        time.sleep(0.05)  # polling the cluster: the sweep's thread has no event to wait on


def test_a_cluster_that_cannot_answer_lets_the_request_through(
    gw: KubernetesGateway, cluster: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    cluster.faults.respond(403, method="POST", path="/configmaps$", reason="Forbidden")
    seen = gw.seen_requests(namespace="default")
    assert seen.first_time("v0=cc")
    assert seen.first_time("v0=cc")  # the process's own memory refuses replays (slack_http)
    assert "could not record a Slack request in the cluster" in caplog.text
