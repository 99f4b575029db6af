"""Validation of RoleBindings and ClusterRoleBindings: their roleRef and subjects, as
``pkg/apis/rbac/validation``."""

from __future__ import annotations

from typing import Any

from kubesim.admission import field_errors as f
from kubesim.api.status import Cause

JSON = dict[str, Any]

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


def validate_binding(obj: JSON, old: JSON | None, *, cluster: bool) -> list[Cause]:
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
