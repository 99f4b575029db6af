"""``get``'s printers that need no server: ``-o yaml`` and ``-o json`` text, ``custom-columns``
rows and ``--sort-by``'s order, each as kubectl prints or orders them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TypeVar

import yaml

from bot.core import jsonpath
from bot.core.kube import Obj
from bot.core.verbs.get import Column
from bot.errors import UsageError

T = TypeVar("T")


class _GoYamlDumper(yaml.SafeDumper):
    """Quote like go-yaml (double quotes, ``|`` blocks for multi-line text), as kubectl does."""

    def choose_scalar_style(self) -> str:
        style = str(super().choose_scalar_style())
        return '"' if style == "'" else style


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_str(value)


_GoYamlDumper.add_representer(str, _represent_str)


def to_yaml(obj: object) -> str:
    """sigs.k8s.io/yaml's layout: sorted keys, block style, unindented lists, no wrapping."""
    return yaml.dump(
        obj,
        Dumper=_GoYamlDumper,
        default_flow_style=False,
        sort_keys=True,
        allow_unicode=True,
        width=1 << 30,
    )


def to_json(obj: object) -> str:
    """kubectl's ``-o json``: four-space indentation, sorted keys."""
    return json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False) + "\n"


def custom_row(columns: Sequence[Column], obj: Obj) -> tuple[str, ...]:
    """One ``custom-columns`` row: each path's values joined by commas, ``<none>`` if none."""
    cells = []
    for column in columns:
        found = jsonpath.find(column.path, obj)
        values = found[0] if found else []
        cells.append(",".join(jsonpath.go_sprint(v) for v in values) if values else "<none>")
    return tuple(cells)


def sort_objects(
    items: list[T], template: jsonpath.Template, object_of: Callable[[T], object]
) -> list[T]:
    """kubectl's ``--sort-by``: a stable sort on the path's first value (numbers as numbers,
    text by its characters, as Go compares strings); an error when no object has the field.

    kubectl's sort is not stable: the order of ties is its own, so callers cannot rely on it."""
    keys: list[tuple[int, float, str]] = []
    seen = False
    for item in items:
        found = jsonpath.find(template, object_of(item))
        values = found[0] if found else []
        value = values[0] if values else None
        seen = seen or bool(values)
        if isinstance(value, int | float):
            keys.append((1, float(value), ""))
        elif value is None:
            keys.append((0, 0.0, ""))
        else:
            text = value if isinstance(value, str) else jsonpath.go_json(value)
            keys.append((2, 0.0, text))
    if items and not seen:
        raise UsageError(
            f'couldn\'t find any field with path "{template.source}" in the list of objects'
        )
    order = sorted(range(len(items)), key=keys.__getitem__)
    return [items[i] for i in order]
