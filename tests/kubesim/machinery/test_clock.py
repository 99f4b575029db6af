"""The sandbox clock: real timestamps, scaled delays."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from kubesim.machinery.clock import Clock, parse_rfc3339, rfc3339


def test_now_is_real_utc_time() -> None:
    before = datetime.now(UTC)
    now = Clock(speed=500).now()
    assert now.tzinfo is not None
    assert before <= now <= datetime.now(UTC)


def test_rfc3339_round_trips_to_the_second() -> None:
    moment = datetime(2026, 11, 29, 15, 43, 4, 987654, tzinfo=UTC)
    assert rfc3339(moment) == "2026-11-29T15:43:04Z"
    assert parse_rfc3339("2026-11-29T15:43:04Z") == moment.replace(microsecond=0)


def test_elapsed_counts_simulated_seconds() -> None:
    clock = Clock(speed=20)
    assert 19 < clock.elapsed(clock.now() - timedelta(seconds=1)) < 25


def test_call_later_runs_in_simulated_order() -> None:
    fired: list[str] = []

    async def main() -> None:
        clock = Clock(speed=1000)
        done = asyncio.Event()
        clock.call_later(30, lambda: (fired.append("late"), done.set()))
        clock.call_later(10, lambda: fired.append("early"))
        await asyncio.wait_for(done.wait(), timeout=5)

    asyncio.run(main())
    assert fired == ["early", "late"]


def test_a_long_simulated_delay_passes_quickly_at_high_speed() -> None:
    async def main() -> None:
        done = asyncio.Event()
        Clock(speed=10_000).call_later(300, done.set)  # the kubelet's longest back-off
        await asyncio.wait_for(done.wait(), timeout=5)

    asyncio.run(main())


@pytest.mark.parametrize("speed", [0, -1])
def test_speed_must_be_positive(speed: float) -> None:
    with pytest.raises(ValueError, match="speed must be positive"):
        Clock(speed=speed)
