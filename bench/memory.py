"""What the bot's processes hold in memory, read from ``/proc``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def rss_kb(pid: int) -> dict[str, int]:
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (the bot's ack process)."""
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def rss_kb_all(pid: int) -> dict[str, int]:
    """``_rss_kb`` of ``pid`` and its children together (each one's peak, summed)."""
    total = Counter(rss_kb(pid))
    for child in children(pid):
        total.update(rss_kb(child))
    return dict(total)


@contextmanager
def peak_rss(pid: int) -> Iterator[dict[str, float]]:
    """How far ``pid``'s resident memory peaked above its level at the start of the block.

    Linux keeps the peak (``VmHWM``); writing 5 to ``clear_refs`` resets it to the current
    size, so the peak read after the block is the block's own.
    """
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    before = rss_kb(pid)["VmRSS"]
    found: dict[str, float] = {"before_mb": round(before / 1024, 1)}
    yield found
    found["rise_mb"] = round((rss_kb(pid)["VmHWM"] - before) / 1024, 1)
