"""kubectl's JSONPath dialect (``-o jsonpath=``, ``custom-columns``, ``--sort-by``), parsed and
evaluated without I/O.

It is not RFC 9535: templates mix literal text with ``{actions}``, ``{range X}...{end}`` loops,
``{"\\n"}`` literals, filters ``[?(@.a=="b")]`` (no ``&&``), unions ``[0,1]``, slices with steps
and ``..`` descent; missing keys print nothing, as with kubectl's ``AllowMissingKeys(true)``.
Values print as kubectl prints them: strings raw, maps and lists as compact JSON, one space
between the values of one action.

Hostile templates stay cheap: the template's length and nesting are capped, and evaluation
counts the values it produces and stops at a budget, so no input makes it recursive without
bound or quadratic without limit.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, TypeAlias

from bot.errors import UsageError

MAX_TEMPLATE: Final = 1024
"""Longest template, in characters."""
MAX_NESTING: Final = 8
"""Deepest nesting of ranges, filters and unions."""
MAX_VALUES: Final = 200_000
"""Values one evaluation may produce before it is stopped."""

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


class Op(enum.StrEnum):
    """Filter operators."""

    EXISTS = "exists"
    EQ = "=="
    NE = "!="
    LT = "<"
    GT = ">"
    LE = "<="
    GE = ">="


@dataclass(frozen=True, slots=True)
class Field:
    name: str


@dataclass(frozen=True, slots=True)
class Wildcard:
    pass


@dataclass(frozen=True, slots=True)
class Recursive:
    pass


@dataclass(frozen=True, slots=True)
class Slice:
    start: int | None
    stop: int | None
    step: int | None
    single: bool
    """``[3]``: one index, whose stop follows from the start."""


@dataclass(frozen=True, slots=True)
class Literal:
    value: str | int | float | bool
    text: bool
    """Quoted text replaces the values; numbers and booleans stand for each value."""


@dataclass(frozen=True, slots=True)
class Union:
    branches: tuple[tuple[Step, ...], ...]


@dataclass(frozen=True, slots=True)
class Filter:
    left: tuple[Step, ...]
    op: Op
    right: tuple[Step, ...]


Step: TypeAlias = Field | Wildcard | Recursive | Slice | Literal | Union | Filter


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Action:
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Range:
    steps: tuple[Step, ...]
    body: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class _End:
    pass


Node: TypeAlias = Text | Action | Range


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template."""

    source: str
    nodes: tuple[Node, ...]


class _Error(Exception):
    """A parse failure's reason; ``parse`` turns it into a ``UsageError``."""


def parse(template: str) -> Template:
    """Parse ``template``; ``UsageError`` with kubectl's reason when it is not valid."""
    if len(template) > MAX_TEMPLATE:
        raise UsageError(f"the jsonpath template is longer than {MAX_TEMPLATE} characters")
    try:
        flat = _Parser(template, 0).template()
        nodes, rest = _nest(flat, 0, 0)
    except _Error as error:
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
                raise _Error("ranges are nested too deeply")
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
            raise _Error("the template is nested too deeply")
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
                raise _Error("unclosed action")
            rest = text[self.pos :]
            char = text[self.pos]
            if char == "}":
                self.pos += 1
                return steps, words
            if rest.startswith("[?("):
                steps.append(self.filter())
            elif rest.startswith(".."):
                if steps and isinstance(steps[-1], Recursive):
                    raise _Error("invalid multiple recursive descent")
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
                    raise _Error(f"unrecognized identifier {word}")
            else:
                raise _Error(f"unrecognized character in action: {_rune(char)}")

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
            raise _Error(f"cannot parse number {value}") from None

    def quote(self, end: str) -> Literal:
        start = self.pos
        self.pos += 1
        while True:
            if self.pos >= len(self.text) or self.text[self.pos] == "\n":
                raise _Error("unterminated quoted string")
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
                raise _Error("unterminated array")
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
            raise _Error(f"invalid array index {inner}")
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
                raise _Error("unterminated filter")
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
            raise _Error("unclosed array expect ]")
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
            raise _Error(f"unrecognized filter operator {match[2]}") from None
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
            raise _Error(f"unquote string {raw} error invalid syntax")
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
                raise _Error(f"unquote string {raw} error invalid syntax") from None
            index += 2 + width
        else:
            raise _Error(f"unquote string {raw} error invalid syntax")
    return "".join(out)


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_VALUES

    def spend(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise UsageError(
                f"the jsonpath template produces more than {MAX_VALUES:,} values; narrow it"
            )


def execute(template: Template, data: object) -> str:
    """The text kubectl prints for ``template`` over ``data`` (a JSON-decoded object)."""
    out: list[str] = []
    budget = _Budget()
    try:
        _run(template.nodes, data, out, budget)
    except _Error as error:
        raise UsageError(f'error executing jsonpath "{template.source}": {error}') from None
    return "".join(out)


def find(template: Template, data: object) -> list[list[object]]:
    """Each action's values over ``data``, as custom-columns and sort-by read them."""
    budget = _Budget()
    found: list[list[object]] = []
    try:
        for node in template.nodes:
            if isinstance(node, Action):
                found.append(_walk(node.steps, [data], budget))
            elif isinstance(node, Text):
                found.append([node.text])
    except _Error as error:
        raise UsageError(f'error executing jsonpath "{template.source}": {error}') from None
    return found


def _run(nodes: Iterable[Node], data: object, out: list[str], budget: _Budget) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Action):
            out.append(" ".join(print_value(v) for v in _walk(node.steps, [data], budget)))
        else:
            for item in _walk(node.steps, [data], budget):
                _run(node.body, item, out, budget)


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


