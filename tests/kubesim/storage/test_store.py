"""The Store's write rules: metadata, resource versions, conflicts, deletes, feeds and history."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kubesim.api import status
from kubesim.api.resources import by_kind
from kubesim.machinery.clock import Clock
from kubesim.storage.store import Store

POD, DEPLOY, CM, NS = (by_kind(k) for k in ("Pod", "Deployment", "ConfigMap", "Namespace"))
RS = by_kind("ReplicaSet")


@pytest.fixture
def store() -> Store:
    fresh = Store(clock=Clock())
    fresh.create(NS, {"metadata": {"name": "default"}})
    return fresh


def pod(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], **spec},
    }


def deployment(name: str = "web", replicas: int = 1) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
            },
        },
    }


def test_create_assigns_identity_and_a_new_resource_version(store: Store) -> None:
    before = store.resource_version
    created = store.create(CM, {"metadata": {"name": "a", "namespace": "default"}})
    meta = created["metadata"]
    assert meta["resourceVersion"] == str(before + 1) == str(store.resource_version)
    assert len(meta["uid"]) == 36
    assert meta["creationTimestamp"].endswith("Z")
    assert "generation" not in meta
    assert (created["apiVersion"], created["kind"]) == ("v1", "ConfigMap")
    assert store.create(DEPLOY, deployment())["metadata"]["generation"] == 1


def test_reads_are_copies(store: Store) -> None:
    store.create(CM, {"metadata": {"name": "a", "namespace": "default"}, "data": {"k": "v"}})
    store.get(CM, "default", "a")["data"]["k"] = "changed"
    store.list(CM, "default")[0]["data"]["k"] = "changed"
    assert store.get(CM, "default", "a")["data"] == {"k": "v"}


def test_missing_namespace_and_taken_names(store: Store) -> None:
    with pytest.raises(status.ApiError) as missing:
        store.create(CM, {"metadata": {"name": "a", "namespace": "nowhere"}})
    assert missing.value.message == 'namespaces "nowhere" not found'
    store.create(CM, {"metadata": {"name": "a", "namespace": "default"}})
    with pytest.raises(status.ApiError) as taken:
        store.create(CM, {"metadata": {"name": "a", "namespace": "default"}})
    assert (taken.value.code, taken.value.reason) == (409, "AlreadyExists")


def test_replace_with_a_stale_version_conflicts(store: Store) -> None:
    created = store.create(CM, {"metadata": {"name": "a", "namespace": "default"}})
    store.replace(CM, {**created, "data": {"k": "1"}})
    with pytest.raises(status.ApiError) as err:
        store.replace(CM, {**created, "data": {"k": "2"}})
    assert (err.value.code, err.value.reason) == (409, "Conflict")


def test_generation_counts_spec_changes(store: Store) -> None:
    created = store.create(DEPLOY, deployment())
    labelled = store.mutate(
        DEPLOY, "default", "web", lambda d: d["metadata"].update(labels={"a": "b"})
    )
    assert labelled["metadata"]["generation"] == 1
    created["spec"]["replicas"] = 3
    del created["metadata"]["resourceVersion"]
    assert store.replace(DEPLOY, created)["metadata"]["generation"] == 2


def test_a_deployment_annotation_bumps_its_generation_unless_written_with_the_status(
    store: Store,
) -> None:
    store.create(DEPLOY, deployment())

    def note(value: str) -> Any:
        return lambda d: d["metadata"].setdefault("annotations", {}).update(note=value)

    annotated = store.mutate(DEPLOY, "default", "web", note("a"))
    assert annotated["metadata"]["generation"] == 2  # deploymentStrategy.PrepareForUpdate
    via_status = store.mutate(DEPLOY, "default", "web", note("b"), subresource="status")
    assert via_status["metadata"]["annotations"]["note"] == "b"
    assert via_status["metadata"]["generation"] == 2
    store.create(RS, deployment("web-1"))  # a ReplicaSet's spec has the same shape
    rs = store.mutate(RS, "default", "web-1", note("a"))
    assert rs["metadata"]["generation"] == 1  # a ReplicaSet counts spec changes only


def test_main_resource_and_status_subresource_own_their_halves(store: Store) -> None:
    store.create(DEPLOY, deployment())

    def set_status(d: dict[str, Any]) -> None:
        d["status"] = {"replicas": 1}
        d["spec"]["replicas"] = 9

    via_main = store.mutate(DEPLOY, "default", "web", set_status)
    assert via_main["spec"]["replicas"] == 9
    assert "status" not in via_main
    via_status = store.mutate(DEPLOY, "default", "web", set_status, subresource="status")
    assert via_status["status"] == {"replicas": 1}
    assert via_status["spec"]["replicas"] == 9


def test_unchanged_writes_are_not_written(store: Store) -> None:
    store.create(CM, {"metadata": {"name": "a", "namespace": "default"}})
    seen: list[str] = []
    store.subscribe(lambda kind, rt, obj: seen.append(kind))
    rv = store.resource_version
    store.mutate(CM, "default", "a", lambda obj: None)
    store.replace(CM, store.get(CM, "default", "a"))
    assert store.resource_version == rv
    assert seen == []


def test_subscribers_hear_each_write_after_it(store: Store) -> None:
    async def scenario() -> list[tuple[str, str, str]]:
        heard: list[tuple[str, str, str]] = []

        def listener(kind: str, rt: Any, obj: dict[str, Any]) -> None:
            heard.append((kind, rt.kind, obj["metadata"]["resourceVersion"]))

        unsubscribe = store.subscribe(listener)
        created = store.create(CM, {"metadata": {"name": "a", "namespace": "default"}})
        assert heard == []  # never re-entrant: delivered via call_soon
        await asyncio.sleep(0)
        store.delete(CM, "default", "a")
        await asyncio.sleep(0)
        unsubscribe()
        store.create(CM, {"metadata": {"name": "b", "namespace": "default"}})
        await asyncio.sleep(0)
        assert heard[0][2] == created["metadata"]["resourceVersion"]
        return heard

    heard = asyncio.run(scenario())
    assert [(kind, rt) for kind, rt, _ in heard] == [
        ("ADDED", "ConfigMap"),
        ("DELETED", "ConfigMap"),
    ]


def test_scheduled_pods_terminate_gracefully(store: Store) -> None:
    store.create(POD, pod("web", nodeName="node-1", terminationGracePeriodSeconds=5))
    marked = store.delete(POD, "default", "web")
    assert marked["metadata"]["deletionGracePeriodSeconds"] == 5
    assert store.find(POD, "default", "web") is not None
    again = store.delete(POD, "default", "web")
    assert again["metadata"]["resourceVersion"] == marked["metadata"]["resourceVersion"]
    store.delete(POD, "default", "web", grace_period_seconds=0)
    assert store.find(POD, "default", "web") is None


def test_unscheduled_pods_go_at_once(store: Store) -> None:
    store.create(POD, pod("web"))
    store.delete(POD, "default", "web")
    assert store.find(POD, "default", "web") is None


def test_orphan_propagation_frees_dependents(store: Store) -> None:
    owner = store.create(DEPLOY, deployment())
    ref = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "web",
        "uid": owner["metadata"]["uid"],
    }
    store.create(
        CM, {"metadata": {"name": "child", "namespace": "default", "ownerReferences": [ref]}}
    )
    store.delete(DEPLOY, "default", "web", propagation="Orphan")
    assert "ownerReferences" not in store.get(CM, "default", "child")["metadata"]


def test_deleting_a_namespace_deletes_its_contents(store: Store) -> None:
    store.create(NS, {"metadata": {"name": "tmp"}})
    store.create(CM, {"metadata": {"name": "a", "namespace": "tmp"}})
    gone = store.delete(NS, None, "tmp")
    assert gone["status"]["phase"] == "Terminating"
    assert store.list(CM, "tmp") == []
    with pytest.raises(status.ApiError) as err:
        store.delete(NS, None, "default")
    assert err.value.code == 403


def test_history_resumes_and_expires() -> None:
    small = Store(clock=Clock(), history=3)
    small.create(NS, {"metadata": {"name": "default"}})
    for name in "abcd":
        small.create(CM, {"metadata": {"name": name, "namespace": "default"}})
    rv = small.resource_version
    assert [c.obj["metadata"]["name"] for c in small.changes_since(rv - 2)] == ["c", "d"]
    assert small.changes_since(rv) == []
    with pytest.raises(status.ApiError) as err:
        small.changes_since(1)
    assert err.value.code == 410
    assert err.value.message == f"too old resource version: 1 ({small.oldest_resource_version})"


def test_deleted_changes_carry_the_delete_version(store: Store) -> None:
    store.create(CM, {"metadata": {"name": "a", "namespace": "default"}})
    before = store.resource_version
    store.delete(CM, "default", "a")
    (change,) = store.changes_since(before)
    assert change.type == "DELETED"
    assert change.obj["metadata"]["resourceVersion"] == str(store.resource_version)


def test_generate_name(store: Store) -> None:
    made = store.create(CM, {"metadata": {"generateName": "job-", "namespace": "default"}})
    assert made["metadata"]["name"].startswith("job-")
    assert made["metadata"]["generateName"] == "job-"


def test_invalid_objects_are_refused_with_causes(store: Store) -> None:
    with pytest.raises(status.ApiError) as err:
        store.create(DEPLOY, deployment(replicas=-1))
    assert (err.value.code, err.value.reason) == (422, "Invalid")
    assert err.value.details is not None
    assert err.value.details["causes"][0]["field"] == "spec.replicas"


def test_dry_run_writes_nothing(store: Store) -> None:
    rv = store.resource_version
    made = store.create(CM, {"metadata": {"name": "a", "namespace": "default"}}, dry_run=True)
    assert made["metadata"]["uid"]
    assert store.find(CM, "default", "a") is None
    assert store.resource_version == rv


def test_adopted_objects_are_stored_without_copies(store: Store) -> None:
    body = {"metadata": {"name": "a", "namespace": "default"}, "data": {"k": "v"}}
    stored = store.create(CM, body, adopt=True)
    assert stored is body
    assert store.peek(CM, "default", "a") is body
    assert store.get(CM, "default", "a") == body
