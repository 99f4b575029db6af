"""kubectl's fallback describer (``genericDescriber``): every field of an object as an indented map.

Types without a describer of their own (a custom resource such as a cert-manager Certificate, a
Lease, an EndpointSlice) print their metadata header, then every field sorted by name, nested maps
one level deeper, labels made from the field names (``smartLabelFor``: ``apiVersion`` becomes
``API Version``), and the events about the object. Any Secret inside is redacted first.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from bot.core import kube, tabwriter
from bot.core.describe import events_section
from bot.core.describe_out import Out, annotations_multiline, labels_multiline
from bot.core.jsonpath.printing import go_float
from bot.core.kube import Obj
from bot.core.secret_data import redacted

_SKIPPED: Final = frozenset(
    {
        ".metadata.managedFields",
        ".metadata.name",
        ".metadata.namespace",
        ".metadata.labels",
        ".metadata.annotations",
    }
)
_ACRONYMS: Final = frozenset({"API", "URL", "UID", "OSB", "GUID"})
_CLASSES: Final = {"Ll": 1, "Lu": 2, "Nd": 3}
"""camelcase's character classes: Go's ``unicode.IsLower``, ``IsUpper``, ``IsDigit``, other."""


def _char_class(char: str) -> int:
    return _CLASSES.get(unicodedata.category(char), 4)


def _title(part: str) -> str:
    """``strings.Title`` of a run of one class: its first rune in title case, when that case
    is one rune (Go's ``unicode.ToTitle`` maps ``ß`` to itself)."""
    first = part[:1].title()
    return (first if len(first) == 1 else part[:1]) + part[1:]


def camel_split(text: str) -> list[str]:
    """``github.com/fatih/camelcase.Split``: runs of one character class, ``PDFLoader`` ->
    ``PDF``, ``Loader``."""
    runs: list[list[str]] = []
    last = 0
    for char in text:
        kind = _char_class(char)
        if kind == last:
            runs[-1].append(char)
        else:
            runs.append([char])
        last = kind
    for i in range(len(runs) - 1):
        if _char_class(runs[i][0]) == 2 and _char_class(runs[i + 1][0]) == 1:
            runs[i + 1].insert(0, runs[i].pop())
    return ["".join(run) for run in runs if run]


def smart_label(field: str) -> str:
    """``smartLabelFor``: ``creationTimestamp`` -> ``Creation Timestamp``, acronyms kept upper."""
    if any(not char.isalpha() and char != "-" for char in field):  # Go's unicode.IsLetter
        return field
    parts = []
    for part in camel_split(field):
        if part == "_":
            continue
        parts.append(part.upper() if part.upper() in _ACRONYMS else _title(part))
    return " ".join(parts)


_INT64: Final = range(-(2**63), 2**63)


def go_value(value: object) -> str:
    """Go's ``%v`` of a value as kubectl decodes JSON: an int64 when the number is one, else a
    float64 (``12345678901234567000`` is ``1.2345678901234567e+19``)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) or (isinstance(value, int) and value not in _INT64):
        return go_float(value)
    if isinstance(value, Mapping):
        inner = " ".join(f"{k}:{go_value(value[k])}" for k in sorted(value))
        return f"map[{inner}]"
    if isinstance(value, list):
        return "[" + " ".join(go_value(v) for v in value) + "]"
    return str(value)


def _content(out: Out, level: int, content: Mapping[str, Any], prefix: str) -> None:
    """``printUnstructuredContent``: fields sorted, maps and lists one level deeper."""
    for field in sorted(content):
        value = content[field]
        path = f"{prefix}.{field}"
        if path in _SKIPPED:
            continue
        if isinstance(value, Mapping):
            out.write(level, f"{smart_label(field)}:\n")
            _content(out, level + 1, value, path)
        elif isinstance(value, list):
            out.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, Mapping):
                    _content(out, level + 1, child, path)
                else:
                    out.write(level + 1, f"{go_value(child)}\n")
        else:
            out.write(level, f"{smart_label(field)}:\t{go_value(value)}\n")


def describe_generic(obj: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe`` of a type kubectl has no describer for."""
    shown, _ = redacted(obj)
    safe = shown if isinstance(shown, dict) else {}
    out = Out()
    meta = kube.mapping(safe, "metadata")
    out.write(0, f"Name:\t{kube.text(meta, 'name')}\n")
    out.write(0, f"Namespace:\t{kube.text(meta, 'namespace')}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    _content(out, 0, safe, "")
    events_section(out, events, now)
    return tabwriter.align(out.text())
