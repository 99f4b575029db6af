"""``get``: server-side Tables (kubectl's columns, ``-o wide``, ``-A``) and ``-o name|yaml|json``.

Like kubectl, the bot asks the API server to print (``Accept: ...;as=Table``) instead of
knowing every type's columns, so CRDs get their own printer columns. Lists are read in pages of
``limit=500`` and bounded by the gateway's row limit, with a note saying how to narrow the query.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from bot.core import jsonpath, kube
from bot.core.kube import Obj
from bot.core.rbac import reads
from bot.core.render_text import table_text
from bot.core.results import Document, Table
from bot.core.secret_data import NOTE as SECRET_NOTE
from bot.core.secret_data import redacted_items
from bot.core.verbs.get import Get, OutputFormat
from bot.core.wording import rows_bound
from bot.errors import NotFound, UsageError
from bot.gateway.api import JSON, TABLE, Api
from bot.gateway.discovery import Discovery, ResourceInfo
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler
from bot.gateway.namespaces import namespace_of
from bot.gateway.verbs.get_output import custom_row, sort_objects, to_json, to_yaml

LIGHT_ROWS: Final = 10
"""Table rows without their objects per page, for each object of a page of objects."""


def cell_text(value: Any) -> str:
    """A Table cell as kubectl prints it (first line only, Go's ``%v`` for numbers)."""
    if isinstance(value, str):  # most cells: tested first, as this runs for every cell
        if "\n" in value or "\r" in value or "\f" in value:
            for stop in ("\n", "\r", "\f"):
                if stop in value:
                    return value[: value.index(stop)] + "..."
        return value
    if value is None:
        return "<none>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _strip(obj: Obj, info: ResourceInfo) -> Obj:
    """kubectl hides ``managedFields`` unless asked; list items also lack apiVersion/kind."""
    result = dict(obj)
    meta = dict(kube.mapping(result, "metadata"))
    meta.pop("managedFields", None)
    result["metadata"] = meta
    result.setdefault("apiVersion", info.api_version)
    result.setdefault("kind", info.kind)
    return {"apiVersion": result.pop("apiVersion"), "kind": result.pop("kind"), **result}


@dataclass(frozen=True, slots=True)
class _Request:
    """One type to read, with the names asked for (none: list it)."""

    info: ResourceInfo
    names: tuple[str, ...]
    namespace: str | None


class Getter:
    """Runs ``get`` against one cluster."""

    def __init__(self, api: Api, discovery: Discovery, *, max_rows: int, page_size: int) -> None:
        self._api = api
        self._discovery = discovery
        self._max_rows = max_rows
        self._page_size = page_size

    def get(self, cmd: Get) -> Table | Document:
        """Run ``get`` and return kubectl's table(s) or document."""
        if cmd.all_names and cmd.all_namespaces:
            raise UsageError("a resource cannot be retrieved by name across all namespaces")
        requests = self._requests(cmd)
        with_kind = len(requests) > 1
        namespaced = any(r.info.namespaced for r in requests)
        empty = _empty_message(namespace_of(cmd) if namespaced and not cmd.all_namespaces else None)
        if cmd.output in (OutputFormat.TABLE, OutputFormat.WIDE):
            return self._tables(cmd, requests, with_kind=with_kind, empty=empty)
        items, notes = self._objects(cmd, requests)
        if cmd.sort_by is not None:
            items = sort_objects(items, cmd.sort_by, lambda o: o)
        return self._render(cmd, requests, items, notes, empty)

    def _requests(self, cmd: Get) -> list[_Request]:
        """The types asked for, categories expanded, each once, in kubectl's order."""
        everywhere = cmd.all_namespaces
        found: dict[str, _Request] = {}
        if cmd.objects:
            for word, name in cmd.objects:
                info = self._discovery.resolve(word)
                old = found.get(info.qualified)
                names = (*old.names, name) if old else (name,)
                found[info.qualified] = _Request(info, names, self._namespace(cmd, info))
            return list(found.values())
        for word in cmd.type_words:
            for info in self._discovery.expand(word):
                if info.qualified not in found:
                    namespace = None if everywhere else self._namespace(cmd, info)
                    found[info.qualified] = _Request(info, cmd.all_names, namespace)
        return list(found.values())

    @staticmethod
    def _namespace(cmd: Get, info: ResourceInfo) -> str | None:
        if cmd.all_namespaces or not info.namespaced:
            return None
        return namespace_of(cmd)

    def _query(self, cmd: Get, *, include: str | None = None) -> list[tuple[str, str]]:
        query = [("includeObject", include)] if include else []
        if cmd.selector:
            query.append(("labelSelector", cmd.selector))
        if cmd.field_selector:
            query.append(("fieldSelector", cmd.field_selector))
        return query

    def _read(
        self,
        request: _Request,
        query: list[tuple[str, str]],
        *,
        accept: str,
        page_size: int | None = None,
    ) -> tuple[Iterator[Obj], list[str]]:
        """The raw pages (or objects, one per name) of one request, and the names missing."""
        info, namespace = request.info, request.namespace
        if not request.names:
            pages = self._api.pages(
                info.path(namespace),
                query=query,
                page_size=page_size or self._page_size,
                accept=accept,
                target=Target(info.qualified, None, namespace),
            )
            return pages, []
        found: list[Obj] = []
        missing: list[str] = []
        for name in request.names:
            target = Target(info.qualified, name, namespace)
            try:
                found.append(
                    self._api.get(
                        info.path(namespace, name), query=query, accept=accept, target=target
                    )
                )
            except NotFound as error:
                if len(request.names) == 1 and not missing and not found:
                    raise
                missing.append(str(error))
        if not found and missing:
            raise NotFound("; ".join(missing))
        return iter(found), missing

    def _objects(self, cmd: Get, requests: list[_Request]) -> tuple[list[Obj], list[str]]:
        """Every object asked for, as JSON, bounded by the row limit across types."""
        items: list[Obj] = []
        notes: list[str] = []
        truncated = False
        for request in requests:
            pages, missing = self._read(request, self._query(cmd), accept=JSON)
            notes += missing
            for page in pages:
                objects = kube.items(page, "items") if "items" in page else [page]
                for obj in objects:
                    if len(items) == self._max_rows:
                        truncated = True
                        break
                    items.append(_strip(obj, request.info))
                if truncated:
                    break
            if truncated:
                break
        notes += self._notes(truncated=truncated)
        return items, notes

    def _render(
        self,
        cmd: Get,
        requests: list[_Request],
        items: list[Obj],
        notes: list[str],
        empty: str,
    ) -> Table | Document:
        kinds = {r.info.kind: r.info for r in requests}
        # Before every output format: custom-columns and jsonpath could reach .data too.
        items, hidden = redacted_items(items)
        if hidden:
            notes = [*notes, SECRET_NOTE]
        if cmd.output is OutputFormat.NAME:
            if not items:
                return Document(empty, notes=tuple(notes))
            lines = (f"{kinds[kube.text(o, 'kind')].kind_ref}/{kube.name_of(o)}\n" for o in items)
            return Document("".join(lines), notes=tuple(notes))
        if cmd.output is OutputFormat.CUSTOM_COLUMNS:
            return Table(
                columns=tuple(c.header for c in cmd.columns),
                rows=tuple(custom_row(cmd.columns, o) for o in items),
                empty_message=empty,
                notes=tuple(notes),
                headers=not cmd.no_headers,
            )
        single = len(requests) == 1 and len(cmd.all_names) == 1 and len(cmd.objects) <= 1
        document: object = (
            items[0]
            if single and items
            else {
                "apiVersion": "v1",
                "items": items,
                "kind": "List",
                "metadata": {"resourceVersion": ""},
            }
        )
        if cmd.output is OutputFormat.JSONPATH and cmd.template is not None:
            return Document(jsonpath.execute(cmd.template, document), notes=tuple(notes))
        if cmd.output is OutputFormat.JSON:
            return Document(to_json(document), syntax="json", notes=tuple(notes))
        return Document(to_yaml(document), syntax="yaml", notes=tuple(notes))

    def _notes(self, *, truncated: bool) -> list[str]:
        if not truncated:
            return []
        return [rows_bound(self._max_rows)]

    def _tables(
        self, cmd: Get, requests: list[_Request], *, with_kind: bool, empty: str
    ) -> Table | Document:
        """One table per type, as kubectl prints them: a blank line between, kinds in names."""
        sections: list[Table] = []
        notes: list[str] = []
        budget = self._max_rows
        truncated = False
        namespace_column = False
        for request in requests:
            # kubectl's printer flags are shared: once a namespaced type has been printed with
            # -A, the later (cluster-scoped) ones keep an empty NAMESPACE column.
            namespace_column = namespace_column or (cmd.all_namespaces and request.info.namespaced)
            section, missing, cut = self._table(
                cmd, request, with_kind=with_kind, budget=budget, namespace_column=namespace_column
            )
            notes += missing
            budget -= len(section.rows)
            if section.rows or len(requests) == 1:
                sections.append(section)
            if cut or budget <= 0:
                truncated = cut or requests.index(request) < len(requests) - 1
                break
        notes += self._notes(truncated=truncated)
        if len(sections) == 1:
            return replace(sections[0], notes=tuple(notes), empty_message=empty)
        if not sections:
            return Table(columns=(), rows=(), empty_message=empty, notes=tuple(notes))
        joiner = "\n\n" if not cmd.no_headers else "\n"
        return Document(joiner.join(table_text(s) for s in sections), notes=tuple(notes))

    def _table(
        self,
        cmd: Get,
        request: _Request,
        *,
        with_kind: bool,
        budget: int,
        namespace_column: bool,
    ) -> tuple[Table, list[str], bool]:
        info, namespace = request.info, request.namespace
        all_namespaces = cmd.all_namespaces and info.namespaced
        # Rows carry no object unless a column needs its metadata (kubectl reads the namespace
        # and the labels from each row's object) or --sort-by its fields (kubectl asks so too).
        labels = cmd.show_labels or bool(cmd.label_columns)
        include = (
            "Object"
            if cmd.sort_by is not None
            else "Metadata"
            if all_namespaces or labels
            else "None"
        )
        # A row without its object is a few cells, a tenth of an object's bytes or less: its
        # pages hold ten times as many rows (each page is a round trip, and the server's work).
        size = self._page_size * LIGHT_ROWS if include == "None" else None
        query = self._query(cmd, include=include)
        pages, missing = self._read(request, query, accept=TABLE, page_size=size)
        first = next(pages, {})
        if first.get("kind") != "Table":
            table = _fallback_table(
                [first, *pages], all_namespaces=namespace_column, empty=_empty_message(namespace)
            )
            return table, missing, False
        definitions = kube.items(first, "columnDefinitions")
        wide = cmd.output is OutputFormat.WIDE
        shown = [i for i, c in enumerate(definitions) if wide or kube.number(c, "priority") == 0]
        columns = [kube.text(definitions[i], "name").upper() for i in shown]
        name_at = next(
            (n for n, i in enumerate(shown) if kube.text(definitions[i], "format") == "name"), 0
        )
        columns += [key.rpartition("/")[2].upper() for key in cmd.label_columns]
        if cmd.show_labels:
            columns.append("LABELS")
        if namespace_column:
            columns.insert(0, "NAMESPACE")

        plain = not (with_kind or labels or namespace_column)
        needed = max(shown, default=-1)

        def line_of(row: Obj) -> tuple[str, ...]:
            raw_cells = row.get("cells")
            cells: list[Any] = raw_cells if isinstance(raw_cells, list) else []
            if plain and needed < len(cells):  # the usual row: its cells, nothing added
                return tuple([cell_text(cells[i]) for i in shown])
            line = [cell_text(cells[i]) if i < len(cells) else "" for i in shown]
            if with_kind and line:
                line[name_at] = f"{info.kind_ref}/{line[name_at]}"
            meta = kube.mapping(row, "object", "metadata")
            found = kube.mapping(meta, "labels")
            line += [str(found.get(key, "")) for key in cmd.label_columns]
            if cmd.show_labels:
                line.append(
                    ",".join(f"{k}={found[k]}" for k in sorted(found)) if found else "<none>"
                )
            if namespace_column:
                line.insert(0, kube.text(meta, "namespace"))
            return tuple(line)

        texts, truncated = _lines(itertools.chain([first], pages), line_of, cmd, budget=budget)
        table = Table(
            columns=tuple(columns),
            rows=tuple(texts),
            empty_message=_empty_message(namespace),
            headers=not cmd.no_headers,
        )
        return table, missing, truncated


def _lines(
    pages: Iterator[Obj], line_of: Callable[[Obj], tuple[str, ...]], cmd: Get, *, budget: int
) -> tuple[list[tuple[str, ...]], bool]:
    """Every page's rows as lines of text, at most ``budget``, and whether rows were left out.

    Rows are converted page by page and the raw ones dropped with their page, unless --sort-by
    needs every row's object first.
    """
    kept: list[Obj] = []
    texts: list[tuple[str, ...]] = []
    for page in pages:
        for row in _rows(page):
            if len(kept) + len(texts) == budget:  # a row past the bound: say so
                return _sorted(texts, kept, line_of, cmd), True
            if cmd.sort_by is None:
                texts.append(line_of(row))
            else:
                kept.append(row)
    return _sorted(texts, kept, line_of, cmd), False


def _sorted(
    texts: list[tuple[str, ...]],
    kept: list[Obj],
    line_of: Callable[[Obj], tuple[str, ...]],
    cmd: Get,
) -> list[tuple[str, ...]]:
    if cmd.sort_by is None:
        return texts
    return [line_of(row) for row in sort_objects(kept, cmd.sort_by, _row_object)]


def _row_object(row: Obj) -> object:
    return row.get("object")


def _rows(table: Obj) -> list[Obj]:
    """A page's rows as they were decoded (read only, so not copied: 5,000 rows a request)."""
    if table.get("kind") != "Table":
        return [table]
    rows = table.get("rows")
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


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


HANDLER: Final = Handler(
    "get",
    Get,
    _get,
    access=(
        *reads("pods"),
        *reads("services"),
        *reads("deployments", "apps"),
        *reads("replicasets", "apps"),
        *reads("nodes"),
        *reads("namespaces"),
        *reads("events"),
        # The rest of kubectl's `all` category, which `get all` lists.
        *reads("replicationcontrollers", "", "list"),
        *reads("statefulsets", "apps", "list"),
        *reads("daemonsets", "apps", "list"),
        *reads("jobs", "batch", "list"),
        *reads("cronjobs", "batch", "list"),
        *reads("horizontalpodautoscalers", "autoscaling", "list"),
    ),
)
