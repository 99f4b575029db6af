"""Test hook: faults injected into the sandbox's answers (the request log is ``request_log``).

Driven from the test's thread while the server runs on its own loop, it guards its state with a
lock and reaches the loop (to drop watch streams) through ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kubesim.apiserver.request_log import query_matches

_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


_FLOOD_LINE = b"flood: a server that ignores limitBytes keeps on writing this line\n"


@dataclass(slots=True)
class Flood:
    """Text served whole whatever the request asked, as a server that ignores ``limitBytes``
    (or a proxy's page where JSON belongs) would; it counts what it wrote before the client
    hung up."""

    size: int
    """Bytes the server tries to write."""
    sent: int = 0
    """Bytes written so far (the socket buffers hold some the client never read)."""
    ended: bool = False
    """The answer is over: all written, or the client gone."""

    @property
    def dropped(self) -> bool:
        """The client closed the connection before the end of the log."""
        return self.ended and self.sent < self.size

    async def pour(self, write: Callable[[bytes], Awaitable[None]]) -> None:
        """Write the log through ``write`` until the end or until the client has gone."""
        chunk = _FLOOD_LINE * (65_536 // len(_FLOOD_LINE))
        try:
            while self.sent < self.size:
                part = chunk[: self.size - self.sent]
                await write(part)
                self.sent += len(part)
                await asyncio.sleep(0)  # let the loop see a hang-up: writes to a dead socket pass
        except ConnectionResetError:
            pass
        finally:
            self.ended = True


@dataclass(slots=True)
class Rule:
    """A fault: requests matching method/path/query get a delay and/or a canned answer."""

    method: str | None
    path: re.Pattern[str] | None
    query: Mapping[str, str] | None
    times: int | None
    """How many more requests it applies to (None: forever)."""
    delay: float = 0.0
    status: int | None = None
    body: dict[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    flood: Flood | None = None
    hits: int = 0

    def matches(self, method: str, path: str, query: Mapping[str, str]) -> bool:
        """Whether a request falls under this rule."""
        if self.times is not None and self.times <= 0:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        if self.path is not None and not self.path.search(path):
            return False
        return query_matches(query, self.query)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the faults say about one request."""

    delay: float
    status: int | None
    body: dict[str, Any] | None
    headers: Mapping[str, str]
    flood: Flood | None = None


def status_body(code: int, message: str, reason: str | None = None) -> dict[str, Any]:
    """A ``Status`` failure body for an injected answer."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason or _REASONS.get(code, ""),
        "code": code,
    }


class Dropper(Protocol):
    """Closes every open watch stream (abruptly: reset the connection); returns how many."""

    def __call__(self, *, abrupt: bool) -> int: ...


class Faults:
    """Fault injection for tests; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self._expire_watches = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._dropper: Dropper | None = None

    # --- used by tests -------------------------------------------------------------------------

    def delay(
        self,
        seconds: float,
        *,
        method: str | None = None,
        path: str | None = None,
        query: Mapping[str, str] | None = None,
        times: int | None = None,
    ) -> Rule:
        """Answer matching requests (all, by default) ``seconds`` later."""
        return self._add(Rule(method, _compile(path), query, times, delay=seconds))

    def respond(
        self,
        status: int,
        *,
        method: str | None = None,
        path: str | None = None,
        query: Mapping[str, str] | None = None,
        times: int | None = 1,
        message: str = "injected fault",
        reason: str | None = None,
        body: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
    ) -> Rule:
        """Answer matching requests with ``status`` and a Status body ``times`` times (None: ever).

        ``path`` is a regular expression searched in the URL path.
        """
        return self._add(
            Rule(
                method,
                _compile(path),
                query,
                times,
                delay=delay,
                status=status,
                body=body if body is not None else status_body(status, message, reason),
                headers=dict(headers or {}),
            )
        )

    def flood(self, size: int, *, path: str = "/log$", times: int | None = 1) -> Flood:
        """Answer matching GETs (log reads, by default) with ``size`` bytes of plain text,
        whatever they asked (``limitBytes``, ``tailLines``, JSON); the ``Flood`` tells how much
        got written."""
        flood = Flood(size)
        self._add(Rule("GET", _compile(path), None, times, flood=flood))
        return flood

    def expire_next_watch(self, count: int = 1) -> None:
        """The next ``count`` watch requests get an ERROR event with a 410 Expired Status."""
        with self._lock:
            self._expire_watches += count

    def drop_watches(self, *, abrupt: bool = True) -> int:
        """Close every open watch stream now: abruptly (connection reset) or as a clean end.

        Returns how many were closed.
        """
        with self._lock:
            loop, dropper = self._loop, self._dropper
        if loop is None or dropper is None:
            return 0
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            return dropper(abrupt=abrupt)

        async def drop() -> int:
            return dropper(abrupt=abrupt)

        return asyncio.run_coroutine_threadsafe(drop(), loop).result(timeout=10)

    def remove(self, rule: Rule) -> None:
        """Withdraw one rule."""
        with self._lock:
            if rule in self._rules:
                self._rules.remove(rule)

    def clear(self) -> None:
        """Withdraw every rule and pending expiry."""
        with self._lock:
            self._rules.clear()
            self._expire_watches = 0

    # --- used by the server --------------------------------------------------------------------

    def bind(self, loop: asyncio.AbstractEventLoop, dropper: Dropper) -> None:
        """Attach to the running server (its loop and its watch-dropping function)."""
        with self._lock:
            self._loop, self._dropper = loop, dropper

    def verdict(self, method: str, path: str, query: Mapping[str, str]) -> Verdict | None:
        """The delay/answer for one request, consuming one use of each matching rule."""
        delay, answer = 0.0, None
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path, query):
                    continue
                canned = rule.status is not None or rule.flood is not None
                if canned and answer is not None:
                    continue  # the first canned answer wins; later ones keep their uses
                rule.hits += 1
                if rule.times is not None:
                    rule.times -= 1
                delay += rule.delay
                if canned:
                    answer = rule
            self._rules = [r for r in self._rules if r.times is None or r.times > 0]
        if delay == 0.0 and answer is None:
            return None
        if answer is None:
            return Verdict(delay, None, None, {})
        return Verdict(delay, answer.status, answer.body, answer.headers, answer.flood)

    def take_watch_expiry(self) -> bool:
        """Whether this watch must answer 410 (consumes one pending expiry)."""
        with self._lock:
            if self._expire_watches > 0:
                self._expire_watches -= 1
                return True
            return False

    def _add(self, rule: Rule) -> Rule:
        with self._lock:
            self._rules.append(rule)
        return rule


def _compile(path: str | None) -> re.Pattern[str] | None:
    return re.compile(path) if path is not None else None


def now() -> float:
    """The request log's clock."""
    return time.monotonic()
