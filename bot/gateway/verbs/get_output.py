"""``get``'s printers of whole objects: ``-o yaml`` and ``-o json`` text and ``custom-columns``
rows, each as kubectl prints them."""

from __future__ import annotations

import json
from collections.abc import Sequence

import yaml

from bot.core import jsonpath
from bot.core.kube import Obj, terminal_safe
from bot.core.verbs.get import Column


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
    """One ``custom-columns`` row: each path's values joined by commas, ``<none>`` if none;
    ESC and carriage returns shown as kubectl's ``printers.WriteEscaped`` shows them."""
    cells = []
    for column in columns:
        found = jsonpath.find(column.path, obj)
        values = found[0] if found else []
        text = ",".join(jsonpath.go_sprint(v) for v in values) if values else "<none>"
        cells.append(terminal_safe(text))
    return tuple(cells)
