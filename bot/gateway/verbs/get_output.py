"""``get``'s printers of whole objects: ``-o yaml`` and ``-o json`` text and ``custom-columns``
rows, each as kubectl prints them."""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

from bot.core import jsonpath
from bot.core.jsonpath.printing import go_float, go_json
from bot.core.kube import Obj, terminal_safe
from bot.core.verbs.get import Column


class _GoYamlDumper(yaml.SafeDumper):
    """Quote like go-yaml v2, as kubectl does: text that would read back as another type in
    double quotes, text whose characters YAML reserves in single quotes, ``|`` blocks for text
    of several lines."""

    def choose_scalar_style(self) -> str:
        style = str(super().choose_scalar_style())
        # PyYAML single-quotes both kinds; go-yaml double-quotes text it would resolve.
        resolves = isinstance(self.event, yaml.ScalarEvent) and not self.event.implicit[0]
        return '"' if style == "'" and resolves else style


# What go-yaml v2 resolves that PyYAML's YAML 1.1 rules do not, so must be quoted: the
# one-letter booleans, 0o octals, and floats with an exponent but no point or sign in it
# (gopkg.in/yaml.v2 resolve.go); and "=", which PyYAML reads as a value and go-yaml as text.
_GoYamlDumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in found if tag != "tag:yaml.org,2002:value"]
    for first, found in yaml.SafeDumper.yaml_implicit_resolvers.items()
}
_GoYamlDumper.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile("^[yYnN]$"), list("yYnN"))
_GoYamlDumper.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile("^[-+]?0o[0-7_]+$"), list("-+0")
)
_GoYamlDumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+.0123456789"),
)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_str(value)


_GoYamlDumper.add_representer(str, _represent_str)


def _represent_float(dumper: yaml.SafeDumper, value: float) -> yaml.ScalarNode:
    """go-yaml's float: ``strconv.FormatFloat(f, 'g', -1, 64)``, with YAML's infinities."""
    text = go_float(value)
    text = {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text)
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


_GoYamlDumper.add_representer(float, _represent_float)


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
    """kubectl's ``-o json``: four-space indentation, sorted keys, and Go's ``encoding/json``
    escapes (``<``, ``>``, ``&``, U+2028 and U+2029, which JSON holds only inside strings)."""
    return go_json(obj, indent=4) + "\n"


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
