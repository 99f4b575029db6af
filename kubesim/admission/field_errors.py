"""Field errors worded exactly like ``k8s.io/apimachinery/pkg/util/validation``.

kubectl prints the apiserver's causes verbatim (``spec.replicas: Invalid value: -1: must be
greater than or equal to 0``), so the error bodies, Go-style value rendering (``%q``, ``%#v``) and
the name/label regex messages are reproduced here once for every kind's validator.
"""

from __future__ import annotations

import json
from typing import Any

from kubesim.api.status import Cause

# --- error constructors (field.Error.ErrorBody) --------------------------------------------


def required(path: str, detail: str = "") -> Cause:
    """``Required value`` (reason FieldValueRequired)."""
    return Cause(path, _with_detail("Required value", detail), "FieldValueRequired")


def invalid(path: str, value: Any, detail: str) -> Cause:
    """``Invalid value: <value>: detail``."""
    return Cause(
        path, _with_detail(f"Invalid value: {go_value(value)}", detail), "FieldValueInvalid"
    )


def invalid_raw(path: str, rendered: str, detail: str) -> Cause:
    """``Invalid value`` for a value already rendered Go-style (structs, maps)."""
    return Cause(path, _with_detail(f"Invalid value: {rendered}", detail), "FieldValueInvalid")


def duplicate(path: str, value: Any) -> Cause:
    """``Duplicate value: <value>``."""
    return Cause(path, f"Duplicate value: {go_value(value)}", "FieldValueDuplicate")


def duplicate_raw(path: str, rendered: str) -> Cause:
    """``Duplicate value`` for a pre-rendered Go struct."""
    return Cause(path, f"Duplicate value: {rendered}", "FieldValueDuplicate")


def not_supported(path: str, value: Any, supported: list[str]) -> Cause:
    """``Unsupported value: "x": supported values: "a", "b"`` (order as given by upstream)."""
    quoted = ", ".join(go_quote(v) for v in supported)
    return Cause(
        path,
        f"Unsupported value: {go_value(value)}: supported values: {quoted}",
        "FieldValueNotSupported",
    )


def forbidden(path: str, detail: str) -> Cause:
    """``Forbidden: detail``."""
    return Cause(path, _with_detail("Forbidden", detail), "FieldValueForbidden")


def not_found(path: str, value: Any) -> Cause:
    """``Not found: <value>``."""
    return Cause(path, f"Not found: {go_value(value)}", "FieldValueNotFound")


def too_long(path: str, limit: int) -> Cause:
    """``Too long: may not be more than N bytes``."""
    return Cause(path, f"Too long: may not be more than {limit} bytes", "FieldValueTooLong")


def _with_detail(head: str, detail: str) -> str:
    return f"{head}: {detail}" if detail else head


# --- Go value rendering ---------------------------------------------------------------------


def go_quote(value: Any) -> str:
    """Go's ``%q`` for a string (close enough: JSON escaping without forcing ASCII)."""
    return json.dumps(str(value), ensure_ascii=False)


def go_value(value: Any) -> str:
    """How ``field.Error`` prints a simple bad value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, dict):
        return go_string_map(value)
    if isinstance(value, list):
        return "[]string{" + ", ".join(go_quote(v) for v in value) + "}"
    return go_quote(value)


def go_string_map(value: dict[str, Any] | None) -> str:
    """``%#v`` of a ``map[string]string`` (keys sorted, like fmt does)."""
    if value is None:
        return "map[string]string(nil)"
    inner = ", ".join(f"{go_quote(k)}:{go_quote(v)}" for k, v in sorted(value.items()))
    return "map[string]string{" + inner + "}"


def go_int_or_string(value: Any) -> str:
    """``%#v`` of an ``intstr.IntOrString``."""
    if isinstance(value, str):
        return f"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{go_quote(value)}}}"
    number = value if isinstance(value, int) else 0
    return f'intstr.IntOrString{{Type:0, IntVal:{number}, StrVal:""}}'


def go_label_selector(selector: dict[str, Any] | None) -> str:
    """``%#v`` of a ``v1.LabelSelector``."""
    selector = selector or {}
    labels = selector.get("matchLabels")
    exprs = selector.get("matchExpressions")
    if exprs:
        rendered = ", ".join(
            "v1.LabelSelectorRequirement{"
            f"Key:{go_quote(e.get('key', ''))}, Operator:{go_quote(e.get('operator', ''))}, "
            f"Values:{_go_string_slice(e.get('values'))}}}"
            for e in exprs
            if isinstance(e, dict)
        )
        exprs_text = "[]v1.LabelSelectorRequirement{" + rendered + "}"
    else:
        exprs_text = "[]v1.LabelSelectorRequirement(nil)"
    labels_text = go_string_map(labels if isinstance(labels, dict) else None)
    return f"v1.LabelSelector{{MatchLabels:{labels_text}, MatchExpressions:{exprs_text}}}"


def _go_string_slice(values: Any) -> str:
    if not values:
        return "[]string(nil)"
    return "[]string{" + ", ".join(go_quote(v) for v in values) + "}"
