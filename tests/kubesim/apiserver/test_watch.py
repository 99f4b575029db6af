"""Watch streams via ``kubernetes.watch.Watch``: initial state, resume, bookmarks, 410, drops."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException
from urllib3.exceptions import ProtocolError

from kubesim.testing.harness import Sandbox, running_sandbox

DEADLINE = 20


def open_watches(sb: Sandbox) -> int:
    return int(sb.call(lambda: len(sb.cluster.server.hub)))


def once_watching(sb: Sandbox, action: Callable[[], None], *, count: int = 1) -> threading.Thread:
    """Run ``action`` in a thread as soon as ``count`` watch streams are open."""

    def run() -> None:
        deadline = time.monotonic() + DEADLINE
        while open_watches(sb) < count:
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def cm(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels}, "data": {"v": "1"}}


def take(events: Iterator[dict[str, Any]], n: int) -> list[tuple[str, str]]:
    seen = []
    for event in events:
        obj = event["raw_object"]
        seen.append((event["type"], obj["metadata"].get("name", "")))
        if len(seen) == n:
            break
    return seen


def test_watch_without_version_replays_state_then_changes(
    still: Sandbox, core: Any, ns: str
) -> None:
    core.create_namespaced_config_map(ns, cm("a"))

    def changes() -> None:
        core.create_namespaced_config_map(ns, cm("b"))
        core.patch_namespaced_config_map("a", ns, {"data": {"v": "2"}})
        core.delete_namespaced_config_map("b", ns)

    writer = once_watching(still, changes)
    w = watch.Watch()
    stream = w.stream(core.list_namespaced_config_map, ns, timeout_seconds=DEADLINE)
    assert take(stream, 4) == [("ADDED", "a"), ("ADDED", "b"), ("MODIFIED", "a"), ("DELETED", "b")]
    w.stop()
    writer.join()


def test_watch_resumes_from_a_resource_version(core: Any, ns: str) -> None:
    first = core.create_namespaced_config_map(ns, cm("a"))
    core.patch_namespaced_config_map("a", ns, {"data": {"v": "2"}})
    core.create_namespaced_config_map(ns, cm("b"))
    w = watch.Watch()
    stream = w.stream(
        core.list_namespaced_config_map,
        ns,
        resource_version=first.metadata.resource_version,
        timeout_seconds=DEADLINE,
    )
    assert take(stream, 2) == [("MODIFIED", "a"), ("ADDED", "b")]
    w.stop()


def test_a_resumed_watch_sees_only_its_own_resource(core: Any, apps: Any, ns: str) -> None:
    """The history holds every type's changes; a watch resumed from it replays only its own."""
    first = core.create_namespaced_config_map(ns, cm("a"))
    core.create_namespaced_secret(ns, {"metadata": {"name": "s"}})
    apps.create_namespaced_deployment(
        ns,
        {
            "metadata": {"name": "web"},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx"}]},
                },
            },
        },
    )
    core.create_namespaced_config_map(ns, cm("b"))
    w = watch.Watch()
    stream = w.stream(
        core.list_config_map_for_all_namespaces,
        resource_version=first.metadata.resource_version,
        timeout_seconds=1,
    )
    kinds = [(event["type"], event["raw_object"].get("kind")) for event in stream]
    assert kinds == [("ADDED", "ConfigMap")]
    w.stop()


def test_resumed_watch_replays_only_its_own_type(core: Any, ns: str) -> None:
    """A Secret "a" written after the version is no event of the ConfigMap watch on "a"."""
    first = core.create_namespaced_config_map(ns, cm("a"))
    core.create_namespaced_secret(ns, {"metadata": {"name": "a"}, "data": {}})
    core.patch_namespaced_config_map("a", ns, {"data": {"v": "2"}})
    w = watch.Watch()
    stream = w.stream(
        core.list_namespaced_config_map,
        ns,
        field_selector="metadata.name=a",
        resource_version=first.metadata.resource_version,
        timeout_seconds=DEADLINE,
    )
    event = next(stream)
    assert (event["type"], event["raw_object"].get("kind")) == ("MODIFIED", "ConfigMap")
    w.stop()


def test_watch_from_list_version_sees_only_later_changes(
    still: Sandbox, core: Any, ns: str
) -> None:
    core.create_namespaced_config_map(ns, cm("old"))
    listed = core.list_namespaced_config_map(ns)
    writer = once_watching(still, lambda: core.create_namespaced_config_map(ns, cm("new")))
    w = watch.Watch()
    stream = w.stream(
        core.list_namespaced_config_map,
        ns,
        resource_version=listed.metadata.resource_version,
        timeout_seconds=DEADLINE,
    )
    assert take(stream, 1) == [("ADDED", "new")]
    w.stop()
    writer.join()


def test_selector_watch_sees_objects_enter_and_leave(still: Sandbox, core: Any, ns: str) -> None:
    core.create_namespaced_config_map(ns, cm("a", app="web"))

    def relabel() -> None:
        core.patch_namespaced_config_map("a", ns, {"metadata": {"labels": {"app": "db"}}})
        core.patch_namespaced_config_map("a", ns, {"metadata": {"labels": {"app": "web"}}})

    writer = once_watching(still, relabel)
    w = watch.Watch()
    stream = w.stream(
        core.list_namespaced_config_map, ns, label_selector="app=web", timeout_seconds=DEADLINE
    )
    assert take(stream, 3) == [("ADDED", "a"), ("DELETED", "a"), ("ADDED", "a")]
    w.stop()
    writer.join()


