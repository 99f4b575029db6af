"""Label selectors, parsed and matched as the apiserver does.

The grammar, the error texts and the validation messages follow
``k8s.io/apimachinery/pkg/labels/selector.go`` so that a bad ``-l`` gets the same 400 message from
the sandbox as from a real cluster. Field selectors live in ``fields.py``.

Written apart from ``bot.core.values.label_selector`` on purpose, as an independent oracle; do
not share.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kubesim.api import status


class Op(StrEnum):
    """Requirement operators (``selection.Operator``)."""

    IN = "in"
    NOT_IN = "notin"
    EQUALS = "="
    DOUBLE_EQUALS = "=="
    NOT_EQUALS = "!="
    GREATER = "gt"
    LESS = "lt"
    EXISTS = "exists"
    NOT_EXISTS = "!"


_BINARY = "in, notin, =, ==, !=, gt, lt"
_SPECIAL = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")
_TOKENS = {
    ")": "CLOSE",
    ",": "COMMA",
    "!": "NOT",
    "==": "DEQ",
    "=": "EQ",
    ">": "GT",
    "in": "IN",
    "<": "LT",
    "!=": "NEQ",
    "notin": "NOTIN",
    "(": "OPEN",
}
_OPS = {
    "IN": Op.IN,
    "NOTIN": Op.NOT_IN,
    "EQ": Op.EQUALS,
    "DEQ": Op.DOUBLE_EQUALS,
    "NEQ": Op.NOT_EQUALS,
    "GT": Op.GREATER,
    "LT": Op.LESS,
}

_NAME_RE = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS1123_SUBDOMAIN_RE = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_LABEL_VALUE_RE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_NAME_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
_QUALIFIED_MSG = (
    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
    "subdomain prefix and '/' (e.g. 'example.com/MyName')"
)
_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


class SelectorError(ValueError):
    """A selector that does not parse; its text is the apiserver's message."""


def qualified_name_errors(key: str) -> list[str]:
    """``validation.IsQualifiedName`` messages (empty when valid)."""
    parts = key.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            return ["prefix part must be non-empty"]
        if len(prefix) > 253:
            return ["prefix part must be no more than 253 characters"]
        if not _DNS1123_SUBDOMAIN_RE.match(prefix):
            return [f"prefix part {_SUBDOMAIN_MSG}"]
    else:
        return [_QUALIFIED_MSG]
    errors: list[str] = []
    if not name:
        return ["name part must be non-empty"]
    if len(name) > 63:
        errors.append("name part must be no more than 63 characters")
    if not _NAME_RE.match(name):
        errors.append(_NAME_MSG)
    return errors


def label_value_errors(value: str) -> list[str]:
    """``validation.IsValidLabelValue`` messages (empty when valid)."""
    errors: list[str] = []
    if len(value) > 63:
        errors.append("must be no more than 63 characters")
    if not _LABEL_VALUE_RE.match(value):
        errors.append(_LABEL_VALUE_MSG)
    return errors


