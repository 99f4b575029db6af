"""The link between HTTP mode's two processes: the ack process (``slack_front``) and the bot's
(``slack_http.AckProcess``), over a socket pair.

It carries frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
  bot -> ack:  config (first, once), done (a forwarded request ended), stop
  ack -> bot:  listening (the port is open) or failed (it could not be), job (a request
               admitted), busy (a click without room: tell its author), log (a log record)

The ack process counts the requests it forwarded against the workers' bounds (``Admission``),
so that it can say "busy" without asking the bot's process.
"""

from __future__ import annotations

import itertools
import json
import struct
from collections import Counter
from dataclasses import dataclass
from typing import Any, Final

from bot.transport.slack_delivery import Origin
from bot.transport.slack_workers import WorkerSizes

FRAME_HEADER: Final = struct.Struct(">I")
MAX_FRAME_BYTES: Final = 4 * 1024 * 1024
"""More than a forwarded request can be: a body (at most 1 MiB) and its headers."""

Frame = dict[str, Any]


def encode_frame(frame: Frame) -> bytes:
    """One frame on the link: its length, then its JSON."""
    data = json.dumps(frame, separators=(",", ":")).encode()
    return FRAME_HEADER.pack(len(data)) + data


def decode_frame(data: bytes) -> Frame:
    """A frame's JSON (ValueError when it is not a JSON object)."""
    frame = json.loads(data)
    if not isinstance(frame, dict):
        msg = "a link frame must be a JSON object"
        raise ValueError(msg)
    return frame


def frame_length(header: bytes) -> int:
    """The length a frame's header announces (ValueError past ``MAX_FRAME_BYTES``)."""
    (size,) = FRAME_HEADER.unpack(header)
    if size > MAX_FRAME_BYTES:
        msg = f"a link frame of {size} bytes is over the bound"
        raise ValueError(msg)
    return int(size)


@dataclass(frozen=True, slots=True)
class Ticket:
    """A request admitted: its number on the link, whose it is, which pool it runs on."""

    number: int
    user: str
    long: bool


class Admission:
    """The workers' bounds (``slack_workers.Workers``), counted here so the ack can say "busy"
    without asking the bot's process: each admitted request counts until the bot says it ended.

    The bot's own counts can only be lower (it forgets a request before this hears of it), so
    what this admits the workers take.
    """

    def __init__(self, sizes: WorkerSizes) -> None:
        self._sizes = sizes
        self._per_user: Counter[str] = Counter()
        self._per_pool: Counter[bool] = Counter()
        self._tickets: dict[int, Ticket] = {}
        self._numbers = itertools.count(1)

    def enter(self, user: str, *, long: bool) -> Ticket | None:
        """A ticket for ``user``'s request, or None when one of the bounds is reached."""
        sizes = self._sizes
        room = (sizes.long_workers if long else sizes.workers) + max(sizes.queue, 0)
        if self._per_user[user] >= sizes.per_user or self._per_pool[long] >= room:
            return None
        ticket = Ticket(next(self._numbers), user, long)
        self._per_user[user] += 1
        self._per_pool[long] += 1
        self._tickets[ticket.number] = ticket
        return ticket

    def leave(self, number: int) -> None:
        """The request ``number`` ended (an unknown number is ignored)."""
        ticket = self._tickets.pop(number, None)
        if ticket is None:
            return
        self._per_pool[ticket.long] -= 1
        self._per_user[ticket.user] -= 1
        if self._per_user[ticket.user] <= 0:
            del self._per_user[ticket.user]

    def in_flight(self) -> int:
        return len(self._tickets)


def origin_fields(origin: Origin) -> dict[str, Any]:
    return {
        "channel": origin.channel,
        "user_id": origin.user_id,
        "response_url": origin.response_url,
    }


def origin_from(fields: Any) -> Origin | None:
    """The ``Origin`` a frame carries (None when it carries none)."""
    if not isinstance(fields, dict):
        return None
    return Origin(
        channel=str(fields.get("channel", "")),
        user_id=str(fields.get("user_id", "")),
        response_url=fields.get("response_url") or None,
    )