def test_bookmarks_carry_only_a_resource_version(core: Any, ns: str) -> None:
    listed = core.list_namespaced_config_map(ns)
    w = watch.Watch()
    stream = w.stream(
        core.list_namespaced_config_map,
        ns,
        resource_version=listed.metadata.resource_version,
        allow_watch_bookmarks=True,
        timeout_seconds=DEADLINE,
    )
    event = next(iter(stream))
    w.stop()
    assert event["type"] == "BOOKMARK"
    assert event["object"]["kind"] == "ConfigMap"
    assert event["object"]["metadata"] == {"resourceVersion": listed.metadata.resource_version}
    assert w.resource_version == listed.metadata.resource_version


def test_watch_timeout_ends_the_stream(core: Any, ns: str) -> None:
    listed = core.list_namespaced_config_map(ns)
    events = list(
        watch.Watch().stream(
            core.list_namespaced_config_map,
            ns,
            resource_version=listed.metadata.resource_version,
            timeout_seconds=1,
        )
    )
    assert events == []


@pytest.fixture
def short_history() -> Iterator[Sandbox]:
    with running_sandbox(controllers=False, history=3) as sb:
        yield sb


def test_too_old_resource_version_is_410_with_timeout(short_history: Sandbox) -> None:
    with short_history.api_client() as api:
        core = client.CoreV1Api(api)
        first = core.create_namespaced_config_map("default", cm("a"))
        for name in ("b", "c", "d", "e"):
            core.create_namespaced_config_map("default", cm(name))
        w = watch.Watch()
        with pytest.raises(ApiException) as err:
            list(
                w.stream(
                    core.list_namespaced_config_map,
                    "default",
                    resource_version=first.metadata.resource_version,
                    timeout_seconds=DEADLINE,
                )
            )
        assert err.value.status == 410
        assert err.value.reason.startswith(
            f"Expired: too old resource version: {first.metadata.resource_version} ("
        )


def test_too_old_resource_version_is_retried_once_then_raised(short_history: Sandbox) -> None:
    with short_history.api_client() as api:
        core = client.CoreV1Api(api)
        first = core.create_namespaced_config_map("default", cm("a"))
        for name in ("b", "c", "d", "e"):
            core.create_namespaced_config_map("default", cm(name))
        short_history.requests.clear()
        with pytest.raises(ApiException) as err:
            list(
                watch.Watch().stream(
                    core.list_namespaced_config_map,
                    "default",
                    resource_version=first.metadata.resource_version,
                )
            )
        assert err.value.status == 410
        watches = short_history.requests.matching(method="GET", query={"watch": "True"})
        assert len(watches) == 2


def test_injected_expiry_is_survived_by_the_client_retry(
    still: Sandbox, core: Any, ns: str
) -> None:
    listed = core.list_namespaced_config_map(ns)
    still.faults.expire_next_watch()
    writer = once_watching(still, lambda: core.create_namespaced_config_map(ns, cm("new")))
    w = watch.Watch()
    stream = w.stream(
        core.list_namespaced_config_map, ns, resource_version=listed.metadata.resource_version
    )
    assert take(stream, 1) == [("ADDED", "new")]
    w.stop()
    writer.join()


def test_dropped_watch_is_resumed_by_the_client(still: Sandbox, core: Any, ns: str) -> None:
    listed = core.list_namespaced_config_map(ns)

    def drop_then_write() -> None:
        core.create_namespaced_config_map(ns, cm("before"))
        deadline = time.monotonic() + DEADLINE
        while not still.faults.drop_watches(abrupt=False) and time.monotonic() < deadline:
            time.sleep(0.01)
        core.create_namespaced_config_map(ns, cm("after"))

    writer = once_watching(still, drop_then_write)
    w = watch.Watch()
    stream = w.stream(
        core.list_namespaced_config_map, ns, resource_version=listed.metadata.resource_version
    )
    assert take(stream, 2) == [("ADDED", "before"), ("ADDED", "after")]
    w.stop()
    writer.join()
    resumed = still.requests.matching(method="GET", query={"watch": "True"})
    assert len(resumed) >= 2


def test_abruptly_dropped_watch_breaks_the_stream(still: Sandbox, core: Any, ns: str) -> None:
    listed = core.list_namespaced_config_map(ns)
    writer = once_watching(still, lambda: still.faults.drop_watches(abrupt=True))
    response = core.list_namespaced_config_map(
        ns,
        watch=True,
        resource_version=listed.metadata.resource_version,
        _preload_content=False,
    )
    with pytest.raises(ProtocolError, match=r"(?i)(connection|protocol|incomplete|ended)"):
        for _ in response.stream(1024):
            pass
    writer.join()


def test_table_watch_events_are_tables(still: Sandbox, api: Any, core: Any, ns: str) -> None:
    core.create_namespaced_config_map(ns, cm("a"))
    response = api.call_api(
        f"/api/v1/namespaces/{ns}/configmaps",
        "GET",
        query_params=[("watch", "1"), ("timeoutSeconds", "5")],
        header_params={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"},
        auth_settings=["BearerToken"],
        _preload_content=False,
        _return_http_data_only=True,
    )
    line = response.readline()
    response.release_conn()
    event = json.loads(line)
    assert event["type"] == "ADDED"
    assert event["object"]["kind"] == "Table"
    assert event["object"]["rows"][0]["cells"][0] == "a"
