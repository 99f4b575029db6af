"""Validation of the apps/v1 workloads (Deployments, ReplicaSets, StatefulSets, DaemonSets) and
the Scale subresource: selectors, pod templates and update strategies, as ``apps/validation``."""

from __future__ import annotations

from typing import Any

from kubesim.admission import field_errors as f
from kubesim.admission import names as n
from kubesim.admission.pod_validation import validate_pod_spec
from kubesim.api.status import Cause

JSON = dict[str, Any]

STRATEGY_TYPES = ["Recreate", "RollingUpdate"]


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


def selector_immutable(spec: JSON, old: JSON | None) -> list[Cause]:
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


def validate_deployment(obj: JSON, old: JSON | None) -> list[Cause]:
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
    causes.extend(selector_immutable(spec, old))
    return causes


def validate_replica_set(obj: JSON, old: JSON | None) -> list[Cause]:
    """``ValidateReplicaSetSpec`` plus selector immutability."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
    if spec is None:
        return [f.required("spec")]
    causes = n.nonnegative("spec.replicas", spec.get("replicas"))
    causes.extend(n.nonnegative("spec.minReadySeconds", spec.get("minReadySeconds")))
    causes.extend(_selector(spec))
    causes.extend(_template(spec, spec.get("selector")))
    causes.extend(selector_immutable(spec, old))
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


def validate_set(obj: JSON, old: JSON | None) -> list[Cause]:
    """``ValidateStatefulSetSpec`` / ``ValidateDaemonSetSpec``, for what a user can get wrong."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else None
    if spec is None:
        return [f.required("spec")]
    causes = n.nonnegative("spec.replicas", spec.get("replicas"))
    causes.extend(n.nonnegative("spec.minReadySeconds", spec.get("minReadySeconds")))
    causes.extend(n.nonnegative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit")))
    causes.extend(_selector(spec))
    causes.extend(_template(_with_claim_volumes(spec), spec.get("selector")))
    causes.extend(selector_immutable(spec, old))
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


def validate_scale(obj: JSON, _old: JSON | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    return n.nonnegative("spec.replicas", spec.get("replicas"))
