"""Reading a JSONPath template into its nodes, rune by rune as client-go's parser does, with
its length and nesting capped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.core.jsonpath.nodes import (
    Action,
    Field,
    Filter,
    Literal,
    Node,
    Op,
    Range,
    Recursive,
    Slice,
    Step,
    Template,
    TemplateError,
    Text,
    Union,
    Wildcard,
)
from bot.errors import UsageError

MAX_TEMPLATE: Final = 1024
"""Longest template, in characters."""
MAX_NESTING: Final = 8
"""Deepest nesting of ranges, filters and unions."""

_TERMINATORS: Final = frozenset(" \t\r\n.,[]$@{}")
_SLICE: Final = re.compile(r"^(-?\d*)(:-?\d*)?(:-?\d*)?$")
_DICT_KEY: Final = re.compile(r"^'([^']*)'$")
_COMPARISON: Final = re.compile(r"^([^!<>=]+)([!<>=]+)(.+?)$")
_ESCAPES: Final = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
}


@dataclass(frozen=True, slots=True)
class _End:
    pass


def parse(template: str) -> Template:
    """Parse ``template``; ``UsageError`` with kubectl's reason when it is not valid."""
    if len(template) > MAX_TEMPLATE:
        raise UsageError(f"the jsonpath template is longer than {MAX_TEMPLATE} characters")
    try:
        flat = _Parser(template, 0).template()
        nodes, rest = _nest(flat, 0, 0)
    except TemplateError as error:
        raise UsageError(f"error parsing jsonpath {template}, {error}") from None
    if rest != len(flat):
        raise UsageError(f'error executing jsonpath "{template}": not in range, nothing to end')
    return Template(template, nodes)


def _nest(
    flat: Sequence[Text | Action | _End | tuple[str, tuple[Step, ...]]], index: int, depth: int
) -> tuple[tuple[Node, ...], int]:
    """Group ``{range}...{end}`` into ``Range`` nodes; returns the nodes and where it stopped
    (at an ``{end}``, or the end; an unclosed range runs to the end, as in kubectl)."""
    nodes: list[Node] = []
    while index < len(flat):
        item = flat[index]
        if isinstance(item, _End):
            return tuple(nodes), index
        if isinstance(item, tuple):
            if depth >= MAX_NESTING:
                raise TemplateError("ranges are nested too deeply")
            body, stop = _nest(flat, index + 1, depth + 1)
            nodes.append(Range(item[1], body))
            index = stop + 1
            continue
        nodes.append(item)
        index += 1
    return tuple(nodes), index


