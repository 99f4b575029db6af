"""HTTP mode: Slack POSTs commands and clicks to ``/slack/events``, served by aiohttp.

Bolt's ``App.start()`` is ``http.server`` (single-threaded; its docstring says not for
production) and Bolt's aiohttp adapter expects the asyncio ``AsyncApp``. The service and the
Kubernetes client block, so the app stays the thread-based ``App``, and the event loop only
does what the ack needs (``bot.transport.slack_front``); the workers then run the request.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

from aiohttp import web
from slack_bolt import BoltRequest

from bot.transport.slack_app import SlackApp
from bot.transport.slack_front import (
    EVENTS_PATH,
    Signed,
    ack_application,
)

logger = logging.getLogger(__name__)

LOOP_SWITCH_INTERVAL: Final = 0.001
"""Seconds a running thread keeps the interpreter once the loop asks (``favour_the_loop``)."""
COLLECTOR_THRESHOLDS: Final = (10_000, 50, 100)
"""The cyclic collector's thresholds once serving (``settle_the_collector``); CPython's are
(700, 10, 10)."""


def web_application(app: SlackApp) -> web.Application:
    """The aiohttp application serving ``app``: the ack (``slack_front``), then its workers."""
    verifier = app.verifier
    if verifier is None:
        msg = "HTTP mode needs the signing secret (build_app(signing_secret=...))"
        raise ValueError(msg)

    def take(payload: dict[str, Any], signed: Signed) -> dict[str, Any] | None:
        job = _once(app, signed.signature, signed.body, signed.query, signed.headers)
        return app.intake.take(payload, job)

    return ack_application(verifier, take, app.intake.refuse_too_long)


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
