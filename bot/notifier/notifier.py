"""The notifier: while this replica leads, follow every Deployment and keep one message per
rollout up to date in its channel, continuing the messages stored in the cluster.

One thread reads the Deployments watch into a queue, and one per live rollout the watch of its
new ReplicaSet's pods (``pods``); the notifier's thread turns each change into rollout states
(``rollouts``, with ``bot.core.notifications``), posts or edits through the ``ChatSink``
(``messages``; starts together in one channel as one digest: ``digests``), and records channel,
ts and the last state posted in the cluster before moving on (a marker first, for a new
message: ``records``).
It checks that it still leads right before every post and stops at once when it does not.
Memory per Deployment is one small ``Snapshot``; per rollout, only while it is live.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from bot.core.watch_events import EventType, Origin, WatchEvent
from bot.errors import BotError
from bot.notifier.leader import Elector
from bot.notifier.options import NotifierOptions
from bot.notifier.pods import PodSeen
from bot.notifier.ports import Cluster, NotificationSink
from bot.notifier.rollouts import Rollouts

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Arrived:
    """A Deployment change, and when the watch delivered it."""

    event: WatchEvent
    at: float


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Notifier:
    """Runs while ``stop`` is not set; does nothing but wait while another replica leads."""

    def __init__(
        self,
        cluster: Cluster,
        sink: NotificationSink,
        elector: Elector,
        options: NotifierOptions,
        *,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._cluster = cluster
        self._elector = elector
        self._options = options
        self._rollouts = Rollouts(cluster, sink, elector, options, now=now)
        self._events: queue.Queue[_Item] = queue.Queue()

    @property
    def posts(self) -> int:
        """Messages posted (for tests and the bench)."""
        return self._rollouts.posts

    # --- running -------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Lead when elected, follow until the lease is lost or ``stop`` is set."""
        while not stop.is_set():
            if not self._elector.leading():
                self._elector.changed.wait(self._options.tick)
                self._elector.changed.clear()
                continue
            try:
                self._lead(stop)
            except BotError as e:
                logger.warning("notifier: %s; starting over", e)
                stop.wait(self._options.tick)

    def _lead(self, stop: threading.Event) -> None:
        logger.info("notifier: %s leads; following Deployments", self._elector.identity)
        self._rollouts.reset()
        events: queue.Queue[_Item] = queue.Queue()
        self._events = events
        ended = threading.Event()

        def read() -> None:
            try:
                for event in self._cluster.deployments(ended):
                    events.put(_Arrived(event, time.monotonic()))
            except Exception as e:  # noqa: BLE001 - handed to the leading thread, which raises it
                events.put(e)
            finally:
                events.put(None)

        reader = threading.Thread(target=read, name="notifier-watch", daemon=True)
        reader.start()
        try:
            self._follow(events, stop)
        finally:
            ended.set()
            self._rollouts.stop_watching()

    def _follow(self, events: queue.Queue[_Item], stop: threading.Event) -> None:
        """Handle events and ticks until the watch ends, ``stop`` is set or the lease is lost."""
        listed = False
        last_tick = time.monotonic()
        while not stop.is_set() and self._elector.leading():
            try:
                item = events.get(timeout=self._options.tick)
            except queue.Empty:
                item = _TICK
            if item is None:
                return
            if isinstance(item, Exception):
                raise item
            if item is not _TICK:
                listed = self._take(item, listed=listed)
                if events.qsize() and time.monotonic() - last_tick < self._options.tick:
                    continue
            if item is _TICK or time.monotonic() - last_tick >= self._options.tick:
                last_tick = time.monotonic()
                if not listed and events.empty():
                    listed = True
                    self._rollouts.collect_garbage()
                self._rollouts.tick(idle=self._events.empty, put=self._events.put)

    # --- events --------------------------------------------------------------------------------

    def _take(self, item: _Arrived | PodSeen | WatchEvent, *, listed: bool) -> bool:
        """Handle one item of the queue; returns whether the first list is over (the first
        watched event ends it, and the store's garbage is collected then)."""
        if isinstance(item, PodSeen):
            self._rollouts.pod(item)
            return listed
        if isinstance(item, _Arrived):
            arrived, item = item.at, item.event
        else:
            arrived = time.monotonic()
        if item.origin is not Origin.LIST and not listed:
            listed = True
            self._rollouts.collect_garbage()
        self._rollouts.changed(item, arrived=arrived)
        return listed


_Item = _Arrived | WatchEvent | PodSeen | Exception | None
"""What the leading thread's queue carries: a Deployment change, a pod of a live rollout, the
watch's error, or None at its end."""

_TICK: Final = WatchEvent(EventType.MODIFIED, {}, "", Origin.LIST)
"""Stands for "nothing arrived within a tick" in the loop (compared by identity)."""
