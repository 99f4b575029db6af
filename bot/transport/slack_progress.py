"""A "working on it" note for commands that take a while (``rollout status`` waits for pods).

Slack shows nothing after the empty ack, so a command that runs for tens of seconds looks dead.
If the answer is not ready ``after`` seconds in, one ephemeral note is posted through the
response_url; the answer then replaces it (or deletes it, when the answer goes to the channel).
Fast commands never see a note, and a slow one spends at most two more of the URL's 5 uses.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Final

PROGRESS_AFTER: Final = 2.0
"""Seconds before the note; most commands answer in well under a second."""


class _Alarms:
    """One thread for every command's note: a ``threading.Timer`` per command would start (and
    wake, to cancel) a thread per command, on the path of every answer. Cancelling here only sets
    a flag; the thread wakes when the earliest alarm is due, and a due one posts from a thread of
    its own (slow commands only), so that one slow post does not hold up the next note. The
    thread ends when no alarm is left (a quiet bot keeps no thread for it)."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._due: list[tuple[float, int, ProgressNote]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, after: float, note: ProgressNote) -> None:
        with self._ready:
            at = _now() + after
            first = not self._due or at < self._due[0][0]
            heapq.heappush(self._due, (at, next(self._order), note))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="slack-progress", daemon=True
                )
                self._thread.start()
            elif first:
                self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while self._due and self._due[0][0] > _now():
                    self._ready.wait(self._due[0][0] - _now())
                if not self._due:  # nothing left to wait for: the next note starts a thread
                    self._thread = None
                    return
                _, _, note = heapq.heappop(self._due)
            if not note.finished:
                threading.Thread(target=note.fire, name="slack-progress-note", daemon=True).start()


def _now() -> float:
    return time.monotonic()


_ALARMS: Final = _Alarms()


class ProgressNote:
    """Context manager around the work: posts once via ``post`` if the work outlasts ``after``.

    The lock makes the note and the answer strictly ordered: once ``__exit__`` returns, either
    the note was fully posted (``posted`` is True) or it never will be.
    """

    def __init__(self, post: Callable[[], bool], *, after: float | None) -> None:
        self._post = post
        self._after = after
        self._lock = threading.Lock()
        self.finished = False
        """Set when the answer is going out: the note is no longer wanted."""
        self.posted = False
        """True when the note went out, so the answer should replace or delete it."""

    def __enter__(self) -> ProgressNote:
        if self._after is not None:
            _ALARMS.add(self._after, self)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.finish()

    def finish(self) -> None:
        """No note after this (the answer is going out now); safe to call more than once."""
        with self._lock:
            self.finished = True

    def fire(self) -> None:
        """Post the note, unless the answer went first (the alarm thread calls this)."""
        with self._lock:
            if not self.finished:
                self.posted = self._post()
