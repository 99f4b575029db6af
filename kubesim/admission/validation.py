"""Per-kind validation with the real apiserver's field paths and messages.

The store calls :func:`validate` after defaulting; a non-empty result becomes a 422 Invalid whose
causes kubectl prints verbatim. Rules follow ``pkg/apis/{core,apps}/validation`` for the mistakes
a user of the bot can actually make; everything else is accepted as a real cluster would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubesim.admission import field_errors as f
from kubesim.admission import names as n
from kubesim.admission.pod_validation import validate_pod_spec, validate_pod_update
from kubesim.admission.service_validation import validate_service
from kubesim.api.cron import cron_problem
from kubesim.api.status import Cause

JSON = dict[str, Any]

STRATEGY_TYPES = ["Recreate", "RollingUpdate"]


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


# --- workloads ------------------------------------------------------------------------------


def selector_matches(selector: JSON | None, labels: dict[str, Any]) -> bool:
    """``metav1.LabelSelectorAsSelector(sel).Matches(labels)``; a nil selector matches nothing."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def _template(spec: JSON, selector: Any) -> list[Cause]:
    """``ValidatePodTemplateSpecForReplicaSet``."""
    template = spec.get("template")
    if not isinstance(template, dict):
        return [f.required("spec.template")]
    meta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
    labels = (meta or {}).get("labels")
    causes: list[Cause] = []
    sel = selector if isinstance(selector, dict) else None
    empty = sel is not None and not sel.get("matchLabels") and not sel.get("matchExpressions")
    if not empty and not selector_matches(sel, labels or {}):
        causes.append(
            f.invalid_raw(
                "spec.template.metadata.labels",
                f.go_string_map(labels if isinstance(labels, dict) else None),
                "`selector` does not match template `labels`",
            )
        )
    causes.extend(n.labels("spec.template.metadata.labels", labels))
    causes.extend(
        n.annotation_map("spec.template.metadata.annotations", (meta or {}).get("annotations"))
    )
    pod_spec = template.get("spec")
    causes.extend(validate_pod_spec(pod_spec, "spec.template.spec"))
    if isinstance(pod_spec, dict):
        policy = pod_spec.get("restartPolicy")
        if policy and policy != "Always":
            causes.append(f.not_supported("spec.template.spec.restartPolicy", policy, ["Always"]))
        if pod_spec.get("activeDeadlineSeconds") is not None:
            causes.append(
                f.forbidden(
                    "spec.template.spec.activeDeadlineSeconds",
                    "activeDeadlineSeconds in ReplicaSet is not Supported",
                )
            )
    return causes


def _selector(spec: JSON) -> list[Cause]:
    selector = spec.get("selector")
    if selector is None:
        return [f.required("spec.selector")]
    if not isinstance(selector, dict):
        return [f.invalid_raw("spec.selector", f.go_label_selector(None), "invalid label selector")]
    causes = n.label_selector("spec.selector", selector)
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        # apps/validation uses the Deployment wording for ReplicaSets too.
        causes.append(
            f.invalid_raw(
                "spec.selector",
                f.go_label_selector(selector),
                "empty selector is invalid for deployment",
            )
        )
    return causes


def _selector_immutable(spec: JSON, old: JSON | None) -> list[Cause]:
    if old is None:
        return []
    old_selector = (old.get("spec") or {}).get("selector")
    if spec.get("selector") == old_selector:
        return []
    return [
        f.invalid_raw(
            "spec.selector", f.go_label_selector(spec.get("selector")), "field is immutable"
        )
    ]


def _int_or_percent(path: str, value: Any) -> list[Cause]:
    if isinstance(value, str):
        return [f.invalid_raw(path, f.go_int_or_string(value), m) for m in n.percent(value)]
    return n.nonnegative(path, value)


def _int_or_percent_value(value: Any) -> int:
    if isinstance(value, str):
        digits = value.rstrip("%")
        return int(digits) if digits.isdigit() else 0
    return value if isinstance(value, int) else 0


