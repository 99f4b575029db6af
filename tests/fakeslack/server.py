"""A fake Slack platform over real HTTP and a real websocket, for the bot's tests.

It serves the Web API methods the bot calls (with token checks and injectable 429s), the
``response_url`` endpoints it hands out in payloads (5 uses in 30 minutes, like Slack), the raw
upload URLs of the v2 file flow, and Socket Mode. Every request is recorded for assertions; tests
wait on conditions with deadlines through ``wait_for``.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from aiohttp import web

from tests.fakeslack import payloads
from tests.fakeslack.records import (
    ALICE,
    OPS_CHANNEL,
    Ack,
    ApiCall,
    ResponsePost,
    SlackUser,
    UploadedFile,
)
from tests.fakeslack.responseurls import ResponseUrls
from tests.fakeslack.socket import SocketHub
from tests.fakeslack.webapi import Workspace

T = TypeVar("T")

POLL_SECONDS = 0.05
"""How often ``wait_for`` re-checks conditions on state outside the fake (the cluster)."""
RESPONSE_URL = "response_url"
"""Pseudo method name for ``rate_limit`` and ``calls``: posts to response URLs."""


class FakeSlack:
    """The fake platform; use ``running_fake_slack()`` to start and stop it."""

    def __init__(self, *, bot_token: str = "xoxb-fake-bot", app_token: str = "xapp-fake-app"):
        self.bot_token = bot_token
        self.app_token = app_token
        self.clock: Callable[[], float] = time.monotonic
        """Time source for response_url expiry; tests may replace it."""
        self._changed = threading.Condition(threading.RLock())
        self._calls: list[ApiCall] = []
        self._responses: list[ResponsePost] = []
        self._urls = ResponseUrls(lambda: self.clock())  # noqa: PLW0108 - read late: tests swap it
        self._limits: dict[str, tuple[int, int]] = {}
        self._failures: dict[str, tuple[int, int]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.workspace = Workspace(upload_url_for=lambda fid: f"{self.base_url}/upload/{fid}")
        self.socket = SocketHub(
            changed=self._changed,
            loop=self._running_loop,
            link_url=lambda ticket: f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}",
        )

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """What ``SLACK_API_URL`` / ``WebClient(base_url=…)`` should be."""
        return f"{self.base_url}/api/"

    def start(self) -> None:
        """Serve on a free 127.0.0.1 port from a background thread."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="fake-slack", daemon=True
        )
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)

    def stop(self) -> None:
        """Close websockets, stop serving, end the thread."""
        loop = self._running_loop()
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        loop.close()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("the fake Slack is not running")
        return self._loop

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/commands/{team}/{number}/{rid}", self._response)
        app.router.add_post("/upload/{fid}", self._upload)
        app.router.add_get("/link/", self.socket.serve)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        await self.socket.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
        # The connections cleanup closed finish closing on the loop's next pass; stopping the
        # loop before it would leave their sockets open for the collector to warn about.
        await asyncio.sleep(0)

    # -- test controls -----------------------------------------------------------------------

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 0) -> None:
        """Answer the next ``times`` calls of ``method`` (or ``RESPONSE_URL``) with 429."""
        with self._changed:
            self._limits[method] = (times, retry_after)

    def fail(self, method: str, *, status: int = 500, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` (or ``RESPONSE_URL``) with ``status``."""
        with self._changed:
            self._failures[method] = (times, status)

    def new_response_url(self) -> str:
        """A fresh response_url, as Slack puts in each command or interaction payload."""
        with self._changed:
            rid = self._urls.issue()
        # Shaped like Slack's (hooks.slack.com/commands/TEAM/NUMBER/SECRET), so that what
        # hides Slack's hides these too.
        return f"{self.base_url}/commands/T0FAKE/{int(rid[:12], 16)}/{rid}"

    def slash_command(
        self,
        text: str,
        *,
        user: SlackUser = ALICE,
        channel: str = OPS_CHANNEL,
        command: str = "/k8s",
    ) -> dict[str, str]:
        """A slash command payload with a fresh response_url."""
        return payloads.slash_command(
            text=text,
            user=user,
            response_url=self.new_response_url(),
            command=command,
            channel_id=channel,
        )

    def block_actions(
        self,
        action_id: str,
        value: str,
        *,
        user: SlackUser = ALICE,
        channel: str = OPS_CHANNEL,
        ephemeral: bool = True,
    ) -> dict[str, Any]:
        """A button click payload with a fresh response_url (``ephemeral``: on whose message)."""
        return payloads.block_actions(
            action_id=action_id,
            value=value,
            user=user,
            response_url=self.new_response_url(),
            channel_id=channel,
            is_ephemeral=ephemeral,
        )

    # -- observations ------------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """Every Web API call so far, in order."""
        with self._changed:
            return list(self._calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        """The Web API calls of one method, in order."""
        return [call for call in self.calls if call.method == method]

    def responses_to(self, url: str) -> list[ResponsePost]:
        """Every post to one response_url (accepted or rejected), in order."""
        with self._changed:
            return [post for post in self._responses if post.url == url]

    @property
    def responses(self) -> list[ResponsePost]:
        """Every post to any response_url, in order."""
        with self._changed:
            return list(self._responses)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Messages posted with chat.postMessage, as chat.update left them (copies), in order."""
        with self._changed:
            return [dict(message) for message in self.workspace.messages]

    @property
    def files(self) -> list[UploadedFile]:
        """Files whose upload was completed."""
        with self._changed:
            return list(self.workspace.files)

    def wait_for(
        self, condition: Callable[[], T | None], *, timeout: float = 10.0, what: str = ""
    ) -> T:
        """Block until ``condition()`` is truthy and return it; AssertionError at the deadline."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = condition()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {what or condition}"
                    )
                # Woken by every change the fake records; polled too, for outside conditions.
                self._changed.wait(min(remaining, POLL_SECONDS))

    def wait_ack(self, envelope_id: str, *, timeout: float = 10.0) -> Ack:
        """The Socket Mode ack of an envelope, waiting for it."""
        return self.wait_for(
            lambda: self.socket.ack_for(envelope_id), timeout=timeout, what=f"ack {envelope_id}"
        )

    def wait_response(self, url: str, *, count: int = 1, timeout: float = 10.0) -> ResponsePost:
        """The ``count``-th accepted post to ``url``."""
        posts = self.wait_for(
            lambda: [p for p in self.responses_to(url) if p.status == 200][count - 1 :],
            timeout=timeout,
            what=f"{count} post(s) to {url}",
        )
        return posts[0]

    def wait_call(self, method: str, *, count: int = 1, timeout: float = 10.0) -> ApiCall:
        """The ``count``-th successful call of ``method``."""
        calls = self.wait_for(
            lambda: [c for c in self.calls_to(method) if c.ok][count - 1 :],
            timeout=timeout,
            what=f"{count} successful {method} call(s)",
        )
        return calls[0]

    # -- request handlers --------------------------------------------------------------------

    def _record(self, item: ApiCall | ResponsePost) -> None:
        with self._changed:
            if isinstance(item, ApiCall):
                self._calls.append(item)
            else:
                self._responses.append(item)
            self._changed.notify_all()

    def _take_rate_limit(self, method: str) -> int | None:
        """Retry-After seconds when this call must be answered 429."""
        return _take(self._changed, self._limits, method)

    def _take_failure(self, method: str) -> int | None:
        """The status this call must be answered with instead of its answer."""
        return _take(self._changed, self._failures, method)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in ("blocks", "files", "metadata"):
            if isinstance(params.get(key), str) and params[key].startswith(("[", "{")):
                params[key] = json.loads(params[key])
        headers = dict(request.headers)
        status, body, extra = self._answer(method, params, headers)
        self._record(ApiCall(method, params, headers, status, body))
        return web.json_response(body, status=status, headers=extra)

    def _answer(
        self, method: str, params: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        retry_after = self._take_rate_limit(method)
        if retry_after is not None:
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
        failure = self._take_failure(method)
        if failure is not None:
            return failure, {"ok": False, "error": "fatal_error"}, {}
        auth = headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if method == "apps.connections.open":
            if token == self.bot_token:
                return 200, {"ok": False, "error": "not_allowed_token_type"}, {}
            if token != self.app_token:
                return 200, {"ok": False, "error": "invalid_auth"}, {}
            return 200, {"ok": True, "url": self.socket.issue_url()}, {}
        if token != self.bot_token:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        implementation = self.workspace.methods().get(method)
        if implementation is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        with self._changed:
            return 200, implementation(params), {"x-oauth-scopes": ",".join(self.workspace.scopes)}

    async def _response(self, request: web.Request) -> web.Response:
        url = str(request.url.with_query(None))
        rid = request.match_info["rid"]
        try:
            body = await request.json()
        except json.JSONDecodeError:
            body = {}
        status, text, extra = self._use_response_url(rid, body)
        self._record(ResponsePost(url, body, status))
        return web.Response(status=status, text=text, headers=extra)

    def _use_response_url(self, rid: str, body: dict[str, Any]) -> tuple[int, str, dict[str, str]]:
        retry_after = self._take_rate_limit(RESPONSE_URL)
        if retry_after is not None:
            return 429, "rate_limited", {"Retry-After": str(retry_after)}
        failure = self._take_failure(RESPONSE_URL)
        if failure is not None:
            return failure, "server_error", {}
        with self._changed:
            status, text = self._urls.use(rid, body)
        return status, text, {}

    async def _upload(self, request: web.Request) -> web.Response:
        content = await request.read()
        with self._changed:
            accepted = self.workspace.accept_upload(request.match_info["fid"], content)
        if not accepted:
            return web.Response(status=404, text="unknown upload")
        return web.Response(status=200, text=f"OK - {len(content)}")


def _take(lock: threading.Condition, counts: dict[str, tuple[int, int]], method: str) -> int | None:
    """Use up one of the injected answers for ``method``: its value, or None when none is left."""
    with lock:
        remaining, value = counts.get(method, (0, 0))
        if remaining <= 0:
            return None
        counts[method] = (remaining - 1, value)
        return value


@contextmanager
def running_fake_slack(**kwargs: Any) -> Iterator[FakeSlack]:
    """A started fake Slack, stopped on exit."""
    fake = FakeSlack(**kwargs)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
