"""Field selectors, parsed and matched as the apiserver does.

The escaping rules and error texts follow ``k8s.io/apimachinery/pkg/fields/selector.go``, and the
supported field labels are each type's ``ResourceType.field_labels``, so a bad ``--field-selector``
gets the same 400 message from the sandbox as from a real cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kubesim.api import status
from kubesim.api.resource_type import ResourceType
from kubesim.selectors.labels import SelectorError


@dataclass(frozen=True, slots=True)
class FieldTerm:
    """``field=value`` or ``field!=value``."""

    field: str
    value: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class FieldSelector:
    """A parsed field selector for one resource type."""

    terms: tuple[FieldTerm, ...] = ()

    def matches(self, obj: Mapping[str, Any]) -> bool:
        """Whether the object is selected."""
        for term in self.terms:
            if (field_value(obj, term.field) == term.value) == term.negated:
                return False
        return True

    def exact(self, field: str) -> str | None:
        """The value the selector pins ``field`` to, if any (an index shortcut)."""
        for term in self.terms:
            if term.field == field and not term.negated:
                return term.value
        return None


def _split_terms(text: str) -> list[str]:
    terms, buf, escaped = [], "", False
    for ch in text:
        if escaped:
            buf += ch
            escaped = False
        elif ch == "\\":
            buf += ch
            escaped = True
        elif ch == ",":
            terms.append(buf)
            buf = ""
        else:
            buf += ch
    terms.append(buf)
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    escaped = False
    for i, ch in enumerate(term):
        if escaped:
            escaped = False
            continue
        if ch == "\\":
            escaped = True
            continue
        for op in ("!=", "==", "="):
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op) :]
    return None


def _unescape(value: str) -> str:
    out, escaped = "", False
    for ch in value:
        if escaped:
            if ch not in "\\,=":
                raise SelectorError(f"invalid escape sequence: {value}")
            out += ch
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in ",=":
            raise SelectorError(f"invalid field selector: unescaped {ch!r} in {value}")
        else:
            out += ch
    if escaped:
        raise SelectorError(f"invalid field selector: trailing backslash in {value}")
    return out


def parse_fields(text: str | None, rt: ResourceType) -> FieldSelector:
    """Parse a ``fieldSelector`` for ``rt``; 400 on bad syntax or an unsupported field label."""
    if not text:
        return FieldSelector()
    terms: list[FieldTerm] = []
    for part in sorted(_split_terms(text)):
        if not part:
            continue
        split = _split_term(part)
        if split is None:
            raise status.bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        lhs, op, rhs = split
        try:
            value = _unescape(rhs)
        except SelectorError as err:
            raise status.bad_request(str(err)) from None
        terms.append(FieldTerm(lhs, value, negated=op == "!="))
    allowed = {"metadata.name", "metadata.namespace", *rt.field_labels}
    for term in terms:
        if term.field not in allowed:
            raise status.bad_request(f"field label not supported: {term.field}")
    return FieldSelector(tuple(terms))


def _path(obj: Mapping[str, Any], dotted: str) -> Any:
    cur: Any = obj
    for part in dotted.split("."):
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(part)
    return cur


def _boolean(obj: Mapping[str, Any], dotted: str) -> str:
    return "true" if _path(obj, dotted) else "false"


_SPECIAL_FIELDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "spec.hostNetwork": lambda o: _boolean(o, "spec.hostNetwork"),
    "spec.unschedulable": lambda o: _boolean(o, "spec.unschedulable"),
    "status.replicas": lambda o: str(_path(o, "status.replicas") or 0),
    "status.successful": lambda o: str(_path(o, "status.successful") or 0),
    "source": lambda o: str(_path(o, "source.component") or ""),
    "status.podIPs": lambda o: ",".join(
        str(ip.get("ip", "")) for ip in (_path(o, "status.podIPs") or []) if isinstance(ip, dict)
    ),
}


def field_value(obj: Mapping[str, Any], field: str) -> str:
    """The string value a field selector compares (``""`` when absent)."""
    special = _SPECIAL_FIELDS.get(field)
    if special is not None:
        return special(obj)
    value = _path(obj, field)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
