"""Where Slack requests run once acknowledged: bounded pools, a bounded queue, a per-user limit.

Slack's ack is sent before any of this (``slack_http``, ``slack_socket``), so the ack never
waits for a thread. Work then goes to one of two pools: commands that wait on the cluster for
long (``rollout status`` follows a rollout for up to a minute) run on their own threads, so that
sixteen of them cannot hold up everyone else's ``get``. Each pool has a bounded queue, and one
person may have only so many requests waiting or running; past either bound ``submit`` says no
and the caller tells the user the bot is busy, at once, instead of leaving them in silence.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

logger = logging.getLogger(__name__)

Job = Callable[[], None]

_LONG_COMMANDS: Final = (("rollout", "status"),)
"""Commands that wait on the cluster (the first words of the slash command's text)."""


def waits_long(text: str) -> bool:
    """True when the command's text asks for one of the commands that wait (cheap: two words).

    Only the first words are read, lower-cased, so a 4 KB text costs no more than a short one.
    """
    words = tuple(word.lower() for word in text[:64].split()[:2])
    return words in _LONG_COMMANDS


@dataclass(frozen=True, slots=True)
class WorkerSizes:
    """The bounds: ``slack.workers``, ``long_workers``, ``queue`` and ``per_user``."""

    workers: int = 16
    """Threads for commands and clicks."""
    long_workers: int = 16
    """Threads for the commands that wait (``rollout status``)."""
    queue: int = 256
    """Requests waiting for a thread, in each pool."""
    per_user: int = 4
    """Requests one user may have waiting or running."""


class _Pool:
    """Up to ``threads`` daemon threads (started as work arrives) taking jobs from a queue that
    holds at most ``waiting`` more; ``offer`` never blocks."""

    def __init__(self, name: str, *, threads: int, waiting: int) -> None:
        self._name = name
        self._size = threads
        self._waiting = max(waiting, 0)
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._pending = 0
        """Jobs queued or running."""
        self._started = 0
        self._closed = False

    def offer(self, job: Job) -> bool:
        """Queue ``job``; False when every thread is busy and ``waiting`` jobs already wait."""
        with self._lock:
            if self._closed or self._pending >= self._size + self._waiting:
                return False
            self._pending += 1
            spawn = self._started < min(self._pending, self._size)
            if spawn:
                self._started += 1
        self._jobs.put(job)
        if spawn:
            name = f"{self._name}-{self._started}"
            threading.Thread(target=self._work, name=name, daemon=True).start()
        return True

    def close(self) -> None:
        """Take no more jobs; each thread ends after the job it holds (queued ones are dropped)."""
        with self._lock:
            self._closed = True
            started = self._started
        while True:
            try:
                self._jobs.get_nowait()
            except queue.Empty:
                break
        for _ in range(started):
            self._jobs.put(None)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job()
            except Exception:  # a job's bug must not kill the thread that runs the next one
                logger.exception("unexpected failure in a Slack worker")
            finally:
                with self._lock:
                    self._pending -= 1


class Workers:
    """The two pools and the per-user counts; safe to call from any thread."""

    def __init__(self, sizes: WorkerSizes | None = None) -> None:
        self.sizes = sizes or WorkerSizes()
        self._general = _Pool("slack-worker", threads=self.sizes.workers, waiting=self.sizes.queue)
        self._long = _Pool("slack-long", threads=self.sizes.long_workers, waiting=self.sizes.queue)
        self._notices = _Pool("slack-notice", threads=1, waiting=256)
        self._lock = threading.Lock()
        self._in_flight: Counter[str] = Counter()
        self._settled = threading.Condition(self._lock)
        """Notified whenever a request ends (``idle`` waits on it)."""

    def submit(self, user_id: str, job: Job, *, long: bool = False) -> bool:
        """Run ``job`` for ``user_id`` on a pool; False (nothing runs) when saturated."""
        with self._lock:
            if self._in_flight[user_id] >= self.sizes.per_user:
                return False
            self._in_flight[user_id] += 1

        def run() -> None:
            try:
                job()
            finally:
                self._done(user_id)

        if (self._long if long else self._general).offer(run):
            return True
        self._done(user_id)
        return False

    def notify(self, job: Job) -> None:
        """Send a short notice (a "busy" reply) off the event loop; dropped when flooded."""
        if not self._notices.offer(job):
            logger.warning("dropped a busy notice: too many are waiting to be sent")

    def in_flight(self) -> int:
        """Requests waiting or running now."""
        with self._lock:
            return sum(self._in_flight.values())

    def idle(self, timeout: float) -> bool:
        """Wait until no request is waiting or running, at most ``timeout`` seconds (graceful
        shutdown); True when none is left."""
        with self._settled:
            return self._settled.wait_for(lambda: not self._in_flight, timeout)

    def close(self) -> None:
        """Stop taking work; threads finish what they hold (they are daemons)."""
        for pool in (self._general, self._long, self._notices):
            pool.close()

    def _done(self, user_id: str) -> None:
        with self._lock:
            self._in_flight[user_id] -= 1
            if self._in_flight[user_id] <= 0:
                del self._in_flight[user_id]
            self._settled.notify_all()
