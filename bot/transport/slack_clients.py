"""The two HTTP clients the Slack app speaks through, both retrying what is worth retrying.

slack_sdk retries only connection errors by default. Slack answers bursts with 429 and a
``Retry-After`` header and has the odd 5xx, so both the Web API client and the ``response_url``
client retry rate limits, server errors and dropped connections. Every wait is bounded (a
``Retry-After`` beyond ``MAX_RETRY_AFTER`` is cut to it) and ends at once when the process is
shutting down (``SHUTDOWN`` is set), so a Slack that says "come back in an hour" can neither
park a thread for an hour nor keep SIGTERM from stopping the bot. Bolt's own ``respond()`` builds
a bare ``WebhookClient`` per call, which is why replies go through ``response_client`` instead.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Final

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

SLACK_API_URL: Final = "https://slack.com/api/"
"""Slack's Web API base URL; ``slack.api_url`` / ``SLACK_API_URL`` point elsewhere (tests)."""

RATE_LIMIT_RETRIES: Final = 3
SERVER_ERROR_RETRIES: Final = 3
CONNECTION_RETRIES: Final = 2
TIMEOUT_SECONDS: Final = 15
MAX_RETRY_AFTER: Final = 60.0
"""Longest wait for one ``Retry-After``, in seconds (three of them bound a call to ~3 minutes)."""
BACKOFF_SECONDS: Final = (0.5, 1.0, 2.0)
"""Waits before the 1st, 2nd and 3rd retry of a server or connection error."""

SHUTDOWN: Final = threading.Event()
"""Set when the process is shutting down: every retry wait ends and no retry follows."""
_jitter = random.Random()
"""A private generator: retries must not touch the global ``random`` state tests seed."""


def _backoff(attempt: int, _: HttpResponse | None) -> float:
    """``BACKOFF_SECONDS`` for this attempt, spread by up to half of it."""
    return BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)] * (1 + _jitter.random() / 2)


def retry_after_wait(_: int, response: HttpResponse | None) -> float:
    """What ``Retry-After`` asks (capped at ``MAX_RETRY_AFTER``), plus up to a second."""
    headers = response.headers if response is not None else {}
    values = next((v for k, v in headers.items() if k.lower() == "retry-after"), ["1"])
    try:
        seconds = float(values[0])
    except (ValueError, IndexError):
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER) + _jitter.random()


def _rate_limited(response: HttpResponse | None, _: Exception | None) -> bool:
    return response is not None and response.status_code == 429


def _server_error(response: HttpResponse | None, _: Exception | None) -> bool:
    return response is not None and response.status_code >= 500


_DROPPED: Final = tuple(ConnectionErrorRetryHandler().error_types_to_do_retries)
"""slack_sdk's own list of reset / refused connection errors."""


def _dropped(response: HttpResponse | None, error: Exception | None) -> bool:
    return response is None and isinstance(error, _DROPPED)


class _Retry(RetryHandler):
    """Retries what ``when`` accepts after ``wait`` seconds; ``stop`` ends the wait and retries."""

    def __init__(
        self,
        *,
        max_retry_count: int,
        stop: threading.Event,
        when: Callable[[HttpResponse | None, Exception | None], bool],
        wait: Callable[[int, HttpResponse | None], float],
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._stop = stop
        self._when = when
        self._wait = wait

    def _can_retry(
        self,
        *,
        response: HttpResponse | None = None,
        error: Exception | None = None,
        **_: object,
    ) -> bool:
        return not self._stop.is_set() and self._when(response, error)

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        response: HttpResponse | None = None,
        **_: object,
    ) -> None:
        if self._stop.wait(self._wait(state.current_attempt, response)):
            return  # no next attempt: the call ends with what it got
        state.next_attempt_requested = True
        state.increment_current_attempt()


def retry_handlers(*, stop: threading.Event = SHUTDOWN) -> list[RetryHandler]:
    """Fresh handlers (they keep no state, but clients must not share one list object)."""
    return [
        _Retry(max_retry_count=CONNECTION_RETRIES, stop=stop, when=_dropped, wait=_backoff),
        _Retry(
            max_retry_count=RATE_LIMIT_RETRIES, stop=stop, when=_rate_limited, wait=retry_after_wait
        ),
        _Retry(max_retry_count=SERVER_ERROR_RETRIES, stop=stop, when=_server_error, wait=_backoff),
    ]


def web_client(
    token: str, *, base_url: str | None = None, stop: threading.Event = SHUTDOWN
) -> WebClient:
    """The bot's Web API client (``xoxb-`` token); the Socket Mode handler reuses it."""
    return WebClient(
        token=token,
        base_url=base_url or SLACK_API_URL,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(stop=stop),
    )


def response_client(response_url: str, *, stop: threading.Event = SHUTDOWN) -> WebhookClient:
    """A client for one ``response_url`` (5 posts within 30 minutes, per Slack)."""
    return WebhookClient(
        url=response_url, timeout=TIMEOUT_SECONDS, retry_handlers=retry_handlers(stop=stop)
    )
