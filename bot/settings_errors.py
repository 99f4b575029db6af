"""Pydantic's validation errors rewritten as the one line an operator needs: key, expected, got.

Pydantic says "Input should be 'ephemeral' or 'in_channel'"; an operator editing YAML wants
``replies.read_only: expected one of 'ephemeral', 'in_channel', got 'public'``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final

from pydantic_core import ErrorDetails

_EXPECTED: Final[dict[str, str]] = {
    "int_parsing": "an integer",
    "int_type": "an integer",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "a string",
    "model_type": "a mapping of settings",
    "model_attributes_type": "a mapping of settings",
    "dict_type": "a mapping",
    "tuple_type": "a list",
    "list_type": "a list",
    "path_type": "a file path",
    "finite_number": "a finite number",
}

_BOUNDS: Final[dict[str, str]] = {
    "greater_than": "greater than {gt}",
    "greater_than_equal": "at least {ge}",
    "less_than": "less than {lt}",
    "less_than_equal": "at most {le}",
}


def loc_path(loc: Sequence[str | int]) -> str:
    """``('policy', 'admins', 0)`` -> ``policy.admins[0]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def shown(value: Any) -> str:
    """A value as the YAML author wrote it, short enough for one line."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def unknown_key_message(key: str, allowed: Iterable[str]) -> str:
    """Name the allowed keys, with a did-you-mean when one is close."""
    options = sorted(allowed)
    close = difflib.get_close_matches(key, options, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key; {hint}expected one of: {', '.join(options)}"


def describe_error(error: ErrorDetails, allowed_keys: Iterable[str] = ()) -> str:
    """The part after the key path: what was expected, and what was found."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = shown(error.get("input"))
    if kind in ("enum", "literal_error"):
        choices = ", ".join(f"'{c}'" for c in re.findall(r"'([^']*)'", str(ctx["expected"])))
        return f"expected one of {choices}, got {got}"
    if kind == "extra_forbidden":
        return unknown_key_message(str(error["loc"][-1]), allowed_keys)
    if kind == "missing":
        return "required, but missing"
    if kind in _BOUNDS:
        bound = {
            k: shown(int(v) if isinstance(v, float) and v.is_integer() else v)
            for k, v in ctx.items()
        }
        return f"expected a number {_BOUNDS[kind].format(**bound)}, got {got}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {got}"
    if kind == "value_error":
        message = str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
        return message if ", got " in message else f"{message}, got {got}"
    message = error["msg"]
    return f"{message[:1].lower()}{message[1:]}, got {got}"
