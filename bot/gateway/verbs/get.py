"""``get``: server-side Tables (kubectl's columns, ``-o wide``, ``-A``) and ``-o name|yaml|json``.

Like kubectl, the bot asks the API server to print (``Accept: ...;as=Table``) instead of
knowing every type's columns, so CRDs get their own printer columns. Lists are read in pages of
``limit=500`` and bounded by the gateway's row limit, with a note saying how to narrow the query.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Final

from bot.core import jsonpath, kube
from bot.core.kube import Obj
from bot.core.rbac import reads
from bot.core.render_text import table_text
from bot.core.results import Document, Table
from bot.core.secret_data import NOTE as SECRET_NOTE
from bot.core.secret_data import redacted_items
from bot.core.server_table import empty_message, server_table, sort_objects
from bot.core.verbs.get import Get, OutputFormat
from bot.core.wording import rows_bound
from bot.errors import NotFound, UsageError
from bot.gateway.api import JSON, TABLE, Api
from bot.gateway.discovery import Discovery, ResourceInfo
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler
from bot.gateway.namespaces import namespace_of
from bot.gateway.verbs.get_output import custom_row, to_json, to_yaml

LIGHT_ROWS: Final = 10
"""Table rows without their objects per page, for each object of a page of objects."""


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
        empty = empty_message(namespace_of(cmd) if namespaced and not cmd.all_namespaces else None)
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
        table, truncated = server_table(
            next(pages, {}),
            pages,
            cmd,
            kind_ref=info.kind_ref,
            with_kind=with_kind,
            namespace_column=namespace_column,
            budget=budget,
            empty=empty_message(namespace),
        )
        return table, missing, truncated


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
