"""A "working on it" note for commands that take a while (``rollout status`` waits for pods).

Slack shows nothing after the empty ack, so a command that runs for tens of seconds looks dead.
If the answer is not ready ``after`` seconds in, one ephemeral note is posted through the
response_url; the answer then replaces it (or deletes it, when the answer goes to the channel).
Fast commands never see a note, and a slow one spends at most two more of the URL's 5 uses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Final

PROGRESS_AFTER: Final = 2.0
"""Seconds before the note; most commands answer in well under a second."""


class ProgressNote:
    """Context manager around the work: posts once via ``post`` if the work outlasts ``after``.

    The lock makes the note and the answer strictly ordered: once ``__exit__`` returns, either
    the note was fully posted (``posted`` is True) or it never will be.
    """

    def __init__(self, post: Callable[[], bool], *, after: float | None) -> None:
        self._post = post
        self._after = after
        self._lock = threading.Lock()
        self._finished = False
        self._timer: threading.Timer | None = None
        self.posted = False
        """True when the note went out, so the answer should replace or delete it."""

    def __enter__(self) -> ProgressNote:
        if self._after is not None:
            self._timer = threading.Timer(self._after, self._fire)
            self._timer.daemon = True
            self._timer.start()
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
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._finished = True

    def _fire(self) -> None:
        with self._lock:
            if not self._finished:
                self.posted = self._post()
