"""scale, set image, rollout undo/restart/history and delete against the sandbox: the requests
on the wire (method, path, media type, body) are kubectl's, and the cluster ends up changed."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.core.results import Change, Document
from bot.errors import Conflict, UsageError
from bot.gateway.gateway import KubernetesGateway
from kubesim.testing.harness import Sandbox
from tests.gateway.support import ACTOR, eventually, run


def read(gw: KubernetesGateway, what: str) -> dict[str, Any]:
    result = run(gw, f"get {what} -o json")
    assert isinstance(result, Document)
    found: dict[str, Any] = json.loads(result.text)
    return found


def changes(cluster: Sandbox) -> list[Any]:
    return [r for r in cluster.requests.all() if r.method in ("PATCH", "PUT", "POST", "DELETE")]


def test_scale_sends_one_merge_patch_to_the_scale_subresource(
    gw: KubernetesGateway, cluster: Sandbox
) -> None:
    assert run(gw, "scale deployment/web --replicas=4 -n prod") == Change(
        "deployment.apps/web scaled"
    )
    (request,) = changes(cluster)
    assert (request.method, request.path) == (
        "PATCH",
        "/apis/apps/v1/namespaces/prod/deployments/web/scale",
    )
    assert request.content_type == "application/merge-patch+json"
    assert request.body == {"spec": {"replicas": 4}}
    assert read(gw, "deploy web -n prod")["spec"]["replicas"] == 4


def test_scale_with_current_replicas_reads_then_puts_with_resource_version(
    gw: KubernetesGateway, cluster: Sandbox
) -> None:
    run(gw, "scale deployment/web --replicas=5 --current-replicas=3 -n prod")
    (request,) = changes(cluster)
    assert (request.method, request.path) == (
        "PUT",
        "/apis/apps/v1/namespaces/prod/deployments/web/scale",
    )
    assert request.body["kind"] == "Scale"
    assert request.body["spec"] == {"replicas": 5}
    assert request.body["metadata"]["resourceVersion"]
    assert read(gw, "deploy web -n prod")["spec"]["replicas"] == 5


def test_scale_precondition_mismatch_sends_nothing(gw: KubernetesGateway, cluster: Sandbox) -> None:
    with pytest.raises(Conflict, match=r"^Expected replicas to be 2, was 3$"):
        run(gw, "scale deployment/web --replicas=5 --current-replicas=2 -n prod")
    assert changes(cluster) == []


def test_scale_conflict_is_reported_not_retried(gw: KubernetesGateway, cluster: Sandbox) -> None:
    cluster.faults.respond(409, method="PUT", path="/scale$", reason="Conflict")
    with pytest.raises(Conflict) as err:
        run(gw, "scale deployment/web --replicas=5 --current-replicas=3 -n prod")
    assert str(err.value) == (
        'deployment "web" changed meanwhile; check its replicas and try again'
    )
    assert len(changes(cluster)) == 1


def test_set_image_sends_kubectls_patch_with_change_cause(
    gw: KubernetesGateway, cluster: Sandbox
) -> None:
    text = "set image deployment/web web=nginx:1.28 -n prod"
    assert run(gw, text) == Change("deployment.apps/web image updated")
    (request,) = changes(cluster)
    assert (request.method, request.path) == (
        "PATCH",
        "/apis/apps/v1/namespaces/prod/deployments/web",
    )
    assert request.query["fieldManager"] == "kubectl-set"
    assert request.content_type == "application/strategic-merge-patch+json"
    assert request.body == {
        "metadata": {"annotations": {"kubernetes.io/change-cause": f"{ACTOR} {text}"}},
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "web"}],
                    "containers": [{"image": "nginx:1.28", "name": "web"}],
                }
            }
        },
    }
    deployment = read(gw, "deploy web -n prod")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"

    def recorded() -> bool:
        history = run(gw, "rollout history deployment/web -n prod")
        return isinstance(history, Document) and f"3         {ACTOR} {text}" in history.text

    eventually(recorded)


def test_set_image_to_the_current_image_sends_nothing(
    gw: KubernetesGateway, cluster: Sandbox
) -> None:
    result = run(gw, "set image deployment/web web=nginx:1.27 -n prod")
    assert isinstance(result, Change)
    assert result.summary == "deployment.apps/web unchanged"
    assert not result.changed
    assert changes(cluster) == []


def test_set_image_unknown_container_names_the_real_ones(gw: KubernetesGateway) -> None:
    with pytest.raises(
        UsageError, match='unable to find container named "db"; containers are: web'
    ):
        run(gw, "set image deployment/web db=postgres:16 -n prod")


def test_rollout_history_lists_revisions(gw: KubernetesGateway) -> None:
    result = run(gw, "rollout history deployment/api -n prod")
    assert isinstance(result, Document)
    assert result.text == (
        "deployment.apps/api \n"
        "REVISION  CHANGE-CAUSE\n"
        "1         slack:@alice deploy api 1.2.0\n"
        "2         slack:@bob set image api=ghcr.io/acme/api:1.3.0\n"
        "3         slack:@alice set image api=ghcr.io/acme/api:1.3.1\n"
        "\n"
    )


def test_rollout_history_revision_shows_its_template(gw: KubernetesGateway) -> None:
    result = run(gw, "rollout history deployment/api -n prod --revision=2")
    assert isinstance(result, Document)
    lines = result.text.splitlines()
    assert lines[0] == "deployment.apps/api with revision #2"
    assert lines[1] == "Pod Template:"
    assert any(re.fullmatch(r"\s+Image:\s+ghcr.io/acme/api:1.3.0", line) for line in lines)
    assert any("kubernetes.io/change-cause: slack:@bob" in line for line in lines)


def test_rollout_undo_sends_json_patch_from_previous_revision(
    gw: KubernetesGateway, cluster: Sandbox
) -> None:
    assert run(gw, "rollout undo deployment/api -n prod") == Change(
        "deployment.apps/api rolled back"
    )
    (request,) = changes(cluster)
    assert (request.method, request.path) == (
        "PATCH",
        "/apis/apps/v1/namespaces/prod/deployments/api",
    )
    assert request.content_type == "application/json-patch+json"
    template, annotations = request.body
    assert (template["op"], template["path"]) == ("replace", "/spec/template")
    assert "pod-template-hash" not in template["value"]["metadata"]["labels"]
    assert template["value"]["spec"]["containers"][0]["image"] == "ghcr.io/acme/api:1.3.0"
    assert (annotations["op"], annotations["path"]) == ("replace", "/metadata/annotations")
    assert annotations["value"]["kubernetes.io/change-cause"] == (
        "slack:@bob set image api=ghcr.io/acme/api:1.3.0"
    )
    assert annotations["value"]["deployment.kubernetes.io/revision"] == "3"

    def revision_two_came_back_as_four() -> bool:
        history = run(gw, "rollout history deployment/api -n prod")
        assert isinstance(history, Document)
        return "4         slack:@bob set image api=ghcr.io/acme/api:1.3.0" in history.text

    eventually(revision_two_came_back_as_four)


def test_rollout_undo_to_current_revision_is_skipped(
    gw: KubernetesGateway, cluster: Sandbox
) -> None:
    assert run(gw, "rollout undo deployment/api -n prod --to-revision=3") == Change(
        "deployment.apps/api skipped rollback (current template already matches revision 3)",
        changed=False,
    )
    assert changes(cluster) == []


def test_rollout_restart_patches_restarted_at(gw: KubernetesGateway, cluster: Sandbox) -> None:
    assert run(gw, "rollout restart deployment/web -n prod") == Change(
        "deployment.apps/web restarted"
    )
    (request,) = changes(cluster)
    assert request.method == "PATCH"
    assert request.query["fieldManager"] == "kubectl-rollout"
    assert request.content_type == "application/strategic-merge-patch+json"
    stamp = request.body["spec"]["template"]["metadata"]["annotations"][
        "kubectl.kubernetes.io/restartedAt"
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp)
    template = read(gw, "deploy web -n prod")["spec"]["template"]
    assert template["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] == stamp


def test_delete_pod_sends_background_propagation(gw: KubernetesGateway, cluster: Sandbox) -> None:
    pods = read(gw, "pods -n prod -l app=web")["items"]
    name = pods[0]["metadata"]["name"]
    assert run(gw, f"delete pod {name} -n prod") == Change(f'pod "{name}" deleted')
    (request,) = changes(cluster)
    assert (request.method, request.path) == ("DELETE", f"/api/v1/namespaces/prod/pods/{name}")
    assert request.body == {"propagationPolicy": "Background"}


def test_delete_services_by_selector(gw: KubernetesGateway, cluster: Sandbox) -> None:
    result = run(gw, "delete service -l app=web -n staging")
    assert result == Change('service "web" deleted')
    assert [(r.method, r.path) for r in changes(cluster)] == [
        ("DELETE", "/api/v1/namespaces/staging/services/web")
    ]
    nothing = run(gw, "delete service -l app=nothing -n staging")
    assert nothing == Document("No resources found in staging namespace.")