@dataclass(frozen=True, slots=True)
class Requirement:
    """One clause of a label selector."""

    key: str
    op: Op
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """``Requirement.Matches``."""
        present = self.key in labels
        if self.op in (Op.IN, Op.EQUALS, Op.DOUBLE_EQUALS):
            return present and labels[self.key] in self.values
        if self.op in (Op.NOT_IN, Op.NOT_EQUALS):
            return not present or labels[self.key] not in self.values
        if self.op is Op.EXISTS:
            return present
        if self.op is Op.NOT_EXISTS:
            return not present
        if not present:
            return False
        try:
            have, want = int(labels[self.key]), int(self.values[0])
        except ValueError:
            return False
        return have > want if self.op is Op.GREATER else have < want


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """A parsed label selector: every requirement must match."""

    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Whether an object with these labels is selected."""
        have = labels or {}
        return all(r.matches(have) for r in self.requirements)


def _lex(text: str) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos] in _WHITESPACE:
            pos += 1
        if pos >= n:
            items.append(("END", ""))
            return items
        if text[pos] in _SPECIAL:
            buf, last = "", ("", "")
            while pos < n and text[pos] in _SPECIAL:
                buf += text[pos]
                pos += 1
                if buf in _TOKENS:
                    last = (_TOKENS[buf], buf)
                elif last[0]:
                    pos -= 1
                    break
            if not last[0]:
                items.append(("ERROR", f"error expected: keyword found '{buf}'"))
                return items
            items.append(last)
            continue
        start = pos
        while pos < n and text[pos] not in _SPECIAL and text[pos] not in _WHITESPACE:
            pos += 1
        word = text[start:pos]
        items.append((_TOKENS.get(word, "ID"), word))


class _LabelParser:
    def __init__(self, text: str) -> None:
        self.items = _lex(text)
        self.pos = 0

    def _peek(self, *, values: bool = True) -> tuple[str, str]:
        tok, lit = self.items[min(self.pos, len(self.items) - 1)]
        if values and tok in ("IN", "NOTIN"):
            tok = "ID"
        return tok, lit

    def _take(self, *, values: bool = True) -> tuple[str, str]:
        item = self._peek(values=values)
        self.pos += 1
        return item

    def parse(self) -> list[Requirement]:
        reqs: list[Requirement] = []
        while True:
            tok, lit = self._peek()
            if tok == "END":
                return reqs
            if tok not in ("ID", "NOT"):
                raise SelectorError(f"found '{lit}', expected: !, identifier, or 'end of string'")
            try:
                reqs.append(self._requirement())
            except SelectorError as err:
                raise SelectorError(f"unable to parse requirement: {err}") from None
            tok, lit = self._take()
            if tok == "END":
                return reqs
            if tok != "COMMA":
                raise SelectorError(f"found '{lit}', expected: ',' or 'end of string'")
            tok2, lit2 = self._peek()
            if tok2 not in ("ID", "NOT"):
                raise SelectorError(f"found '{lit2}', expected: identifier after ','")

    def _requirement(self) -> Requirement:
        op: Op | None = None
        tok, lit = self._take()
        if tok == "NOT":
            op = Op.NOT_EXISTS
            tok, lit = self._take()
        if tok != "ID":
            raise SelectorError(f"found '{lit}', expected: identifier")
        key = lit
        if errs := qualified_name_errors(key):
            raise SelectorError(f'<nil>: Invalid value: "{key}": {"; ".join(errs)}')
        if op is Op.NOT_EXISTS or self._peek()[0] in ("END", "COMMA"):
            return Requirement(key, op or Op.EXISTS)
        tok, lit = self._take(values=False)
        if tok not in _OPS:
            raise SelectorError(f"found '{lit}', expected: {_BINARY}")
        op = _OPS[tok]
        values = self._set_values() if op in (Op.IN, Op.NOT_IN) else self._exact_value()
        return _checked(key, op, values)

    def _set_values(self) -> list[str]:
        tok, lit = self._take()
        if tok != "OPEN":
            raise SelectorError(f"found '{lit}' expected: '('")
        tok, lit = self._peek()
        if tok == "CLOSE":
            self._take()
            return [""]
        if tok not in ("ID", "COMMA"):
            raise SelectorError(f"found '{lit}', expected: ',', ')' or identifier")
        found: set[str] = set()
        while True:
            tok, lit = self._take()
            if tok == "ID":
                found.add(lit)
                tok2, lit2 = self._peek()
                if tok2 == "COMMA":
                    continue
                if tok2 == "CLOSE":
                    break
                raise SelectorError(f"found '{lit2}', expected: ',' or ')'")
            if tok == "COMMA":
                if not found:
                    found.add("")
                tok2, _ = self._peek()
                if tok2 == "CLOSE":
                    found.add("")
                    break
                if tok2 == "COMMA":
                    self._take()
                    found.add("")
                continue
            raise SelectorError(f"found '{lit}', expected: ',', or identifier")
        self._take()  # the ')'
        return sorted(found)

    def _exact_value(self) -> list[str]:
        tok, _ = self._peek()
        if tok in ("END", "COMMA"):
            return [""]
        tok, lit = self._take()
        if tok == "ID":
            return [lit]
        raise SelectorError(f"found '{lit}', expected: identifier")


def _checked(key: str, op: Op, values: list[str]) -> Requirement:
    errors: list[str] = []
    if op in (Op.GREATER, Op.LESS):
        for i, v in enumerate(values):
            if not re.fullmatch(r"[+-]?\d+", v):
                errors.append(
                    f"values[{i}]: Invalid value: \"{v}\": for 'Gt', 'Lt' operators, "
                    "the value must be an integer"
                )
    for i, v in enumerate(values):
        if errs := label_value_errors(v):
            errors.append(f'values[{i}][{key}]: Invalid value: "{v}": {"; ".join(errs)}')
    if errors:
        raise SelectorError(errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]")
    return Requirement(key, op, tuple(values))


def parse_labels(text: str | None) -> LabelSelector:
    """Parse a ``labelSelector``; raises a 400 ``ApiError`` with the apiserver's message."""
    if not text:
        return LabelSelector()
    try:
        reqs = _LabelParser(text).parse()
    except SelectorError as err:
        raise status.bad_request(str(err)) from None
    return LabelSelector(tuple(sorted(reqs, key=lambda r: r.key)))


_EXPRESSION_OPS = {
    "In": Op.IN,
    "NotIn": Op.NOT_IN,
    "Exists": Op.EXISTS,
    "DoesNotExist": Op.NOT_EXISTS,
}


def selector_of(selector: Mapping[str, Any] | None) -> LabelSelector | None:
    """``metav1.LabelSelectorAsSelector`` for a stored (validated) selector; None selects
    nothing, ``{}`` everything."""
    if selector is None:
        return None
    reqs = [
        Requirement(str(k), Op.EQUALS, (str(v),))
        for k, v in (selector.get("matchLabels") or {}).items()
    ]
    for expr in selector.get("matchExpressions") or ():
        op = _EXPRESSION_OPS[str(expr.get("operator"))]
        reqs.append(
            Requirement(str(expr.get("key")), op, tuple(str(v) for v in expr.get("values") or ()))
        )
    return LabelSelector(tuple(sorted(reqs, key=lambda r: r.key)))
