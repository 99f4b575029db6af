"""Decode the Kubernetes protobuf bodies kubectl's typed creates send, into plain JSON objects.

``kubectl create deployment``, ``create namespace``, ``run`` and friends build typed objects and
POST them as ``application/vnd.kubernetes.protobuf`` without a JSON fallback, so the tutorial's
first command needs this. The body is the ``k8s\\x00`` magic and a ``runtime.Unknown`` envelope
(typeMeta, raw); ``raw`` is the object in the field numbers of the ``generated.proto`` files of
k8s.io/api, of which this knows the messages kubectl's generators fill in. A field it does not
know is a 415, as before, rather than silently dropped data.

Go's generated marshallers write every non-pointer scalar even when zero, while JSON (what the
store keeps) leaves zero ``omitempty`` fields out: zeros are dropped unless the Go field is a
pointer (``replicas: 0`` must survive). Non-pointer structs are always on the wire and always in
Go's JSON (``resources: {}``, ``strategy: {}``), so an empty message decodes to ``{}``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kubesim.api import status

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a message: its JSON name and how its value is encoded."""

    name: str
    kind: str
    """string, int, bool, bytes, time, intstr, quantity, map (string->string), bytesmap,
    quantitymap, or the name of a message in ``MESSAGES`` (with no ``name``: an embedded struct,
    whose fields JSON inlines)."""
    repeated: bool = False
    pointer: bool = False
    """A Go pointer field: present on the wire only when set, so a zero value is kept."""


def _f(name: str, kind: str = "string", *, repeated: bool = False, pointer: bool = False) -> Field:
    return Field(name, kind, repeated=repeated, pointer=pointer)


_META = {
    1: _f("name"),
    2: _f("generateName"),
    3: _f("namespace"),
    4: _f("selfLink"),
    5: _f("uid"),
    6: _f("resourceVersion"),
    7: _f("generation", "int"),
    8: _f("creationTimestamp", "time"),
    9: _f("deletionTimestamp", "time"),
    10: _f("deletionGracePeriodSeconds", "int", pointer=True),
    11: _f("labels", "map"),
    12: _f("annotations", "map"),
    13: _f("ownerReferences", "OwnerReference", repeated=True),
    14: _f("finalizers", repeated=True),
}

