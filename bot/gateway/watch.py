"""List+watch on one collection, as an iterator of typed changes that survives real watches.

The client's ``Watch.stream`` retries a 410 once and never re-lists, and without a read timeout
a dead connection hangs it forever. ``rollout status`` and the notifier need all of this
instead: a paged list, then watches resumed from the last resourceVersion (bookmarks keep it
fresh), each bounded by ``timeoutSeconds`` and a client read timeout; a normal end reconnects at
once, a dropped connection after a capped backoff, and 410 Gone re-lists and reports the
difference (``bot.core.watch_events.Ledger``), so no change is lost or reported twice. A
deadline or a stop ends the iteration.
"""

from __future__ import annotations

import enum
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass

import urllib3

from bot.core import kube
from bot.core.kube import Obj
from bot.core.watch_events import EventType, Ledger, Origin, WatchEvent
from bot.errors import ClusterError, ClusterTimeout, ClusterUnreachable
from bot.gateway.api import Api, Response
from bot.gateway.errors import Target

__all__ = ["EventType", "Origin", "Watch", "WatchEvent", "WatchTimeouts"]

logger = logging.getLogger(__name__)

_RETRIED_CODES = frozenset({429, 500, 502, 503, 504})
"""Statuses worth reconnecting after (overload, a restarting API server), not raising."""


@dataclass(frozen=True, slots=True)
class WatchTimeouts:
    """How long each watch request may last, and how reconnects back off."""

    server: int = 300
    """``timeoutSeconds`` of each watch request (cut to the deadline): the server then ends the
    stream cleanly and the watch resumes from the last resourceVersion."""
    read: float = 330.0
    """Client read timeout between two reads: a connection silent this long is dead. Keep it
    above ``server``, or above the server's bookmark interval (about a minute) when lower."""
    backoff: float = 0.5
    """First pause before reconnecting after a failure; doubles per failure in a row."""
    max_backoff: float = 30.0


class _Ending(enum.Enum):
    """How one watch request ended."""

    CLOSED = enum.auto()
    """The server ended the stream normally (its timeout): resume."""
    DROPPED = enum.auto()
    """Connection lost, timed out, or refused for now: resume after a backoff."""
    EXPIRED = enum.auto()
    """410 Gone: the resourceVersion left the server's history; re-list."""
    FINISHED = enum.auto()
    """The deadline passed or ``stop`` was called."""


def _retried(err: ClusterError) -> bool:
    """Whether a failed request is a connection problem or an overload worth retrying."""
    if isinstance(err, ClusterTimeout | ClusterUnreachable):
        return True
    return err.status is None or err.status in _RETRIED_CODES


def _lines(response: Response) -> Iterator[Obj]:
    """Watch events from a chunked response, one JSON object per line."""
    pending = b""
    for chunk in response.stream(None):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            if line.strip():
                event = json.loads(line)
                if isinstance(event, dict):
                    yield event


