"""The ack: what answers Slack's HTTP requests, from an event loop that does nothing else.

Each request's v0 signature is checked with slack_sdk's ``SignatureVerifier`` (microseconds), a
replay is refused, a command text over the bound is refused, and the request is handed to the
workers, all before the answer: 200 at once, or the "busy" message when they have no room. No
thread is involved before the ack, so the ack cannot wait behind work. Replays are refused
twice over: from this process's memory here (free), then, on the worker, from the record every
replica shares in the cluster (``bot.gateway.seen_requests``), so that one signed request runs
once.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qs

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.core.grammar import MAX_COMMAND_BYTES
from bot.transport.slack_intake import form_payload

logger = logging.getLogger("bot.transport.slack_http")

EVENTS_PATH: Final = "/slack/events"
HEALTH_PATH: Final = "/healthz"
MAX_BODY_BYTES: Final = 1024 * 1024
"""Slack's payloads are a few KB; anything far larger is not Slack."""
REPLAY_WINDOW_SECONDS: Final = 300.0
"""Slack's signatures are honoured for five minutes; a replay within them is answered once."""
_TIMESTAMP: Final = re.compile(r"[0-9]{1,15}")
"""What ``X-Slack-Request-Timestamp`` holds: Unix seconds. slack_sdk's verifier calls ``int()``
on it unguarded, so anything else would be a 500 with a traceback instead of a 401."""
_REFUSED: Final = {"error": "invalid request"}
"""Bolt's answer to a request that fails verification, kept for the same clients."""


class SeenSignatures:
    """Signatures of the requests taken in the last ``window`` seconds, to answer a replay once.

    A signed request stays valid for Slack's five minutes, so one captured ``rollout restart``
    could otherwise be replayed at will. Only the event loop touches this (no lock needed).
    """

    def __init__(
        self,
        *,
        window: float = REPLAY_WINDOW_SECONDS,
        limit: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._window = window
        self._limit = limit
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, signature: str) -> bool:
        """Record ``signature``; False when it was already taken within the window."""
        now = self._clock()
        while self._seen and (
            next(iter(self._seen.values())) <= now or len(self._seen) >= self._limit
        ):
            self._seen.popitem(last=False)
        if signature in self._seen:
            return False
        self._seen[signature] = now + self._window
        return True


Take = Callable[[dict[str, Any], "Signed"], dict[str, Any] | None]
"""Hands a verified request to the workers: ``(payload, signed)`` -> the ack's payload (None:
an empty 200)."""
Refuse = Callable[[dict[str, Any], int], dict[str, Any]]
"""The ack refusing a command text of so many bytes, for ``payload``."""


@dataclass(frozen=True, slots=True)
class Signed:
    """A verified Slack request as it came: what a worker dispatches to Bolt."""

    signature: str
    body: str
    query: str
    headers: dict[str, str | Sequence[str]]


def ack_application(
    verifier: SignatureVerifier, take: Take, refuse_too_long: Refuse
) -> web.Application:
    """The aiohttp application: ``POST /slack/events`` and ``GET /healthz``."""
    seen = SeenSignatures()

    async def events(request: web.Request) -> web.Response:
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        raw = await request.read()
        if not _TIMESTAMP.fullmatch(timestamp) or not verifier.is_valid(
            body=raw, timestamp=timestamp, signature=signature
        ):
            return web.json_response(_REFUSED, status=401)
        if not seen.first_time(signature):
            logger.warning("ignored a replayed Slack request (its signature was already used)")
            return web.Response(status=200)
        body = raw.decode("utf-8", errors="replace")
        oversized = _oversized_text(body)
        if oversized is not None:  # refused before its text is decoded (linear, but slow)
            fields, size = oversized
            return web.json_response(refuse_too_long(form_payload(fields), size))
        form = parse_qs(body, keep_blank_values=True)
        if "ssl_check" in form:  # Slack checking the certificate of a slash command's URL
            return web.Response(status=200)
        headers: dict[str, str | Sequence[str]] = {
            key: request.headers.getall(key) for key in request.headers
        }
        answer = take(form_payload(form), Signed(signature, body, request.query_string, headers))
        if answer is None:
            return web.Response(status=200)
        return web.json_response(answer)

    async def health(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    application = web.Application(client_max_size=MAX_BODY_BYTES)
    application.router.add_post(EVENTS_PATH, events)
    application.router.add_get(HEALTH_PATH, health)
    return application


def _oversized_text(body: str) -> tuple[dict[str, list[str]], int] | None:
    """A slash command whose ``text`` is over the bound: its other fields and the text's size.

    The size is read from the encoded field (each ``%XX`` is one byte), so a 100 KB text is
    refused without being unquoted: ``parse_qs`` takes about 40 ms for it. None otherwise.
    """
    if body.startswith("text="):
        start = 0
    else:  # values are percent-encoded: "&text=" can only start the field
        start = body.find("&text=") + 1
        if start == 0:
            return None
    end = body.find("&", start)
    value = body[start + 5 : len(body) if end == -1 else end]
    if len(value) <= MAX_COMMAND_BYTES:  # decoding only shortens it
        return None
    size = len(value) - 2 * value.count("%")
    if size <= MAX_COMMAND_BYTES:
        return None
    rest = body[:start] + (body[end + 1 :] if end != -1 else "")
    return parse_qs(rest, keep_blank_values=True), size
