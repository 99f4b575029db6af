"""HTTP mode: Slack POSTs commands and clicks to ``/slack/events``, served by aiohttp.

Bolt's ``App.start()`` is ``http.server`` (single-threaded; its docstring says not for
production) and Bolt's aiohttp adapter expects the asyncio ``AsyncApp``. The service and the
Kubernetes client block, so the app stays the thread-based ``App``, and the event loop only
does what the ack needs: it checks the v0 signature with slack_sdk's ``SignatureVerifier``
(microseconds), refuses a replay, gives the request to the workers and answers 200 at once, or
the "busy" message when they have no room. No thread is involved before the ack, so the ack
cannot wait behind work, however much of it is running. Replays are refused twice over: from
this process's memory on the loop (free), then, on the worker, from the record every replica
shares in the cluster (``bot.gateway.seen_requests``), so that one signed request runs once.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import signal
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Final
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt import BoltRequest

from bot.core.grammar import MAX_COMMAND_BYTES
from bot.transport.slack_app import SlackApp
from bot.transport.slack_intake import form_payload

logger = logging.getLogger(__name__)

EVENTS_PATH: Final = "/slack/events"
HEALTH_PATH: Final = "/healthz"
MAX_BODY_BYTES: Final = 1024 * 1024
"""Slack's payloads are a few KB; anything far larger is not Slack."""
REPLAY_WINDOW_SECONDS: Final = 300.0
"""Slack's signatures are honoured for five minutes; a replay within them is answered once."""
_TIMESTAMP: Final = re.compile(r"[0-9]{1,15}")
"""What ``X-Slack-Request-Timestamp`` holds: Unix seconds. slack_sdk's verifier calls ``int()``
on it unguarded, so anything else would be a 500 with a traceback instead of a 401."""
LOOP_SWITCH_INTERVAL: Final = 0.001
"""Seconds a running thread keeps the interpreter once the loop asks (``favour_the_loop``)."""
COLLECTOR_THRESHOLDS: Final = (10_000, 50, 100)
"""The cyclic collector's thresholds once serving (``settle_the_collector``); CPython's are
(700, 10, 10)."""
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


def web_application(app: SlackApp) -> web.Application:
    """The aiohttp application: ``POST /slack/events`` and ``GET /healthz``."""
    verifier = app.verifier
    if verifier is None:
        msg = "HTTP mode needs the signing secret (build_app(signing_secret=...))"
        raise ValueError(msg)
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
            return web.json_response(app.intake.refuse_too_long(form_payload(fields), size))
        form = parse_qs(body, keep_blank_values=True)
        if "ssl_check" in form:  # Slack checking the certificate of a slash command's URL
            return web.Response(status=200)
        headers: dict[str, str | Sequence[str]] = {
            key: request.headers.getall(key) for key in request.headers
        }
        job = _once(app, signature, body, request.query_string, headers)
        answer = app.intake.take(form_payload(form), job)
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


def _once(
    app: SlackApp,
    signature: str,
    body: str,
    query: str,
    headers: dict[str, str | Sequence[str]],
) -> Callable[[], None]:
    """The worker's job: dispatch, unless another replica took the signature already (asked
    on the worker's thread: the cluster's answer takes milliseconds, the ack must not). Bolt's
    request (which parses the body again) is built there too, off the loop."""
    shared = app.seen

    def job() -> None:
        if shared is not None and not shared.first_time(signature):
            logger.warning("ignored a replayed Slack request (another replica took it)")
            return
        app.dispatch(BoltRequest(body=body, query=query, headers=headers))

    return job


def favour_the_loop() -> None:
    """Let the event loop take the interpreter back within a millisecond of asking.

    Only one thread runs Python at a time, and one that wants to run waits for the running one
    to yield, for up to the switch interval (5 ms by default), and may then lose to another
    thread that was waiting too. With 16 workers rendering replies, the loop waited so several
    times over for each ack; at 1 ms it waits a fifth as long, for a little more switching.
    """
    sys.setswitchinterval(min(sys.getswitchinterval(), LOOP_SWITCH_INTERVAL))


def settle_the_collector() -> None:
    """Keep the cyclic garbage collector's pauses off the acks.

    A full collection walks every object the process holds, and everything built at start-up
    (the Kubernetes client's models, Slack's, the settings, the discovery cache) stays for the
    process's life: measured in the bench's process, collections took about a sixth of its CPU
    and each full one 80-150 ms, an ack's p99 several times over. So what start-up built is
    frozen (never walked again, ``gc.freeze``), and young objects are collected less often
    (a command's garbage is mostly freed by reference counting anyway). Called once by
    ``serve_http``, before the port opens; the benchmark's bot calls it as that does.
    """
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


def serve_http(
    app: SlackApp,
    *,
    host: str,
    port: int,
    stop: threading.Event,
    listening: Callable[[], None] = lambda: None,
) -> None:
    """Serve until ``stop`` is set (SIGTERM), then stop listening: requests being acked are
    answered, new ones are refused by the closed port. ``listening`` is called once the port is
    open (readiness)."""
    favour_the_loop()
    settle_the_collector()

    async def main() -> None:
        runner = web.AppRunner(web_application(app), access_log=None, shutdown_timeout=5)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
            logger.info("serving Slack requests at http://%s:%d%s", host, port, EVENTS_PATH)
            listening()
            await until_stopped(stop)
        finally:
            await runner.cleanup()

    asyncio.run(main())


async def until_stopped(stop: threading.Event) -> None:
    """Wait for ``stop``; on the main thread SIGTERM and SIGINT set it.

    The signals are taken by the event loop (``add_signal_handler`` wakes it through a pipe),
    because the kernel may hand a process's signal to any of its threads: a handler set with
    ``signal.signal`` then runs only once the main thread wakes up by itself, which an idle
    server's main thread, blocked in ``select``, never does.
    """
    loop = asyncio.get_running_loop()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, _stop_on, signum, stop)
    await loop.run_in_executor(None, stop.wait)


def _stop_on(signum: int, stop: threading.Event) -> None:
    logger.info("received %s; taking no new requests", signal.Signals(signum).name)
    stop.set()


@contextmanager
def running_http(app: SlackApp, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve from a background thread (tests, embedding); yields the events URL."""
    favour_the_loop()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="slack-http-server", daemon=True)
    thread.start()
    runner = web.AppRunner(web_application(app), access_log=None, shutdown_timeout=1)

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound: int = runner.addresses[0][1]
        return bound

    async def stop() -> None:
        await runner.cleanup()
        # The connections cleanup closed finish closing on the loop's next pass: let it run
        # before the loop stops, or their sockets stay open.
        await asyncio.sleep(0)

    try:
        bound = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
        yield f"http://{host}:{bound}{EVENTS_PATH}"
    finally:
        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
