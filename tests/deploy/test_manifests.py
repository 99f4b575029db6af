"""deploy/ as ``kubectl kustomize`` renders it: valid objects for a current Kubernetes, a
hardened Deployment, a ConfigMap that rolls the pods, a Secret template without values."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.manifests import COMPONENTS, DEPLOY, Obj, kustomize, of_kind, rendered
from tests.deploy.test_image import UID
from tests.subprocess_env import REPO

RENDERINGS = [
    ("", ()),
    ("http", ()),
    *[("", (c,)) for c in COMPONENTS],
    ("", COMPONENTS),
    ("http", COMPONENTS),
]
SECRET = "k8s-chatops-slack"
SECRET_TEMPLATE = DEPLOY / "slack-secret.example.yaml"


def one(objects: list[Obj], kind: str) -> Obj:
    (found,) = of_kind(objects, kind)
    return found


def container(objects: list[Obj]) -> Obj:
    (found,) = one(objects, "Deployment")["spec"]["template"]["spec"]["containers"]
    return found


def validate(obj: Obj) -> None:
    try:
        kubernetes_validate.validate(obj, kubernetes_validate.latest_version(), strict=True)
    except kubernetes_validate.ValidationError as e:
        first = str(e).splitlines()[0]
        pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {first}", pytrace=False)


@pytest.mark.parametrize(
    ("overlay", "components"),
    RENDERINGS,
    ids=lambda v: (v if isinstance(v, str) else "+".join(v)) or "-",
)
def test_every_rendered_object_validates_strictly(
    overlay: str, components: tuple[str, ...]
) -> None:
    objects = rendered(components, overlay=overlay)
    assert len(objects) >= 12
    for obj in objects:
        validate(obj)


def test_validation_rejects_an_unknown_field() -> None:
    deployment = one(rendered(), "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["readOnlyRootFilesystem"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, kubernetes_validate.latest_version(), strict=True)


def test_the_deployment_is_hardened() -> None:
    objects = rendered()
    deployment = one(objects, "Deployment")
    spec = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] == 2
    assert spec["serviceAccountName"] == one(objects, "ServiceAccount")["metadata"]["name"]
    pod = spec["securityContext"]
    assert pod["runAsNonRoot"] is True
    assert (pod["runAsUser"], pod["runAsGroup"]) == (UID, UID)
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    app = container(objects)
    security = app["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert (security["runAsUser"], security["runAsGroup"], security["runAsNonRoot"]) == (
        UID,
        UID,
        True,
    )
    assert set(app["resources"]["requests"]) == {"cpu", "memory"}
    assert set(app["resources"]["limits"]) == {"cpu", "memory"}
    mounts = {m["mountPath"]: m for m in app["volumeMounts"]}
    assert set(mounts) == {"/app/config", "/tmp"}  # the image's WORKDIR is /app


def test_probes_are_on_the_ops_port() -> None:
    app = container(rendered())
    assert {"name": "ops", "containerPort": 8080, "protocol": "TCP"} in app["ports"]
    assert app["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "ops"}
    assert app["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "ops"}


def test_replicas_spread_across_nodes_and_keep_one_through_disruptions() -> None:
    objects = rendered()
    template = one(objects, "Deployment")["spec"]["template"]
    labels = template["metadata"]["labels"]
    spread = {c["topologyKey"]: c for c in template["spec"]["topologySpreadConstraints"]}
    assert (
        spread["kubernetes.io/hostname"]["labelSelector"]["matchLabels"].items() <= labels.items()
    )
    budget = one(objects, "PodDisruptionBudget")["spec"]
    assert budget["minAvailable"] == 1
    assert budget["selector"]["matchLabels"].items() <= labels.items()


def test_the_settings_configmap_is_generated_from_config() -> None:
    objects = rendered()
    (config,) = of_kind(objects, "ConfigMap")
    text = (REPO / "config" / "k8s-chatops.yaml").read_text(encoding="utf-8")
    assert config["data"] == {"k8s-chatops.yaml": text}
    volumes = one(objects, "Deployment")["spec"]["template"]["spec"]["volumes"]
    assert {"name": "config", "configMap": {"name": config["metadata"]["name"]}} in volumes


def test_a_settings_change_renames_the_configmap_and_so_rolls_the_pods(tmp_path: Path) -> None:
    shutil.copytree(REPO / "config", tmp_path / "config")
    shutil.copytree(DEPLOY, tmp_path / "deploy")
    before = one(kustomize(tmp_path / "deploy"), "ConfigMap")["metadata"]["name"]
    settings = tmp_path / "config" / "k8s-chatops.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    objects = kustomize(tmp_path / "deploy")
    after = one(objects, "ConfigMap")["metadata"]["name"]
    assert before != after
    assert before.startswith("k8s-chatops-config-")
    volumes = one(objects, "Deployment")["spec"]["template"]["spec"]["volumes"]
    assert {"name": "config", "configMap": {"name": after}} in volumes


def secret_keys(objects: list[Obj]) -> set[str]:
    found = set()
    for variable in container(objects)["env"]:
        ref = variable.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            assert ref["name"] == SECRET
            found.add(ref["key"])
    return found


def test_socket_mode_and_http_mode_read_their_tokens_from_the_secret() -> None:
    assert secret_keys(rendered()) == {"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"}
    assert secret_keys(rendered(overlay="http")) == {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}


def test_the_secret_is_a_template_without_values() -> None:
    template: dict[str, Any] = yaml.safe_load(SECRET_TEMPLATE.read_text(encoding="utf-8"))
    validate(template)
    assert template["metadata"]["name"] == SECRET
    assert set(template["stringData"]) == secret_keys(rendered()) | secret_keys(
        rendered(overlay="http")
    )
    assert set(template["stringData"].values()) == {""}
    for overlay in ("", "http"):
        assert of_kind(rendered(COMPONENTS, overlay=overlay), "Secret") == []


def test_http_mode_listens_behind_a_service() -> None:
    objects = rendered(overlay="http")
    app = container(objects)
    assert app["args"] == ["run", "--mode", "http", "--host", "0.0.0.0", "--port", "3000"]
    assert {"name": "http", "containerPort": 3000, "protocol": "TCP"} in app["ports"]
    assert {p["name"] for p in app["ports"]} == {"ops", "http"}
    assert app["lifecycle"]["preStop"] == {"sleep": {"seconds": 5}}
    spec = one(objects, "Deployment")["spec"]["template"]["spec"]
    assert spec["terminationGracePeriodSeconds"] >= 5 + 25  # preStop + shutdown grace
    service = one(objects, "Service")
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    labels = one(objects, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()


def test_optional_features_are_off_by_default() -> None:
    names = {r["metadata"]["name"] for r in of_kind(rendered(), "ClusterRole")}
    assert names == {"k8s-chatops-read", "k8s-chatops-change"}
    with_all = {r["metadata"]["name"] for r in of_kind(rendered(COMPONENTS), "ClusterRole")}
    assert with_all - names == {"k8s-chatops-delete", "k8s-chatops-impersonate"}
