"""The benchmarks' smoke run: every section runs and yields numbers; nothing about time."""

from __future__ import annotations

import json
import math
import threading
import time
from pathlib import Path

import pytest

from bench.__main__ import main

SECTIONS = ("ack", "ack_under_load", "get_pods", "logs", "footprint", "notifier")


def _numbers(value: object) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return []


@pytest.mark.kubectl
@pytest.mark.timeout(360)  # a dozen sandbox and bot processes start and stop: slow under load
def test_smoke_run_measures_every_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    before = set(threading.enumerate())
    assert main(["--smoke", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert set(SECTIONS) | {"machine", "plan", "targets"} <= set(results)
    assert set(results["ack"]["arms"]) == {"bot", "bare_bolt", "floor"}
    for arm in results["ack"]["arms"].values():
        assert arm["n"] > 0
        assert arm["p99_ms"] > 0
    levels = results["ack_under_load"]["levels"]
    assert len(levels) == len(results["plan"]["load_levels"])
    assert all(level["probe_ack"]["n"] > 0 for level in levels.values())
    for size in results["get_pods"]["sizes"].values():
        assert size["rows_in_table"] == size["pods"]
        arms = {"bot", "floor", "floor_and_record", "bare_bolt", "slash_floor", "slash_echo"}
        assert arms | {"kubectl"} <= set(size["arms"])
        assert all(arm["n"] > 0 for arm in size["arms"].values())
    attached = results["get_pods"]["sizes"]["150"]
    assert attached["file_mb"] > 0
    assert attached["bot_rss_mb"] > 0
    assert attached["bot_peak_rise_mb"] >= 0
    assert attached["bot_to_file"]["n"] > 0
    assert results["logs"]["log_lines"] > 100
    assert set(results["logs"]["cases"]) == {"tail_100", "default", "all_lines"}
    footprint = results["footprint"]
    assert footprint["start_to_ready_s"] > 0
    assert footprint["rss_after_commands_mb"] > 0
    assert footprint["hostile"]["ack_ms"] > 0
    assert footprint["hostile"]["refused_in"] == "ack"
    assert results["notifier"]["why"].startswith("measured")
    assert results["notifier"]["delays"]["started"]["n"] > 0
    assert results["notifier"]["memory"]["rss_watching_mb"] > 0
    assert all(math.isfinite(n) for n in _numbers(results["targets"]))
    assert len(results["targets"]) >= 8
    printed = capsys.readouterr().out
    assert "# targets (issue 9)" in printed
    assert "ack p99 <= 2x the raw floor" in printed
    assert _threads_end(before), "the bench left threads running"


def _threads_end(before: set[threading.Thread], *, within: float = 10.0) -> bool:
    """Every thread the run started ends within ``within`` seconds (executors end on their own)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not [t for t in threading.enumerate() if t.is_alive() and t not in before]:
            return True
        time.sleep(0.05)
    return False
