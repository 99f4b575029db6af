"""The defaults the real apiserver (v1.32) fills in on create and update.

kubectl output, ``describe`` and the controllers all read these fields (``imagePullPolicy``,
``strategy.rollingUpdate``, ``clusterIP`` ...), so the sandbox must store them exactly as a real
cluster would. Sources: ``pkg/apis/core/v1/defaults.go``, ``pkg/apis/apps/v1/defaults.go``, the
ServiceAccount / Priority / DefaultTolerationSeconds admission plugins (pods only) and the service
REST storage (cluster IP and node port allocation). Every function is idempotent.

``qos_class`` is copied on purpose from ``bot.core.describe.qos_class`` as an independent oracle;
do not share.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from kubesim.admission.service_defaults import (
    NODE_PORT_MAX,
    NODE_PORT_MIN,
    default_service,
    node_port_for,
    preserve_allocations,
    sub_object,
)
from kubesim.admission.storage_defaults import DEFAULTERS as STORAGE_DEFAULTERS

__all__ = [
    "NODE_PORT_MAX",
    "NODE_PORT_MIN",
    "apply_defaults",
    "default_pod_spec",
    "image_pull_policy",
    "node_port_for",
    "preserve_allocations",
    "qos_class",
]

JSON = dict[str, Any]

_TOKEN_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand


def apply_defaults(kind: str, obj: JSON, *, allocate_cluster_ip: Callable[[], str]) -> None:
    """Mutate ``obj`` (a ``kind`` object as JSON) with the apiserver's defaults."""
    defaulter = _DEFAULTERS.get(kind)
    if defaulter is not None:
        defaulter(obj, allocate_cluster_ip)