MESSAGES: dict[str, dict[int, Field]] = {
    "ObjectMeta": _META,
    "OwnerReference": {
        1: _f("kind"),
        3: _f("name"),
        4: _f("uid"),
        5: _f("apiVersion"),
        6: _f("controller", "bool", pointer=True),
        7: _f("blockOwnerDeletion", "bool", pointer=True),
    },
    "LabelSelector": {
        1: _f("matchLabels", "map"),
        2: _f("matchExpressions", "LabelSelectorRequirement", repeated=True),
    },
    "LabelSelectorRequirement": {1: _f("key"), 2: _f("operator"), 3: _f("values", repeated=True)},
    "Deployment": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "DeploymentSpec"),
        3: _f("status", "Empty"),
    },
    "DeploymentSpec": {
        1: _f("replicas", "int", pointer=True),
        2: _f("selector", "LabelSelector"),
        3: _f("template", "PodTemplateSpec"),
        4: _f("strategy", "DeploymentStrategy"),
        5: _f("minReadySeconds", "int"),
        6: _f("revisionHistoryLimit", "int", pointer=True),
        7: _f("paused", "bool"),
        9: _f("progressDeadlineSeconds", "int", pointer=True),
    },
    "DeploymentStrategy": {1: _f("type"), 2: _f("rollingUpdate", "RollingUpdateDeployment")},
    "RollingUpdateDeployment": {1: _f("maxUnavailable", "intstr"), 2: _f("maxSurge", "intstr")},
    "PodTemplateSpec": {1: _f("metadata", "ObjectMeta"), 2: _f("spec", "PodSpec")},
    # batch/v1: what kubectl create job (--from=cronjob/NAME too) sends
    "Job": {1: _f("metadata", "ObjectMeta"), 2: _f("spec", "JobSpec"), 3: _f("status", "Empty")},
    "JobSpec": {
        1: _f("parallelism", "int", pointer=True),
        2: _f("completions", "int", pointer=True),
        3: _f("activeDeadlineSeconds", "int", pointer=True),
        4: _f("selector", "LabelSelector"),
        5: _f("manualSelector", "bool", pointer=True),
        6: _f("template", "PodTemplateSpec"),
        7: _f("backoffLimit", "int", pointer=True),
        8: _f("ttlSecondsAfterFinished", "int", pointer=True),
        9: _f("completionMode", pointer=True),
        10: _f("suspend", "bool", pointer=True),
        14: _f("podReplacementPolicy", pointer=True),
    },
    # what kubectl create cronjob sends (batch/v1 generated.proto: timeZone is field 8)
    "CronJob": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "CronJobSpec"),
        3: _f("status", "Empty"),
    },
    "CronJobSpec": {
        1: _f("schedule"),
        2: _f("startingDeadlineSeconds", "int", pointer=True),
        3: _f("concurrencyPolicy"),
        4: _f("suspend", "bool", pointer=True),
        5: _f("jobTemplate", "JobTemplateSpec"),
        6: _f("successfulJobsHistoryLimit", "int", pointer=True),
        7: _f("failedJobsHistoryLimit", "int", pointer=True),
        8: _f("timeZone", pointer=True),
    },
    "JobTemplateSpec": {1: _f("metadata", "ObjectMeta"), 2: _f("spec", "JobSpec")},
    "PodSecurityContext": {},
    "PodSpec": {
        2: _f("containers", "Container", repeated=True),
        3: _f("restartPolicy"),
        4: _f("terminationGracePeriodSeconds", "int", pointer=True),
        5: _f("activeDeadlineSeconds", "int", pointer=True),
        6: _f("dnsPolicy"),
        7: _f("nodeSelector", "map"),
        8: _f("serviceAccountName"),
        9: _f("serviceAccount"),
        10: _f("nodeName"),
        11: _f("hostNetwork", "bool"),
        12: _f("hostPID", "bool"),
        13: _f("hostIPC", "bool"),
        14: _f("securityContext", "PodSecurityContext"),
        15: _f("imagePullSecrets", "LocalObjectReference", repeated=True),
        16: _f("hostname"),
        17: _f("subdomain"),
        19: _f("schedulerName"),
        20: _f("initContainers", "Container", repeated=True),
        21: _f("automountServiceAccountToken", "bool", pointer=True),
        24: _f("priorityClassName"),
        25: _f("priority", "int", pointer=True),
        29: _f("runtimeClassName", pointer=True),
        30: _f("enableServiceLinks", "bool", pointer=True),
        31: _f("preemptionPolicy", pointer=True),
    },
    "Container": {
        1: _f("name"),
        2: _f("image"),
        3: _f("command", repeated=True),
        4: _f("args", repeated=True),
        5: _f("workingDir"),
        6: _f("ports", "ContainerPort", repeated=True),
        7: _f("env", "EnvVar", repeated=True),
        8: _f("resources", "ResourceRequirements"),
        13: _f("terminationMessagePath"),
        14: _f("imagePullPolicy"),
        16: _f("stdin", "bool"),
        17: _f("stdinOnce", "bool"),
        18: _f("tty", "bool"),
        20: _f("terminationMessagePolicy"),
    },
    "ContainerPort": {
        1: _f("name"),
        2: _f("hostPort", "int"),
        3: _f("containerPort", "int"),
        4: _f("protocol"),
        5: _f("hostIP"),
    },
    "EnvVar": {1: _f("name"), 2: _f("value")},
    "ResourceRequirements": {1: _f("limits", "quantitymap"), 2: _f("requests", "quantitymap")},
    "LocalObjectReference": {1: _f("name")},
    "Namespace": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "NamespaceSpec"),
        3: _f("status", "Empty"),
    },
    "NamespaceSpec": {1: _f("finalizers", repeated=True)},
    "Pod": {1: _f("metadata", "ObjectMeta"), 2: _f("spec", "PodSpec"), 3: _f("status", "Empty")},
    "Service": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "ServiceSpec"),
        3: _f("status", "Empty"),
    },
    "ServiceSpec": {
        1: _f("ports", "ServicePort", repeated=True),
        2: _f("selector", "map"),
        3: _f("clusterIP"),
        4: _f("type"),
        5: _f("externalIPs", repeated=True),
        7: _f("sessionAffinity"),
        8: _f("loadBalancerIP"),
        9: _f("loadBalancerSourceRanges", repeated=True),
        10: _f("externalName"),
        11: _f("externalTrafficPolicy"),
        12: _f("healthCheckNodePort", "int"),
        13: _f("publishNotReadyAddresses", "bool"),
        17: _f("ipFamilyPolicy", pointer=True),
        18: _f("clusterIPs", repeated=True),
        19: _f("ipFamilies", repeated=True),
        20: _f("allocateLoadBalancerNodePorts", "bool", pointer=True),
        21: _f("loadBalancerClass", pointer=True),
        22: _f("internalTrafficPolicy", pointer=True),
    },
    "ServicePort": {
        1: _f("name"),
        2: _f("protocol"),
        3: _f("port", "int"),
        4: _f("targetPort", "intstr"),
        5: _f("nodePort", "int"),
        6: _f("appProtocol", pointer=True),
    },
    "ConfigMap": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("data", "map"),
        3: _f("binaryData", "bytesmap"),
        4: _f("immutable", "bool", pointer=True),
    },
    "Secret": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("data", "bytesmap"),
        3: _f("type"),
        4: _f("stringData", "map"),
        5: _f("immutable", "bool", pointer=True),
    },
    "ServiceAccount": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("secrets", "ObjectReference", repeated=True),
        3: _f("imagePullSecrets", "LocalObjectReference", repeated=True),
        4: _f("automountServiceAccountToken", "bool", pointer=True),
    },
    "ObjectReference": {1: _f("kind"), 2: _f("namespace"), 3: _f("name"), 4: _f("uid")},
    # kubectl create quota
    "ResourceQuota": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "ResourceQuotaSpec"),
        3: _f("status", "Empty"),
    },
    "ResourceQuotaSpec": {
        1: _f("hard", "quantitymap"),
        2: _f("scopes", repeated=True),
        3: _f("scopeSelector", "ScopeSelector"),
    },
    "ScopeSelector": {1: _f("matchExpressions", "ScopedResourceSelector", repeated=True)},
    "ScopedResourceSelector": {
        1: _f("scopeName"),
        2: _f("operator"),
        3: _f("values", repeated=True),
    },
    "TypedLocalObjectReference": {1: _f("apiGroup", pointer=True), 2: _f("kind"), 3: _f("name")},
    # networking.k8s.io/v1: kubectl create ingress
    "Ingress": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "IngressSpec"),
        3: _f("status", "Empty"),
    },
    "IngressSpec": {
        1: _f("defaultBackend", "IngressBackend"),
        2: _f("tls", "IngressTLS", repeated=True),
        3: _f("rules", "IngressRule", repeated=True),
        4: _f("ingressClassName", pointer=True),
    },
    "IngressBackend": {
        3: _f("resource", "TypedLocalObjectReference"),
        4: _f("service", "IngressServiceBackend"),
    },
    "IngressServiceBackend": {1: _f("name"), 2: _f("port", "ServiceBackendPort")},
    "ServiceBackendPort": {1: _f("name"), 2: _f("number", "int")},
    "IngressTLS": {1: _f("hosts", repeated=True), 2: _f("secretName")},
    "IngressRule": {1: _f("host"), 2: _f("", "IngressRuleValue")},  # embedded: inlined in JSON
    "IngressRuleValue": {1: _f("http", "HTTPIngressRuleValue")},
    "HTTPIngressRuleValue": {1: _f("paths", "HTTPIngressPath", repeated=True)},
    "HTTPIngressPath": {
        1: _f("path"),
        2: _f("backend", "IngressBackend"),
        3: _f("pathType", pointer=True),
    },
    "Empty": {},  # a status (all zeros from kubectl); the server resets it on create
    # rbac.authorization.k8s.io/v1
    "PolicyRule": {
        1: _f("verbs", repeated=True),
        2: _f("apiGroups", repeated=True),
        3: _f("resources", repeated=True),
        4: _f("resourceNames", repeated=True),
        5: _f("nonResourceURLs", repeated=True),
    },
    "AggregationRule": {1: _f("clusterRoleSelectors", "LabelSelector", repeated=True)},
    "Role": {1: _f("metadata", "ObjectMeta"), 2: _f("rules", "PolicyRule", repeated=True)},
    "ClusterRole": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("rules", "PolicyRule", repeated=True),
        3: _f("aggregationRule", "AggregationRule"),
    },
    "Subject": {1: _f("kind"), 2: _f("apiGroup"), 3: _f("name"), 4: _f("namespace")},
    "RoleRef": {1: _f("apiGroup"), 2: _f("kind"), 3: _f("name")},
    "RoleBinding": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("subjects", "Subject", repeated=True),
        3: _f("roleRef", "RoleRef"),
    },
    # authentication.k8s.io/v1 and authorization.k8s.io/v1: what kubectl create token and
    # kubectl auth can-i / whoami send
    "TokenRequest": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "TokenRequestSpec"),
        3: _f("status", "Empty"),
    },
    "TokenRequestSpec": {
        1: _f("audiences", repeated=True),
        3: _f("boundObjectRef", "BoundObjectReference"),
        4: _f("expirationSeconds", "int", pointer=True),
    },
    "BoundObjectReference": {1: _f("kind"), 2: _f("apiVersion"), 3: _f("name"), 4: _f("uid")},
    "SelfSubjectReview": {1: _f("metadata", "ObjectMeta"), 2: _f("status", "Empty")},
    "ResourceAttributes": {
        1: _f("namespace"),
        2: _f("verb"),
        3: _f("group"),
        4: _f("version"),
        5: _f("resource"),
        6: _f("subresource"),
        7: _f("name"),
    },
    "NonResourceAttributes": {1: _f("path"), 2: _f("verb")},
    "SelfSubjectAccessReviewSpec": {
        1: _f("resourceAttributes", "ResourceAttributes"),
        2: _f("nonResourceAttributes", "NonResourceAttributes"),
    },
    "SelfSubjectAccessReview": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "SelfSubjectAccessReviewSpec"),
        3: _f("status", "Empty"),
    },
    "SelfSubjectRulesReviewSpec": {1: _f("namespace")},
    "SelfSubjectRulesReview": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "SelfSubjectRulesReviewSpec"),
        3: _f("status", "Empty"),
    },
    "ExtraValue": {1: _f("items", repeated=True)},
    "SubjectAccessReviewSpec": {
        1: _f("resourceAttributes", "ResourceAttributes"),
        2: _f("nonResourceAttributes", "NonResourceAttributes"),
        3: _f("user"),
        4: _f("groups", repeated=True),
        6: _f("uid"),
    },
    "SubjectAccessReview": {
        1: _f("metadata", "ObjectMeta"),
        2: _f("spec", "SubjectAccessReviewSpec"),
        3: _f("status", "Empty"),
    },
}
MESSAGES["ClusterRoleBinding"] = MESSAGES["RoleBinding"]
MESSAGES["LocalSubjectAccessReview"] = MESSAGES["SubjectAccessReview"]
KINDS = (
    "Deployment",
    "Job",
    "CronJob",
    "Namespace",
    "Pod",
    "Service",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "ResourceQuota",
    "Ingress",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "TokenRequest",
    "SelfSubjectReview",
    "SelfSubjectAccessReview",
    "SelfSubjectRulesReview",
    "SubjectAccessReview",
    "LocalSubjectAccessReview",
)
_SCALARS = ("string", "int", "bool", "bytes")