class Watch:
    """The changes of the objects of one collection (``/apis/apps/v1/namespaces/x/deployments``).

    Iterate it for everything: one ADDED per listed object (``Origin.LIST``), then each change
    until the deadline passes or :meth:`stop` is called. Or iterate :meth:`initial` first (to see
    where the first list ends) and :meth:`changes` after. Errors that retrying cannot fix (403,
    404, a 4xx ERROR event) are raised as ``bot.errors`` errors; errors of the first list too.
    One thread iterates; :meth:`stop` and :attr:`resource_version` may be used from any other.
    """

    def __init__(
        self,
        api: Api,
        url: str,
        *,
        labels: str = "",
        fields: str = "",
        page_size: int = 500,
        timeouts: WatchTimeouts | None = None,
        deadline: float | None = None,
        stop: threading.Event | None = None,
        target: Target | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Watch ``url`` (a collection path) through ``api``.

        ``labels``/``fields`` are selectors; ``deadline`` is a ``monotonic()`` time; setting
        ``stop`` ends the iteration at the next event, backoff or read timeout (:meth:`stop`
        also interrupts a read in progress).
        """
        self._api = api
        self._url = url
        self._selectors = [
            *([("labelSelector", labels)] if labels else []),
            *([("fieldSelector", fields)] if fields else []),
        ]
        self._page_size = page_size
        self._timeouts = timeouts or WatchTimeouts()
        self._deadline = deadline
        self._stop = stop or threading.Event()
        self._target = target
        self._monotonic = monotonic
        self._ledger = Ledger()
        self._listed = False
        self._resource_version = ""
        self._response: Response | None = None
        self._progress = False
        """Whether the current round streamed an event or a bookmark (resets the backoff)."""

    @property
    def resource_version(self) -> str:
        """The last resourceVersion seen (a list, an event or a bookmark); empty before a list."""
        return self._resource_version

    def __len__(self) -> int:
        """How many objects the watch currently knows alive."""
        return len(self._ledger)

    def __iter__(self) -> Iterator[WatchEvent]:
        return self.changes()

    def stop(self) -> None:
        """End the iteration: at once when reading a stream, else at the next step."""
        self._stop.set()
        response = self._response
        if response is not None:
            try:
                response.shutdown()
            except (OSError, RuntimeError, ValueError) as e:  # already closed or released
                logger.debug("watch %s: nothing to interrupt (%s)", self._url, e)

    def initial(self) -> Iterator[WatchEvent]:
        """The first list, paged: one ADDED per object (nothing when already listed)."""
        if self._listed:
            return
        yield from self._list(Origin.LIST)

    def changes(self) -> Iterator[WatchEvent]:
        """The first list (unless :meth:`initial` gave it), then every change after it."""
        yield from self.initial()
        backoff = self._timeouts.backoff
        expired = False
        while not self._finished():
            self._progress = False
            try:
                if expired:
                    yield from self._list(Origin.RELIST)
                    expired = False
                ending = yield from self._follow()
            except ClusterError as e:
                if e.status == 410:  # a list's continue token or the watch itself expired
                    ending = _Ending.EXPIRED
                elif _retried(e):
                    logger.info("watch %s: will reconnect after %s", self._url, e)
                    ending = _Ending.DROPPED
                else:
                    raise
            if ending is _Ending.FINISHED:
                return
            if ending is _Ending.EXPIRED:
                logger.info("watch %s: resourceVersion expired; re-listing", self._url)
                expired = True
            if self._progress:  # the stream worked: resume at once (dropped: after a short pause)
                backoff = self._timeouts.backoff
                if ending is not _Ending.DROPPED:
                    continue
            self._pause(backoff)  # nothing got through: do not hammer the server
            backoff = min(backoff * 2, self._timeouts.max_backoff)

    # --- steps ---------------------------------------------------------------------------------

    def _finished(self) -> bool:
        if self._stop.is_set():
            return True
        return self._deadline is not None and self._monotonic() >= self._deadline

    def _remaining(self) -> float:
        return math.inf if self._deadline is None else self._deadline - self._monotonic()

    def _pause(self, seconds: float) -> None:
        self._stop.wait(max(0.0, min(seconds, self._remaining())))

    def _list(self, origin: Origin) -> Iterator[WatchEvent]:
        version = ""

        def listed() -> Iterator[Obj]:
            nonlocal version
            for page in self._api.pages(
                self._url, query=self._selectors, page_size=self._page_size, target=self._target
            ):
                version = version or kube.text(page, "metadata", "resourceVersion")
                yield from kube.items(page, "items")

        for kind, obj in self._ledger.replace(listed()):
            yield WatchEvent(kind, obj, kube.text(obj, "metadata", "resourceVersion"), origin)
        self._resource_version = version
        self._listed = True

    def _follow(self) -> Generator[WatchEvent, None, _Ending]:
        """One watch request from the last resourceVersion, until it ends."""
        remaining = self._remaining()
        if remaining <= 0:
            return _Ending.FINISHED
        server = self._timeouts.server if remaining > self._timeouts.server else remaining
        server = max(1, math.ceil(server))
        read = min(self._timeouts.read, remaining + self._api.timeout)
        query = [
            *self._selectors,
            ("allowWatchBookmarks", "true"),
            ("resourceVersion", self._resource_version),
            ("timeoutSeconds", str(server)),
            ("watch", "true"),
        ]
        response = self._api.request(
            "GET", self._url, query=query, read_timeout=read, target=self._target
        )
        self._response = response
        try:
            if self._stop.is_set():  # stop() ran before it could see this response
                return _Ending.FINISHED
            for event in _lines(response):
                ending = self._event(event)
                if isinstance(ending, _Ending):
                    return ending
                if ending is not None:
                    yield ending
                if self._finished():
                    return _Ending.FINISHED
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as e:
            if self._stop.is_set():
                return _Ending.FINISHED
            logger.info("watch %s: stream broke (%s); resuming", self._url, e)
            return _Ending.DROPPED
        finally:
            self._response = None
            response.close()
            response.release_conn()
        return _Ending.CLOSED

    def _event(self, event: Obj) -> WatchEvent | _Ending | None:
        """What one streamed event means: a change to report, an ending, or nothing."""
        kind = kube.text(event, "type")
        obj = kube.mapping(event, "object")
        if kind == "ERROR":
            code = kube.number(obj, "code")
            if code == 410:
                return _Ending.EXPIRED
            message = kube.text(obj, "message") or "the watch failed"
            if code in _RETRIED_CODES:
                logger.info("watch %s: server error %d (%s); resuming", self._url, code, message)
                return _Ending.DROPPED
            raise ClusterError(
                f"the cluster ended the watch: {message}",
                status=code,
                reason=kube.text(obj, "reason") or None,
            )
        version = kube.text(obj, "metadata", "resourceVersion")
        if version:
            self._resource_version = version
            self._progress = True
        if kind not in EventType.__members__:
            return None  # BOOKMARK (its resourceVersion is all it carries), or unknown
        change = EventType(kind)
        if not self._ledger.observe(change, obj):
            return None
        return WatchEvent(change, obj, version)
