"""The sandbox's sense of time: real wall-clock timestamps, but scaled delays.

kubectl computes AGE from creationTimestamps against its own clock, so ``now()`` is never skewed.
What the ``speed`` factor shortens is *waiting*: a 2 s image pull takes 0.1 s at speed 20, and
deadlines such as ``progressDeadlineSeconds`` are measured in simulated seconds. Controllers never
sleep; they schedule callbacks here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime


def rfc3339(dt: datetime) -> str:
    """``2026-11-29T15:43:04Z``: the seconds-precision form the apiserver writes."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> datetime:
    """The inverse of :func:`rfc3339`; also accepts fractional seconds and offsets."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


class Clock:
    """Wall-clock ``now()`` plus ``call_later`` whose delays are divided by ``speed``."""

    __slots__ = ("_speed",)

    def __init__(self, *, speed: float = 1.0) -> None:
        if speed <= 0:
            msg = f"speed must be positive, got {speed}"
            raise ValueError(msg)
        self._speed = speed

    @property
    def speed(self) -> float:
        """How many simulated seconds pass per real second."""
        return self._speed

    def now(self) -> datetime:
        """The real current time in UTC (never scaled: kubectl compares it with its own)."""
        return datetime.now(UTC)

    def call_later(self, seconds: float, fn: Callable[[], None]) -> asyncio.TimerHandle:
        """Run ``fn`` on the running loop after ``seconds`` simulated seconds."""
        loop = asyncio.get_running_loop()
        return loop.call_later(max(seconds, 0.0) / self._speed, fn)

    def elapsed(self, since: datetime) -> float:
        """Simulated seconds between ``since`` (a wall-clock instant) and now."""
        return (self.now() - since).total_seconds() * self._speed