def _unsupported(detail: str) -> status.ApiError:
    return status.ApiError(
        415, "UnsupportedMediaType", f"the sandbox cannot decode this protobuf body: {detail}"
    )


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise status.bad_request("protobuf: truncated varint")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def _fields(data: bytes) -> list[tuple[int, int, Any]]:
    """(field number, wire type, value) in wire order; varints as int, length-delimited as bytes."""
    out: list[tuple[int, int, Any]] = []
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 2:
            size, at = _varint(data, at)
            if at + size > len(data):
                raise status.bad_request("protobuf: truncated field")
            value, at = data[at : at + size], at + size
        elif wire == 1:
            value, at = int.from_bytes(data[at : at + 8], "little"), at + 8
        elif wire == 5:
            value, at = int.from_bytes(data[at : at + 4], "little"), at + 4
        else:
            raise status.bad_request(f"protobuf: unsupported wire type {wire}")
        out.append((number, wire, value))
    return out


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _text(raw: Any) -> str:
    if not isinstance(raw, bytes):
        raise status.bad_request("protobuf: expected a length-delimited field")
    return raw.decode("utf-8")


def _map_entry(raw: Any) -> tuple[str, bytes]:
    key, value = "", b""
    for number, _, item in _fields(raw):
        if number == 1:
            key = _text(item)
        elif number == 2:
            value = item
    return key, value


