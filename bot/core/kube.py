"""Typed reads of raw Kubernetes JSON objects, plus kubectl's label and selector formatting and
its escaping of what it prints.

The gateway hands the pure algorithms plain ``dict`` objects decoded from the API (typed client
models drop fields they do not know). These accessors keep ``Any`` at this edge: callers get
``str``, ``int``, ``dict`` and ``list`` values with kubectl's defaults for missing fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

Obj = dict[str, Any]
"""A decoded Kubernetes object (or any JSON object inside one)."""


def mapping(obj: Mapping[str, Any] | None, *path: str) -> Obj:
    """The JSON object at ``path``, or an empty dict when absent or not an object."""
    cur: Any = obj
    for key in path:
        if not isinstance(cur, Mapping):
            return {}
        cur = cur.get(key)
    return dict(cur) if isinstance(cur, Mapping) else {}


def items(obj: Mapping[str, Any] | None, *path: str) -> list[Obj]:
    """The list of JSON objects at ``path`` (non-objects skipped), or an empty list."""
    parent = mapping(obj, *path[:-1]) if path else {}
    value = parent.get(path[-1]) if path else None
    if not isinstance(value, list):
        return []
    return [dict(v) for v in value if isinstance(v, Mapping)]


def strings(obj: Mapping[str, Any] | None, *path: str) -> list[str]:
    """The list of strings at ``path`` (e.g. a container's ``command``)."""
    value = mapping(obj, *path[:-1]).get(path[-1]) if path else None
    if not isinstance(value, list):
        return []
    return [str(v) for v in value]


def text(obj: Mapping[str, Any] | None, *path: str, default: str = "") -> str:
    """The scalar at ``path`` as text (Go's ``%v``), or ``default`` when absent."""
    value = mapping(obj, *path[:-1]).get(path[-1]) if path else None
    if value is None or isinstance(value, Mapping | list):
        return default
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def number(obj: Mapping[str, Any] | None, *path: str, default: int = 0) -> int:
    """The integer at ``path``, or ``default`` when absent (Go's zero value by default)."""
    value = mapping(obj, *path[:-1]).get(path[-1]) if path else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return int(value)


def flag(obj: Mapping[str, Any] | None, *path: str) -> bool:
    """The boolean at ``path``; absent means false."""
    return mapping(obj, *path[:-1]).get(path[-1]) is True if path else False


def has(obj: Mapping[str, Any] | None, *path: str) -> bool:
    """Whether ``path`` is present and not null."""
    return mapping(obj, *path[:-1]).get(path[-1]) is not None if path else False


def string_map(obj: Mapping[str, Any] | None, *path: str) -> dict[str, str]:
    """A ``map[string]string`` field (labels, annotations, nodeSelector)."""
    return {str(k): "" if v is None else str(v) for k, v in mapping(obj, *path).items()}


def name_of(obj: Mapping[str, Any] | None) -> str:
    """``metadata.name``."""
    return text(obj, "metadata", "name")


def format_labels(labels: Mapping[str, str]) -> str:
    """apimachinery's ``labels.FormatLabels``: ``a=1,b=2`` sorted, ``<none>`` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def selector_string(selector: Mapping[str, Any] | None) -> str:
    """``LabelSelectorAsSelector(sel).String()``: the query form of a ``LabelSelector``.

    Requirements are sorted by key as apimachinery does; ``In``/``NotIn`` values sorted too. An
    empty (or missing) selector gives ``""``.
    """
    reqs: list[tuple[str, str]] = []
    for key, value in string_map(selector, "matchLabels").items():
        reqs.append((key, f"{key}={value}"))
    for expr in items(selector, "matchExpressions"):
        key = text(expr, "key")
        values = ",".join(sorted(strings(expr, "values")))
        match text(expr, "operator"):
            case "In":
                reqs.append((key, f"{key} in ({values})"))
            case "NotIn":
                reqs.append((key, f"{key} notin ({values})"))
            case "Exists":
                reqs.append((key, key))
            case "DoesNotExist":
                reqs.append((key, f"!{key}"))
    reqs.sort(key=lambda r: r[0])
    return ",".join(r for _, r in reqs)


def controller_uid(obj: Mapping[str, Any] | None) -> str | None:
    """The uid of the ownerReference with ``controller: true`` (``metav1.GetControllerOf``)."""
    for ref in items(obj, "metadata", "ownerReferences"):
        if ref.get("controller") is True:
            return text(ref, "uid")
    return None


def controller_ref(obj: Mapping[str, Any] | None) -> Obj | None:
    """The ownerReference with ``controller: true``, if any."""
    for ref in items(obj, "metadata", "ownerReferences"):
        if ref.get("controller") is True:
            return ref
    return None


def terminal_safe(text: str) -> str:
    """``text`` as kubectl's ``printers.WriteEscaped`` writes it (table cells, custom columns,
    describe's lines): ESC as ``^[`` and a carriage return as ``\\r``, the characters that
    would drive a terminal."""
    return text.translate(_ESCAPED) if "\x1b" in text or "\r" in text else text


_ESCAPED: Final = str.maketrans({"\x1b": "^[", "\r": "\\r"})
