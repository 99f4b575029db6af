"""The two HTTP clients the Slack app speaks through, both retrying what Slack asks us to retry.

slack_sdk retries only connection errors by default; Slack answers bursts with 429 and a
``Retry-After`` header, so both the Web API client and the ``response_url`` client get
``RateLimitErrorRetryHandler`` (it sleeps Retry-After, plus up to a second of jitter). Bolt's own
``respond()`` builds a bare ``WebhookClient`` per call, which is why replies go through
``response_client`` instead.
"""

from __future__ import annotations

from typing import Final

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.webhook import WebhookClient

SLACK_API_URL: Final = "https://slack.com/api/"
"""Slack's Web API base URL; ``slack.api_url`` / ``SLACK_API_URL`` point elsewhere (tests)."""

RATE_LIMIT_RETRIES: Final = 3
CONNECTION_RETRIES: Final = 2
TIMEOUT_SECONDS: Final = 15


def retry_handlers() -> list[RetryHandler]:
    """Fresh handlers (they keep no state, but clients must not share one list object)."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
    ]


def web_client(token: str, *, base_url: str | None = None) -> WebClient:
    """The bot's Web API client (``xoxb-`` token); the Socket Mode handler reuses it."""
    return WebClient(
        token=token,
        base_url=base_url or SLACK_API_URL,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(),
    )


def response_client(response_url: str) -> WebhookClient:
    """A client for one ``response_url`` (5 posts within 30 minutes, per Slack)."""
    return WebhookClient(url=response_url, timeout=TIMEOUT_SECONDS, retry_handlers=retry_handlers())
