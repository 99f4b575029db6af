"""Decoded JSON values printed as Go prints them: kubectl's JSONPath printer, ``json.Marshal``,
``fmt.Sprint``."""

from __future__ import annotations

import json


def print_value(value: object) -> str:
    """One value as kubectl's JSONPath printer writes it."""
    if isinstance(value, dict | list) or value is None:
        return go_json(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


def go_json(value: object) -> str:
    """Go's ``json.Marshal`` of a decoded value: sorted keys, compact, HTML characters escaped."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def go_float(value: float) -> str:
    """Go's ``%v`` of a float64."""
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value).replace("e+0", "e+").replace("e-0", "e-")


def go_sprint(value: object) -> str:
    """Go's ``fmt.Sprint`` of a decoded value (custom-columns cells): ``map[a:b]``, ``[x y]``."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, dict):
        inner = " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value))
        return f"map[{inner}]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    return str(value)
