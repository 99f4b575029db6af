"""Leader election over a Lease lock: who may post notifications, decided in the cluster.

client-go's rules: a follower takes the lease once its record has not changed for the lease
duration *on the follower's own clock* (clocks of two machines are never compared); the leader
renews every retry period and gives up leading when it could not renew within the renew
deadline. ``leading()`` also turns false on its own once the last renewal is older than the
renew deadline, so a stuck renewal thread cannot leave a stale leader posting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.core.lease import LeaseRecord
from bot.errors import BotError
from bot.notifier.ports import Lock

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Timings:
    """The ``leader_election`` durations, in seconds."""

    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Elector:
    """Runs the acquire/renew loop in a thread; ``leading()`` may be asked from any thread."""

    def __init__(
        self,
        lock: Lock,
        timings: Timings,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._lock = lock
        self._timings = timings
        self._monotonic = monotonic
        self._now = now
        self._stop = threading.Event()
        self._renewed_at: float | None = None
        """monotonic() of our last successful write while holding."""
        self._observed: tuple[str, str] | None = None
        """(holder, resourceVersion) of the last record seen, and when it was first seen."""
        self._observed_at = 0.0
        self._record: LeaseRecord | None = None
        self._thread: threading.Thread | None = None
        self.changed = threading.Event()
        """Set whenever leadership is gained or lost (the notifier waits on it)."""

    @property
    def identity(self) -> str:
        """This replica's holder identity."""
        return self._lock.identity

    def leading(self) -> bool:
        """Whether this replica holds the lease now (renewed within the renew deadline)."""
        renewed = self._renewed_at
        return renewed is not None and self._monotonic() - renewed < self._timings.renew_deadline

    def start(self) -> None:
        """Start the election thread."""
        self._thread = threading.Thread(target=self._run, name="leader-election", daemon=True)
        self._thread.start()

    def stop(self, *, release: bool = True) -> None:
        """Stop campaigning; with ``release`` (SIGTERM) hand the lease back at once."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._timings.renew_deadline)
        was_leading = self.leading()
        self._renewed_at = None
        self.changed.set()
        if release and was_leading and self._record is not None:
            try:
                self._lock.write(
                    self._record,
                    duration=self._timings.lease_duration,
                    now=self._now(),
                    hold=False,
                )
            except BotError as e:
                logger.warning("could not release the lease: %s", e)

    def _run(self) -> None:
        while not self._stop.is_set():
            was = self.leading()
            try:
                self._attempt()
            except BotError as e:
                logger.info("leader election: %s", e)
            if was != self.leading():
                logger.info("%s %s the lease", self.identity, "holds" if self.leading() else "lost")
                self.changed.set()
            self._stop.wait(self._timings.retry_period)

    def _attempt(self) -> None:
        record = self._lock.read()
        clock = self._monotonic()
        if record is not None:
            seen = (record.holder, record.resource_version)
            if seen != self._observed:
                self._observed, self._observed_at = seen, clock
        mine = record is not None and record.holder == self.identity
        free = record is None or not record.holder
        expired = clock - self._observed_at >= self._timings.lease_duration
        if not (mine or free or expired):
            self._renewed_at = None
            return
        written = self._lock.write(record, duration=self._timings.lease_duration, now=self._now())
        if written is None:  # someone wrote first: we lost this round
            if mine and self._renewed_at is not None:
                return  # keep leading until the renew deadline; retry soon
            self._renewed_at = None
            return
        self._record = written
        self._observed = (written.holder, written.resource_version)
        self._observed_at = clock
        self._renewed_at = clock
