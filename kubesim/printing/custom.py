"""Server-side Tables for custom resources, from their CRD's ``additionalPrinterColumns``.

Follows apiextensions-apiserver's ``tableconvertor``: a Name column, then one column per printer
column; a cell is the first JSONPath result (``None`` when there is none), ``date`` cells are
ages, ``string`` cells are printed with ``%v``. The JSONPath subset is what CRDs use in practice:
fields, ``[N]`` indexes, ``[*]`` and ``[?(@.field=="value")]`` filters.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from kubesim.api.resource_type import PrinterColumn
from kubesim.printing.cells import human_duration, timestamp

JSON = dict[str, Any]
_NAME_DESCRIPTION = (
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
_STEP = re.compile(
    r"""\.(?P<field>[A-Za-z0-9_-]+)
      | \[(?P<index>-?\d+)\]
      | \[\*\]
      | \[\?\(@\.(?P<key>[A-Za-z0-9_.-]+)\s*==\s*(?P<quote>["'])(?P<value>.*?)(?P=quote)\)\]""",
    re.VERBOSE,
)


def find(obj: Any, path: str) -> list[Any]:
    """Every value ``path`` (``.status.conditions[?(@.type=="Ready")].status``) selects."""
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    values = [obj]
    position = 0
    while position < len(path):
        step = _STEP.match(path, position)
        if step is None:
            return []
        position = step.end()
        values = [found for value in values for found in _apply(step, value)]
    return values


def _apply(step: re.Match[str], value: Any) -> list[Any]:
    if step["field"] is not None:
        return [value[step["field"]]] if isinstance(value, dict) and step["field"] in value else []
    if not isinstance(value, list):
        return []
    if step["index"] is not None:
        index = int(step["index"])
        return [value[index]] if -len(value) <= index < len(value) else []
    if step["key"] is None:
        return list(value)
    return [item for item in value if _text(find(item, "." + step["key"])) == step["value"]]


def _text(found: list[Any]) -> str | None:
    if not found:
        return None
    value = found[0]
    return value if isinstance(value, str) else json.dumps(value)


def _cell(column: PrinterColumn, obj: JSON, now: datetime) -> Any:
    found = find(obj, column.json_path)
    if not found or found[0] is None:
        return None
    value = found[0]
    if column.type == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return json.dumps(value, separators=(",", ":")) if isinstance(value, dict | list) else value
    if column.type == "integer":
        return (
            int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )
    if column.type == "number":
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if column.type == "boolean":
        return value if isinstance(value, bool) else None
    if column.type == "date":
        when = timestamp(value)
        return human_duration((now - when).total_seconds()) if when is not None else None
    return value


def custom_table(
    columns: tuple[PrinterColumn, ...],
    objects: list[JSON],
    *,
    now: datetime,
    include_object: str,
) -> JSON:
    """A ``meta.k8s.io/v1`` Table of custom resources (the caller fills ``metadata``)."""
    definitions = [
        {
            "name": "Name",
            "type": "string",
            "format": "name",
            "description": _NAME_DESCRIPTION,
            "priority": 0,
        }
    ]
    definitions += [
        {
            "name": c.name,
            "type": c.type,
            "format": c.format,
            "description": c.description,
            "priority": c.priority,
        }
        for c in columns
    ]
    rows: list[JSON] = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        row: JSON = {"cells": [meta.get("name", ""), *(_cell(c, obj, now) for c in columns)]}
        if include_object == "Metadata":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": meta,
            }
        elif include_object == "Object":
            row["object"] = obj
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": definitions,
        "rows": rows,
    }
