"""Slack's ``response_url`` rules: each URL takes 5 posts within 30 minutes of the payload.

(api.slack.com/interactivity/handling#message_responses.) Past either limit Slack answers an
error instead of posting, which is what the bot's fallbacks are tested against.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakeslack.webapi import message_problem

USES = 5
LIFETIME_SECONDS = 30 * 60.0


@dataclass(slots=True)
class _Url:
    created: float
    uses: list[float] = field(default_factory=list)


class ResponseUrls:
    """The URLs handed out so far and their uses; the caller serialises access."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._urls: dict[str, _Url] = {}

    def issue(self) -> str:
        """A fresh URL id."""
        rid = uuid.uuid4().hex
        self._urls[rid] = _Url(created=self._clock())
        return rid

    def use(self, rid: str, body: dict[str, Any]) -> tuple[int, str]:
        """Post ``body`` to URL ``rid``: (HTTP status, Slack's answer text)."""
        now = self._clock()
        entry = self._urls.get(rid)
        if entry is None:
            return 404, "no_service"
        if now - entry.created > LIFETIME_SECONDS:
            return 404, "expired_url"
        if len(entry.uses) >= USES:
            return 404, "used_url"
        problem = message_problem(body)
        if problem and not body.get("delete_original"):
            return 400, problem
        entry.uses.append(now)
        return 200, "ok"
