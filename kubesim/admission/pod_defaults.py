"""The defaults of pods and pod templates: the PodSpec's own (``pkg/apis/core/v1/defaults.go``)
and what the ServiceAccount, Priority and DefaultTolerationSeconds admission plugins add to pods.

``qos_class`` is copied on purpose from ``bot.core.describe.qos_class`` as an independent oracle;
do not share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from kubesim.admission.service_defaults import sub_object

JSON = dict[str, Any]

_TOKEN_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand


def image_pull_policy(image: str) -> str:
    """``Always`` for ``:latest`` or an untagged image, else ``IfNotPresent`` (core/v1 defaults)."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "Always"
    return "Always" if last.rsplit(":", 1)[1] == "latest" else "IfNotPresent"


def _default_probe(probe: Any) -> None:
    if not isinstance(probe, dict):
        return
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    http = probe.get("httpGet")
    if isinstance(http, dict):
        http.setdefault("path", "/")
        http.setdefault("scheme", "HTTP")


def _default_container(container: Any) -> None:
    if not isinstance(container, dict):
        return
    image = container.get("image")
    if isinstance(image, str) and image and "imagePullPolicy" not in container:
        container["imagePullPolicy"] = image_pull_policy(image)
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    resources = sub_object(container, "resources")
    limits = resources.get("limits")
    if isinstance(limits, dict) and limits:
        # A limit without a request means request == limit (core/v1 SetDefaults_Pod).
        requests = sub_object(resources, "requests")
        for name, quantity in limits.items():
            requests.setdefault(name, quantity)
    for port in container.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
    for env in container.get("env") or []:
        if not isinstance(env, dict):
            continue
        source = env.get("valueFrom")
        if isinstance(source, dict) and isinstance(source.get("fieldRef"), dict):
            source["fieldRef"].setdefault("apiVersion", "v1")
    for probe_key in ("livenessProbe", "readinessProbe", "startupProbe"):
        _default_probe(container.get(probe_key))


def _default_volume(volume: Any) -> None:
    if not isinstance(volume, dict):
        return
    for source_key in ("configMap", "secret"):
        source = volume.get(source_key)
        if isinstance(source, dict):
            source.setdefault("defaultMode", 420)
    projected = volume.get("projected")
    if isinstance(projected, dict):
        projected.setdefault("defaultMode", 420)
    empty_dir = volume.get("emptyDir")
    if empty_dir is None and "emptyDir" in volume:
        volume["emptyDir"] = {}


def default_pod_spec(spec: JSON) -> None:
    """Defaults every PodSpec gets, in a Pod as well as in a workload's template."""
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    if "serviceAccountName" in spec:
        # The deprecated alias is filled from the new field during conversion.
        spec.setdefault("serviceAccount", spec["serviceAccountName"])
    for list_key in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(list_key) or []:
            _default_container(container)
    for volume in spec.get("volumes") or []:
        _default_volume(volume)


def _name_suffix(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_SUFFIX_ALPHABET[b % len(_SUFFIX_ALPHABET)] for b in digest[:5])


def _token_volume(name: str) -> JSON:
    return {
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {
                    "configMap": {
                        "name": "kube-root-ca.crt",
                        "items": [{"key": "ca.crt", "path": "ca.crt"}],
                    }
                },
                {
                    "downwardAPI": {
                        "items": [
                            {
                                "path": "namespace",
                                "fieldRef": {
                                    "apiVersion": "v1",
                                    "fieldPath": "metadata.namespace",
                                },
                            }
                        ]
                    }
                },
            ],
        },
    }


def _admit_pod(pod: JSON, spec: JSON) -> None:
    """What the ServiceAccount, Priority and DefaultTolerationSeconds admission plugins add."""
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    tolerations = spec.setdefault("tolerations", [])
    present = {t.get("key") for t in tolerations if isinstance(t, dict)}
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if key not in present:
            tolerations.append(
                {
                    "key": key,
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                }
            )
    if spec.get("automountServiceAccountToken") is False:
        return
    volumes = spec.setdefault("volumes", [])
    existing = next(
        (
            v["name"]
            for v in volumes
            if isinstance(v, dict) and str(v.get("name", "")).startswith("kube-api-access-")
        ),
        None,
    )
    if existing is None:
        meta = pod.get("metadata") or {}
        seed = f"{meta.get('namespace', '')}/{meta.get('name', '')}"
        existing = f"kube-api-access-{_name_suffix(seed)}"
        volumes.append(_token_volume(existing))
    for list_key in ("initContainers", "containers"):
        for container in spec.get(list_key) or []:
            if not isinstance(container, dict):
                continue
            mounts = container.setdefault("volumeMounts", [])
            if not any(isinstance(m, dict) and m.get("mountPath") == _TOKEN_MOUNT for m in mounts):
                mounts.append({"name": existing, "readOnly": True, "mountPath": _TOKEN_MOUNT})


def qos_class(spec: JSON) -> str:
    """``Guaranteed``, ``Burstable`` or ``BestEffort`` (``pkg/apis/core/helper/qos``)."""
    containers = [
        c
        for key in ("initContainers", "containers")
        for c in spec.get(key) or []
        if isinstance(c, dict)
    ]
    any_set = False
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        requests = resources.get("requests") or {}
        limits = resources.get("limits") or {}
        if requests or limits:
            any_set = True
        for resource in ("cpu", "memory"):
            if (
                resource not in limits
                or requests.get(resource, limits[resource]) != limits[resource]
            ):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def default_pod(obj: JSON, _alloc: Callable[[], str]) -> None:
    """A Pod's defaults, its admission plugins' additions and its initial status."""
    spec = sub_object(obj, "spec")
    default_pod_spec(spec)
    _admit_pod(obj, spec)
    status = sub_object(obj, "status")
    status.setdefault("phase", "Pending")
    status.setdefault("qosClass", qos_class(spec))


def pod_template(spec: JSON) -> None:
    """A workload's pod template: its metadata, and the defaults of its PodSpec."""
    template = sub_object(spec, "template")
    # The apiserver serialises the zero time of an embedded ObjectMeta as null (v1.32).
    sub_object(template, "metadata").setdefault("creationTimestamp", None)
    default_pod_spec(sub_object(template, "spec"))
