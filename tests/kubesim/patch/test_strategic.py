"""Strategic merge patch results and errors, as k8s.io/apimachinery's strategicpatch gives them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubesim.api.status import ApiError
from kubesim.patch.strategic import go_format, strategic_merge


def _deployment(*containers: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"name": "web", "finalizers": ["a", "b"]},
        "spec": {
            "replicas": 2,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}},
            "template": {"spec": {"containers": list(containers)}},
        },
    }


WEB = {"name": "web", "image": "nginx:1.26", "env": [{"name": "A", "value": "1"}]}
SIDE = {"name": "side", "image": "envoy:1.30"}


def _containers(patch: dict[str, Any]) -> list[dict[str, Any]]:
    merged = strategic_merge("Deployment", _deployment(WEB, SIDE), patch)
    containers: list[dict[str, Any]] = merged["spec"]["template"]["spec"]["containers"]
    return containers


def _tpl(**spec: Any) -> dict[str, Any]:
    return {"spec": {"template": {"spec": spec}}}


def test_set_image_patch_with_element_order() -> None:
    # The body `kubectl set image deployment/web side=envoy:1.31` sends.
    patch = _tpl(
        **{
            "$setElementOrder/containers": [{"name": "web"}, {"name": "side"}],
            "containers": [{"image": "envoy:1.31", "name": "side"}],
        }
    )
    assert _containers(patch) == [WEB, {"name": "side", "image": "envoy:1.31"}]


def test_element_order_reorders() -> None:
    patch = _tpl(**{"$setElementOrder/containers": [{"name": "side"}, {"name": "web"}]})
    assert [c["name"] for c in _containers(patch)] == ["side", "web"]


def test_new_container_goes_first_without_order() -> None:
    # strategicpatch mergeSortedSlice: items unknown to the server sort before server-only ones.
    patch = _tpl(containers=[{"name": "log", "image": "fluent-bit:3"}])
    assert [c["name"] for c in _containers(patch)] == ["log", "web", "side"]


def test_new_container_placed_by_element_order() -> None:
    patch = _tpl(
        **{
            "$setElementOrder/containers": [{"name": "web"}, {"name": "side"}, {"name": "log"}],
            "containers": [{"name": "log", "image": "fluent-bit:3"}],
        }
    )
    assert [c["name"] for c in _containers(patch)] == ["web", "side", "log"]


def test_env_merges_by_name() -> None:
    patch = _tpl(
        containers=[
            {"name": "web", "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "9"}]}
        ]
    )
    assert _containers(patch)[0]["env"] == [
        {"name": "B", "value": "2"},
        {"name": "A", "value": "9"},
    ]


def test_patch_delete_removes_list_element() -> None:
    patch = _tpl(containers=[{"name": "side", "$patch": "delete"}])
    assert _containers(patch) == [WEB]


def test_patch_replace_replaces_whole_list() -> None:
    patch = _tpl(containers=[{"$patch": "replace"}, {"name": "only", "image": "busybox"}])
    assert _containers(patch) == [{"name": "only", "image": "busybox"}]


def test_patch_replace_on_map() -> None:
    merged = strategic_merge(
        "Deployment",
        _deployment(WEB),
        {"spec": {"strategy": {"$patch": "replace", "type": "Recreate"}}},
    )
    assert merged["spec"]["strategy"] == {"type": "Recreate"}


def test_patch_delete_on_map() -> None:
    merged = strategic_merge(
        "Deployment", _deployment(WEB), {"spec": {"strategy": {"$patch": "delete"}}}
    )
    assert merged["spec"]["strategy"] == {}


def test_null_deletes_keys() -> None:
    merged = strategic_merge(
        "Deployment",
        _deployment(WEB),
        {
            "spec": {
                "replicas": None,
                "template": {"spec": {"containers": [{"name": "web", "env": None}]}},
            }
        },
    )
    assert "replicas" not in merged["spec"]
    assert merged["spec"]["template"]["spec"]["containers"] == [
        {"name": "web", "image": "nginx:1.26"}
    ]


def test_retain_keys_clears_other_fields() -> None:
    # kubectl apply switching a Deployment to Recreate sends $retainKeys for the strategy.
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    merged = strategic_merge("Deployment", _deployment(WEB), patch)
    assert merged["spec"]["strategy"] == {"type": "Recreate"}


def test_retain_keys_must_cover_the_patch() -> None:
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {"maxSurge": 1}}}}
    with pytest.raises(ApiError) as err:
        strategic_merge("Deployment", _deployment(WEB), patch)
    assert (err.value.code, err.value.message) == (400, "invalid patch format of retainKeys")


def test_delete_from_primitive_list() -> None:
    merged = strategic_merge(
        "Deployment", _deployment(WEB), {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}
    )
    assert merged["metadata"]["finalizers"] == ["b"]


def test_primitive_merge_list_is_a_union() -> None:
    merged = strategic_merge(
        "Deployment", _deployment(WEB), {"metadata": {"finalizers": ["c", "a"]}}
    )
    assert merged["metadata"]["finalizers"] == ["c", "a", "b"]


@pytest.mark.parametrize(
    ("kind", "original", "patch", "expected"),
    [
        # Service ports merge on port.
        (
            "Service",
            {"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}},
            {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}},
            {"spec": {"ports": [{"port": 80, "targetPort": 9090}, {"port": 443}]}},
        ),
        # Tolerations have no patch strategy: replaced whole.
        (
            "Pod",
            {"spec": {"tolerations": [{"key": "a"}, {"key": "b"}]}},
            {"spec": {"tolerations": [{"key": "c"}]}},
            {"spec": {"tolerations": [{"key": "c"}]}},
        ),
        # Container args are atomic too.
        (
            "Pod",
            {"spec": {"containers": [{"name": "c", "args": ["-a", "-b"]}]}},
            {"spec": {"containers": [{"name": "c", "args": ["-z"]}]}},
            {"spec": {"containers": [{"name": "c", "args": ["-z"]}]}},
        ),
        # Container ports merge on containerPort.
        (
            "Pod",
            {
                "spec": {
                    "containers": [{"name": "c", "ports": [{"containerPort": 80, "name": "http"}]}]
                }
            },
            {
                "spec": {
                    "containers": [{"name": "c", "ports": [{"containerPort": 80, "name": "web"}]}]
                }
            },
            {
                "spec": {
                    "containers": [{"name": "c", "ports": [{"containerPort": 80, "name": "web"}]}]
                }
            },
        ),
        # Status conditions merge on type.
        (
            "Deployment",
            {
                "status": {
                    "conditions": [
                        {"type": "Available", "status": "True"},
                        {"type": "Progressing", "status": "True"},
                    ]
                }
            },
            {"status": {"conditions": [{"type": "Available", "status": "False"}]}},
            {
                "status": {
                    "conditions": [
                        {"type": "Available", "status": "False"},
                        {"type": "Progressing", "status": "True"},
                    ]
                }
            },
        ),
        # Labels are a map: merged, null removes a key.
        (
            "ConfigMap",
            {"metadata": {"labels": {"a": "1", "b": "2"}}, "data": {"k": "v"}},
            {"metadata": {"labels": {"b": None, "c": "3"}}},
            {"metadata": {"labels": {"a": "1", "c": "3"}}, "data": {"k": "v"}},
        ),
        # A list where the original had a scalar takes the patch value.
        ("ConfigMap", {"data": "x"}, {"data": {"k": "v"}}, {"data": {"k": "v"}}),
    ],
)
def test_merge_by_schema(
    kind: str, original: dict[str, Any], patch: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert strategic_merge(kind, original, patch) == expected


def test_original_and_patch_are_not_mutated() -> None:
    original = _deployment(WEB, SIDE)
    patch = _tpl(
        **{
            "$setElementOrder/containers": [{"name": "web"}],
            "containers": [{"name": "web", "image": "x"}],
        }
    )
    before = (copy.deepcopy(original), copy.deepcopy(patch))
    strategic_merge("Deployment", original, patch)
    assert (original, patch) == before


def test_new_nested_values_lose_nulls_and_directives() -> None:
    merged = strategic_merge(
        "Deployment",
        {"spec": {}},
        {"spec": {"template": {"metadata": {"labels": {"a": "1", "b": None}}}}},
    )
    assert merged == {"spec": {"template": {"metadata": {"labels": {"a": "1"}}}}}


@pytest.mark.parametrize(
    ("patch", "code", "message"),
    [
        (
            _tpl(containers=[{"image": "x"}]),
            500,
            "map: map[image:x] does not contain declared merge key: name",
        ),
        (
            _tpl(containers=[{"name": "web", "$patch": "merge"}]),
            500,
            "merging lists cannot yet be specified in the patch",
        ),
        (
            {"spec": {"strategy": {"$patch": "bogus"}}},
            500,
            "unknown patch type: bogus in map: map[$patch:bogus]",
        ),
        (
            _tpl(**{"$setElementOrder/containers": "web"}),
            400,
            "invalid patch format of setElementOrder list",
        ),
    ],
)
def test_malformed_patches(patch: dict[str, Any], code: int, message: str) -> None:
    with pytest.raises(ApiError) as err:
        strategic_merge("Deployment", _deployment(WEB, SIDE), patch)
    assert (err.value.code, err.value.message) == (code, message)


def test_order_list_must_contain_patched_items() -> None:
    patch = _tpl(
        **{
            "$setElementOrder/containers": [{"name": "web"}],
            "containers": [{"name": "side", "image": "y"}],
        }
    )
    with pytest.raises(ApiError) as err:
        strategic_merge("Deployment", _deployment(WEB, SIDE), patch)
    assert err.value.code == 500
    assert err.value.message.startswith("The order in patch list:")


def test_patch_must_be_an_object() -> None:
    with pytest.raises(ApiError) as err:
        strategic_merge("Deployment", {}, [{"op": "add"}])  # type: ignore[arg-type]
    assert err.value.code == 400


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (
            {"name": "x", "ports": [{"containerPort": 80}]},
            "map[name:x ports:[map[containerPort:80]]]",
        ),
        ({"a": None, "b": True}, "map[a:<nil> b:true]"),
    ],
)
def test_go_format(value: Any, text: str) -> None:
    assert go_format(value) == text
