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

import asyncio
import gc
import logging
import os
import re
import signal
import socket
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qs

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.core.grammar import MAX_COMMAND_BYTES
from bot.transport.slack_delivery import Origin
from bot.transport.slack_intake import admit, form_payload, origin_of, refuse_too_long
from bot.transport.slack_link import (
    FRAME_HEADER,
    Admission,
    Frame,
    Ticket,
    decode_frame,
    encode_frame,
    frame_length,
    origin_fields,
)
from bot.transport.slack_workers import WorkerSizes

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


# --- the ack's process --------------------------------------------------------------------------
#
# ``k8s-chatops run`` serves HTTP mode from two processes. This one, started by the bot's own
# (``slack_http.AckProcess``), owns the port: it verifies, admits and acks every request, and
# forwards what it admitted to the bot's process over a socket pair (``slack_link``). The
# workers' Python shares one interpreter lock, so an ack served in their process waited for them
# whenever they worked (p99 of 200-330 ms at 50 commands in flight, 6-8x the floor); here
# nothing else runs Python.


LOG_BACKLOG_BYTES: Final = 8 * 1024 * 1024
"""Past this much unsent on the link, log records are dropped (the bot's process is not reading:
the requests admitted are bounded by the workers' bounds, the records by nothing else)."""


class _LinkLog(logging.Handler):
    """Sends this process's log records to the bot's, which logs them as its own (its format,
    its redaction)."""

    def __init__(self, send: Callable[[Frame], None], backlog: Callable[[], int]) -> None:
        super().__init__()
        self._send = send
        self._backlog = backlog

    def emit(self, record: logging.LogRecord) -> None:
        if self._backlog() > LOG_BACKLOG_BYTES:
            return
        try:
            self._send(
                {
                    "t": "log",
                    "name": record.name,
                    "level": record.levelno,
                    "msg": self.format(record),
                }
            )
        except Exception:  # noqa: BLE001 - a log record must never take the ack down
            self.handleError(record)


def front_take(admission: Admission, send: Callable[[Frame], None]) -> Take:
    """``take`` for the ack's process: admit against ``admission``, forward to the bot."""

    def take(payload: dict[str, Any], signed: Signed) -> dict[str, Any] | None:
        admitted: list[Ticket] = []

        def submit(user: str, *, long: bool) -> bool:
            ticket = admission.enter(user, long=long)
            if ticket is not None:
                admitted.append(ticket)
            return ticket is not None

        def tell_busy(origin: Origin) -> None:
            send({"t": "busy", "origin": origin_fields(origin)})

        answer = admit(payload, submit, tell_busy)
        for ticket in admitted:
            origin = origin_of(payload)
            send(
                {
                    "t": "job",
                    "number": ticket.number,
                    "user": ticket.user,
                    "long": ticket.long,
                    "signature": signed.signature,
                    "body": signed.body,
                    "query": signed.query,
                    "headers": signed.headers,
                    "origin": None if origin is None else origin_fields(origin),
                }
            )
        return answer

    return take


async def _read_frame(reader: asyncio.StreamReader) -> Frame | None:
    try:
        header = await reader.readexactly(FRAME_HEADER.size)
        return decode_frame(await reader.readexactly(frame_length(header)))
    except asyncio.IncompleteReadError:
        return None


async def _serve(link: socket.socket) -> int:
    reader, writer = await asyncio.open_unix_connection(sock=link)

    def send(frame: Frame) -> None:
        writer.write(encode_frame(frame))

    config = await _read_frame(reader)
    if config is None or config.get("t") != "config":
        return 2
    root = logging.getLogger()
    root.handlers[:] = [_LinkLog(send, writer.transport.get_write_buffer_size)]
    root.setLevel(int(config.get("log_level", logging.INFO)))
    sizes = WorkerSizes(**config["sizes"])
    admission = Admission(sizes)
    application = ack_application(
        SignatureVerifier(str(config["secret"])), front_take(admission, send), refuse_too_long
    )
    runner = web.AppRunner(application, access_log=None, shutdown_timeout=5)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, str(config["host"]), int(config["port"])).start()
        except OSError as e:
            send({"t": "failed", "error": str(e)})
            await writer.drain()
            return 1
        send({"t": "listening", "port": runner.addresses[0][1], "pid": os.getpid()})
        settle_the_collector()
        while (frame := await _read_frame(reader)) is not None:
            kind = frame.get("t")
            if kind == "done":
                admission.leave(int(frame["number"]))
            elif kind == "stop":
                break
        # EOF: the bot's process is gone, and with it whatever this would hand over
    finally:
        await runner.cleanup()
        await asyncio.sleep(0)  # the connections cleanup closed finish closing
        writer.close()
    return 0


COLLECTOR_THRESHOLDS: Final = (10_000, 50, 100)
"""The cyclic collector's thresholds once serving (``settle_the_collector``); CPython's are
(700, 10, 10)."""


def settle_the_collector() -> None:
    """Keep the cyclic garbage collector's pauses off the acks and the answers.

    A full collection walks every object the process holds, and everything built at start-up
    (the Kubernetes client's models, Slack's, the settings, the discovery cache) stays for the
    process's life: measured in the bench's process, collections took about a sixth of its CPU
    and each full one 80-150 ms. So what start-up built is frozen (never walked again,
    ``gc.freeze``), and young objects are collected less often (a command's garbage is mostly
    freed by reference counting anyway). Called by both processes once they serve.
    """
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


def main(argv: Sequence[str]) -> int:
    """``python -m bot.transport.slack_front FD``: serve the acks, linked to the bot on FD."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the bot stops this
    link = socket.socket(fileno=int(argv[1]))
    return asyncio.run(_serve(link))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
