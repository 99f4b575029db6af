"""Request URLs to authorization attributes, as the apiserver's RequestInfo parses them."""

from __future__ import annotations

import pytest

from kubesim.auth.attributes import parse
from kubesim.auth.identity import UserInfo

USER = UserInfo(name="u")


@pytest.mark.parametrize(
    ("method", "path", "query", "expected"),
    [
        ("GET", "/api/v1/namespaces/prod/pods", {}, ("list", "", "pods", "", "", "prod")),
        ("GET", "/api/v1/pods", {"watch": "true"}, ("watch", "", "pods", "", "", "")),
        ("GET", "/api/v1/watch/namespaces/p/pods", {}, ("watch", "", "pods", "", "", "p")),
        ("GET", "/api/v1/namespaces/p/pods/web/log", {}, ("get", "", "pods", "log", "web", "p")),
        (
            "POST",
            "/apis/apps/v1/namespaces/p/deployments",
            {},
            ("create", "apps", "deployments", "", "", "p"),
        ),
        (
            "PATCH",
            "/apis/apps/v1/namespaces/p/deployments/w/scale",
            {},
            ("patch", "apps", "deployments", "scale", "w", "p"),
        ),
        ("DELETE", "/api/v1/namespaces/p/pods", {}, ("deletecollection", "", "pods", "", "", "p")),
        ("DELETE", "/api/v1/namespaces/p/pods/x", {}, ("delete", "", "pods", "", "x", "p")),
        ("GET", "/api/v1/namespaces/p", {}, ("get", "", "namespaces", "", "p", "p")),
        (
            "PUT",
            "/api/v1/namespaces/p/status",
            {},
            ("update", "", "namespaces", "status", "p", "p"),
        ),
        (
            "GET",
            "/api/v1/nodes",
            {"fieldSelector": "metadata.name=n1"},
            ("list", "", "nodes", "", "n1", ""),
        ),
    ],
)
def test_resource_requests(
    method: str, path: str, query: dict[str, str], expected: tuple[str, ...]
) -> None:
    attrs = parse(method, path, query, USER)
    assert attrs.resource_request
    got = (
        attrs.verb,
        attrs.api_group,
        attrs.resource,
        attrs.subresource,
        attrs.name,
        attrs.namespace,
    )
    assert got == expected


@pytest.mark.parametrize(
    "path", ["/version", "/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/openapi/v3"]
)
def test_non_resource_requests(path: str) -> None:
    attrs = parse("GET", path, {}, USER)
    assert (attrs.resource_request, attrs.verb, attrs.path) == (False, "get", path)
