"""Required node affinity (``nodeSelectorTerms``), shared by the scheduler and the DaemonSet
controller, which pins each daemon pod to its node with a ``metadata.name`` field term."""

from __future__ import annotations

from typing import Any

from kubesim.storage.storeport import Obj


def required_terms(pod_spec: Obj) -> list[dict[str, Any]]:
    """``affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms``."""
    affinity = (pod_spec.get("affinity") or {}).get("nodeAffinity") or {}
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    return list(required.get("nodeSelectorTerms") or ())


def _holds(op: str, value: Any, wanted: list[Any], *, present: bool) -> bool:
    """One ``NodeSelectorRequirement`` against a label's (or field's) value."""
    if op in ("Gt", "Lt"):
        try:
            number, bound = int(str(value)), int(str(wanted[0]))
        except (ValueError, IndexError):
            return False
        return number > bound if op == "Gt" else number < bound
    return {
        "In": present and value in wanted,
        "NotIn": not (present and value in wanted),
        "Exists": present,
        "DoesNotExist": not present,
    }.get(op, False)


def term_matches(term: dict[str, Any], node: Obj) -> bool:
    """One term: every label expression and field requirement holds (an empty term matches
    nothing, as upstream)."""
    labels = node.get("metadata", {}).get("labels") or {}
    fields = {"metadata.name": node.get("metadata", {}).get("name", "")}
    for source, values in (("matchExpressions", labels), ("matchFields", fields)):
        for req in term.get(source) or ():
            key = req.get("key")
            if not _holds(
                str(req.get("operator")),
                values.get(key),
                req.get("values") or [],
                present=key in values,
            ):
                return False
    return bool(term.get("matchExpressions") or term.get("matchFields"))


def affinity_matches(pod_spec: Obj, node: Obj) -> bool:
    """Whether the node satisfies the pod's required node affinity (ORed terms)."""
    terms = required_terms(pod_spec)
    return not terms or any(term_matches(t, node) for t in terms)
