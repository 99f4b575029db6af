"""Cells as printers.go (v1.32) writes them: ages, selectors and a missing timestamp."""

from __future__ import annotations

from typing import Any

import pytest

from kubesim.printing.cells import human_duration, selector_string
from kubesim.printing.tables import to_table
from tests.kubesim.printing.samples import NOW


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-5, "<invalid>"),
        (-1, "0s"),
        (0, "0s"),
        (5.9, "5s"),
        (119, "119s"),
        (120, "2m"),
        (200, "3m20s"),
        (600, "10m"),
        (179 * 60, "179m"),
        (3 * 3600, "3h"),
        (3 * 3600 + 25 * 60, "3h25m"),
        (8 * 3600, "8h"),
        (47 * 3600, "47h"),
        (2 * 86400 + 3 * 3600, "2d3h"),
        (7 * 86400, "7d"),
        (30 * 86400, "30d"),
        (800 * 86400, "2y70d"),
        (9 * 365 * 86400, "9y"),
    ],
)
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_missing_timestamp_is_unknown() -> None:
    assert (
        to_table("Namespace", [{"metadata": {"name": "x"}}], now=NOW)["rows"][0]["cells"][2]
        == "<unknown>"
    )


@pytest.mark.parametrize(
    ("selector", "text"),
    [
        (None, ""),
        ({}, ""),
        ({"matchLabels": {"b": "2", "a": "1"}}, "a=1,b=2"),
        (
            {
                "matchExpressions": [
                    {"key": "env", "operator": "NotIn", "values": ["dev"]},
                    {"key": "canary", "operator": "DoesNotExist"},
                    {"key": "app", "operator": "Exists"},
                ]
            },
            "app,!canary,env notin (dev)",
        ),
    ],
)
def test_selector_string(selector: dict[str, Any] | None, text: str) -> None:
    assert selector_string(selector) == text
