"""What every Table row shares: the object's metadata, its AGE cell, and the row of the kinds
printed as a name, a few cells and an age."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from kubesim.printing.cells import since

JSON = dict[str, Any]
Row = Callable[[JSON, datetime], list[Any]]


def meta(obj: JSON) -> JSON:
    """The object's metadata, ``{}`` when it has none."""
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def age(obj: JSON, now: datetime) -> str:
    """The AGE cell."""
    return since(meta(obj).get("creationTimestamp"), now)


def simple(*cells: Callable[[JSON], Any]) -> Row:
    """A row of the name, ``cells`` and the age."""

    def row(obj: JSON, now: datetime) -> list[Any]:
        return [meta(obj).get("name", ""), *(cell(obj) for cell in cells), age(obj, now)]

    return row
