"""``version`` and ``get`` against the sandbox: server-side Tables, discovery names, paging."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import yaml

from bot.core.results import Document, Table
from bot.errors import NotFound, UsageError
from bot.gateway.api import TABLE
from bot.gateway.gateway import GatewayOptions, KubernetesGateway
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.gateway.support import run


def test_version_reads_the_server_version(gateway: KubernetesGateway, demo: Sandbox) -> None:
    result = run(gateway, "version")
    assert isinstance(result, Document)
    client, server = result.text.splitlines()
    assert client.startswith("Client Version: k8s-chatops ")
    assert server.startswith("Server Version: v1.")
    assert demo.requests.matching(method="GET", path="/version")


def test_get_pods_asks_for_a_table_in_pages(gateway: KubernetesGateway, demo: Sandbox) -> None:
    demo.requests.clear()
    result = run(gateway, "get pods -n prod")
    assert isinstance(result, Table)
    assert result.columns == ("NAME", "READY", "STATUS", "RESTARTS", "AGE")
    assert {row[0].split("-")[0] for row in result.rows} == {
        "api",
        "db",
        "postgres",
        "web",
        "worker",
    }
    assert {row[2] for row in result.rows if not row[0].startswith("db-")} == {"Running"}
    assert {row[2] for row in result.rows if row[0].startswith("db-")} == {"Completed"}
    (request,) = demo.requests.matching(method="GET", path="/api/v1/namespaces/prod/pods")
    assert request.headers["Accept"] == TABLE
    assert request.query["includeObject"] == "None"
    assert request.query["limit"] == "5000"  # rows without objects: ten times a page of 500


def test_all_namespaces_adds_namespace_column(gateway: KubernetesGateway) -> None:
    result = run(gateway, "get deploy -A -o wide")
    assert isinstance(result, Table)
    assert result.columns == (
        "NAMESPACE",
        "NAME",
        "READY",
        "UP-TO-DATE",
        "AVAILABLE",
        "AGE",
        "CONTAINERS",
        "IMAGES",
        "SELECTOR",
    )
    assert ("kube-system", "coredns") in {row[:2] for row in result.rows}
    assert result.empty_message == "No resources found"


def test_cluster_scoped_types_ignore_all_namespaces(gateway: KubernetesGateway) -> None:
    result = run(gateway, "get nodes -A")
    assert isinstance(result, Table)
    assert result.columns[:2] == ("NAME", "STATUS")
    assert len(result.rows) == 3


@pytest.mark.parametrize(
    "typed", ["deploy", "deployment", "Deployment", "deployments.apps", "deployments.v1.apps"]
)
def test_resource_names_resolve_like_kubectl(
    gateway: KubernetesGateway, demo: Sandbox, typed: str
) -> None:
    demo.requests.clear()
    result = run(gateway, f"get {typed} -n prod")
    assert isinstance(result, Table)
    assert sorted(row[0] for row in result.rows) == ["api", "web", "worker"]
    assert demo.requests.matching(path="/apis/apps/v1/namespaces/prod/deployments")


def test_unknown_type_uses_kubectls_message(gateway: KubernetesGateway) -> None:
    with pytest.raises(NotFound, match='the server doesn\'t have a resource type "flurbs"'):
        run(gateway, "get flurbs")


def test_named_object_not_found(gateway: KubernetesGateway) -> None:
    with pytest.raises(NotFound) as err:
        run(gateway, "get pod nope -n prod")
    assert str(err.value) == 'pods "nope" not found in namespace "prod"'


def test_empty_list_message_names_the_namespace(gateway: KubernetesGateway) -> None:
    result = run(gateway, "get pods -n nothing-here")
    assert isinstance(result, Table)
    assert result.rows == ()
    assert result.empty_message == "No resources found in nothing-here namespace."


def test_output_name(gateway: KubernetesGateway) -> None:
    result = run(gateway, "get deploy -n prod -o name")
    assert isinstance(result, Document)
    assert result.text == "deployment.apps/api\ndeployment.apps/web\ndeployment.apps/worker\n"


def test_output_yaml_list_is_a_v1_list_without_managed_fields(gateway: KubernetesGateway) -> None:
    result = run(gateway, "get svc -n prod -o yaml")
    assert isinstance(result, Document)
    assert result.syntax == "yaml"
    document = yaml.safe_load(result.text)
    assert document["kind"] == "List"
    assert document["apiVersion"] == "v1"
    assert [(i["kind"], i["apiVersion"]) for i in document["items"]] == [("Service", "v1")] * 3
    assert all("managedFields" not in i["metadata"] for i in document["items"])


def test_output_json_single_object(gateway: KubernetesGateway) -> None:
    result = run(gateway, "get deployment web -n prod -o json")
    assert isinstance(result, Document)
    obj = json.loads(result.text)
    assert (obj["kind"], obj["metadata"]["name"]) == ("Deployment", "web")
    assert result.text.startswith('{\n    "apiVersion": "apps/v1",\n    "kind": "Deployment"')


@pytest.fixture(scope="module")
def crowded() -> Iterator[Sandbox]:
    with running_sandbox(scenario="scale", pods=30, deployments=1) as sandbox:
        yield sandbox


def test_rows_without_their_objects_come_ten_times_as_many_a_page(crowded: Sandbox) -> None:
    options = GatewayOptions(request_timeout=5.0, page_size=2)
    gateway = KubernetesGateway(crowded.api_client(), options=options)
    crowded.requests.clear()
    result = run(gateway, "get pods")
    assert isinstance(result, Table)
    assert len(result.rows) == 30
    pages = crowded.requests.matching(method="GET", path="/api/v1/namespaces/default/pods")
    assert [r.query["limit"] for r in pages] == ["20", "20"]
    gateway.close()


def test_large_lists_are_paged_and_bounded(crowded: Sandbox) -> None:
    options = GatewayOptions(request_timeout=5.0, page_size=10, max_rows=25)
    gateway = KubernetesGateway(crowded.api_client(), options=options)
    crowded.requests.clear()  # the module's other test pages through the same cluster
    result = run(gateway, "get pods -A")
    assert isinstance(result, Table)
    assert len(result.rows) == 25
    assert result.notes == ("showing the first 25 items; use -l or -n to narrow the query",)
    pages = crowded.requests.matching(method="GET", path="/api/v1/pods")
    assert [r.query["limit"] for r in pages] == ["10", "10", "10"]
    assert "continue" not in pages[0].query
    assert all(r.query["continue"] for r in pages[1:])
    gateway.close()


def test_a_list_that_fits_exactly_is_not_called_truncated(crowded: Sandbox) -> None:
    options = GatewayOptions(request_timeout=5.0, page_size=10, max_rows=30)
    gateway = KubernetesGateway(crowded.api_client(), options=options)
    result = run(gateway, "get pods -A")
    assert isinstance(result, Table)
    assert (len(result.rows), result.notes) == (30, ())
    gateway.close()


@pytest.mark.parametrize(
    ("text", "include"),
    [
        ("get pods -n prod", "None"),
        ("get pods -n prod -o wide", "None"),
        ("get deploy web -n prod", "None"),
        ("get certificates -A", "Metadata"),  # the NAMESPACE column reads each row's object
        ("get pods -A", "Metadata"),
    ],
)
def test_tables_carry_objects_only_when_the_namespace_column_needs_them(
    demo: Sandbox, gateway: KubernetesGateway, text: str, include: str
) -> None:
    mark = len(demo.requests)
    assert isinstance(run(gateway, text), Table)
    tables = [r for r in demo.requests.all()[mark:] if "as=Table" in r.headers.get("Accept", "")]
    assert tables
    assert {r.query.get("includeObject") for r in tables} == {include}


def test_name_with_all_namespaces_is_refused_like_kubectl(gateway: KubernetesGateway) -> None:
    with pytest.raises(UsageError, match="cannot be retrieved by name across all namespaces"):
        run(gateway, "get pod web -A")


def test_get_custom_resources_uses_the_crd_printer_columns(gateway: KubernetesGateway) -> None:
    table = run(gateway, "get certificates -A")
    assert isinstance(table, Table)
    assert table.columns == ("NAMESPACE", "NAME", "READY", "SECRET", "AGE")
    assert [row[:4] for row in table.rows] == [
        ("prod", "api", "True", "api-tls"),
        ("prod", "web", "True", "web-tls"),
        ("staging", "api", "False", "api-tls"),
    ]
    document = run(gateway, "get cert web -n prod -o yaml")
    assert isinstance(document, Document)
    cert = yaml.safe_load(document.text)
    assert (cert["apiVersion"], cert["kind"]) == ("cert-manager.io/v1", "Certificate")
    assert cert["spec"]["secretName"] == "web-tls"
    with pytest.raises(NotFound, match='the server doesn\'t have a resource type "issuers"'):
        run(gateway, "get issuers -A")
