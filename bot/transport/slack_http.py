"""HTTP mode: Slack POSTs commands and clicks to ``/slack/events``, served by aiohttp.

Bolt's ``App.start()`` is ``http.server`` (single-threaded; its docstring says not for
production) and Bolt's aiohttp adapter expects the asyncio ``AsyncApp``. The service and the
Kubernetes client block, so the app stays the thread-based ``App``, run by the workers of this
process; the port is served by a process of its own that only acks (``slack_front``): it
verifies, admits and answers each request at once, and forwards what it admitted here over a
socket pair (``AckProcess``). Only one thread of a process runs Python at a time, so an ack
served beside the workers waited for them whenever they worked; in its own process it waits
for nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict
from typing import BinaryIO, Final

from slack_bolt import BoltRequest

from bot.transport.slack_app import SlackApp
from bot.transport.slack_front import EVENTS_PATH, settle_the_collector
from bot.transport.slack_link import (
    FRAME_HEADER,
    Frame,
    decode_frame,
    encode_frame,
    frame_length,
    origin_from,
)

logger = logging.getLogger(__name__)

START_SECONDS: Final = 30.0
"""How long the ack's process may take to open its port."""
STOP_SECONDS: Final = 10.0
"""How long it may take to close it once asked."""


class AckProcessEnded(RuntimeError):
    """The process serving the port ended without being asked to: no request can reach the
    bot any more (the requests already taken can still finish)."""


class AckProcess:
    """The process serving the port (``python -m bot.transport.slack_front``), and the link
    that brings the requests it admitted to ``app``'s workers.

    Started and listening once constructed (``port``); ``on_exit`` is called if it ends before
    ``stop``, which the bot treats as fatal (its port is gone).
    """

    def __init__(
        self,
        app: SlackApp,
        *,
        host: str,
        port: int,
        on_exit: Callable[[], None] = lambda: None,
    ) -> None:
        verifier = app.verifier
        if verifier is None:
            msg = "HTTP mode needs the signing secret (build_app(signing_secret=...))"
            raise ValueError(msg)
        self._app = app
        self._on_exit = on_exit
        self._stopping = threading.Event()
        self._sending = threading.Lock()
        self.failed = False
        """True when the process ended before it was asked to."""
        ours, theirs = socket.socketpair()
        self._link = ours
        argv = [sys.executable, "-m", "bot.transport.slack_front", str(theirs.fileno())]
        self._child = subprocess.Popen(argv, pass_fds=(theirs.fileno(),))
        theirs.close()
        self._frames: BinaryIO = ours.makefile("rb")
        try:
            self._send(
                {
                    "t": "config",
                    "secret": verifier.signing_secret,
                    "host": host,
                    "port": port,
                    "sizes": asdict(app.intake.workers.sizes),
                    "log_level": logging.getLogger("bot").getEffectiveLevel(),
                }
            )
            ours.settimeout(START_SECONDS)
            opened = self._read()
            ours.settimeout(None)
        except BaseException:
            self._end()
            self._close()
            raise
        if opened is None or opened.get("t") != "listening":
            self._end()
            self._close()
            why = "it exited" if opened is None else str(opened.get("error", opened))
            msg = f"could not serve HTTP on {host}:{port}: {why}"
            raise OSError(msg)
        self.port = int(opened["port"])
        self.pid = self._child.pid
        self._reader = threading.Thread(target=self._forward, name="slack-ack-link", daemon=True)
        self._reader.start()

    def stop(self) -> None:
        """Close the port (requests being acked are answered) and end the process."""
        self._stopping.set()
        with suppress(OSError):
            self._send({"t": "stop"})
        self._end()
        with suppress(OSError):  # the reader, if still reading, reads the end of the link
            self._link.shutdown(socket.SHUT_RDWR)
        self._reader.join(timeout=STOP_SECONDS)
        self._close()

    def _end(self) -> None:
        try:
            self._child.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            logger.warning("the ack process did not stop in %gs; killing it", STOP_SECONDS)
            self._child.kill()
            self._child.wait(timeout=STOP_SECONDS)

    def _close(self) -> None:
        self._frames.close()
        self._link.close()

    def _send(self, frame: Frame) -> None:
        data = encode_frame(frame)
        with self._sending:
            self._link.sendall(data)

    def _read(self) -> Frame | None:
        header = self._frames.read(FRAME_HEADER.size)
        if len(header) < FRAME_HEADER.size:
            return None
        size = frame_length(header)
        data = self._frames.read(size)
        if len(data) < size:
            return None
        return decode_frame(data)

    def _forward(self) -> None:
        """Hand each admitted request to the workers, until the link closes."""
        try:
            while (frame := self._read()) is not None:
                kind = frame.get("t")
                if kind == "job":
                    self._take(frame)
                elif kind == "busy" and (origin := origin_from(frame.get("origin"))) is not None:
                    self._app.intake.tell_busy(origin)
                elif kind == "log":
                    level = int(frame.get("level", logging.INFO))
                    logging.getLogger(str(frame.get("name"))).log(level, "%s", frame.get("msg"))
        except (OSError, ValueError) as e:
            if not self._stopping.is_set():
                logger.error("the link to the ack process failed: %s", e)
        if not self._stopping.is_set():
            self.failed = True
            logger.error("the ack process ended (exit code %s); stopping", self._child.poll())
            self._on_exit()

    def _take(self, frame: Frame) -> None:
        number = int(frame["number"])
        job = _once(
            self._app,
            str(frame["signature"]),
            str(frame["body"]),
            str(frame["query"]),
            dict(frame["headers"]),
        )

        def run() -> None:
            try:
                job()
            finally:
                self._done(number)

        if self._app.intake.workers.submit(str(frame["user"]), run, long=bool(frame["long"])):
            return
        self._done(number)  # its bounds let it in but ours did not: tell its author
        logger.warning("busy: a request of %s was refused (no room in the workers)", frame["user"])
        if (origin := origin_from(frame.get("origin"))) is not None:
            self._app.intake.tell_busy(origin)

    def _done(self, number: int) -> None:
        with suppress(OSError):  # the ack process is gone: it counts nothing any more
            self._send({"t": "done", "number": number})


