"""A coalescing work queue: dirty keys are reconciled once on the next loop tick.

Like client-go's workqueue, a key added many times before it is processed is processed once, so
a burst of pod events costs one ReplicaSet sync, not one per event. Failed syncs are retried with
an exponential back-off on the sandbox clock instead of hot-looping.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

from kubesim.api.status import ApiError
from kubesim.machinery.clock import Clock

K = TypeVar("K", bound=Hashable)

_log = logging.getLogger(__name__)

_MAX_RETRY_DELAY = 60.0
TICK_BUDGET = 0.02
"""Seconds of syncs per loop tick: the rest waits for the next tick, so the API server's
requests are served between them even while 100,000 pods are being scheduled."""


class WorkQueue(Generic[K]):
    """Keys waiting for ``handler``; processed in insertion order, each at most once per tick."""

    def __init__(self, name: str, handler: Callable[[K], None], clock: Clock) -> None:
        self._name = name
        self._handler = handler
        self._clock = clock
        self._dirty: dict[K, None] = {}
        self._scheduled = False
        self._timers: dict[K, tuple[float, asyncio.TimerHandle]] = {}
        self._failures: dict[K, int] = {}
        self._stopped = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Use ``loop`` when keys are added outside it (a Store written before the loop runs)."""
        self._loop = loop

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            if self._loop is None:
                raise
            return self._loop

    def add(self, key: K) -> None:
        """Mark ``key`` dirty; it is handled on the next loop tick."""
        if self._stopped:
            return
        self._dirty[key] = None
        if not self._scheduled:
            self._scheduled = True
            self._running_loop().call_soon(self._drain)

    def add_after(self, key: K, seconds: float) -> None:
        """Mark ``key`` dirty after ``seconds`` simulated seconds (keeps the earliest timer)."""
        if self._stopped:
            return
        loop = self._running_loop()
        when = loop.time() + max(seconds, 0.0) / self._clock.speed
        pending = self._timers.get(key)
        if pending is not None:
            if pending[0] <= when:
                return
            pending[1].cancel()
        handle = loop.call_at(when, lambda: self._fire(key))
        self._timers[key] = (when, handle)

    def stop(self) -> None:
        """Drop pending work and timers."""
        self._stopped = True
        self._dirty.clear()
        for _, handle in self._timers.values():
            handle.cancel()
        self._timers.clear()

    def __len__(self) -> int:
        return len(self._dirty)

    def _fire(self, key: K) -> None:
        self._timers.pop(key, None)
        self.add(key)

    def _drain(self) -> None:
        self._scheduled = False
        batch, self._dirty = self._dirty, {}
        deadline = time.monotonic() + TICK_BUDGET
        keys = iter(batch)
        for key in keys:
            if self._stopped:
                return
            if time.monotonic() > deadline:
                self._defer(key, keys)
                return
            try:
                self._handler(key)
            except ApiError as err:
                if err.code == 404:
                    continue  # the object went away meanwhile: its DELETED event follows
                if err.code != 409:
                    _log.error("%s: sync of %r refused: %s", self._name, key, err.message)
                self._retry(key, err)
            except Exception as err:  # noqa: BLE001 - a controller bug must not stop the loop
                _log.exception("%s: sync of %r failed", self._name, key)
                self._retry(key, err)
            else:
                self._failures.pop(key, None)

    def _defer(self, key: K, rest: Iterator[K]) -> None:
        """Keep ``key`` and the ``rest`` of this tick's batch first for the next tick."""
        waiting = dict.fromkeys((key, *rest))
        waiting.update(self._dirty)
        self._dirty = waiting
        if not self._scheduled:
            self._scheduled = True
            self._running_loop().call_soon(self._drain)

    def _retry(self, key: K, err: Exception) -> None:
        count = self._failures.get(key, 0)
        self._failures[key] = count + 1
        _log.debug("%s: retrying %r after %s", self._name, key, err)
        self.add_after(key, min(0.5 * 2**count, _MAX_RETRY_DELAY))
