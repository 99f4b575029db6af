"""CPU time spent by the bench's parties, read from ``/proc``: where a command's time goes.

A latency ratio says how far the bot is from the floor, not why. Each party's CPU time for one
command says what its own work costs, whatever the machine's load: the bot's processes (the bot
and its ack process), the sandbox serving it, and the floor's client. ``/proc/PID/task/*/
schedstat`` counts every thread's time on a CPU in nanoseconds (``stat``'s ticks are 10 ms).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from bench.memory import children

_SETTLE_STEP = 0.005
"""Seconds between the reads of ``CpuMeter.settle``."""


def cpu_seconds(pid: int) -> float:
    """Every live thread of ``pid``: seconds on a CPU so far (a thread that ended is not
    counted; the bot's and the sandbox's threads live as long as they do)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with suppress(FileNotFoundError, ProcessLookupError):  # a thread that just ended
            total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9


def tree_cpu_seconds(pid: int) -> float:
    """``cpu_seconds`` of ``pid`` and the processes it started."""
    return cpu_seconds(pid) + sum(cpu_seconds(child) for child in children(pid))


class CpuMeter:
    """CPU seconds per call, per arm: each party's time across the calls ``measure`` wraps.

    ``parties``: name -> pid, measured with its children; ``measure(arm, client=True)`` adds
    ``"client"``: the calling thread's own time (the floor's client runs in the bench's thread).
    """

    def __init__(self, parties: Mapping[str, int]) -> None:
        self._parties = dict(parties)
        self._spent: dict[str, dict[str, float]] = {}
        self._calls: dict[str, int] = {}

    def _now(self, *, client: bool) -> dict[str, float]:
        found = {name: tree_cpu_seconds(pid) for name, pid in self._parties.items()}
        return {**found, "client": time.thread_time()} if client else found

    @contextmanager
    def measure(self, arm: str, *, client: bool = False) -> Iterator[None]:
        before = self._now(client=client)
        yield
        after = self._now(client=client)
        spent = self._spent.setdefault(arm, dict.fromkeys(after, 0.0))
        for name, seconds in after.items():
            spent[name] += seconds - before[name]
        self._calls[arm] = self._calls.get(arm, 0) + 1

    def settle(self, *, within: float = 1.0) -> float:
        """Wait, at most ``within`` seconds, until no party uses more than a twentieth of a CPU:
        what one call left running after its answer (an upload, freeing what it decoded) is
        neither counted in the next call's CPU nor slows it. Returns the seconds it waited."""
        start = time.monotonic()
        last = self._now(client=False)
        while time.monotonic() - start < within:
            time.sleep(_SETTLE_STEP)
            now = self._now(client=False)
            if all(now[name] - last[name] < _SETTLE_STEP / 20 for name in now):
                break
            last = now
        return time.monotonic() - start

    def per_call_ms(self) -> dict[str, dict[str, float]]:
        """arm -> party -> milliseconds of CPU per call."""
        return {
            arm: {name: round(s * 1000 / self._calls[arm], 2) for name, s in spent.items()}
            for arm, spent in self._spent.items()
        }
