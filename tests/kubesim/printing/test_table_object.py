"""The Table itself: includeObject, an empty list's columns, definitions handed out as copies."""

from __future__ import annotations

from typing import Any

import pytest

from kubesim.printing.tables import column_definitions, to_table
from tests.kubesim.printing.samples import DEPLOYMENT, NOW


@pytest.mark.parametrize(
    ("include", "expected"),
    [
        (
            "Metadata",
            {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": DEPLOYMENT["metadata"],
            },
        ),
        ("Object", DEPLOYMENT),
        ("None", None),
    ],
)
def test_include_object(include: str, expected: dict[str, Any] | None) -> None:
    table = to_table("Deployment", [DEPLOYMENT], now=NOW, include_object=include)
    assert (table["kind"], table["apiVersion"], table["metadata"]) == (
        "Table",
        "meta.k8s.io/v1",
        {},
    )
    assert table["rows"][0].get("object") == expected


def test_empty_list_keeps_columns() -> None:
    table = to_table("Pod", [], now=NOW)
    assert table["rows"] == []
    assert len(table["columnDefinitions"]) == 9


def test_column_definitions_are_copies() -> None:
    column_definitions("Pod")[0]["name"] = "changed"
    assert column_definitions("Pod")[0]["name"] == "Name"
