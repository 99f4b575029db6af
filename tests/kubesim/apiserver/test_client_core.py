"""The official client's CoreV1Api against the sandbox: CRUD, selectors, pagination, patches."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException


def pod(name: str, labels: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], **spec},
    }


def status_of(err: ApiException) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(err.body)
    return body


def test_create_fills_metadata_and_defaults(core: Any, ns: str) -> None:
    created = core.create_namespaced_pod(ns, pod("web-1"))
    meta = created.metadata
    assert meta.uid
    assert meta.creation_timestamp
    assert meta.namespace == ns
    assert int(meta.resource_version) > 0
    assert created.status.phase == "Pending"
    assert created.spec.containers[0].image_pull_policy == "IfNotPresent"
    assert created.spec.restart_policy == "Always"


def test_resource_versions_increase_cluster_wide(core: Any, ns: str) -> None:
    first = core.create_namespaced_config_map(ns, {"metadata": {"name": "a"}})
    second = core.create_namespaced_secret(ns, {"metadata": {"name": "b"}})
    assert int(second.metadata.resource_version) > int(first.metadata.resource_version)
    listed = core.list_namespaced_config_map(ns)
    assert int(listed.metadata.resource_version) >= int(second.metadata.resource_version)


def test_generate_name_makes_a_unique_name(core: Any, ns: str) -> None:
    body = {"metadata": {"generateName": "job-"}, "data": {"k": "v"}}
    one = core.create_namespaced_config_map(ns, body)
    two = core.create_namespaced_config_map(ns, body)
    assert one.metadata.name.startswith("job-")
    assert len(one.metadata.name) == len("job-") + 5
    assert one.metadata.name != two.metadata.name


def test_dry_run_create_stores_nothing(core: Any, ns: str) -> None:
    core.create_namespaced_config_map(ns, {"metadata": {"name": "dry"}}, dry_run="All")
    with pytest.raises(ApiException) as err:
        core.read_namespaced_config_map("dry", ns)
    assert err.value.status == 404


def test_name_taken_is_already_exists(core: Any, ns: str) -> None:
    core.create_namespaced_pod(ns, pod("web"))
    with pytest.raises(ApiException) as err:
        core.create_namespaced_pod(ns, pod("web"))
    assert err.value.status == 409
    assert status_of(err.value)["reason"] == "AlreadyExists"
    assert status_of(err.value)["message"] == 'pods "web" already exists'


def test_missing_namespace_is_not_found(core: Any) -> None:
    with pytest.raises(ApiException) as err:
        core.create_namespaced_pod("nowhere", pod("web"))
    assert err.value.status == 404
    assert status_of(err.value)["message"] == 'namespaces "nowhere" not found'


def test_invalid_object_is_422_with_causes(core: Any, ns: str) -> None:
    with pytest.raises(ApiException) as err:
        core.create_namespaced_pod(ns, pod("Bad_Name"))
    body = status_of(err.value)
    assert err.value.status == 422
    assert body["reason"] == "Invalid"
    assert body["message"].startswith('Pod "Bad_Name" is invalid: metadata.name: Invalid value')
    assert body["details"]["causes"][0]["field"] == "metadata.name"


def test_read_missing_is_not_found(core: Any, ns: str) -> None:
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod("ghost", ns)
    body = status_of(err.value)
    assert (err.value.status, body["reason"]) == (404, "NotFound")
    assert body["message"] == 'pods "ghost" not found'
    assert body["details"] == {"name": "ghost", "group": "", "kind": "pods"}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("app=web", ["a", "b"]),
        ("app==web", ["a", "b"]),
        ("app!=web", ["c", "d"]),
        ("app in (web,db)", ["a", "b", "c"]),
        ("app notin (web)", ["c", "d"]),
        ("tier", ["b", "c"]),
        ("!tier", ["a", "d"]),
        ("app=web,tier=front", ["b"]),
    ],
)
def test_list_by_label_selector(core: Any, ns: str, selector: str, expected: list[str]) -> None:
    for name, labels in {
        "a": {"app": "web"},
        "b": {"app": "web", "tier": "front"},
        "c": {"app": "db", "tier": "back"},
        "d": {},
    }.items():
        core.create_namespaced_config_map(ns, {"metadata": {"name": name, "labels": labels}})
    found = core.list_namespaced_config_map(ns, label_selector=selector)
    assert [o.metadata.name for o in found.items] == expected


def test_list_across_namespaces_by_field_selector(core: Any, ns: str) -> None:
    core.create_namespace({"metadata": {"name": "prod"}})
    core.create_namespaced_pod(ns, pod("web"))
    core.create_namespaced_pod("prod", pod("web"))
    core.create_namespaced_pod("prod", pod("api"))
    everywhere = core.list_pod_for_all_namespaces(field_selector="metadata.name=web")
    assert [(p.metadata.namespace, p.metadata.name) for p in everywhere.items] == [
        ("prod", "web"),
        (ns, "web"),
    ]
    not_prod = core.list_pod_for_all_namespaces(field_selector="metadata.namespace!=prod")
    assert [p.metadata.name for p in not_prod.items] == ["web"]
    pending = core.list_namespaced_pod("prod", field_selector="status.phase=Pending")
    assert len(pending.items) == 2


def test_unknown_field_label_is_bad_request(core: Any, ns: str) -> None:
    with pytest.raises(ApiException) as err:
        core.list_namespaced_pod(ns, field_selector="spec.image=nginx")
    assert err.value.status == 400
    assert status_of(err.value)["message"] == "field label not supported: spec.image"


def test_event_field_selectors(core: Any, ns: str) -> None:
    event = {
        "metadata": {"name": "web.1"},
        "involvedObject": {"kind": "Deployment", "name": "web", "namespace": ns},
        "reason": "ScalingReplicaSet",
        "type": "Normal",
        "message": "Scaled up",
    }
    core.create_namespaced_event(ns, event)
    found = core.list_namespaced_event(
        ns,
        field_selector="involvedObject.kind=Deployment,involvedObject.name=web,type=Normal",
    )
    assert [e.reason for e in found.items] == ["ScalingReplicaSet"]
    assert not core.list_namespaced_event(ns, field_selector="reason=Killing").items


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("app in web", "unable to parse requirement: found 'web' expected: '('"),
        ("app=web x", "found 'x', expected: ',' or 'end of string'"),
        ("=web", "found '=', expected: !, identifier, or 'end of string'"),
    ],
)
def test_bad_label_selector_is_bad_request(core: Any, ns: str, selector: str, message: str) -> None:
    with pytest.raises(ApiException) as err:
        core.list_namespaced_pod(ns, label_selector=selector)
    body = status_of(err.value)
    assert (err.value.status, body["reason"], body["message"]) == (400, "BadRequest", message)


def test_pagination_walks_every_item_once(core: Any, ns: str) -> None:
    names = [f"cm-{i:02d}" for i in range(7)]
    for name in names:
        core.create_namespaced_config_map(ns, {"metadata": {"name": name}})
    seen, token, pages = [], None, 0
    while True:
        page = core.list_namespaced_config_map(ns, limit=3, _continue=token)
        pages += 1
        seen += [o.metadata.name for o in page.items]
        token = page.metadata._continue
        if not token:
            break
        assert page.metadata.remaining_item_count == len(names) - len(seen)
    assert seen == names
    assert pages == 3


def test_garbled_continue_token_is_bad_request(core: Any, ns: str) -> None:
    with pytest.raises(ApiException) as err:
        core.list_namespaced_config_map(ns, limit=1, _continue="not-a-token")
    assert err.value.status == 400


def test_stale_update_conflicts(core: Any, ns: str) -> None:
    created = core.create_namespaced_config_map(
        ns, {"metadata": {"name": "cfg"}, "data": {"a": "1"}}
    )
    created.data = {"a": "2"}
    core.replace_namespaced_config_map("cfg", ns, created)
    created.data = {"a": "3"}
    with pytest.raises(ApiException) as err:
        core.replace_namespaced_config_map("cfg", ns, created)
    body = status_of(err.value)
    assert (err.value.status, body["reason"]) == (409, "Conflict")
    assert body["message"] == (
        'Operation cannot be fulfilled on configmaps "cfg": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )


def test_update_without_resource_version_is_unconditional(core: Any, ns: str) -> None:
    core.create_namespaced_config_map(ns, {"metadata": {"name": "cfg"}, "data": {"a": "1"}})
    updated = core.replace_namespaced_config_map(
        "cfg", ns, {"metadata": {"name": "cfg"}, "data": {"a": "9"}}
    )
    assert updated.data == {"a": "9"}


def test_update_that_changes_nothing_keeps_the_resource_version(core: Any, ns: str) -> None:
    created = core.create_namespaced_config_map(
        ns, {"metadata": {"name": "cfg"}, "data": {"a": "1"}}
    )
    same = core.replace_namespaced_config_map("cfg", ns, created)
    assert same.metadata.resource_version == created.metadata.resource_version


def test_patch_content_types(core: Any, ns: str) -> None:
    core.create_namespaced_config_map(
        ns, {"metadata": {"name": "cfg", "labels": {"a": "1"}}, "data": {"x": "1"}}
    )
    merged = core.patch_namespaced_config_map(
        "cfg",
        ns,
        {"metadata": {"labels": {"a": None, "b": "2"}}},
        _content_type="application/merge-patch+json",
    )
    assert merged.metadata.labels == {"b": "2"}
    strategic = core.patch_namespaced_config_map("cfg", ns, {"data": {"y": "2"}})
    assert strategic.data == {"x": "1", "y": "2"}
    jsonpatched = core.patch_namespaced_config_map(
        "cfg", ns, [{"op": "replace", "path": "/data/x", "value": "9"}]
    )
    assert jsonpatched.data == {"x": "9", "y": "2"}


def test_strategic_patch_merges_containers_by_name(core: Any, ns: str) -> None:
    body = pod("web")
    body["spec"]["containers"].append({"name": "sidecar", "image": "busybox:1.36"})
    core.create_namespaced_pod(ns, body)
    patched = core.patch_namespaced_pod(
        "web", ns, {"spec": {"containers": [{"name": "sidecar", "image": "busybox:1.37"}]}}
    )
    images = [(c.name, c.image) for c in patched.spec.containers]
    assert images == [("app", "nginx:1.27"), ("sidecar", "busybox:1.37")]


def test_json_patch_that_does_not_apply_is_422(core: Any, ns: str) -> None:
    core.create_namespaced_config_map(ns, {"metadata": {"name": "cfg"}})
    with pytest.raises(ApiException) as err:
        core.patch_namespaced_config_map(
            "cfg", ns, [{"op": "replace", "path": "/data/missing", "value": "1"}]
        )
    assert err.value.status == 422


def test_patch_of_missing_object_is_not_found(core: Any, ns: str) -> None:
    with pytest.raises(ApiException) as err:
        core.patch_namespaced_config_map("ghost", ns, {"data": {"a": "1"}})
    assert err.value.status == 404


def test_delete_returns_status_or_object_per_kind(core: Any, ns: str) -> None:
    core.create_namespaced_config_map(ns, {"metadata": {"name": "cfg"}})
    gone = core.delete_namespaced_config_map("cfg", ns)
    assert (gone.kind, gone.status, gone.details.name, gone.details.kind) == (
        "Status",
        "Success",
        "cfg",
        "configmaps",
    )
    core.create_namespaced_service(
        ns, {"metadata": {"name": "svc"}, "spec": {"ports": [{"port": 80}]}}
    )
    deleted = core.delete_namespaced_service("svc", ns)
    assert deleted.kind == "Service"


def test_scheduled_pod_delete_is_graceful(core: Any, ns: str) -> None:
    core.create_namespaced_pod(ns, pod("web", nodeName="node-1"))
    terminating = core.delete_namespaced_pod("web", ns, grace_period_seconds=20)
    assert terminating.metadata.deletion_timestamp is not None
    assert terminating.metadata.deletion_grace_period_seconds == 20
    assert core.read_namespaced_pod("web", ns).metadata.deletion_timestamp is not None
    core.delete_namespaced_pod("web", ns, grace_period_seconds=0)
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod("web", ns)
    assert err.value.status == 404


def test_unscheduled_pod_delete_is_immediate(core: Any, ns: str) -> None:
    core.create_namespaced_pod(ns, pod("web"))
    core.delete_namespaced_pod("web", ns, body=client.V1DeleteOptions())
    assert not core.list_namespaced_pod(ns).items


def test_delete_collection_by_label(core: Any, ns: str) -> None:
    for name, app in (("a", "web"), ("b", "web"), ("c", "db")):
        core.create_namespaced_config_map(ns, {"metadata": {"name": name, "labels": {"app": app}}})
    core.delete_collection_namespaced_config_map(ns, label_selector="app=web")
    assert [o.metadata.name for o in core.list_namespaced_config_map(ns).items] == ["c"]


def test_deleting_a_namespace_removes_its_objects(core: Any) -> None:
    core.create_namespace({"metadata": {"name": "tmp"}})
    core.create_namespaced_config_map("tmp", {"metadata": {"name": "cfg"}})
    deleted = json.loads(core.delete_namespace("tmp", _preload_content=False).data)
    assert deleted["status"]["phase"] == "Terminating"
    assert not core.list_config_map_for_all_namespaces(
        field_selector="metadata.namespace=tmp"
    ).items


def test_default_namespace_cannot_be_deleted(core: Any) -> None:
    with pytest.raises(ApiException) as err:
        core.delete_namespace("default")
    assert err.value.status == 403


def test_pod_status_subresource(core: Any, ns: str) -> None:
    core.create_namespaced_pod(ns, pod("web"))
    ignored = core.patch_namespaced_pod("web", ns, {"status": {"phase": "Running"}})
    assert ignored.status.phase == "Pending"
    running = core.patch_namespaced_pod_status("web", ns, {"status": {"phase": "Running"}})
    assert running.status.phase == "Running"
    assert core.read_namespaced_pod_status("web", ns).status.phase == "Running"


def test_nodes_and_cluster_scoped_objects(core: Any) -> None:
    core.create_node({"metadata": {"name": "node-1", "labels": {"zone": "a"}}})
    nodes = core.list_node(label_selector="zone=a")
    assert [n.metadata.name for n in nodes.items] == ["node-1"]
    assert nodes.items[0].metadata.namespace is None
