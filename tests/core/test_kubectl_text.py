"""kubectl's small formatters: HumanDuration, RFC1123Z, Go tabwriter, quantities, selectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core import ages, kube, quantity, tabwriter


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-5, "<invalid>"),
        (-1, "0s"),
        (0, "0s"),
        (119, "119s"),
        (120, "2m"),
        (185, "3m5s"),
        (600, "10m"),
        (179 * 60, "179m"),
        (3 * 3600, "3h"),
        (5 * 3600 + 7 * 60, "5h7m"),
        (8 * 3600, "8h"),
        (47 * 3600, "47h"),
        (2 * 86400 + 4 * 3600, "2d4h"),
        (8 * 86400, "8d"),
        (400 * 86400, "400d"),
        (3 * 365 * 86400 + 10 * 86400, "3y10d"),
        (9 * 365 * 86400, "9y"),
    ],
)
def test_human_duration(seconds: int, text: str) -> None:
    assert ages.human_duration(seconds) == text


def test_age_and_rfc1123z() -> None:
    now = datetime(2026, 11, 29, 15, 43, 4, tzinfo=UTC)
    stamp = (now - timedelta(minutes=3, seconds=5)).isoformat().replace("+00:00", "Z")
    assert ages.age(stamp, now) == "3m5s"
    assert ages.age(None, now) == "<unknown>"
    assert ages.rfc1123z("2026-11-29T15:43:04Z") == "Sun, 29 Nov 2026 15:43:04 +0000"


def test_tabwriter_aligns_per_block() -> None:
    text = "Name:\tweb\nLabels:\ta=1\n\tb=2\nContainers:\n  web:\n    Image:\tnginx\n"
    assert tabwriter.align(text) == (
        "Name:    web\nLabels:  a=1\n         b=2\nContainers:\n  web:\n    Image:  nginx\n"
    )


def test_tabwriter_form_feed_ends_the_line_and_every_column() -> None:
    """Go's writer flushes at a form feed: the lines after it are laid out afresh."""
    text = "a\tlong-cell\tx\nbb\tc\fthen\ty\nz\tw"
    assert tabwriter.align(text) == "a   long-cell  x\nbb  c\nthen  y\nz     w"


def test_tabwriter_table_layout() -> None:
    table = "REVISION\tCHANGE-CAUSE\n1\t<none>\n"
    assert tabwriter.align(table, minwidth=6, padding=3) == (
        "REVISION   CHANGE-CAUSE\n1          <none>\n"
    )


@pytest.mark.parametrize(
    ("values", "text"),
    [
        (["100m", "250m"], "350m"),
        (["128Mi", "64Mi"], "192Mi"),
        (["1", "500m"], "1500m"),
        (["2000"], "2k"),
        (["1536Mi"], "1536Mi"),
        (["0"], "0"),
        (["500Mi", "524288000"], "1000Mi"),
    ],
)
def test_quantity_sums_print_canonically(values: list[str], text: str) -> None:
    assert str(quantity.total([quantity.parse(v) for v in values])) == text


def test_selector_string_sorts_requirements() -> None:
    selector = {
        "matchLabels": {"tier": "web", "app": "shop"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "dev"]},
            {"key": "canary", "operator": "DoesNotExist"},
        ],
    }
    assert kube.selector_string(selector) == "app=shop,!canary,env in (dev,prod),tier=web"
    assert kube.selector_string(None) == ""
    assert kube.format_labels({}) == "<none>"
