"""Per-kind validation with the real apiserver's field paths and messages.

The store calls :func:`validate` after defaulting; a non-empty result becomes a 422 Invalid whose
causes kubectl prints verbatim. Rules follow ``pkg/apis/{core,apps}/validation`` for the mistakes
a user of the bot can actually make; everything else is accepted as a real cluster would. Object
metadata is checked here for every kind; each family's rules live in a ``*_validation`` module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubesim.admission import field_errors as f
from kubesim.admission import names as n
from kubesim.admission.config_validation import validate_config_map, validate_secret
from kubesim.admission.job_validation import validate_cron_job, validate_job
from kubesim.admission.pod_validation import validate_pod_spec, validate_pod_update
from kubesim.admission.rbac_validation import validate_binding
from kubesim.admission.service_validation import validate_service
from kubesim.admission.workload_validation import (
    validate_deployment,
    validate_replica_set,
    validate_scale,
    validate_set,
)
from kubesim.api.status import Cause

JSON = dict[str, Any]


def validate(kind: str, obj: JSON, *, old: JSON | None = None) -> list[Cause]:
    """All causes for ``obj`` (empty when valid); ``old`` is the stored object on update."""
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    causes = _object_meta(kind, meta or {}, old)
    rule = _RULES.get(kind)
    if rule is not None:
        causes.extend(rule(obj, old))
    return causes


# --- metadata -------------------------------------------------------------------------------

_NAME_RULES: dict[str, Callable[[str], list[str]]] = {
    "Namespace": n.dns1123_label,
    "Service": n.dns1035_label,
}


def name_errors(kind: str, name: str) -> list[str]:
    """Messages for an object name of ``kind`` (``NameIsDNSSubdomain`` unless overridden)."""
    if kind == "Scale":  # named by the URL of its parent
        return _path_segment(name)
    return _NAME_RULES.get(kind, n.dns1123_subdomain)(name)


def _path_segment(name: str) -> list[str]:
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in name]


# ValidateRBACName: any path segment (``system:discovery``).
_NAME_RULES.update(
    dict.fromkeys(("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"), _path_segment)
)


def _object_meta(kind: str, meta: JSON, old: JSON | None) -> list[Cause]:
    causes: list[Cause] = []
    name = meta.get("name")
    if not name:
        if not meta.get("generateName"):
            causes.append(f.required("metadata.name", "name or generateName is required"))
    else:
        causes.extend(f.invalid("metadata.name", name, m) for m in name_errors(kind, str(name)))
    causes.extend(n.labels("metadata.labels", meta.get("labels")))
    causes.extend(n.annotation_map("metadata.annotations", meta.get("annotations")))
    if old is not None:
        old_meta = old.get("metadata") or {}
        for key in ("name", "namespace"):
            if old_meta.get(key) and meta.get(key) != old_meta.get(key):
                causes.append(f.invalid(f"metadata.{key}", meta.get(key), "field is immutable"))
    return causes


# --- the kinds whose rules are short enough to stand here ------------------------------------


def _pod(obj: JSON, old: JSON | None) -> list[Cause]:
    causes = validate_pod_spec(obj.get("spec"), "spec")
    if old is not None and not causes:
        causes.extend(validate_pod_update(obj.get("spec"), old.get("spec")))
    return causes


def _lease(obj: JSON, _old: JSON | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    duration = spec.get("leaseDurationSeconds")
    if isinstance(duration, int) and duration <= 0:
        return [f.invalid("spec.leaseDurationSeconds", duration, "must be greater than 0")]
    transitions = spec.get("leaseTransitions")
    return n.nonnegative("spec.leaseTransitions", transitions)


def _event(obj: JSON, _old: JSON | None) -> list[Cause]:
    namespace = (obj.get("metadata") or {}).get("namespace") or ""
    involved = (obj.get("involvedObject") or {}).get("namespace") or ""
    if involved and namespace and involved != namespace:
        return [f.invalid("involvedObject.namespace", involved, "does not match event.namespace")]
    return []


_RULES: dict[str, Callable[[JSON, JSON | None], list[Cause]]] = {
    "RoleBinding": lambda obj, old: validate_binding(obj, old, cluster=False),
    "ClusterRoleBinding": lambda obj, old: validate_binding(obj, old, cluster=True),
    "Deployment": validate_deployment,
    "ReplicaSet": validate_replica_set,
    "StatefulSet": validate_set,
    "DaemonSet": validate_set,
    "Job": validate_job,
    "CronJob": validate_cron_job,
    "Scale": validate_scale,
    "Pod": _pod,
    "Service": validate_service,
    "ConfigMap": validate_config_map,
    "Secret": validate_secret,
    "Lease": _lease,
    "Event": _event,
}