def _once(
    app: SlackApp,
    signature: str,
    body: str,
    query: str,
    headers: dict[str, str | Sequence[str]],
) -> Callable[[], None]:
    """The worker's job: dispatch, unless another replica took the signature already (asked
    on the worker's thread: the cluster's answer takes milliseconds, the ack must not). Bolt's
    request (which parses the body again) is built there too."""
    shared = app.seen

    def job() -> None:
        if shared is not None and not shared.first_time(signature):
            logger.warning("ignored a replayed Slack request (another replica took it)")
            return
        app.dispatch(BoltRequest(body=body, query=query, headers=headers))

    return job


def serve_http(
    app: SlackApp,
    *,
    host: str,
    port: int,
    stop: threading.Event,
    listening: Callable[[], None] = lambda: None,
    nice: int = 0,
) -> None:
    """Serve until ``stop`` is set (SIGTERM), then stop listening: requests being acked are
    answered, new ones are refused by the closed port. ``listening`` is called once the port is
    open (readiness). ``nice``: how far this process's threads go below the ack process in CPU
    priority (``lower_priority``). Raises ``AckProcessEnded`` when the ack process ended on its
    own (``stop`` is set then too)."""
    settle_the_collector()
    front = AckProcess(app, host=host, port=port, on_exit=stop.set)
    lower_priority(nice)
    try:
        logger.info(
            "serving Slack requests at http://%s:%d%s (acked by process %d)",
            host,
            front.port,
            EVENTS_PATH,
            front.pid,
        )
        listening()
        asyncio.run(until_stopped(stop))
    finally:
        front.stop()
    if front.failed:
        msg = "the ack process ended on its own; the port is closed"
        raise AckProcessEnded(msg)


def lower_priority(nice: int) -> None:
    """Lower the CPU priority of every thread of this process by ``nice`` (threads started
    later inherit it from the thread that starts them), so that the ack process, started
    before, is scheduled first when both want a core.

    On Linux a priority is a thread's own (``setpriority`` of a task id), so each thread is
    lowered; lowering needs no privilege. Where there is no ``/proc/self/task``, nothing is.
    """
    if nice <= 0:
        return
    try:
        threads = [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:
        logger.info("cannot list this process's threads: their CPU priority stays as it is")
        return
    for tid in threads:
        with suppress(OSError):  # a thread that has just ended
            os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
    logger.info("the bot's threads run %d below the ack process in CPU priority", nice)


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
    """Serve ``app`` as ``serve_http`` does, until the block ends (tests, embedding); yields
    the events URL."""
    front = AckProcess(app, host=host, port=port)
    try:
        yield f"http://{host}:{front.port}{EVENTS_PATH}"
    finally:
        front.stop()