def _strategy(spec: JSON) -> list[Cause]:
    strategy = spec.get("strategy") if isinstance(spec.get("strategy"), dict) else {}
    strategy = strategy or {}
    kind = strategy.get("type")
    rolling = strategy.get("rollingUpdate")
    path = "spec.strategy.rollingUpdate"
    if kind == "Recreate":
        if rolling is not None:
            return [f.forbidden(path, "may not be specified when strategy `type` is 'Recreate'")]
        return []
    if kind != "RollingUpdate":
        rendered = (
            f"apps.DeploymentStrategy{{Type:{f.go_quote(kind or '')}, "
            "RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}"
        )
        return [
            Cause(
                "spec.strategy",
                f"Unsupported value: {rendered}: supported values: "
                + ", ".join(f.go_quote(v) for v in STRATEGY_TYPES),
                "FieldValueNotSupported",
            )
        ]
    if not isinstance(rolling, dict):
        return [f.required(path, "this should be defaulted and never be nil")]
    unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    causes = _int_or_percent(f"{path}.maxUnavailable", unavailable)
    causes.extend(_int_or_percent(f"{path}.maxSurge", surge))
    if _int_or_percent_value(unavailable) == 0 and _int_or_percent_value(surge) == 0:
        causes.append(
            f.invalid_raw(
                f"{path}.maxUnavailable",
                f.go_int_or_string(unavailable),
                "may not be 0 when `maxSurge` is 0",
            )
        )
    if isinstance(unavailable, str) and _int_or_percent_value(unavailable) > 100:
        causes.append(
            f.invalid_raw(
                f"{path}.maxUnavailable",
                f.go_int_or_string(unavailable),
                "must not be greater than 100%",
            )
        )
    return causes


def _deployment(obj: JSON, old: JSON | None) -> list[Cause]:
    """``ValidateDeploymentSpec`` plus the apps/v1 selector immutability on update."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
    if spec is None:
        return [f.required("spec")]
    causes = n.nonnegative("spec.replicas", spec.get("replicas"))
    causes.extend(_selector(spec))
    causes.extend(_template(spec, spec.get("selector")))
    causes.extend(_strategy(spec))
    min_ready = spec.get("minReadySeconds", 0)
    causes.extend(n.nonnegative("spec.minReadySeconds", min_ready))
    causes.extend(n.nonnegative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit")))
    deadline = spec.get("progressDeadlineSeconds")
    if isinstance(deadline, int):
        causes.extend(n.nonnegative("spec.progressDeadlineSeconds", deadline))
        if isinstance(min_ready, int) and deadline <= min_ready:
            causes.append(
                f.invalid(
                    "spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"
                )
            )
    causes.extend(_selector_immutable(spec, old))
    return causes


def _replica_set(obj: JSON, old: JSON | None) -> list[Cause]:
    """``ValidateReplicaSetSpec`` plus selector immutability."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
    if spec is None:
        return [f.required("spec")]
    causes = n.nonnegative("spec.replicas", spec.get("replicas"))
    causes.extend(n.nonnegative("spec.minReadySeconds", spec.get("minReadySeconds")))
    causes.extend(_selector(spec))
    causes.extend(_template(spec, spec.get("selector")))
    causes.extend(_selector_immutable(spec, old))
    return causes


def _with_claim_volumes(spec: JSON) -> JSON:
    """A StatefulSet's template mounts its claim templates by name: the controller adds those
    volumes to each pod, so they count as volumes of the template (apiserver leaves the pod spec
    to pod creation; the mounts of neither kind are refused here)."""
    claims = spec.get("volumeClaimTemplates")
    template = spec.get("template")
    if not isinstance(claims, list) or not claims or not isinstance(template, dict):
        return spec
    pod_spec = template.get("spec")
    if not isinstance(pod_spec, dict):
        return spec
    names = [
        c["metadata"]["name"]
        for c in claims
        if isinstance(c, dict)
        and isinstance(c.get("metadata"), dict)
        and isinstance(c["metadata"].get("name"), str)
    ]
    volumes = (
        list(pod_spec.get("volumes") or []) if isinstance(pod_spec.get("volumes"), list) else []
    )
    have = {v.get("name") for v in volumes if isinstance(v, dict)}
    volumes += [
        {"name": name, "persistentVolumeClaim": {"claimName": name}}
        for name in names
        if name not in have
    ]
    return {**spec, "template": {**template, "spec": {**pod_spec, "volumes": volumes}}}


