"""kubectl's table of one type from the server's Table pages, without a server: the pages are
built here as the API server sends them (``meta.k8s.io/v1`` Tables)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.grammar import parse
from bot.core.kube import Obj
from bot.core.results import Table
from bot.core.server_table import server_table
from bot.core.verbs.get import Get

DEFINITIONS = [
    {"name": "Name", "type": "string", "format": "name", "priority": 0},
    {"name": "Ready", "type": "string", "format": "", "priority": 0},
    {"name": "Restarts", "type": "integer", "format": "", "priority": 0},
    {"name": "IP", "type": "string", "format": "", "priority": 1},
]


def _page(*rows: list[Any], objects: list[Obj] | None = None) -> Obj:
    found = []
    for n, cells in enumerate(rows):
        row: dict[str, Any] = {"cells": cells}
        if objects is not None:
            row["object"] = objects[n]
        found.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "columnDefinitions": DEFINITIONS,
            "rows": found}  # fmt: skip


def _table(
    text: str, *pages: Obj, budget: int = 100, with_kind: bool = False
) -> tuple[Table, bool]:
    cmd = parse(text)
    assert isinstance(cmd, Get)
    first, *rest = pages
    return server_table(
        first,
        iter(rest),
        cmd,
        kind_ref="pod",
        with_kind=with_kind,
        namespace_column=cmd.all_namespaces,
        budget=budget,
        empty="No resources found in default namespace.",
    )


def test_cells_print_as_kubectl_prints_them() -> None:
    page = _page(
        ["web-1", "1/1", 0, "10.0.0.1"],
        ["web-2", None, 2.0, "10.0.0.2"],
        ["web-3", "line one\nline two", True, "x"],
        ["web-4", {"a": 1}, 1.5, "y"],
    )
    table, cut = _table("get pods", page)
    assert table.columns == ("NAME", "READY", "RESTARTS")
    assert table.rows == (
        ("web-1", "1/1", "0"),
        ("web-2", "", "2"),
        ("web-3", "line one...", "true"),
        ("web-4", '{"a":1}', "1.5"),
    )
    assert not cut


def test_columns_of_one_kind_print_as_their_cells_do() -> None:
    """A column all of one-line text or all of whole numbers is converted in one pass; one
    cell unlike the rest (a second line, a bool, a float) sends its column the long way."""
    uniform = _page(["web-1", "1/1", 0, "a"], ["web-2", "0/1", 12, "b"])
    assert _table("get pods", uniform)[0].rows == (("web-1", "1/1", "0"), ("web-2", "0/1", "12"))
    mixed = _page(["web-1", "1/1", 0, "a"], ["web-2", "0/1\r\nx", True, "b"])
    assert _table("get pods", mixed)[0].rows == (("web-1", "1/1", "0"), ("web-2", "0/1...", "true"))
    floats = _page(["web-1", "1/1", 3, "a"], ["web-2", "1/1", 4.0, "b"])
    assert [row[2] for row in _table("get pods", floats)[0].rows] == ["3", "4"]


def test_no_cell_can_drive_a_terminal() -> None:
    page = _page(["\x1b[2Jweb-1", "1/1\x1b[0m", 0, "a"], ["web-2", "1/1", 3.0, "b"])
    assert _table("get pods", page)[0].rows == (
        ("^[[2Jweb-1", "1/1^[[0m", "0"),
        ("web-2", "1/1", "3"),
    )


def test_wide_shows_every_column_and_short_rows_get_empty_cells() -> None:
    table, _ = _table("get pods -o wide", _page(["web-1", "1/1", 0, "10.0.0.1"], ["web-2", "0/1"]))
    assert table.columns == ("NAME", "READY", "RESTARTS", "IP")
    assert table.rows == (("web-1", "1/1", "0", "10.0.0.1"), ("web-2", "0/1", "", ""))


def test_labels_namespace_and_kind_come_from_each_row() -> None:
    objects = [
        {"metadata": {"namespace": "prod", "labels": {"app": "web", "tier": "front"}}},
        {"metadata": {"namespace": "dev"}},
    ]
    page = _page(["web-1", "1/1", 0, "-"], ["db-1", "1/1", 3, "-"], objects=objects)
    table, _ = _table("get pods -A -L app --show-labels", page, with_kind=True)
    assert table.columns == ("NAMESPACE", "NAME", "READY", "RESTARTS", "APP", "LABELS")
    assert table.rows == (
        ("prod", "pod/web-1", "1/1", "0", "web", "app=web,tier=front"),
        ("dev", "pod/db-1", "1/1", "3", "", "<none>"),
    )


@pytest.mark.parametrize("budget", [3, 2, 1])
def test_rows_past_the_bound_are_left_out_and_said(budget: int) -> None:
    pages = (_page(["a", "1/1", 0, "-"], ["b", "1/1", 0, "-"]), _page(["c", "1/1", 0, "-"]))
    table, truncated = _table("get pods", *pages, budget=budget)
    assert [row[0] for row in table.rows] == ["a", "b", "c"][:budget]
    assert truncated is (budget < 3)


def test_an_empty_page_after_a_full_bound_is_no_cut() -> None:
    pages = (_page(["a", "1/1", 0, "-"], ["b", "1/1", 0, "-"]), _page())
    table, truncated = _table("get pods", *pages, budget=2)
    assert len(table.rows) == 2
    assert not truncated


def test_sort_by_orders_the_rows_by_their_objects() -> None:
    objects = [{"metadata": {"name": n}, "spec": {"priority": p}} for n, p in (("a", 3), ("b", 1))]
    page = _page(["a", "1/1", 0, "-"], ["b", "1/1", 0, "-"], objects=objects)
    table, _ = _table("get pods --sort-by=.spec.priority", page)
    assert [row[0] for row in table.rows] == ["b", "a"]


def test_a_table_without_shown_columns_keeps_its_rows() -> None:
    page = {"kind": "Table", "columnDefinitions": [], "rows": [{"cells": []}, {"cells": []}]}
    table, _ = _table("get pods", page)
    assert table.columns == ()
    assert table.rows == ((), ())
