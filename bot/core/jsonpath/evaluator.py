"""Walking a parsed JSONPath template over a decoded object, within a budget of values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from bot.core.jsonpath.nodes import (
    Action,
    Field,
    Literal,
    Node,
    Op,
    Recursive,
    Slice,
    Step,
    Template,
    TemplateError,
    Text,
    Union,
    Wildcard,
)
from bot.core.jsonpath.printing import print_value
from bot.errors import UsageError

MAX_VALUES: Final = 200_000
"""Values one evaluation may produce before it is stopped."""


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
    except TemplateError as error:
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
    except TemplateError as error:
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
            raise TemplateError(f"{_go_type(value)} is not array or slice and cannot be filtered")
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
                raise TemplateError("can only compare one element at a time")
            if _compare(step.op, lefts[0], rights[0]):
                kept.append(item)
    return kept


def _slice(step: Slice, value: object) -> list[object]:
    if not isinstance(value, list):
        raise TemplateError(f"{_go_type(value)} is not array or slice")
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
            raise TemplateError(f"array index out of bounds: index {start}, length {length}")
        if stop > length:
            raise TemplateError(f"array index out of bounds: index {stop - 1}, length {length}")
    if stop < start:
        return []
    if step.step is not None and step.step <= 0:
        raise TemplateError(f"the step of a slice must be positive, not {step.step}")
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
        raise TemplateError("incompatible types for comparison")
    if op is Op.EQ:
        return left == right
    if op is Op.NE:
        return left != right
    if kind == "bool":
        raise TemplateError("invalid type for comparison")
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