def _set(obj: JSON, old: JSON | None) -> list[Cause]:
    """``ValidateStatefulSetSpec`` / ``ValidateDaemonSetSpec``, for what a user can get wrong."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
    if spec is None:
        return [f.required("spec")]
    causes = n.nonnegative("spec.replicas", spec.get("replicas"))
    causes.extend(n.nonnegative("spec.minReadySeconds", spec.get("minReadySeconds")))
    causes.extend(n.nonnegative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit")))
    causes.extend(_selector(spec))
    causes.extend(_template(_with_claim_volumes(spec), spec.get("selector")))
    causes.extend(_selector_immutable(spec, old))
    strategy = spec.get("updateStrategy") if isinstance(spec.get("updateStrategy"), dict) else {}
    kind = (strategy or {}).get("type")
    if kind not in ("RollingUpdate", "OnDelete"):
        causes.append(
            f.not_supported("spec.updateStrategy.type", kind or "", ["OnDelete", "RollingUpdate"])
        )
    rolling = (strategy or {}).get("rollingUpdate")
    if isinstance(rolling, dict):
        causes.extend(
            n.nonnegative("spec.updateStrategy.rollingUpdate.partition", rolling.get("partition"))
        )
    return causes


def _job_template(spec: JSON, path: str) -> list[Cause]:
    """A Job's pod template: any selector, and restartPolicy OnFailure or Never."""
    template = spec.get("template")
    if not isinstance(template, dict):
        return [f.required(f"{path}.template")]
    meta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
    causes = n.labels(f"{path}.template.metadata.labels", (meta or {}).get("labels"))
    pod_spec = template.get("spec")
    causes.extend(validate_pod_spec(pod_spec, f"{path}.template.spec"))
    policy = pod_spec.get("restartPolicy") if isinstance(pod_spec, dict) else None
    if policy not in ("OnFailure", "Never"):
        causes.append(
            f.not_supported(f"{path}.template.spec.restartPolicy", policy, ["OnFailure", "Never"])
        )
    return causes


def _job_spec(spec: JSON, path: str) -> list[Cause]:
    causes = n.nonnegative(f"{path}.parallelism", spec.get("parallelism"))
    causes.extend(n.nonnegative(f"{path}.completions", spec.get("completions")))
    causes.extend(n.nonnegative(f"{path}.backoffLimit", spec.get("backoffLimit")))
    causes.extend(_job_template(spec, path))
    return causes


def _job(obj: JSON, old: JSON | None) -> list[Cause]:
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
    if spec is None:
        return [f.required("spec")]
    causes = _job_spec(spec, "spec")
    causes.extend(_selector_immutable(spec, old))
    return causes


def _cron_job(obj: JSON, _old: JSON | None) -> list[Cause]:
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
    if spec is None:
        return [f.required("spec")]
    schedule = spec.get("schedule")
    causes: list[Cause] = []
    if not schedule:
        causes.append(f.required("spec.schedule"))
    else:
        problem = cron_problem(str(schedule))
        if problem:
            causes.append(f.invalid("spec.schedule", schedule, problem))
    policy = spec.get("concurrencyPolicy")
    if policy not in ("Allow", "Forbid", "Replace"):
        causes.append(
            f.not_supported("spec.concurrencyPolicy", policy, ["Allow", "Forbid", "Replace"])
        )
    job = (spec.get("jobTemplate") or {}).get("spec")
    if not isinstance(job, dict):
        causes.append(f.required("spec.jobTemplate.spec"))
    else:
        causes.extend(_job_spec(job, "spec.jobTemplate.spec"))
    return causes


