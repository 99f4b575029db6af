"""Test hooks: injected answers and delays, and the request log."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from kubesim.testing.harness import Sandbox


def test_injected_answer_applies_n_times(still: Sandbox, core: Any, ns: str) -> None:
    rule = still.faults.respond(
        503, method="GET", path=r"/namespaces/[^/]+/pods$", times=2, message="etcd is down"
    )
    for _ in range(2):
        with pytest.raises(ApiException) as err:
            core.list_namespaced_pod(ns)
        body = json.loads(err.value.body)
        assert (err.value.status, body["reason"], body["message"]) == (
            503,
            "ServiceUnavailable",
            "etcd is down",
        )
    assert core.list_namespaced_pod(ns).items == []
    assert rule.hits == 2


def test_injected_answer_matches_method_and_query(still: Sandbox, core: Any, ns: str) -> None:
    still.faults.respond(
        403, method="GET", path="configmaps", query={"labelSelector": "app=web"}, times=None
    )
    assert core.list_namespaced_config_map(ns).items == []
    with pytest.raises(ApiException) as err:
        core.list_namespaced_config_map(ns, label_selector="app=web")
    assert err.value.status == 403
    core.create_namespaced_config_map(ns, {"metadata": {"name": "cfg"}})
    still.faults.clear()
    assert core.list_namespaced_config_map(ns, label_selector="app=web").items == []


def test_injected_body_and_headers(still: Sandbox, core: Any, ns: str) -> None:
    still.faults.respond(
        500, path="pods", body={"kind": "Status", "code": 500}, headers={"Audit-Id": "x1"}
    )
    with pytest.raises(ApiException) as err:
        core.list_namespaced_pod(ns)
    assert err.value.status == 500
    assert err.value.headers["Audit-Id"] == "x1"
    assert json.loads(err.value.body) == {"kind": "Status", "code": 500}


def test_retry_after_answer_is_retried_by_urllib3(still: Sandbox, core: Any, ns: str) -> None:
    rule = still.faults.respond(429, path="pods", headers={"Retry-After": "0"})
    assert core.list_namespaced_pod(ns).items == []
    assert rule.hits == 1


def test_delay_slows_only_matching_requests(still: Sandbox, core: Any, ns: str) -> None:
    rule = still.faults.delay(0.2, method="GET", path="secrets", times=1)
    core.list_namespaced_config_map(ns)
    assert rule.hits == 0
    core.list_namespaced_secret(ns)
    assert rule.hits == 1
    still.faults.remove(rule)


def test_request_log_records_method_path_query_headers_body(
    still: Sandbox, api: Any, ns: str
) -> None:
    api.set_default_header("Impersonate-User", "alice@example.com")
    api.set_default_header("Impersonate-Group", "admins")
    apps = client.AppsV1Api(api)
    still.requests.clear()
    with pytest.raises(ApiException):
        apps.patch_namespaced_deployment_scale(
            "web",
            ns,
            {"spec": {"replicas": 3}},
            _content_type="application/merge-patch+json",
            field_manager="bot",
        )
    (patch,) = still.requests.matching(
        method="PATCH", path=f"/apis/apps/v1/namespaces/{ns}/deployments/web/scale"
    )
    assert patch.query["fieldManager"] == "bot"
    assert patch.headers["impersonate-user"] == "alice@example.com"
    assert patch.headers.getall("Impersonate-Group") == ["admins"]
    assert patch.content_type == "application/merge-patch+json"
    assert patch.body == {"spec": {"replicas": 3}}
    assert still.requests.matching(path=re.compile(r"/scale$")) == [patch]
    assert still.requests.last == patch
    still.requests.clear()
    assert len(still.requests) == 0


def test_unauthenticated_requests_are_logged_too(still: Sandbox, tmp_path: Path) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_bytes(still.cluster.ca_pem or b"")
    configuration = client.Configuration()
    configuration.host = still.url
    configuration.ssl_ca_cert = str(ca)
    with client.ApiClient(configuration) as anonymous, pytest.raises(ApiException) as err:
        client.CoreV1Api(anonymous).list_namespace()
    assert err.value.status == 401
    assert still.requests.last.path == "/api/v1/namespaces"
    assert "Authorization" not in still.requests.last.headers


def test_flooded_log_ignores_limit_bytes_and_counts_what_it_wrote(
    still: Sandbox, core: Any, ns: str
) -> None:
    flood = still.faults.flood(200_000)
    response = core.read_namespaced_pod_log(
        "any", ns, limit_bytes=10, tail_lines=1, _preload_content=False
    )
    assert len(response.data) == 200_000
    assert response.data.startswith(b"flood: ")
    assert (flood.sent, flood.ended, flood.dropped) == (200_000, True, False)
    assert core.list_namespaced_pod(ns).items == []  # one use, then answers are real again


def test_flooded_log_notices_a_client_that_hangs_up(still: Sandbox, core: Any, ns: str) -> None:
    flood = still.faults.flood(64 * 1024 * 1024)
    response = core.read_namespaced_pod_log("any", ns, _preload_content=False)
    assert response.read(100).startswith(b"flood: ")
    response.close()
    deadline = time.monotonic() + 30
    while not flood.ended:
        assert time.monotonic() < deadline, "the flood did not notice the client left"
        time.sleep(0.05)
    assert flood.dropped


def test_request_log_records_who_asked_what_and_the_answer(still: Sandbox, core: Any) -> None:
    core.create_namespace({"metadata": {"name": "prod"}})
    api = still.api_client(still.user_token("eve", groups=["dev"]))
    try:
        with pytest.raises(ApiException):
            client.CoreV1Api(api).list_namespaced_pod("prod", label_selector="app=web")
    finally:
        api.close()
    (refused,) = still.requests.matching(method="GET", path="/api/v1/namespaces/prod/pods")
    asked = refused.outcome.attributes
    assert asked is not None
    assert (refused.outcome.user, refused.outcome.status) == ("eve", 403)
    assert (asked.verb, asked.api_group, asked.resource, asked.namespace) == (
        "list",
        "",
        "pods",
        "prod",
    )
    (created,) = still.requests.matching(method="POST", path="/api/v1/namespaces")
    # The admin is privileged: the authorizer is not asked.
    assert (created.outcome.user, created.outcome.attributes, created.outcome.status) == (
        "sandbox-admin",
        None,
        201,
    )


def test_request_log_records_the_impersonation_checks(still: Sandbox) -> None:
    api = still.api_client()
    api.set_default_header("Impersonate-User", "dave")
    api.set_default_header("Impersonate-Group", "sre")
    try:
        with pytest.raises(ApiException):
            client.CoreV1Api(api).list_namespace()
    finally:
        api.close()
    (listed,) = still.requests.matching(method="GET", path="/api/v1/namespaces")
    checks = [(a.verb, a.resource, a.name) for a in listed.outcome.impersonation]
    assert checks == [("impersonate", "users", "dave"), ("impersonate", "groups", "sre")]
    assert (listed.outcome.user, listed.outcome.status) == ("dave", 403)
