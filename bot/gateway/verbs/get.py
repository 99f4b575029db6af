"""``get``: server-side Tables (kubectl's columns, ``-o wide``, ``-A``) and ``-o name|yaml|json``.

Like kubectl, the bot asks the API server to print (``Accept: ...;as=Table``) instead of
knowing every type's columns, so CRDs get their own printer columns. Lists are read in pages of
``limit=500`` and bounded by the gateway's row limit, with a note saying how to narrow the query.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from typing import Any, Final

import yaml

from bot.core import kube
from bot.core.kube import Obj
from bot.core.results import Document, Table
from bot.core.verbs.get import Get, OutputFormat
from bot.errors import UsageError
from bot.gateway.api import JSON, TABLE, Api, Page
from bot.gateway.discovery import Discovery, ResourceInfo
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler
from bot.gateway.namespaces import namespace_of


def cell_text(value: Any) -> str:
    """A Table cell as kubectl prints it (first line only, Go's ``%v`` for numbers)."""
    if value is None:
        return "<none>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        for stop in ("\n", "\r", "\f"):
            if stop in value:
                return value[: value.index(stop)] + "..."
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


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


def _strip(obj: Obj, info: ResourceInfo) -> Obj:
    """kubectl hides ``managedFields`` unless asked; list items also lack apiVersion/kind."""
    result = dict(obj)
    meta = dict(kube.mapping(result, "metadata"))
    meta.pop("managedFields", None)
    result["metadata"] = meta
    result.setdefault("apiVersion", info.api_version)
    result.setdefault("kind", info.kind)
    return {"apiVersion": result.pop("apiVersion"), "kind": result.pop("kind"), **result}


class Getter:
    """Runs ``get`` against one cluster."""

    def __init__(self, api: Api, discovery: Discovery, *, max_rows: int, page_size: int) -> None:
        self._api = api
        self._discovery = discovery
        self._max_rows = max_rows
        self._page_size = page_size

    def get(self, cmd: Get) -> Table | Document:
        """Run ``get`` and return kubectl's table or document."""
        info = self._discovery.resolve(cmd.resource)
        if cmd.name is not None and cmd.all_namespaces:
            raise UsageError("a resource cannot be retrieved by name across all namespaces")
        all_ns = cmd.all_namespaces and info.namespaced
        namespace = None if (all_ns or not info.namespaced) else namespace_of(cmd)
        target = Target(info.qualified, cmd.name, namespace)
        if cmd.output in (OutputFormat.TABLE, OutputFormat.WIDE):
            return self._table(cmd, info, namespace, target, all_namespaces=all_ns)
        if cmd.name is not None:
            objects = [self._api.get(info.path(namespace, cmd.name), target=target)]
            page = Page(objects)
        else:
            page, _ = self._list(info, namespace, cmd.selector, accept=JSON, key="items")
        items = [_strip(o, info) for o in page.items]
        notes = self._notes(truncated=page.truncated)
        if cmd.output is OutputFormat.NAME:
            if not items:
                return Document(_empty_message(namespace))
            return Document(
                "".join(f"{info.kind_ref}/{kube.name_of(o)}\n" for o in items), notes=notes
            )
        if cmd.name is not None:
            document: object = items[0]
        else:
            document = {
                "apiVersion": "v1",
                "items": items,
                "kind": "List",
                "metadata": {"resourceVersion": ""},
            }
        if cmd.output is OutputFormat.JSON:
            return Document(to_json(document), syntax="json", notes=notes)
        return Document(to_yaml(document), syntax="yaml", notes=notes)

    def _list(
        self,
        info: ResourceInfo,
        namespace: str | None,
        selector: str | None,
        *,
        accept: str,
        key: str,
    ) -> tuple[Page, list[Obj]]:
        query = [("labelSelector", selector)] if selector else []
        return self._api.list(
            info.path(namespace),
            query=query,
            page_size=self._page_size,
            max_items=self._max_rows,
            accept=accept,
            key=key,
            target=Target(info.qualified, None, namespace),
        )

    def _notes(self, *, truncated: bool) -> tuple[str, ...]:
        if not truncated:
            return ()
        return (f"showing the first {self._max_rows} items; use -l or -n to narrow the query",)

    def _table(
        self,
        cmd: Get,
        info: ResourceInfo,
        namespace: str | None,
        target: Target,
        *,
        all_namespaces: bool,
    ) -> Table:
        # Rows carry no object unless the NAMESPACE column needs its metadata (kubectl reads
        # the namespace from each row's object too; the cells do not hold it).
        query = [("includeObject", "Metadata" if all_namespaces else "None")]
        if cmd.name is not None:
            url = info.path(namespace, cmd.name)
            pages: Iterator[Obj] = iter(
                [self._api.get(url, query=query, accept=TABLE, target=target)]
            )
        else:
            if cmd.selector:
                query.append(("labelSelector", cmd.selector))
            pages = self._api.pages(
                info.path(namespace),
                query=query,
                page_size=self._page_size,
                accept=TABLE,
                target=Target(info.qualified, None, namespace),
            )
        first = next(pages, {})
        if first.get("kind") != "Table":
            return _fallback_table(
                [first, *pages], all_namespaces=all_namespaces, empty=_empty_message(namespace)
            )
        definitions = kube.items(first, "columnDefinitions")
        wide = cmd.output is OutputFormat.WIDE
        shown = [i for i, c in enumerate(definitions) if wide or kube.number(c, "priority") == 0]
        columns = [kube.text(definitions[i], "name").upper() for i in shown]
        if all_namespaces:
            columns.insert(0, "NAMESPACE")
        rows: list[tuple[str, ...]] = []
        truncated = False
        for page in itertools.chain([first], pages):  # converted page by page, raw rows dropped
            for row in _rows(page):
                if len(rows) == self._max_rows:
                    truncated = True
                    break
                raw_cells = row.get("cells")
                cells: list[Any] = raw_cells if isinstance(raw_cells, list) else []
                texts = [cell_text(cells[i]) if i < len(cells) else "" for i in shown]
                if all_namespaces:
                    texts.insert(0, kube.text(row, "object", "metadata", "namespace"))
                rows.append(tuple(texts))
            if truncated:
                break
        return Table(
            columns=tuple(columns),
            rows=tuple(rows),
            empty_message=_empty_message(namespace),
            notes=self._notes(truncated=truncated),
        )


def _rows(table: Obj) -> list[Obj]:
    return kube.items(table, "rows") if table.get("kind") == "Table" else [table]


def _empty_message(namespace: str | None) -> str:
    return f"No resources found in {namespace} namespace." if namespace else "No resources found"


def _fallback_table(pages: Sequence[Obj], *, all_namespaces: bool, empty: str) -> Table:
    """When the server cannot print Tables: kubectl's default NAME column (plus NAMESPACE)."""
    objects = [o for p in pages for o in (kube.items(p, "items") if "items" in p else [p])]
    rows = tuple(
        ((kube.text(o, "metadata", "namespace"),) if all_namespaces else ()) + (kube.name_of(o),)
        for o in objects
    )
    columns = ("NAMESPACE", "NAME") if all_namespaces else ("NAME",)
    return Table(columns=columns, rows=rows, empty_message=empty)


def _get(cmd: Get, call: Call) -> Table | Document:
    opts = call.options
    return Getter(call.api, call.discovery, max_rows=opts.max_rows, page_size=opts.page_size).get(
        cmd
    )


HANDLER: Final = Handler("get", Get, _get)
