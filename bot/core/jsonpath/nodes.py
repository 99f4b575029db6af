"""A parsed JSONPath template: its text and actions, the steps of a path, and the reason a
template fails."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeAlias


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


Node: TypeAlias = Text | Action | Range


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template."""

    source: str
    nodes: tuple[Node, ...]


class TemplateError(Exception):
    """A parse or evaluation failure's reason; ``parse``, ``execute`` and ``find`` turn it into
    a ``UsageError``."""
