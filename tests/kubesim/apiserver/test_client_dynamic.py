"""The DynamicClient against the sandbox: discovery, raw objects and server-side Tables."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kubernetes import client, dynamic

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
KUBECTL_ACCEPT = (
    "application/json;as=Table;v=v1;g=meta.k8s.io,"
    "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
)


@pytest.fixture
def dyn(api: Any) -> Any:
    return dynamic.DynamicClient(api)


def raw_get(api: Any, path: str, accept: str, **query: str) -> tuple[int, Any]:
    response = api.call_api(
        path,
        "GET",
        query_params=list(query.items()),
        header_params={"Accept": accept},
        auth_settings=["BearerToken"],
        _preload_content=False,
        _return_http_data_only=True,
    )
    return response.status, json.loads(response.data)


def test_discovery_finds_every_served_kind(dyn: Any) -> None:
    for api_version, kind in [
        ("v1", "Pod"),
        ("v1", "Namespace"),
        ("v1", "Event"),
        ("apps/v1", "Deployment"),
        ("apps/v1", "ReplicaSet"),
        ("coordination.k8s.io/v1", "Lease"),
    ]:
        assert dyn.resources.get(api_version=api_version, kind=kind).kind == kind
    pods = dyn.resources.get(api_version="v1", kind="Pod")
    assert pods.namespaced
    assert "po" in pods.short_names
    scale = dyn.resources.get(api_version="apps/v1", kind="Deployment").subresources["scale"]
    assert scale.kind == "Scale"


def test_dynamic_crud_and_table(dyn: Any, ns: str) -> None:
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    configmaps.create(
        body={"metadata": {"name": "cfg", "labels": {"app": "web"}}, "data": {"a": "1"}},
        namespace=ns,
    )
    assert configmaps.get(name="cfg", namespace=ns).data.a == "1"
    table = configmaps.get(namespace=ns, label_selector="app=web", header_params={"Accept": TABLE})
    assert table.kind == "Table"
    assert [c["name"] for c in table.columnDefinitions] == ["Name", "Data", "Age"]
    assert [row["cells"][:2] for row in table.rows] == [["cfg", 1]]
    assert table.rows[0]["object"]["kind"] == "PartialObjectMetadata"
    assert table.metadata.resourceVersion


def test_table_for_one_object_and_include_object(api: Any, core: Any, ns: str) -> None:
    core.create_namespaced_config_map(ns, {"metadata": {"name": "cfg"}})
    code, table = raw_get(api, f"/api/v1/namespaces/{ns}/configmaps/cfg", KUBECTL_ACCEPT)
    assert (code, table["kind"], len(table["rows"])) == (200, "Table", 1)
    _, full = raw_get(api, f"/api/v1/namespaces/{ns}/configmaps", TABLE, includeObject="Object")
    assert full["rows"][0]["object"]["kind"] == "ConfigMap"
    _, bare = raw_get(api, f"/api/v1/namespaces/{ns}/configmaps", TABLE, includeObject="None")
    assert "object" not in bare["rows"][0]


def test_table_pages_carry_continue(api: Any, core: Any, ns: str) -> None:
    for i in range(3):
        core.create_namespaced_config_map(ns, {"metadata": {"name": f"cfg-{i}"}})
    _, first = raw_get(api, f"/api/v1/namespaces/{ns}/configmaps", KUBECTL_ACCEPT, limit="2")
    assert [r["cells"][0] for r in first["rows"]] == ["cfg-0", "cfg-1"]
    token = first["metadata"]["continue"]
    _, second = raw_get(
        api, f"/api/v1/namespaces/{ns}/configmaps", KUBECTL_ACCEPT, limit="2", **{"continue": token}
    )
    assert [r["cells"][0] for r in second["rows"]] == ["cfg-2"]
    assert "continue" not in second["metadata"]


def test_v1beta1_table_and_partial_metadata(api: Any, core: Any, ns: str) -> None:
    core.create_namespaced_config_map(ns, {"metadata": {"name": "cfg"}})
    beta = "application/json;as=Table;v=v1beta1;g=meta.k8s.io"
    _, table = raw_get(api, f"/api/v1/namespaces/{ns}/configmaps", beta)
    assert table["apiVersion"] == "meta.k8s.io/v1beta1"
    metadata = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"
    _, listed = raw_get(api, f"/api/v1/namespaces/{ns}/configmaps", metadata)
    assert listed["kind"] == "PartialObjectMetadataList"
    assert listed["items"][0]["metadata"]["name"] == "cfg"


def test_protobuf_first_still_answers_json(api: Any, core: Any, ns: str) -> None:
    core.create_namespaced_config_map(ns, {"metadata": {"name": "cfg"}})
    code, body = raw_get(
        api,
        f"/api/v1/namespaces/{ns}/configmaps/cfg",
        "application/vnd.kubernetes.protobuf,application/json",
    )
    assert (code, body["kind"]) == (200, "ConfigMap")


def test_discovery_documents(api: Any) -> None:
    _, versions = raw_get(api, "/api/", "application/json")
    assert versions["kind"] == "APIVersions"
    assert versions["serverAddressByClientCIDRs"][0]["clientCIDR"] == "0.0.0.0/0"
    _, groups = raw_get(api, "/apis", "application/json")
    assert {g["name"] for g in groups["groups"]} == {
        "apps",
        "batch",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "apiextensions.k8s.io",
        "rbac.authorization.k8s.io",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "networking.k8s.io",
        "storage.k8s.io",
        "metrics.k8s.io",  # metrics-server's, which the sandbox serves itself
    }
    _, apps = raw_get(api, "/apis/apps/v1/", "application/json")
    names = {r["name"]: r for r in apps["resources"]}
    assert names["deployments/scale"]["group"] == "autoscaling"
    assert names["deployments"]["shortNames"] == ["deploy"]
    assert names["deployments"]["categories"] == ["all"]
    _, core_list = raw_get(api, "/api/v1", "application/json")
    core_names = {r["name"] for r in core_list["resources"]}
    assert {"pods/log", "pods/status", "namespaces", "events"} <= core_names
    aggregated = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    _, discovery = raw_get(api, "/apis", f"{aggregated},application/json")
    assert discovery["kind"] == "APIGroupDiscoveryList"
    version = client.VersionApi(api).get_code()
    assert (version.major, version.minor) == ("1", "32")