def _scale(obj: JSON, _old: JSON | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    return n.nonnegative("spec.replicas", spec.get("replicas"))


def _pod(obj: JSON, old: JSON | None) -> list[Cause]:
    causes = validate_pod_spec(obj.get("spec"), "spec")
    if old is not None and not causes:
        causes.extend(validate_pod_update(obj.get("spec"), old.get("spec")))
    return causes


# --- small kinds ----------------------------------------------------------------------------


def _data_keys(obj: JSON, keys: tuple[str, ...]) -> list[Cause]:
    causes: list[Cause] = []
    for key in keys:
        for name in obj.get(key) or {}:
            causes.extend(f.invalid(f"{key}[{name}]", name, m) for m in n.config_key(str(name)))
    return causes


def _immutable_data(obj: JSON, old: JSON | None, keys: tuple[str, ...]) -> list[Cause]:
    if old is None or not old.get("immutable"):
        return []
    causes: list[Cause] = []
    if not obj.get("immutable"):
        causes.append(f.forbidden("immutable", "field is immutable when `immutable` is set"))
    for key in keys:
        if obj.get(key) != old.get(key):
            causes.append(f.forbidden(key, "field is immutable when `immutable` is set"))
    return causes


def _config_map(obj: JSON, old: JSON | None) -> list[Cause]:
    keys = ("data", "binaryData")
    return _data_keys(obj, keys) + _immutable_data(obj, old, keys)


def _secret(obj: JSON, old: JSON | None) -> list[Cause]:
    keys = ("data",)
    causes = _data_keys(obj, keys) + _immutable_data(obj, old, keys)
    if old is not None and obj.get("type") != old.get("type"):
        causes.append(f.invalid("type", obj.get("type"), "field is immutable"))
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


_RBAC_GROUP = "rbac.authorization.k8s.io"


def _role_ref(ref: JSON) -> str:
    return (
        f"rbac.RoleRef{{APIGroup:{f.go_quote(ref.get('apiGroup', ''))}, "
        f"Kind:{f.go_quote(ref.get('kind', ''))}, Name:{f.go_quote(ref.get('name', ''))}}}"
    )


def _subject(subject: Any, path: str, *, cluster: bool) -> list[Cause]:
    if not isinstance(subject, dict):
        return [f.required(path)]
    kind, name = subject.get("kind", ""), subject.get("name", "")
    causes: list[Cause] = []
    if not name:
        causes.append(f.required(f"{path}.name"))
    if kind == "ServiceAccount":
        if subject.get("apiGroup"):
            causes.append(f.not_supported(f"{path}.apiGroup", subject["apiGroup"], [""]))
        if cluster and not subject.get("namespace"):
            causes.append(f.required(f"{path}.namespace"))
    elif kind in ("User", "Group"):
        if subject.get("apiGroup") != _RBAC_GROUP:
            causes.append(
                f.not_supported(f"{path}.apiGroup", subject.get("apiGroup", ""), [_RBAC_GROUP])
            )
    else:
        causes.append(f.not_supported(f"{path}.kind", kind, ["ServiceAccount", "User", "Group"]))
    return causes


def _binding(obj: JSON, old: JSON | None, *, cluster: bool) -> list[Cause]:
    """``ValidateRoleBinding``/``ValidateClusterRoleBinding`` and the roleRef immutability."""
    ref = obj.get("roleRef") if isinstance(obj.get("roleRef"), dict) else {}
    assert isinstance(ref, dict)
    causes: list[Cause] = []
    if ref.get("apiGroup", "") != _RBAC_GROUP:
        causes.append(f.not_supported("roleRef.apiGroup", ref.get("apiGroup", ""), [_RBAC_GROUP]))
    kinds = ["ClusterRole"] if cluster else ["Role", "ClusterRole"]
    if ref.get("kind", "") not in kinds:
        causes.append(f.not_supported("roleRef.kind", ref.get("kind", ""), kinds))
    if not ref.get("name"):
        causes.append(f.required("roleRef.name"))
    for i, subject in enumerate(obj.get("subjects") or []):
        causes.extend(_subject(subject, f"subjects[{i}]", cluster=cluster))
    if old is not None:
        before = old.get("roleRef") or {}
        keys = ("apiGroup", "kind", "name")
        if any(before.get(k, "") != ref.get(k, "") for k in keys):
            causes.append(f.invalid_raw("roleRef", _role_ref(ref), "cannot change roleRef"))
    return causes


_RULES: dict[str, Callable[[JSON, JSON | None], list[Cause]]] = {
    "RoleBinding": lambda obj, old: _binding(obj, old, cluster=False),
    "ClusterRoleBinding": lambda obj, old: _binding(obj, old, cluster=True),
    "Deployment": _deployment,
    "ReplicaSet": _replica_set,
    "StatefulSet": _set,
    "DaemonSet": _set,
    "Job": _job,
    "CronJob": _cron_job,
    "Scale": _scale,
    "Pod": _pod,
    "Service": validate_service,
    "ConfigMap": _config_map,
    "Secret": _secret,
    "Lease": _lease,
    "Event": _event,
}
