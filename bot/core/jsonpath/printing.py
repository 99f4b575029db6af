"""Decoded JSON values printed as Go prints them: kubectl's JSONPath printer, ``json.Marshal``,
``fmt.Sprint``."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Final


def print_value(value: object) -> str:
    """One value as kubectl's JSONPath printer writes it."""
    if isinstance(value, dict | list) or value is None:
        return go_json(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


def go_json(value: object, *, indent: int | None = None) -> str:
    """Go's ``json.Marshal`` of a decoded value (``MarshalIndent`` with ``indent``): sorted keys,
    HTML characters and U+2028/9 escaped, floats as ``encoding/json`` writes them."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(
        value, indent=indent, separators=separators, sort_keys=True, ensure_ascii=False
    ).translate(_GO_ESCAPES)
    return text if indent is None else _go_json_numbers(text)


_GO_ESCAPES: Final = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
"""What ``encoding/json`` escapes that Python's encoder leaves (JSON holds them only in strings)."""


def go_float(number: float) -> str:
    """``%v`` of a float64 (``strconv``'s ``'g'`` of the shortest digits): an exponent from
    1e+06 or below 1e-04, at least two digits of it."""
    try:
        value = float(number)
    except OverflowError:  # an integer of more digits than a float64 holds
        value = math.inf if number > 0 else -math.inf
    if math.isinf(value) or math.isnan(value):
        return {math.inf: "+Inf", -math.inf: "-Inf"}.get(value, "NaN")
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    digits, point = _digits(value)
    if not -4 <= point - 1 < 6:  # strconv's bounds for %e of the shortest digits
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{point - 1:+03d}"
    return sign + _positional(digits, point)


def _digits(value: float) -> tuple[str, int]:
    """The shortest digits of a finite, non-zero ``value`` and how many come before its point."""
    _, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    return digits, len(digits) + int(exponent)


def _positional(digits: str, point: int) -> str:
    """``digits`` written without an exponent, ``point`` of them before the decimal point."""
    if point <= 0:
        return f"0.{'0' * -point}{digits}"
    return (digits[:point].ljust(point, "0") + "." + digits[point:]).rstrip(".")


def go_json_float(value: float) -> str:
    """``encoding/json``'s float64: the shortest digits, positional unless below 1e-06 or from
    1e+21, whose exponent drops a leading zero (``1e-7``, ``0.00001``, ``1234567.5``)."""
    text = go_float(value)
    if "e" not in text:
        return text
    size = abs(value)
    if size < 1e-6 or size >= 1e21:
        mantissa, _, exponent = text.partition("e")
        return f"{mantissa}e{exponent[0]}{exponent[1:].lstrip('0') or '0'}"
    return ("-" if value < 0 else "") + _positional(*_digits(value))


_EXPONENT_LINE: Final = re.compile(
    r'^(\s*(?:"(?:[^"\\]|\\.)*": )?)(-?[0-9]+(?:\.[0-9]+)?e[-+][0-9]+)(,?)$', re.MULTILINE
)
"""A line of indented JSON whose value is a number with an exponent: a string holds no raw
newline, so no text inside one can look like this line."""


def _go_json_numbers(text: str) -> str:
    """Indented JSON from ``json.dumps`` with its floats as ``encoding/json`` writes them:
    Python writes an exponent below 1e-04 and from 1e+16, Go below 1e-06 and from 1e+21."""
    if "e-" not in text and "e+" not in text:
        return text
    return _EXPONENT_LINE.sub(lambda m: m[1] + go_json_float(float(m[2])) + m[3], text)


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
