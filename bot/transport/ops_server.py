"""The operator's port: ``/healthz``, ``/readyz`` and ``/metrics``, apart from Slack's traffic.

It has its own port (``ops.port``) and its own thread and event loop, in both Slack modes, so
that a probe never queues behind Slack's requests and Socket Mode (which listens on nothing)
has probes too. Liveness only says the process answers; readiness says the bot can serve a
command now: Slack connected (Socket Mode) or listening (HTTP mode), the cluster answering, and
not shutting down (a SIGTERM turns it false at once, so no new work is routed here).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final

from aiohttp import web

from bot.errors import ConfigError
from bot.telemetry import CONTENT_TYPE, Metrics

logger = logging.getLogger(__name__)

HEALTH_PATH: Final = "/healthz"
READY_PATH: Final = "/readyz"
METRICS_PATH: Final = "/metrics"
CLUSTER_CHECK_SECONDS: Final = 5.0
"""How long one answer of the cluster check is reused: probes and scrapes come every few
seconds from several places, and each need not cost the API server a request."""


class Health:
    """What ``/readyz`` reports; safe to update and read from any thread."""

    def __init__(
        self,
        *,
        stop: threading.Event,
        cluster: Callable[[], bool],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stop = stop
        self._cluster = cluster
        self._clock = clock
        self.slack: Callable[[], bool] = lambda: False
        """Whether Slack can reach the bot: set by the transport once it connects or listens."""
        self._checked: tuple[float, bool] | None = None
        self._lock = threading.Lock()

    def cluster_reachable(self) -> bool:
        """The cluster check, at most once per ``CLUSTER_CHECK_SECONDS`` (blocks on the network)."""
        with self._lock:
            checked = self._checked
        if checked is not None and self._clock() - checked[0] < CLUSTER_CHECK_SECONDS:
            return checked[1]
        answer = self._cluster()
        with self._lock:
            self._checked = (self._clock(), answer)
        return answer

    def problems(self) -> list[str]:
        """Why the bot is not ready, one phrase each; empty when it is."""
        if self._stop.is_set():
            return ["shutting down"]
        found = [] if self.slack() else ["Slack not connected"]
        if not self.cluster_reachable():
            found.append("cluster unreachable")
        return found


def ops_application(health: Health, metrics: Metrics) -> web.Application:
    """The aiohttp application of the ops port."""

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_: web.Request) -> web.Response:
        problems = await asyncio.get_running_loop().run_in_executor(None, health.problems)
        if problems:
            return web.Response(status=503, text="not ready: " + "; ".join(problems) + "\n")
        return web.Response(text="ok\n")

    async def metrics_text(_: web.Request) -> web.Response:
        body = await asyncio.get_running_loop().run_in_executor(None, metrics.exposition)
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    application = web.Application()
    application.router.add_get(HEALTH_PATH, healthz)
    application.router.add_get(READY_PATH, readyz)
    application.router.add_get(METRICS_PATH, metrics_text)
    return application


@contextmanager
def running_ops(health: Health, metrics: Metrics, *, host: str, port: int) -> Iterator[int]:
    """Serve the ops port from a background thread while the block runs; yields the bound port
    (``port`` 0 in tests picks a free one)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="ops-server", daemon=True)
    thread.start()
    runner = web.AppRunner(ops_application(health, metrics), access_log=None, shutdown_timeout=1)

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound: int = runner.addresses[0][1]
        return bound

    try:
        try:
            bound = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
        except OSError as e:
            msg = f"ops.port: cannot listen on {host}:{port} ({e.strerror or e}); set --ops-port"
            raise ConfigError(msg) from None
        logger.info(
            "ops port: http://%s:%d%s, %s, %s", host, bound, HEALTH_PATH, READY_PATH, METRICS_PATH
        )
        yield bound
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
