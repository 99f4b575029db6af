"""A watch resumed from a resourceVersion, as kubectl streams it: only the watched resource's
changes, though the sandbox's history holds every type's (a cluster-wide Deployments watch once
received a ReplicaSet this way)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kubernetes import client

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import Judge, Kubectl

pytestmark = pytest.mark.kubectl
JUDGE = Judge(scenario="demo", speed=20.0)


def test_a_resumed_deployments_watch_sends_only_deployments(
    sandbox: Sandbox, kubectl: Kubectl
) -> None:
    listed = json.loads(kubectl("get", "--raw", "/apis/apps/v1/deployments").stdout)
    since = listed["metadata"]["resourceVersion"]
    kubectl("scale", "deployment/web", "-n", "staging", "--replicas=3")
    kubectl("create", "configmap", "resumed", "-n", "staging")
    path = f"/apis/apps/v1/deployments?watch=true&resourceVersion={since}&timeoutSeconds=1"
    events: list[dict[str, Any]] = [
        json.loads(line) for line in kubectl("get", "--raw", path).stdout.splitlines()
    ]
    api = sandbox.api_client()
    replica_sets = client.AppsV1Api(api).list_namespaced_replica_set("staging").items
    api.close()
    assert replica_sets
    assert events, "the scale was not seen"
    assert {e["object"]["kind"] for e in events if e["type"] != "BOOKMARK"} == {"Deployment"}
    assert ("MODIFIED", "web") in {(e["type"], e["object"]["metadata"]["name"]) for e in events}