def image_pull_policy(image: str) -> str:
    """``Always`` for ``:latest`` or an untagged image, else ``IfNotPresent`` (core/v1 defaults)."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "Always"
    return "Always" if last.rsplit(":", 1)[1] == "latest" else "IfNotPresent"


# --- pod spec -------------------------------------------------------------------------------


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


def _pod(obj: JSON, _alloc: Callable[[], str]) -> None:
    spec = sub_object(obj, "spec")
    default_pod_spec(spec)
    _admit_pod(obj, spec)
    status = sub_object(obj, "status")
    status.setdefault("phase", "Pending")
    status.setdefault("qosClass", qos_class(spec))


def _template(spec: JSON) -> None:
    template = sub_object(spec, "template")
    # The apiserver serialises the zero time of an embedded ObjectMeta as null (v1.32).
    sub_object(template, "metadata").setdefault("creationTimestamp", None)
    default_pod_spec(sub_object(template, "spec"))


# --- workloads ------------------------------------------------------------------------------


def _deployment(obj: JSON, _alloc: Callable[[], str]) -> None:
    spec = sub_object(obj, "spec")
    spec.setdefault("replicas", 1)
    strategy = sub_object(spec, "strategy")
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = sub_object(strategy, "rollingUpdate")
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _template(spec)


def _replica_set(obj: JSON, _alloc: Callable[[], str]) -> None:
    spec = sub_object(obj, "spec")
    spec.setdefault("replicas", 1)
    _template(spec)


def _stateful_set(obj: JSON, _alloc: Callable[[], str]) -> None:
    """``SetDefaults_StatefulSet`` (apps/v1, v1.32)."""
    spec = sub_object(obj, "spec")
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = sub_object(spec, "updateStrategy")
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        sub_object(strategy, "rollingUpdate").setdefault("partition", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    retention = sub_object(spec, "persistentVolumeClaimRetentionPolicy")
    retention.setdefault("whenDeleted", "Retain")
    retention.setdefault("whenScaled", "Retain")
    for claim in spec.get("volumeClaimTemplates") or []:
        if isinstance(claim, dict):
            claim.setdefault("apiVersion", "v1")
            claim.setdefault("kind", "PersistentVolumeClaim")
            claim_spec = sub_object(claim, "spec")
            claim_spec.setdefault("volumeMode", "Filesystem")
            sub_object(claim, "status").setdefault("phase", "Pending")
    _template(spec)


def _daemon_set(obj: JSON, _alloc: Callable[[], str]) -> None:
    """``SetDefaults_DaemonSet``: RollingUpdate with maxUnavailable 1 and maxSurge 0."""
    spec = sub_object(obj, "spec")
    strategy = sub_object(spec, "updateStrategy")
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = sub_object(strategy, "rollingUpdate")
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    _template(spec)


def _job_spec(spec: JSON) -> None:
    """``SetDefaults_Job`` on a Job's spec (a CronJob's jobTemplate is not defaulted so)."""
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    if not spec.get("podFailurePolicy"):
        spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    if spec.get("manualSelector") is None:
        spec.pop("manualSelector", None)


def _job(obj: JSON, _alloc: Callable[[], str]) -> None:
    spec = sub_object(obj, "spec")
    _job_spec(spec)
    _template(spec)


def _cron_job(obj: JSON, _alloc: Callable[[], str]) -> None:
    """``SetDefaults_CronJob``."""
    spec = sub_object(obj, "spec")
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_template = sub_object(spec, "jobTemplate")
    sub_object(job_template, "metadata").setdefault("creationTimestamp", None)
    _template(sub_object(job_template, "spec"))


def job_selector(job: JSON) -> None:
    """The Job strategy's ``generateSelector``, once the uid is known: the selector and the
    template labels that tie a Job to its pods (unless ``manualSelector`` is set)."""
    spec = sub_object(job, "spec")
    if spec.get("manualSelector"):
        return
    uid = str(job.get("metadata", {}).get("uid", ""))
    labels = sub_object(sub_object(sub_object(spec, "template"), "metadata"), "labels")
    name = str(job.get("metadata", {}).get("name", ""))
    labels.setdefault("batch.kubernetes.io/controller-uid", uid)
    labels.setdefault("batch.kubernetes.io/job-name", name)
    labels.setdefault("controller-uid", uid)
    labels.setdefault("job-name", name)
    if not spec.get("selector"):
        spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}


# --- everything else ------------------------------------------------------------------------


def _namespace(obj: JSON, _alloc: Callable[[], str]) -> None:
    meta = sub_object(obj, "metadata")
    name = meta.get("name")
    if isinstance(name, str) and name:
        # Always forced to the name (namespace strategy), even if the user set it otherwise.
        sub_object(meta, "labels")["kubernetes.io/metadata.name"] = name
    sub_object(obj, "spec").setdefault("finalizers", ["kubernetes"])
    sub_object(obj, "status").setdefault("phase", "Active")


def _secret(obj: JSON, _alloc: Callable[[], str]) -> None:
    obj.setdefault("type", "Opaque")


def _endpoints(obj: JSON, _alloc: Callable[[], str]) -> None:
    for subset in obj.get("subsets") or []:
        for port in (subset or {}).get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")


def _binding(obj: JSON, _alloc: Callable[[], str]) -> None:
    # SetDefaults_Subject: users and groups are RBAC subjects, service accounts core ones.
    for subject in obj.get("subjects") or []:
        kind = subject.get("kind") if isinstance(subject, dict) else None
        if kind in ("User", "Group") and not subject.get("apiGroup"):
            subject["apiGroup"] = "rbac.authorization.k8s.io"


def _noop(_obj: JSON, _alloc: Callable[[], str]) -> None:
    return


_DEFAULTERS: dict[str, Callable[[JSON, Callable[[], str]], None]] = {
    "Pod": _pod,
    "Deployment": _deployment,
    "ReplicaSet": _replica_set,
    "StatefulSet": _stateful_set,
    "DaemonSet": _daemon_set,
    "Job": _job,
    "CronJob": _cron_job,
    "Service": default_service,
    "Namespace": _namespace,
    "Secret": _secret,
    "Endpoints": _endpoints,
    "Event": _noop,
    "ConfigMap": _noop,
    "Lease": _noop,
    "ServiceAccount": _noop,
    "Node": _noop,
    "RoleBinding": _binding,
    "ClusterRoleBinding": _binding,
    **STORAGE_DEFAULTERS,
}
