"""kubectl's table of one type from the API server's Table pages: the columns it shows, each
row's cells as the text it prints, ``--sort-by``'s order and the row bound. Pure: the pages come
in already read."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.core import jsonpath, kube
from bot.core.jsonpath.printing import go_float
from bot.core.kube import Obj, terminal_safe
from bot.core.results import Table
from bot.core.verbs.get import Get, OutputFormat
from bot.errors import UsageError

T = TypeVar("T")


def cell_text(value: Any) -> str:
    """A Table cell as kubectl prints it: text up to its first line break (then "..."), Go's
    ``%v`` for numbers, nothing for a missing value; ESC shown as ``^[``, as kubectl's
    ``printers.WriteEscaped`` does, so that no cell can drive a terminal."""
    if isinstance(value, str):  # most cells: tested first, as this runs for every cell
        breaks = [at for at in (value.find("\n"), value.find("\r"), value.find("\f")) if at >= 0]
        text = f"{value[: min(breaks)]}..." if breaks else value
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, float):
        return go_float(value)
    elif isinstance(value, dict | list):
        text = json.dumps(value, separators=(",", ":"))
    else:
        text = str(value)
    return terminal_safe(text)


def server_table(
    first: Obj,
    pages: Iterator[Obj],
    cmd: Get,
    *,
    kind_ref: str,
    with_kind: bool,
    namespace_column: bool,
    budget: int,
    empty: str,
) -> tuple[Table, bool]:
    """One type's table from the server's pages (``first`` read already), at most ``budget``
    rows, and whether rows were left out. Pages that are not Tables (a server that cannot print
    them) get kubectl's default NAME column."""
    if first.get("kind") != "Table":
        return fallback_table([first, *pages], all_namespaces=namespace_column, empty=empty), False
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

    layout = _Layout(
        shown=tuple(shown),
        name_at=name_at,
        kind_ref=kind_ref if with_kind else None,
        label_columns=cmd.label_columns,
        show_labels=cmd.show_labels,
        namespace_column=namespace_column,
    )
    texts, truncated = _lines(itertools.chain([first], pages), layout.lines, cmd, budget=budget)
    table = Table(
        columns=tuple(columns),
        rows=tuple(texts),
        empty_message=empty,
        headers=not cmd.no_headers,
    )
    return table, truncated


@dataclass(frozen=True, slots=True)
class _Layout:
    """How a page of rows becomes lines: the server's cells shown, then what kubectl adds from
    each row's object (label columns, LABELS, NAMESPACE first) and ``kind/`` before names."""

    shown: tuple[int, ...]
    name_at: int
    kind_ref: str | None
    label_columns: tuple[str, ...]
    show_labels: bool
    namespace_column: bool

    def lines(self, rows: Sequence[Obj]) -> list[tuple[str, ...]]:
        """The rows' lines, built a column at a time (50,000 rows: one pass per column)."""
        cells_of = [_cells(row) for row in rows]
        needed = max(self.shown, default=-1)
        if all(needed < len(cells) for cells in cells_of):  # the usual page: every cell there
            columns = [_texts([cells[i] for cells in cells_of]) for i in self.shown]
        else:
            columns = [
                _texts([cells[i] if i < len(cells) else "" for cells in cells_of])
                for i in self.shown
            ]
        if self.kind_ref is not None and columns:
            columns[self.name_at] = [f"{self.kind_ref}/{name}" for name in columns[self.name_at]]
        if self.label_columns or self.show_labels or self.namespace_column:
            metas = [kube.mapping(row, "object", "metadata") for row in rows]
            labels = [kube.mapping(meta, "labels") for meta in metas]
            columns += [[str(found.get(key, "")) for found in labels] for key in self.label_columns]
            if self.show_labels:
                columns.append([_labels_text(found) for found in labels])
            if self.namespace_column:
                columns.insert(0, [kube.text(meta, "namespace") for meta in metas])
        if not columns:
            return [()] * len(rows)
        return list(zip(*columns, strict=True))


def _cells(row: Obj) -> list[Any]:
    cells = row.get("cells")
    return cells if isinstance(cells, list) else []


def _texts(values: list[Any]) -> list[str]:
    """``cell_text`` of each of a column's values. The usual columns take one pass each: one
    of one-line text is taken as it is, one of whole numbers (RESTARTS) becomes their digits."""
    try:
        joined = "".join(values)
    except TypeError:  # not all text
        if all(value.__class__ is int for value in values):
            return list(map(str, values))
    else:
        if _plain(joined):
            return values
    return [
        value if value.__class__ is str and _plain(value) else cell_text(value) for value in values
    ]


def _plain(text: str) -> bool:
    """Whether ``cell_text`` leaves ``text`` as it is: no line break, no ESC."""
    return "\n" not in text and "\r" not in text and "\f" not in text and "\x1b" not in text


def _labels_text(labels: dict[str, Any]) -> str:
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels)) if labels else "<none>"


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


def _lines(
    pages: Iterator[Obj],
    lines_of: Callable[[Sequence[Obj]], list[tuple[str, ...]]],
    cmd: Get,
    *,
    budget: int,
) -> tuple[list[tuple[str, ...]], bool]:
    """Every page's rows as lines of text, at most ``budget``, and whether rows were left out.

    Rows are converted page by page and the raw ones dropped with their page, unless --sort-by
    needs every row's object first.
    """
    kept: list[Obj] = []
    texts: list[tuple[str, ...]] = []
    for page in pages:
        rows = _rows(page)
        room = max(budget - len(kept) - len(texts), 0)
        taken = rows[:room]
        if cmd.sort_by is None:
            texts += lines_of(taken)
        else:
            kept += taken
        if len(rows) > room:  # a row past the bound: say so
            return _sorted(texts, kept, lines_of, cmd), True
    return _sorted(texts, kept, lines_of, cmd), False


def _sorted(
    texts: list[tuple[str, ...]],
    kept: list[Obj],
    lines_of: Callable[[Sequence[Obj]], list[tuple[str, ...]]],
    cmd: Get,
) -> list[tuple[str, ...]]:
    if cmd.sort_by is None:
        return texts
    return lines_of(sort_objects(kept, cmd.sort_by, _row_object))


def _row_object(row: Obj) -> object:
    return row.get("object")


def _rows(table: Obj) -> list[Obj]:
    """A page's rows as they were decoded (read only, so not copied: 5,000 rows a request)."""
    if table.get("kind") != "Table":
        return [table]
    rows = table.get("rows")
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def empty_message(namespace: str | None) -> str:
    return f"No resources found in {namespace} namespace." if namespace else "No resources found"


def fallback_table(pages: Sequence[Obj], *, all_namespaces: bool, empty: str) -> Table:
    """When the server cannot print Tables: kubectl's default NAME column (plus NAMESPACE)."""
    objects = [o for p in pages for o in (kube.items(p, "items") if "items" in p else [p])]
    rows = tuple(
        ((kube.text(o, "metadata", "namespace"),) if all_namespaces else ()) + (kube.name_of(o),)
        for o in objects
    )
    columns = ("NAMESPACE", "NAME") if all_namespaces else ("NAME",)
    return Table(columns=columns, rows=rows, empty_message=empty)