class _Parser:
    """Go's ``jsonpath.Parser``, rune by rune."""

    def __init__(self, text: str, depth: int) -> None:
        if depth > MAX_NESTING:
            raise TemplateError("the template is nested too deeply")
        self.text = text
        self.pos = 0
        self.depth = depth

    def template(self) -> list[Text | Action | _End | tuple[str, tuple[Step, ...]]]:
        out: list[Text | Action | _End | tuple[str, tuple[Step, ...]]] = []
        while self.pos < len(self.text):
            brace = self.text.find("{", self.pos)
            if brace < 0:
                out.append(Text(self.text[self.pos :]))
                break
            if brace > self.pos:
                out.append(Text(self.text[self.pos : brace]))
            self.pos = brace + 1
            steps, words = self.action()
            if words == ["end"] and not steps:
                out.append(_End())
            elif words[:1] == ["range"]:
                out.append(("range", tuple(steps)))
            else:
                out.append(Action(tuple(steps)))
        return out

    def action(self) -> tuple[list[Step], list[str]]:
        """Steps up to the closing ``}`` (consumed), and the identifiers met (range, end)."""
        steps: list[Step] = []
        words: list[str] = []
        text = self.text
        while True:
            if self.pos >= len(text) or text[self.pos] in "\r\n":
                raise TemplateError("unclosed action")
            rest = text[self.pos :]
            char = text[self.pos]
            if char == "}":
                self.pos += 1
                return steps, words
            if rest.startswith("[?("):
                steps.append(self.filter())
            elif rest.startswith(".."):
                if steps and isinstance(steps[-1], Recursive):
                    raise TemplateError("invalid multiple recursive descent")
                self.pos += 2
                steps.append(Recursive())
                if self.pos < len(text) and _alphanumeric(text[self.pos]):
                    steps.append(self.field())
            elif char in " @$":
                self.pos += 1
            elif char == "[":
                steps.extend(self.array())
            elif char in "\"'":
                steps.append(self.quote(char))
            elif char == ".":
                self.pos += 1
                steps.append(self.field())
            elif char in "+-" or char.isdigit():
                steps.append(self.number())
            elif _alphanumeric(char):
                word = self.word()
                if word in ("true", "false"):
                    steps.append(Literal(word == "true", text=False))
                elif word in ("range", "end"):
                    words.append(word)
                else:
                    raise TemplateError(f"unrecognized identifier {word}")
            else:
                raise TemplateError(f"unrecognized character in action: {_rune(char)}")

    def word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _TERMINATORS:
            self.pos += 1
        return self.text[start : self.pos]

    def field(self) -> Step:
        start = self.pos
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\":
                self.pos += 2
                continue
            if char in _TERMINATORS:
                break
            self.pos += 1
        value = self.text[start : self.pos]
        return Wildcard() if value == "*" else Field(value.replace("\\", ""))

    def number(self) -> Literal:
        start = self.pos
        if self.text[self.pos] in "+-":
            self.pos += 1
        while self.pos < len(self.text) and (
            self.text[self.pos] == "." or self.text[self.pos].isdigit()
        ):
            self.pos += 1
        value = self.text[start : self.pos]
        try:
            return Literal(int(value), text=False)
        except ValueError:
            pass
        try:
            return Literal(float(value), text=False)
        except ValueError:
            raise TemplateError(f"cannot parse number {value}") from None

    def quote(self, end: str) -> Literal:
        start = self.pos
        self.pos += 1
        while True:
            if self.pos >= len(self.text) or self.text[self.pos] == "\n":
                raise TemplateError("unterminated quoted string")
            if self.text[self.pos] == end and self.text[self.pos - 1] != "\\":
                self.pos += 1
                break
            self.pos += 1
        raw = self.text[start : self.pos]
        return Literal(_unquote(raw), text=True)

    def array(self) -> list[Step]:
        close = self.pos
        while True:
            close += 1
            if close >= len(self.text) or self.text[close] == "\n":
                raise TemplateError("unterminated array")
            if self.text[close] == "]":
                break
        inner = self.text[self.pos + 1 : close]
        self.pos = close + 1
        if inner == "*":
            inner = ":"
        parts = inner.split(",")
        if len(parts) > 1:
            branches = tuple(
                tuple(_Parser(f"[{part.strip()}]}}", self.depth + 1).action()[0]) for part in parts
            )
            return [Union(branches)]
        key = _DICT_KEY.match(inner)
        if key:
            return _Parser(f".{key[1]}}}", self.depth + 1).action()[0]
        match = _SLICE.match(inner)
        if match is None:
            raise TemplateError(f"invalid array index {inner}")
        start_text, stop_text, step_text = match.groups()
        start = int(start_text) if start_text not in ("", "-") else None
        if stop_text is None:
            return [Slice(start, None, None, single=True)]
        stop = int(stop_text[1:]) if stop_text[1:] not in ("", "-") else None
        step = int(step_text[1:]) if step_text and step_text[1:] not in ("", "-") else None
        return [Slice(start, stop, step, single=False)]

    def filter(self) -> Filter:
        self.pos += 3
        start = self.pos
        begin = end = False
        pair = ""
        while True:
            if self.pos >= len(self.text) or self.text[self.pos] == "\n":
                raise TemplateError("unterminated filter")
            char = self.text[self.pos]
            self.pos += 1
            if char in "\"'":
                if not begin:
                    begin, pair = True, char
                    continue
                if self.text[self.pos - 2] != "\\" and char == pair:
                    end = True
            elif char == ")" and begin == end:
                break
        if self.pos >= len(self.text) or self.text[self.pos] != "]":
            raise TemplateError("unclosed array expect ]")
        self.pos += 1
        inner = self.text[start : self.pos - 2]
        match = _COMPARISON.match(inner)
        if match is None:
            left = _Parser(inner + "}", self.depth + 1).action()[0]
            return Filter(tuple(left), Op.EXISTS, ())
        left = _Parser(match[1] + "}", self.depth + 1).action()[0]
        right = _Parser(match[3] + "}", self.depth + 1).action()[0]
        try:
            op = Op(match[2])
        except ValueError:
            raise TemplateError(f"unrecognized filter operator {match[2]}") from None
        return Filter(tuple(left), op, tuple(right))


def _alphanumeric(char: str) -> bool:
    return char == "_" or char.isalnum()


def _rune(char: str) -> str:
    """Go's ``%#U``: ``U+007E '~'``."""
    return f"U+{ord(char):04X} '{char}'"


def _unquote(raw: str) -> str:
    quote, body = raw[0], raw[1:-1]
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        if index + 1 >= len(body):
            raise TemplateError(f"unquote string {raw} error invalid syntax")
        code = body[index + 1]
        if code in _ESCAPES and (code != "'" or quote == "'") and (code != '"' or quote == '"'):
            out.append(_ESCAPES[code])
            index += 2
        elif code in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[code]
            digits = body[index + 2 : index + 2 + width]
            try:
                out.append(chr(int(digits, 16)) if len(digits) == width else "")
            except ValueError:
                raise TemplateError(f"unquote string {raw} error invalid syntax") from None
            index += 2 + width
        else:
            raise TemplateError(f"unquote string {raw} error invalid syntax")
    return "".join(out)


def relaxed(expression: str) -> str:
    """kubectl's ``RelaxedJSONPathExpression``: ``.a.b``, ``a.b`` or ``{.a.b}`` -> ``{.a.b}``."""
    match = re.fullmatch(r"\{?(\.?[^{}]*)\}?", expression)
    if match is None or not expression:
        raise UsageError(
            "unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
            "'{name1.name2}' or '{.name1.name2}'"
        )
    path = match[1]
    return "{" + (path if path.startswith(".") else "." + path) + "}"
