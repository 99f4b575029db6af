"""Suite-wide guard: Hypothesis tests run with no background thread alive.

Hypothesis fails a test whose strategies see the global ``random`` move while it draws, and
threads left running by another package's fixtures (Socket Mode pings and retries, websocket
keep-alives) move it. Every fixture that starts threads stops them when its scope ends; this
makes a leak fail loudly, at the Hypothesis test it would have made flaky, naming the threads.
A test marked ``live_stack`` drives a running bot in HTTP mode on purpose, so its threads are
let be (the sandbox draws only from generators of its own; the libraries' threads may draw from
the global ``random``, which the test's own warning filter says).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

SETTLE_SECONDS = 10.0
"""How long a thread that was told to stop may take to end."""


def _background() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()]


@pytest.fixture(autouse=True)
def _hypothesis_runs_alone(request: pytest.FixtureRequest) -> Iterator[None]:
    live = request.node.get_closest_marker("live_stack") is not None
    if live or not getattr(request.function, "is_hypothesis_test", False):
        yield
        return
    deadline = time.monotonic() + SETTLE_SECONDS
    while (alive := _background()) and time.monotonic() < deadline:
        time.sleep(0.05)
    if alive:
        names = ", ".join(sorted(t.name for t in alive))
        pytest.fail(f"background threads still running at a Hypothesis test: {names}")
    yield
