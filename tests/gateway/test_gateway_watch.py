"""The gateway's list+watch against the sandbox over HTTPS, with the faults real watches meet:
dropped and expired streams, server timeouts, a hung server, bookmarks, deadlines and stops."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kubernetes import client

from bot.errors import Forbidden
from bot.gateway import client as clients
from bot.gateway.api import Api
from bot.gateway.watch import EventType, Origin, Watch, WatchEvent, WatchTimeouts
from kubesim.apiserver.request_log import RecordedRequest
from kubesim.testing.harness import Sandbox, running_sandbox

NS = "test"
URL = f"/api/v1/namespaces/{NS}/configmaps"
WAIT = 20.0
FAST = WatchTimeouts(server=30, read=10.0, backoff=0.05, max_backoff=0.2)

ADDED, MODIFIED, DELETED = EventType.ADDED, EventType.MODIFIED, EventType.DELETED


@pytest.fixture
def still() -> Iterator[Sandbox]:
    """No controllers (nothing changes unless the test writes), bookmarks every 0.2 s."""
    with running_sandbox(scenario="empty", controllers=False, bookmark_interval=0.2) as sb:
        yield sb


@pytest.fixture
def quiet() -> Iterator[Sandbox]:
    """No controllers, no bookmarks: a watch stream stays silent unless the test writes."""
    with running_sandbox(scenario="empty", controllers=False, bookmark_interval=3600) as sb:
        yield sb


def api_for(sb: Sandbox) -> Api:
    return Api(clients.prepared(sb.api_client(), connections=4), timeout=5.0, connect_timeout=5.0)


@pytest.fixture
def core(still: Sandbox) -> Iterator[Any]:
    with still.api_client() as api_client:
        core = client.CoreV1Api(api_client)
        core.create_namespace({"metadata": {"name": NS}})
        yield core


@pytest.fixture
def quiet_core(quiet: Sandbox) -> Iterator[Any]:
    with quiet.api_client() as api_client:
        core = client.CoreV1Api(api_client)
        core.create_namespace({"metadata": {"name": NS}})
        yield core


def cm(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels}, "data": {"v": "1"}}


def seen(events: list[WatchEvent]) -> list[tuple[EventType, str]]:
    return [(e.type, e.object["metadata"]["name"]) for e in events]


def watches(sb: Sandbox) -> list[RecordedRequest]:
    return sb.requests.matching(method="GET", path=URL, query={"watch": "true"})


def lists(sb: Sandbox) -> list[RecordedRequest]:
    return [r for r in sb.requests.matching(method="GET", path=URL) if "watch" not in r.query]


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def take(events: Iterator[WatchEvent], n: int) -> list[WatchEvent]:
    return [next(events) for _ in range(n)]


class Follower:
    """Iterates a watch on a thread of its own, so the test can act while it waits."""

    def __init__(self, watch: Watch) -> None:
        self.watch = watch
        self.events: queue.Queue[WatchEvent] = queue.Queue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for event in self.watch:
                self.events.put(event)
        except BaseException as e:  # noqa: BLE001 - handed to the test
            self.error = e

    def take(self, n: int) -> list[WatchEvent]:
        return [self.events.get(timeout=WAIT) for _ in range(n)]

    def close(self) -> None:
        self.watch.stop()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()
        assert self.error is None


@pytest.fixture
def follow() -> Iterator[Callable[[Watch], Follower]]:
    started: list[Follower] = []

    def start(watch: Watch) -> Follower:
        started.append(Follower(watch))
        return started[-1]

    yield start
    for follower in started:
        follower.close()


def test_lists_in_pages_then_watches(still: Sandbox, core: Any) -> None:
    for name in "abc":
        core.create_namespaced_config_map(NS, cm(name))
    watch = Watch(api_for(still), URL, page_size=2, timeouts=FAST)
    initial = list(watch.initial())
    assert seen(initial) == [(ADDED, "a"), (ADDED, "b"), (ADDED, "c")]
    assert {e.origin for e in initial} == {Origin.LIST}
    listed = lists(still)
    assert [r.query["limit"] for r in listed] == ["2", "2"]
    assert "continue" in listed[1].query
    core.patch_namespaced_config_map("a", NS, {"data": {"v": "2"}})
    core.delete_namespaced_config_map("b", NS)
    changes = watch.changes()
    events = take(changes, 2)
    assert seen(events) == [(MODIFIED, "a"), (DELETED, "b")]
    assert {e.origin for e in events} == {Origin.WATCH}
    assert events[0].resource_version == events[0].object["metadata"]["resourceVersion"]
    (request,) = watches(still)
    assert request.query["resourceVersion"] == initial[-1].resource_version
    assert request.query["allowWatchBookmarks"] == "true"
    watch.stop()
    assert list(changes) == []


def test_selectors_are_sent_on_list_and_watch(still: Sandbox, core: Any) -> None:
    core.create_namespaced_config_map(NS, cm("a", app="web"))
    core.create_namespaced_config_map(NS, cm("b", app="db"))
    watch = Watch(api_for(still), URL, labels="app=web", fields="metadata.name=a", timeouts=FAST)
    assert seen(list(watch.initial())) == [(ADDED, "a")]
    core.patch_namespaced_config_map("b", NS, {"data": {"v": "2"}})
    core.patch_namespaced_config_map("a", NS, {"data": {"v": "2"}})
    assert seen(take(iter(watch), 1)) == [(MODIFIED, "a")]
    for request in [*lists(still), *watches(still)]:
        assert request.query["labelSelector"] == "app=web"
        assert request.query["fieldSelector"] == "metadata.name=a"
    watch.stop()


@pytest.mark.parametrize("abrupt", [True, False], ids=["reset", "clean-end"])
def test_a_dropped_watch_resumes_without_loss_or_repeats(
    still: Sandbox, core: Any, *, abrupt: bool
) -> None:
    watch = Watch(api_for(still), URL, timeouts=FAST)
    assert list(watch.initial()) == []
    changes = iter(watch)
    core.create_namespaced_config_map(NS, cm("a"))
    (first,) = take(changes, 1)
    # The iterator is not reading now: what happens next happens while it is disconnected.
    assert still.faults.drop_watches(abrupt=abrupt) == 1
    core.create_namespaced_config_map(NS, cm("b"))
    core.patch_namespaced_config_map("a", NS, {"data": {"v": "2"}})
    core.create_namespaced_config_map(NS, cm("c"))
    assert seen(take(changes, 3)) == [(ADDED, "b"), (MODIFIED, "a"), (ADDED, "c")]
    _, resumed = watches(still)
    assert resumed.query["resourceVersion"] == first.resource_version
    assert len(lists(still)) == 1
    core.delete_namespaced_config_map("a", NS)
    assert seen(take(changes, 1)) == [(DELETED, "a")]
    watch.stop()


def test_an_expired_watch_relists_and_reports_what_it_missed(still: Sandbox, core: Any) -> None:
    for name in "abc":
        core.create_namespaced_config_map(NS, cm(name))
    watch = Watch(api_for(still), URL, timeouts=FAST)
    changes = iter(watch)
    assert len(take(changes, 3)) == 3
    core.patch_namespaced_config_map("c", NS, {"data": {"v": "2"}})
    assert seen(take(changes, 1)) == [(MODIFIED, "c")]
    still.faults.expire_next_watch()
    assert still.faults.drop_watches(abrupt=True) == 1
    core.delete_namespaced_config_map("b", NS)
    core.patch_namespaced_config_map("a", NS, {"data": {"v": "2"}})
    core.create_namespaced_config_map(NS, cm("d"))
    events = take(changes, 3)
    assert sorted(seen(events)) == [(ADDED, "d"), (DELETED, "b"), (MODIFIED, "a")]
    assert {e.origin for e in events} == {Origin.RELIST}
    deleted = next(e for e in events if e.type is DELETED)
    assert deleted.object["metadata"]["namespace"] == NS
    assert len(lists(still)) == 2
    core.delete_namespaced_config_map("a", NS)
    assert seen(take(changes, 1)) == [(DELETED, "a")]  # watching again, from the re-list
    assert len(watch) == 2  # c and d
    watch.stop()


def test_a_relist_answered_410_starts_over(still: Sandbox, core: Any) -> None:
    core.create_namespaced_config_map(NS, cm("a"))
    watch = Watch(api_for(still), URL, timeouts=FAST)
    changes = iter(watch)
    assert seen(take(changes, 1)) == [(ADDED, "a")]
    core.create_namespaced_config_map(NS, cm("b"))
    assert seen(take(changes, 1)) == [(ADDED, "b")]
    still.faults.expire_next_watch()
    still.faults.respond(410, method="GET", path=f"^{URL}$", query={"limit": "500"}, times=1)
    assert still.faults.drop_watches(abrupt=True) == 1
    core.delete_namespaced_config_map("a", NS)
    assert seen(take(changes, 1)) == [(DELETED, "a")]
    assert len(lists(still)) == 3  # the first, the one answered 410, the one that worked
    watch.stop()


def test_watches_a_collection_across_namespaces(still: Sandbox, core: Any) -> None:
    core.create_namespace({"metadata": {"name": "other"}})
    watch = Watch(api_for(still), "/api/v1/configmaps", labels="app=web", timeouts=FAST)
    assert list(watch.initial()) == []
    core.create_namespaced_config_map(NS, cm("a", app="web"))
    core.create_namespaced_config_map("other", cm("b", app="web"))
    events = take(iter(watch), 2)
    assert [(e.object["metadata"]["namespace"], e.object["metadata"]["name"]) for e in events] == [
        (NS, "a"),
        ("other", "b"),
    ]
    watch.stop()


def test_history_too_short_for_the_gap_relists() -> None:
    with running_sandbox(scenario="empty", controllers=False, history=3) as sb:  # noqa: SIM117
        with sb.api_client() as api_client:
            core = client.CoreV1Api(api_client)
            core.create_namespace({"metadata": {"name": NS}})
            core.create_namespaced_config_map(NS, cm("gone"))
            watch = Watch(api_for(sb), URL, timeouts=FAST)
            changes = iter(watch)
            assert seen(take(changes, 1)) == [(ADDED, "gone")]
            core.create_namespaced_config_map(NS, cm("x"))
            assert seen(take(changes, 1)) == [(ADDED, "x")]
            assert sb.faults.drop_watches(abrupt=True) == 1
            core.delete_namespaced_config_map("gone", NS)
            for i in range(5):  # push the last resourceVersion seen out of the history
                core.create_namespaced_config_map(NS, cm(f"n{i}"))
            events = take(changes, 6)
            assert sorted(seen(events)) == sorted(
                [(DELETED, "gone")] + [(ADDED, f"n{i}") for i in range(5)]
            )
            assert {e.origin for e in events} == {Origin.RELIST}
            watch.stop()


def test_bookmarks_advance_the_resource_version(
    still: Sandbox, core: Any, follow: Callable[[Watch], Follower]
) -> None:
    watch = Watch(api_for(still), URL, labels="app=web", timeouts=FAST)
    follower = follow(watch)
    wait_until(lambda: len(watches(still)) == 1, "the watch to start")
    other = core.create_namespaced_config_map(NS, cm("other", app="db"))
    after = int(other.metadata.resource_version)
    wait_until(lambda: int(watch.resource_version or 0) >= after, "a bookmark past the write")
    assert follower.events.empty()  # bookmarks are not reported as changes
    bookmarked = watch.resource_version
    assert still.faults.drop_watches(abrupt=True) == 1
    wait_until(lambda: len(watches(still)) == 2, "the watch to resume")
    assert int(watches(still)[1].query["resourceVersion"]) >= int(bookmarked)
    core.create_namespaced_config_map(NS, cm("web", app="web"))
    assert seen(follower.take(1)) == [(ADDED, "web")]


def test_the_server_timeout_ends_the_stream_and_it_resumes(
    still: Sandbox, core: Any, follow: Callable[[Watch], Follower]
) -> None:
    timeouts = WatchTimeouts(server=1, read=10.0, backoff=0.05)
    follower = follow(Watch(api_for(still), URL, timeouts=timeouts))
    wait_until(lambda: len(watches(still)) >= 3, "two reconnects after the server timeout")
    assert all(r.query["timeoutSeconds"] == "1" for r in watches(still))
    assert len(lists(still)) == 1
    core.create_namespaced_config_map(NS, cm("a"))
    assert seen(follower.take(1)) == [(ADDED, "a")]


def test_a_hung_server_trips_the_read_timeout(
    still: Sandbox, core: Any, follow: Callable[[Watch], Follower]
) -> None:
    still.faults.delay(3600, method="GET", path=URL, query={"watch": "true"}, times=1)
    timeouts = WatchTimeouts(server=30, read=0.5, backoff=0.05)
    follower = follow(Watch(api_for(still), URL, timeouts=timeouts))
    wait_until(lambda: len(watches(still)) == 2, "a second watch after the read timeout")
    core.create_namespaced_config_map(NS, cm("a"))
    assert seen(follower.take(1)) == [(ADDED, "a")]
    hung, resumed = watches(still)[:2]  # a silent resumed stream may time out again: later ones
    assert resumed.query["resourceVersion"] == hung.query["resourceVersion"]


def test_a_silent_stream_trips_the_read_timeout(
    quiet: Sandbox, quiet_core: Any, follow: Callable[[Watch], Follower]
) -> None:
    timeouts = WatchTimeouts(server=30, read=0.5, backoff=0.05)
    follower = follow(Watch(api_for(quiet), URL, timeouts=timeouts))
    wait_until(lambda: len(watches(quiet)) >= 2, "a new watch after a silent one")
    quiet_core.create_namespaced_config_map(NS, cm("a"))
    assert seen(follower.take(1)) == [(ADDED, "a")]
    assert len(lists(quiet)) == 1


@pytest.mark.parametrize("status", [503, 429])
def test_overload_is_retried(still: Sandbox, core: Any, status: int) -> None:
    still.faults.respond(status, method="GET", path=URL, query={"watch": "true"}, times=2)
    watch = Watch(api_for(still), URL, timeouts=FAST)
    assert list(watch.initial()) == []
    changes = iter(watch)
    core.create_namespaced_config_map(NS, cm("a"))
    assert seen(take(changes, 1)) == [(ADDED, "a")]
    assert len(watches(still)) == 3
    watch.stop()


def test_a_refused_watch_is_raised(still: Sandbox, core: Any) -> None:
    still.faults.respond(403, method="GET", path=URL, query={"watch": "true"}, times=1)
    watch = Watch(api_for(still), URL, timeouts=FAST)
    with pytest.raises(Forbidden):
        list(watch)


def test_the_deadline_ends_the_iteration(still: Sandbox, core: Any) -> None:
    watch = Watch(api_for(still), URL, timeouts=FAST, deadline=time.monotonic() + 1)
    assert list(watch) == []
    assert all(int(r.query["timeoutSeconds"]) <= 1 for r in watches(still))


def test_stop_interrupts_a_silent_stream(quiet: Sandbox, quiet_core: Any) -> None:
    timeouts = WatchTimeouts(server=3600, read=3600.0)
    watch = Watch(api_for(quiet), URL, timeouts=timeouts)
    follower = Follower(watch)
    wait_until(lambda: int(quiet.call(lambda: len(quiet.cluster.server.hub))) == 1, "a stream")
    follower.close()
    assert len(watches(quiet)) == 1


def test_a_stop_event_set_before_iterating_ends_it_after_the_list(
    still: Sandbox, core: Any
) -> None:
    core.create_namespaced_config_map(NS, cm("a"))
    stop = threading.Event()
    stop.set()
    watch = Watch(api_for(still), URL, timeouts=FAST, stop=stop)
    assert seen(list(watch)) == [(ADDED, "a")]
    assert watches(still) == []