def _scalar(kind: str, raw: Any) -> Any:
    if kind == "string":
        return _text(raw)
    if kind == "int":
        return _signed(raw)
    if kind == "bool":
        return bool(raw)
    return base64.b64encode(raw).decode()


def _value(field: Field, raw: Any, path: str) -> Any:
    kind = field.kind
    if kind in _SCALARS:
        return _scalar(kind, raw)
    if kind == "time":
        parts = {n: v for n, _, v in _fields(raw)}
        seconds = _signed(parts.get(1, 0))
        return (
            datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if seconds else None
        )
    if kind == "intstr":
        parts = {n: v for n, _, v in _fields(raw)}
        return _text(parts.get(3, b"")) if parts.get(1, 0) == 1 else _signed(parts.get(2, 0))
    if kind == "quantity":
        return _text({n: v for n, _, v in _fields(raw)}.get(1, b""))
    return decode_message(kind, raw, path)


def decode_message(message: str, data: bytes, path: str = "") -> dict[str, Any]:
    """One message as a JSON object; 415 for a field this decoder does not know."""
    schema = MESSAGES[message]
    out: dict[str, Any] = {}
    if not schema:
        return out  # a status: whatever kubectl wrote, create resets it
    for number, _, raw in _fields(data):
        field = schema.get(number)
        if field is None:
            raise _unsupported(f"field {number} of {message} at {path or '.'} is not supported")
        where = f"{path}.{field.name}"
        if field.kind in ("map", "bytesmap", "quantitymap"):
            key, value = _map_entry(raw)
            inner = {"map": "string", "bytesmap": "bytes", "quantitymap": "quantity"}[field.kind]
            out.setdefault(field.name, {})[key] = _value(Field(key, inner), value, where)
            continue
        value = _value(field, raw, where)
        if not field.name:  # a Go struct embedded in its parent: JSON inlines its fields
            out.update(value)
            continue
        if field.repeated:
            out.setdefault(field.name, []).append(value)
        elif value is None or (not field.pointer and field.kind in _SCALARS and not value):
            out.pop(field.name, None)  # a zero scalar: JSON's omitempty leaves it out
        else:
            out[field.name] = value
    return out


def decode(body: bytes) -> dict[str, Any]:
    """A ``k8s\\x00`` + ``runtime.Unknown`` body as the JSON object it stands for."""
    if not body.startswith(MAGIC):
        raise status.bad_request("protobuf: the body does not start with the k8s magic prefix")
    api_version = kind = ""
    raw = b""
    for number, _, value in _fields(body[len(MAGIC) :]):
        if number == 1:
            for inner, _, item in _fields(value):
                if inner == 1:
                    api_version = _text(item)
                elif inner == 2:
                    kind = _text(item)
        elif number == 2:
            raw = value
        elif number == 3 and value:
            raise _unsupported(f"content encoding {_text(value)!r}")
    if kind not in KINDS:
        raise _unsupported(f"kind {kind or '(none)'} is not decoded from protobuf")
    return {"apiVersion": api_version, "kind": kind, **decode_message(kind, raw)}