def _children(value: object) -> list[object]:
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    if isinstance(value, list):
        return list(value)
    if isinstance(value, str):
        return list(value)
    return []


def _walk(steps: Sequence[Step], values: list[object], budget: _Budget) -> list[object]:
    for step in steps:
        values = _step(step, values, budget)
        budget.spend(len(values))
    return values


def _step(step: Step, values: list[object], budget: _Budget) -> list[object]:
    if isinstance(step, Field):
        return [v[step.name] for v in values if isinstance(v, dict) and step.name in v]
    if isinstance(step, Wildcard):
        return [child for v in values for child in _children(v)]
    if isinstance(step, Recursive):
        found: list[object] = []
        stack = list(reversed(values))
        while stack:
            value = stack.pop()
            children = _children(value)
            if children:
                found.append(value)
                budget.spend(1)
                if not isinstance(value, str):
                    stack.extend(reversed(children))
        return found
    if isinstance(step, Literal):
        return [step.value] if step.text else [step.value for _ in values]
    if isinstance(step, Slice):
        return [item for v in values if v is not None for item in _slice(step, v)]
    if isinstance(step, Union):
        return [item for branch in step.branches for item in _walk(branch, values, budget)]
    kept: list[object] = []
    for value in values:
        if not isinstance(value, list):
            raise _Error(f"{_go_type(value)} is not array or slice and cannot be filtered")
        for item in value:
            lefts = _walk(step.left, [item], budget)
            if step.op is Op.EXISTS:
                if lefts:
                    kept.append(item)
                continue
            if not lefts:
                continue
            rights = _walk(step.right, [item], budget)
            if len(lefts) != 1 or len(rights) != 1:
                raise _Error("can only compare one element at a time")
            if _compare(step.op, lefts[0], rights[0]):
                kept.append(item)
    return kept


def _slice(step: Slice, value: object) -> list[object]:
    if not isinstance(value, list):
        raise _Error(f"{_go_type(value)} is not array or slice")
    length = len(value)
    start = step.start or 0
    if start < 0:
        start += length
    if step.single:
        stop = start + 1
    else:
        stop = length if step.stop is None else step.stop
        if stop < 0:
            stop += length
    if stop != start:
        if start >= length or start < 0:
            raise _Error(f"array index out of bounds: index {start}, length {length}")
        if stop > length:
            raise _Error(f"array index out of bounds: index {stop - 1}, length {length}")
    if stop < start:
        return []
    if step.step is not None and step.step <= 0:
        raise _Error(f"the step of a slice must be positive, not {step.step}")
    return value[start : stop : step.step or 1]


def _go_type(value: object) -> str:
    match value:
        case str():
            return "string"
        case bool():
            return "bool"
        case int():
            return "int64"
        case float():
            return "float64"
        case dict():
            return "map[string]interface {}"
        case None:
            return "<nil>"
    return type(value).__name__


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "other"


def _compare(op: Op, left: object, right: object) -> bool:
    """Go template's ``eq``/``lt``...: both sides of one basic kind, else an error."""
    kind = _kind(left)
    if kind != _kind(right) or kind == "other":
        raise _Error("incompatible types for comparison")
    if op is Op.EQ:
        return left == right
    if op is Op.NE:
        return left != right
    if kind == "bool":
        raise _Error("invalid type for comparison")
    a, b = left, right
    assert isinstance(a, int | float | str)
    assert isinstance(b, int | float | str)
    if op is Op.LT:
        return a < b  # type: ignore[operator]
    if op is Op.GT:
        return a > b  # type: ignore[operator]
    if op is Op.LE:
        return a <= b  # type: ignore[operator]
    return a >= b  # type: ignore[operator]


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
