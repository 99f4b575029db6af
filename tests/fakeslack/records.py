"""What the fake Slack saw, as frozen records, so tests assert on data rather than on logs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class SlackUser:
    """A workspace member as payloads name them."""

    id: str
    name: str


ALICE = SlackUser("U0ALICE", "alice")
BOB = SlackUser("U0BOB", "bob")
CAROL = SlackUser("U0CAROL", "carol")
OPS_CHANNEL = "C0OPS"


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One Web API request (``/api/METHOD``) and the answer the fake gave."""

    method: str
    params: dict[str, Any]
    """Query string, form fields and JSON body merged; ``blocks``/``files`` decoded from JSON."""
    headers: dict[str, str]
    status: int
    response: dict[str, Any]

    @property
    def ok(self) -> bool:
        """True when Slack would have said ``"ok": true``."""
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def token(self) -> str | None:
        """The bearer token the caller sent (header or ``token`` param)."""
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth.removeprefix("Bearer ")
        token = self.params.get("token")
        return str(token) if token is not None else None


@dataclass(frozen=True, slots=True)
class ResponsePost:
    """One POST to a ``response_url`` the fake handed out, accepted or not."""

    url: str
    body: dict[str, Any]
    status: int
    """200 when accepted; 404 past the 5-uses/30-minutes limit; 429 when rate limited."""
    at: float = field(default_factory=time.perf_counter, compare=False)
    """When the fake took it (``time.perf_counter``): the benchmarks time replies by it."""


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file shared through the v2 upload flow (getUploadURLExternal → POST → complete)."""

    file_id: str
    filename: str
    title: str | None
    content: bytes
    channel: str | None
    thread_ts: str | None
    initial_comment: str | None


@dataclass(frozen=True, slots=True)
class Ack:
    """A Socket Mode acknowledgement: the envelope id and the optional response payload."""

    envelope_id: str
    payload: dict[str, Any] | None
