"""Label selectors, parsed and matched as the apiserver does.

The grammar, the error texts and the validation messages follow
``k8s.io/apimachinery/pkg/labels/selector.go`` so that a bad ``-l`` gets the same 400 message from
the sandbox as from a real cluster. What a parsed selector is, and how it matches, is in
``requirements.py``; field selectors live in ``fields.py``.

Written apart from ``bot.core.values.label_selector`` on purpose, as an independent oracle; do
not share.
"""

from __future__ import annotations

import re

from kubesim.api import status
from kubesim.selectors.label_validation import label_value_errors, qualified_name_errors
from kubesim.selectors.requirements import LabelSelector, Op, Requirement

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


class SelectorError(ValueError):
    """A selector that does not parse; its text is the apiserver's message."""


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
