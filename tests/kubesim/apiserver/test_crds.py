"""CustomResourceDefinitions: a CRD registers a type that discovery lists and REST serves."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kubernetes import dynamic
from kubernetes.client.rest import ApiException

from kubesim.printing.custom import find

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
WIDGETS = "/apis/example.com/v1/namespaces/test/widgets"


def widget_crd(*columns: dict[str, Any], name: str = "widgets.example.com") -> dict[str, Any]:
    version: dict[str, Any] = {"name": "v1", "served": True, "storage": True}
    if columns:
        version["additionalPrinterColumns"] = list(columns)
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": name},
        "spec": {
            "group": "example.com",
            "names": {
                "plural": "widgets",
                "singular": "widget",
                "kind": "Widget",
                "shortNames": ["wd"],
                "categories": ["all"],
            },
            "scope": "Namespaced",
            "versions": [version],
        },
    }


def call(api: Any, method: str, path: str, *, accept: str = "application/json", **kw: Any) -> Any:
    body = kw.pop("body", None)
    headers = {"Accept": accept, **kw.pop("headers", {})}
    try:
        response = api.call_api(
            path,
            method,
            body=body,
            header_params=headers,
            auth_settings=["BearerToken"],
            _preload_content=False,
            _return_http_data_only=True,
        )
    except ApiException as err:
        return err.status, json.loads(err.body)
    return response.status, json.loads(response.data)


def create_crd(api: Any, crd: dict[str, Any]) -> dict[str, Any]:
    code, created = call(
        api, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body=crd
    )
    assert code == 201, created
    return dict(created)


def test_created_crd_is_established_with_accepted_names(api: Any) -> None:
    crd = create_crd(api, widget_crd())
    conditions = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
    assert conditions == {"NamesAccepted": "True", "Established": "True"}
    assert crd["status"]["acceptedNames"]["kind"] == "Widget"
    assert crd["status"]["acceptedNames"]["listKind"] == "WidgetList"
    assert crd["status"]["storedVersions"] == ["v1"]


def test_crd_name_must_be_plural_dot_group(api: Any) -> None:
    code, failure = call(
        api,
        "POST",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        body=widget_crd(name="widget"),
    )
    assert (code, failure["reason"]) == (422, "Invalid")
    assert 'must be spec.names.plural+"."+spec.group' in failure["message"]


def test_discovery_lists_the_custom_type(api: Any) -> None:
    assert call(api, "GET", "/apis/example.com/v1")[0] == 404
    create_crd(api, widget_crd())
    _, legacy = call(api, "GET", "/apis/example.com/v1")
    (widgets,) = legacy["resources"]
    assert (widgets["name"], widgets["kind"], widgets["namespaced"]) == ("widgets", "Widget", True)
    assert widgets["shortNames"] == ["wd"]
    _, groups = call(api, "GET", "/apis")
    assert "example.com" in {g["name"] for g in groups["groups"]}
    _, aggregated = call(api, "GET", "/apis", accept=AGGREGATED)
    group = next(g for g in aggregated["items"] if g["metadata"]["name"] == "example.com")
    resource = group["versions"][0]["resources"][0]
    assert (resource["resource"], resource["scope"]) == ("widgets", "Namespaced")
    assert resource["categories"] == ["all"]


def test_custom_resource_round_trip_with_the_dynamic_client(api: Any, ns: str) -> None:
    create_crd(
        api,
        widget_crd(
            {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
            {"name": "Phase", "type": "string", "jsonPath": ".status.phase", "priority": 1},
            {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
        ),
    )
    widgets = dynamic.DynamicClient(api).resources.get(api_version="example.com/v1", kind="Widget")
    widgets.create(body={"metadata": {"name": "w1"}, "spec": {"size": 3}}, namespace=ns)
    got = widgets.get(name="w1", namespace=ns)
    assert (got.apiVersion, got.kind, got.spec.size, got.metadata.generation) == (
        "example.com/v1",
        "Widget",
        3,
        1,
    )
    table = widgets.get(namespace=ns, header_params={"Accept": TABLE})
    assert [c["name"] for c in table.columnDefinitions] == ["Name", "Size", "Phase", "Age"]
    assert [c["priority"] for c in table.columnDefinitions] == [0, 0, 1, 0]
    assert table.rows[0]["cells"][:3] == ["w1", 3, None]
    widgets.patch(
        name="w1",
        namespace=ns,
        body={"spec": {"size": 5}},
        content_type="application/merge-patch+json",
    )
    widgets.patch(
        name="w1",
        namespace=ns,
        body=[{"op": "add", "path": "/metadata/labels", "value": {"tier": "gold"}}],
        content_type="application/json-patch+json",
    )
    patched = widgets.get(name="w1", namespace=ns)
    assert (patched.spec.size, patched.metadata.labels.tier) == (5, "gold")
    assert patched.metadata.generation == 2
    listed = widgets.get(namespace=ns)
    assert (listed.kind, [i.metadata.name for i in listed.items]) == ("WidgetList", ["w1"])
    widgets.delete(name="w1", namespace=ns)
    assert call(api, "GET", f"{WIDGETS}/w1")[0] == 404


def test_strategic_merge_patch_on_a_custom_resource_is_unsupported(api: Any, ns: str) -> None:
    create_crd(api, widget_crd())
    assert call(api, "POST", WIDGETS, body={"metadata": {"name": "w1"}})[0] == 201
    code, failure = call(
        api,
        "PATCH",
        f"{WIDGETS}/w1",
        body={"spec": {"size": 1}},
        headers={"Content-Type": "application/strategic-merge-patch+json"},
    )
    assert (code, failure["reason"]) == (415, "UnsupportedMediaType")


def test_custom_resources_without_columns_print_name_and_age(api: Any, ns: str) -> None:
    create_crd(api, widget_crd())
    call(api, "POST", WIDGETS, body={"metadata": {"name": "w1"}})
    _, table = call(api, "GET", WIDGETS, accept=TABLE)
    assert [(c["name"], c["type"]) for c in table["columnDefinitions"]] == [
        ("Name", "string"),
        ("Age", "date"),
    ]
    assert table["rows"][0]["cells"][0] == "w1"
    assert table["rows"][0]["cells"][1].endswith("s")


def test_watch_sees_custom_resources(api: Any, ns: str) -> None:
    create_crd(api, widget_crd())
    call(api, "POST", WIDGETS, body={"metadata": {"name": "w1"}})
    widgets = dynamic.DynamicClient(api).resources.get(api_version="example.com/v1", kind="Widget")
    for event in widgets.watch(namespace=ns, timeout=5):
        assert (event["type"], event["object"].metadata.name) == ("ADDED", "w1")
        break
    else:
        pytest.fail("no watch event")


def test_deleting_the_crd_unregisters_the_type(api: Any, ns: str) -> None:
    create_crd(api, widget_crd())
    assert call(api, "GET", WIDGETS)[0] == 200
    path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com"
    assert call(api, "DELETE", path)[0] == 200
    assert call(api, "GET", WIDGETS)[0] == 404
    assert call(api, "GET", "/apis/example.com/v1")[0] == 404


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (".spec.secretName", ["web-tls"]),
        ('.status.conditions[?(@.type=="Ready")].status', ["False"]),
        (".status.conditions[1].type", ["Ready"]),
        (".status.conditions[*].type", ["Issuing", "Ready"]),
        ("{.spec.missing}", []),
    ],
)
def test_printer_column_json_paths(path: str, expected: list[Any]) -> None:
    cert = {
        "spec": {"secretName": "web-tls"},
        "status": {
            "conditions": [
                {"type": "Issuing", "status": "True"},
                {"type": "Ready", "status": "False"},
            ]
        },
    }
    assert find(cert, path) == expected
