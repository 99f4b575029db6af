"""The two HTTP clients the Slack app speaks through, both retrying what is worth retrying.

slack_sdk retries only connection errors by default. Slack answers bursts with 429 and a
``Retry-After`` header and has the odd 5xx, so both the Web API client and the ``response_url``
client retry rate limits, server errors and dropped connections. Every wait is bounded (a
``Retry-After`` beyond ``MAX_RETRY_AFTER`` is cut to it) and ends at once when the process is
shutting down (``SHUTDOWN`` is set), so a Slack that says "come back in an hour" can neither
park a thread for an hour nor keep SIGTERM from stopping the bot. Bolt's own ``respond()`` builds
a bare ``WebhookClient`` per call, which is why replies go through ``response_client`` instead.

Both clients share one TLS context (``tls_context``) for HTTPS URLs. Given none, slack_sdk opens
each HTTPS connection with a context of its own (urllib's default), and making one reads the
system's CA bundle again: about 45 ms of CPU per Slack call on the test machine, holding the
interpreter from every other thread (the acks' loop included). Plain-HTTP URLs (a fake Slack)
get none: given a context, urllib builds a new opener for each call (0.4 ms), which only
HTTPS repays.
"""

from __future__ import annotations

import functools
import random
import ssl
import threading
from collections.abc import Callable
from typing import Any, Final

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient, WebhookResponse

from bot.telemetry import Metrics

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
        reason: str = "",
        metrics: Metrics | None = None,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._stop = stop
        self._when = when
        self._wait = wait
        self._reason = reason
        self._metrics = metrics

    def _can_retry(
        self,
        *,
        response: HttpResponse | None = None,
        error: Exception | None = None,
        **_: object,
    ) -> bool:
        if (
            self._metrics is not None
            and self._when is _rate_limited
            and _rate_limited(response, error)
        ):
            self._metrics.slack_rate_limited.inc()  # every 429, retried or not
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
        if self._metrics is not None:
            self._metrics.slack_retry(self._reason)
        state.next_attempt_requested = True
        state.increment_current_attempt()


def retry_handlers(
    *, stop: threading.Event = SHUTDOWN, metrics: Metrics | None = None
) -> list[RetryHandler]:
    """Fresh handlers (they keep no state, but clients must not share one list object);
    ``metrics`` counts their retries and the 429s they see."""
    return [
        _Retry(
            max_retry_count=CONNECTION_RETRIES,
            stop=stop,
            when=_dropped,
            wait=_backoff,
            reason="connection",
            metrics=metrics,
        ),
        _Retry(
            max_retry_count=RATE_LIMIT_RETRIES,
            stop=stop,
            when=_rate_limited,
            wait=retry_after_wait,
            reason="rate_limited",
            metrics=metrics,
        ),
        _Retry(
            max_retry_count=SERVER_ERROR_RETRIES,
            stop=stop,
            when=_server_error,
            wait=_backoff,
            reason="server_error",
            metrics=metrics,
        ),
    ]


class CountedWebClient(WebClient):
    """The Web API client, counting each call (retries apart) in ``metrics``."""

    def __init__(self, *, metrics: Metrics | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.metrics = metrics

    def api_call(self, api_method: str, **options: Any) -> SlackResponse:
        """Count the call, then make it."""
        if self.metrics is not None:
            self.metrics.slack_call(api_method)
        return super().api_call(api_method, **options)


class CountedWebhookClient(WebhookClient):
    """A ``response_url`` client counting each post as the method ``response_url``."""

    def __init__(self, *, metrics: Metrics | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.metrics = metrics

    def send_dict(
        self, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> WebhookResponse:
        """Count the post, then send it."""
        if self.metrics is not None:
            self.metrics.slack_call("response_url")
        return super().send_dict(body, headers)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS context of every Slack call: the system's CAs, verified as urllib's default
    would (made on first use, then shared: a context is safe to share between threads)."""
    return ssl.create_default_context()


def _tls_for(url: str) -> ssl.SSLContext | None:
    """``tls_context`` for an HTTPS URL; None (urllib's shared opener) for plain HTTP."""
    return tls_context() if url.lower().startswith("https:") else None


def web_client(
    token: str,
    *,
    base_url: str | None = None,
    stop: threading.Event = SHUTDOWN,
    metrics: Metrics | None = None,
) -> CountedWebClient:
    """The bot's Web API client (``xoxb-`` token); the Socket Mode handler reuses it."""
    return CountedWebClient(
        token=token,
        base_url=base_url or SLACK_API_URL,
        timeout=TIMEOUT_SECONDS,
        ssl=_tls_for(base_url or SLACK_API_URL),
        retry_handlers=retry_handlers(stop=stop, metrics=metrics),
        metrics=metrics,
    )


def response_client(
    response_url: str, *, stop: threading.Event = SHUTDOWN, metrics: Metrics | None = None
) -> WebhookClient:
    """A client for one ``response_url`` (5 posts within 30 minutes, per Slack)."""
    return CountedWebhookClient(
        url=response_url,
        timeout=TIMEOUT_SECONDS,
        ssl=_tls_for(response_url),
        retry_handlers=retry_handlers(stop=stop, metrics=metrics),
        metrics=metrics,
    )


def responder_for(client: WebClient) -> Callable[[str], WebhookClient]:
    """``response_client``, counting in the same metrics as ``client``."""
    metrics = client.metrics if isinstance(client, CountedWebClient) else None
    return lambda url: response_client(url, metrics=metrics)
