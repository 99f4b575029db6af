"""AppsV1Api and CoordinationV1Api: scale/status subresources, generation, leases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException


def deployment(name: str, *, replicas: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {"name": "web", "image": "nginx:1.27"},
                        {"name": "sidecar", "image": "busybox:1.36"},
                    ]
                },
            },
        },
    }


def test_create_defaults_the_deployment(apps: Any, ns: str) -> None:
    created = apps.create_namespaced_deployment(ns, deployment("web"))
    assert created.metadata.generation == 1
    assert created.spec.strategy.type == "RollingUpdate"
    assert created.spec.strategy.rolling_update.max_surge == "25%"
    assert created.spec.revision_history_limit == 10
    assert created.spec.progress_deadline_seconds == 600


def test_generation_moves_with_spec_only(apps: Any, ns: str) -> None:
    apps.create_namespaced_deployment(ns, deployment("web"))
    labelled = apps.patch_namespaced_deployment("web", ns, {"metadata": {"labels": {"x": "y"}}})
    assert labelled.metadata.generation == 1
    scaled = apps.patch_namespaced_deployment("web", ns, {"spec": {"replicas": 5}})
    assert scaled.metadata.generation == 2


def test_set_image_strategic_patch_keeps_other_containers(apps: Any, ns: str) -> None:
    apps.create_namespaced_deployment(ns, deployment("web"))
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "web"}, {"name": "sidecar"}],
                    "containers": [{"name": "web", "image": "nginx:1.28"}],
                }
            }
        }
    }
    patched = apps.patch_namespaced_deployment("web", ns, patch)
    containers = patched.spec.template.spec.containers
    assert [(c.name, c.image) for c in containers] == [
        ("web", "nginx:1.28"),
        ("sidecar", "busybox:1.36"),
    ]


def test_rollback_json_patch_replaces_the_template(apps: Any, ns: str) -> None:
    body = deployment("web")
    body["metadata"]["annotations"] = {"old": "yes"}
    created = apps.create_namespaced_deployment(ns, body)
    template = client.ApiClient().sanitize_for_serialization(created.spec.template)
    template["spec"]["containers"][0]["image"] = "nginx:1.25"
    patch = [
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": {"a": "b"}},
    ]
    patched = apps.patch_namespaced_deployment("web", ns, patch)
    assert patched.spec.template.spec.containers[0].image == "nginx:1.25"
    assert patched.metadata.annotations == {"a": "b"}


def test_scale_subresource_reads_and_patches(apps: Any, ns: str) -> None:
    apps.create_namespaced_deployment(ns, deployment("web", replicas=2))
    scale = apps.read_namespaced_deployment_scale("web", ns)
    assert (scale.kind, scale.api_version) == ("Scale", "autoscaling/v1")
    assert (scale.spec.replicas, scale.status.selector) == (2, "app=web")
    merged = apps.patch_namespaced_deployment_scale(
        "web", ns, {"spec": {"replicas": 4}}, _content_type="application/merge-patch+json"
    )
    assert merged.spec.replicas == 4
    strategic = apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": 3}})
    assert strategic.spec.replicas == 3
    jsonpatched = apps.patch_namespaced_deployment_scale(
        "web", ns, [{"op": "replace", "path": "/spec/replicas", "value": 1}]
    )
    assert jsonpatched.spec.replicas == 1
    assert apps.read_namespaced_deployment("web", ns).spec.replicas == 1


def test_scale_put_with_stale_resource_version_conflicts(apps: Any, ns: str) -> None:
    apps.create_namespaced_deployment(ns, deployment("web"))
    scale = apps.read_namespaced_deployment_scale("web", ns)
    scale.spec.replicas = 5
    replaced = apps.replace_namespaced_deployment_scale("web", ns, scale)
    assert replaced.spec.replicas == 5
    scale.spec.replicas = 6
    with pytest.raises(ApiException) as err:
        apps.replace_namespaced_deployment_scale("web", ns, scale)
    assert err.value.status == 409
    assert json.loads(err.value.body)["reason"] == "Conflict"


def test_negative_scale_is_invalid(apps: Any, ns: str) -> None:
    apps.create_namespaced_deployment(ns, deployment("web"))
    with pytest.raises(ApiException) as err:
        apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": -1}})
    body = json.loads(err.value.body)
    assert (err.value.status, body["reason"]) == (422, "Invalid")
    assert body["details"]["causes"][0]["field"] == "spec.replicas"


def test_replicaset_scale(apps: Any, ns: str) -> None:
    body = deployment("web")
    body["kind"] = "ReplicaSet"
    del body["spec"]["template"]["spec"]["containers"][1]
    apps.create_namespaced_replica_set(ns, body)
    scaled = apps.patch_namespaced_replica_set_scale("web", ns, {"spec": {"replicas": 7}})
    assert scaled.spec.replicas == 7
    assert apps.read_namespaced_replica_set("web", ns).spec.replicas == 7


def test_status_subresource_owns_status(apps: Any, ns: str) -> None:
    apps.create_namespaced_deployment(ns, deployment("web"))
    ignored = apps.patch_namespaced_deployment("web", ns, {"status": {"replicas": 9}})
    assert ignored.status.replicas is None
    updated = apps.patch_namespaced_deployment_status(
        "web", ns, {"status": {"replicas": 2, "observedGeneration": 1}}
    )
    assert (updated.status.replicas, updated.status.observed_generation) == (2, 1)
    assert updated.metadata.generation == 1
    current = apps.read_namespaced_deployment_status("web", ns)
    current.status.ready_replicas = 2
    assert apps.replace_namespaced_deployment_status("web", ns, current).status.ready_replicas == 2


def test_selector_is_immutable(apps: Any, ns: str) -> None:
    apps.create_namespaced_deployment(ns, deployment("web"))
    patch = {
        "spec": {
            "selector": {"matchLabels": {"app": "other"}},
            "template": {"metadata": {"labels": {"app": "other"}}},
        }
    }
    with pytest.raises(ApiException) as err:
        apps.patch_namespaced_deployment("web", ns, patch)
    assert err.value.status == 422


def test_lease_crud_with_optimistic_updates(api: Any, ns: str) -> None:
    leases = client.CoordinationV1Api(api)
    now = datetime.now(UTC)
    body = client.V1Lease(
        metadata=client.V1ObjectMeta(name="bot-leader"),
        spec=client.V1LeaseSpec(
            holder_identity="pod-a", lease_duration_seconds=15, acquire_time=now, renew_time=now
        ),
    )
    created = leases.create_namespaced_lease(ns, body)
    assert created.spec.holder_identity == "pod-a"
    mine = leases.read_namespaced_lease("bot-leader", ns)
    theirs = leases.read_namespaced_lease("bot-leader", ns)
    mine.spec.holder_identity = "pod-b"
    leases.replace_namespaced_lease("bot-leader", ns, mine)
    theirs.spec.holder_identity = "pod-c"
    with pytest.raises(ApiException) as err:
        leases.replace_namespaced_lease("bot-leader", ns, theirs)
    assert err.value.status == 409
    listed = leases.list_namespaced_lease(ns)
    assert [lease.spec.holder_identity for lease in listed.items] == ["pod-b"]
