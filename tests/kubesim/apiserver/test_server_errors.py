"""Bad input and failures get the apiserver's Status bodies and never hurt other requests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
from kubernetes import watch

from kubesim.testing.harness import Sandbox

NOT_FOUND = "the server could not find the requested resource"


class Raw:
    """Plain HTTPS requests to a sandbox, with or without the token."""

    def __init__(self, sb: Sandbox, ca: Path) -> None:
        self.sb = sb
        self.pool = urllib3.PoolManager(ca_certs=str(ca))

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        content_type: str = "application/json",
        accept: str = "application/json",
        token: str | None = "",
    ) -> tuple[int, Any]:
        headers = {"Accept": accept, "Content-Type": content_type}
        if token is not None:
            headers["Authorization"] = f"Bearer {token or self.sb.token}"
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        response = self.pool.request(method, self.sb.url + path, body=data, headers=headers)
        try:
            return response.status, json.loads(response.data)
        except ValueError:
            return response.status, response.data.decode()


@pytest.fixture
def raw(still: Sandbox, tmp_path: Path) -> Iterator[Raw]:
    ca = tmp_path / "ca.crt"
    ca.write_bytes(still.cluster.ca_pem or b"")
    requester = Raw(still, ca)
    yield requester
    requester.pool.clear()


def test_missing_or_wrong_token_is_401(raw: Raw) -> None:
    for token in (None, "wrong"):
        code, body = raw("GET", "/api/v1/namespaces", token=token)
        assert code == 401
        assert (body["kind"], body["reason"], body["code"]) == ("Status", "Unauthorized", 401)
    assert raw("GET", "/healthz", token=None) == (200, "ok")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/widgets",
        "/apis/nope.io/v1/things",
        "/apis/apps/v1/namespaces/default/pods",
        "/api/v1/namespaces/default/pods/x/exec",
        "/openapi/v2",
        "/openapi/v3/apis/nope.io/v1",  # /openapi/v3 itself is served (kubectl validation)
        "/nothing",
    ],
)
def test_unknown_resource_is_404_status(raw: Raw, path: str) -> None:
    code, body = raw("GET", path)
    assert (code, body["reason"], body["message"]) == (404, "NotFound", NOT_FOUND)


@pytest.mark.parametrize("path", ["/version", "/version/", "/api", "/api/", "/apis/", "/apis/apps"])
def test_discovery_answers_with_and_without_slash(raw: Raw, path: str) -> None:
    assert raw("GET", path)[0] == 200


def test_malformed_json_is_bad_request(raw: Raw) -> None:
    code, body = raw("POST", "/api/v1/namespaces/default/configmaps", b"{not json")
    assert (code, body["reason"]) == (400, "BadRequest")


def test_kind_and_version_must_match_the_url(raw: Raw) -> None:
    path = "/api/v1/namespaces/default/configmaps"
    code, body = raw(
        "POST", path, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}}
    )
    assert (code, body["reason"]) == (400, "BadRequest")
    assert "Secret" in body["message"]
    code, body = raw("POST", path, {"apiVersion": "apps/v1", "kind": "ConfigMap"})
    assert (code, body["message"]) == (
        400,
        "the API version in the data (apps/v1) does not match the expected API version (v1)",
    )


def test_namespace_and_name_must_match_the_url(raw: Raw) -> None:
    path = "/api/v1/namespaces/default/configmaps"
    body = {"metadata": {"name": "x", "namespace": "other"}}
    assert raw("POST", path, body)[0] == 400
    raw("POST", path, {"metadata": {"name": "x"}})
    code, answer = raw("PUT", f"{path}/x", {"metadata": {"name": "y"}})
    assert (code, answer["message"]) == (
        400,
        "the name of the object (y) does not match the name on the URL (x)",
    )


def test_truncated_protobuf_body_is_400(raw: Raw) -> None:
    # kubectl's typed creates send protobuf, which is decoded (kubesim/apiserver/protobuf.py)
    code, body = raw(
        "POST",
        "/apis/apps/v1/namespaces/default/deployments",
        b"k8s\x00\n\x0f",
        content_type="application/vnd.kubernetes.protobuf",
    )
    assert (code, body["reason"]) == (400, "BadRequest")


def test_unsupported_patch_types_are_415(raw: Raw) -> None:
    raw("POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "x"}})
    for content_type in ("application/apply-patch+yaml", "text/plain"):
        code, body = raw(
            "PATCH",
            "/api/v1/namespaces/default/configmaps/x",
            b"{}",
            content_type=content_type,
        )
        assert (code, body["reason"]) == (415, "UnsupportedMediaType")


def test_malformed_patches_are_bad_requests(raw: Raw) -> None:
    raw("POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "x"}})
    path = "/api/v1/namespaces/default/configmaps/x"
    assert raw("PATCH", path, b"{oops", content_type="application/merge-patch+json")[0] == 400
    assert raw("PATCH", path, {"op": "add"}, content_type="application/json-patch+json")[0] == 400
    assert (
        raw("PATCH", path, [{"op": "jump"}], content_type="application/json-patch+json")[0] == 400
    )


def test_yaml_bodies_are_accepted(raw: Raw) -> None:
    code, body = raw(
        "POST",
        "/api/v1/namespaces/default/configmaps",
        b"metadata:\n  name: from-yaml\ndata:\n  a: b\n",
        content_type="application/yaml",
    )
    assert (code, body["data"]) == (201, {"a": "b"})


def test_only_protobuf_accepted_is_406(raw: Raw) -> None:
    code, body = raw("GET", "/api/v1/namespaces", accept="application/vnd.kubernetes.protobuf")
    assert (code, body["reason"]) == (406, "NotAcceptable")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/namespaces/default/configmaps/x"),
        ("PUT", "/api/v1/namespaces/default/configmaps"),
        ("DELETE", "/api/v1/namespaces"),
        ("POST", "/api/v1/pods"),
        ("DELETE", "/apis/apps/v1/namespaces/default/deployments/x/scale"),
        ("POST", "/version"),
    ],
)
def test_unsupported_verbs_are_405(raw: Raw, method: str, path: str) -> None:
    code, body = raw(method, path, {})
    assert (code, body["reason"]) == (405, "MethodNotAllowed")


def test_bad_parameters_are_bad_requests(raw: Raw) -> None:
    path = "/api/v1/namespaces/default/configmaps"
    assert raw("GET", f"{path}?limit=many")[0] == 400
    assert raw("POST", f"{path}?dryRun=Maybe", {"metadata": {"name": "x"}})[0] == 400
    code, body = raw("GET", f"{path}?fieldSelector=nonsense")
    assert (code, body["message"]) == (
        400,
        "invalid selector: 'nonsense'; can't understand 'nonsense'",
    )


def test_crash_is_500_and_the_server_keeps_serving(still: Sandbox, raw: Raw, core: Any) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    real_scan = still.call(lambda: still.store.scan)
    w = watch.Watch()
    events = w.stream(core.list_namespaced_config_map, "default", timeout_seconds=20)
    seen: list[str] = []

    def consume() -> None:
        for event in events:
            seen.append(event["raw_object"]["metadata"]["name"])
            if event["raw_object"]["metadata"]["name"] == "after":
                w.stop()

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    deadline = time.monotonic() + 20
    while not still.call(lambda: len(still.cluster.server.hub)) and time.monotonic() < deadline:
        time.sleep(0.01)
    still.call(setattr, still.store, "scan", boom)
    try:
        code, body = raw("GET", "/api/v1/namespaces/default/configmaps")
    finally:
        still.call(setattr, still.store, "scan", real_scan)
    assert (code, body["reason"]) == (500, "InternalError")
    assert "disk on fire" in body["message"]
    assert raw("GET", "/api/v1/namespaces/default/configmaps")[0] == 200
    core.create_namespaced_config_map("default", {"metadata": {"name": "after"}})
    consumer.join(20)
    assert "after" in seen
