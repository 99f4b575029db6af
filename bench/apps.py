"""The apps the bot is measured beside, served by aiohttp on loopback: a bare Bolt app (it
hands the request to ``App.dispatch``), the raw floor (an aiohttp handler that checks the v0
signature with slack_sdk's ``SignatureVerifier`` and answers 200), and the floor of ``get pods``
(one Table GET)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web
from kubernetes.client import ApiClient
from slack_bolt import Ack, App, BoltRequest
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bench.harness import EVENTS, ROOT, SIGNING_SECRET
from tests.fakeslack.webapi import MAX_MESSAGE_TEXT

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
"""The server's Table, as the floors ask for it."""
Answer = Callable[[str, str], None]
"""What a bare Bolt app does after its ack, given the command's text and response_url."""


@contextmanager
def serving(application: web.Application) -> Iterator[str]:
    """Serve an aiohttp application on a loopback port from a thread; yields its events URL."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="bench-server", daemon=True)
    thread.start()
    runner = web.AppRunner(application, access_log=None, shutdown_timeout=1)

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port: int = runner.addresses[0][1]
        return port

    async def stop() -> None:
        await runner.cleanup()
        # The connections cleanup closed finish closing on the loop's next pass; stopping the
        # loop before it would leave their sockets open for the collector to warn about.
        await asyncio.sleep(0)

    try:
        port = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
        yield f"http://127.0.0.1:{port}{EVENTS}"
    finally:
        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


class Workspace(Protocol):
    """The Slack a bare Bolt app starts against (the fake Slack, or its address and token)."""

    @property
    def bot_token(self) -> str: ...
    @property
    def api_url(self) -> str: ...


def bare_bolt(slack: Workspace, *, then: Answer | None = None) -> web.Application:
    """A Bolt app whose command listener only acks, behind aiohttp → ``App.dispatch``; with
    ``then``, the listener runs it on the command's text and response_url after the ack."""
    app = App(
        client=WebClient(token=slack.bot_token, base_url=slack.api_url),
        signing_secret=SIGNING_SECRET,
    )

    def on_command(ack: Ack, command: dict[str, Any]) -> None:
        ack()
        if then is not None:
            then(str(command["text"]), str(command["response_url"]))

    app.command("/k8s")(on_command)
    executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="bare-bolt")

    async def events(request: web.Request) -> web.Response:
        body = await request.text()
        headers: dict[str, str | Sequence[str]] = {
            k: request.headers.getall(k) for k in request.headers
        }
        bolt_request = BoltRequest(body=body, query=request.query_string, headers=headers)
        loop = asyncio.get_running_loop()
        answer = await loop.run_in_executor(executor, app.dispatch, bolt_request)
        return await to_aiohttp_response(answer)

    async def close(_: web.Application) -> None:
        executor.shutdown(wait=False, cancel_futures=True)
        app.listener_runner.listener_executor.shutdown(wait=False)

    application = web.Application()
    application.router.add_post(EVENTS, events)
    application.on_cleanup.append(close)
    return application


def pod_rows(api: ApiClient) -> list[dict[str, Any]]:
    """The floor of ``get pods``: one Table GET of the default namespace's pods, without their
    objects (``includeObject=None``), its JSON decoded; its rows."""
    answer = api.call_api(
        "/api/v1/namespaces/default/pods",
        "GET",
        query_params=[("includeObject", "None")],
        header_params={"Accept": TABLE},
        auth_settings=["BearerToken"],
        _preload_content=False,
        _return_http_data_only=True,
    )
    rows: list[dict[str, Any]] = json.loads(answer.data)["rows"]
    return rows


def bare_get(api: ApiClient) -> Answer:
    """The least a Bolt app can do to answer ``get pods``: the floor's Table GET, its rows'
    cells joined by spaces, posted to the response_url with slack_sdk (no policy, no record,
    no layout, no second process); past one message's 40,000 characters, only the count."""

    def answer(_text: str, response_url: str) -> None:
        rows = pod_rows(api)
        text = "\n".join(" ".join(str(cell) for cell in row["cells"]) for row in rows)
        if len(text) > MAX_MESSAGE_TEXT - 6:  # what Slack takes: the bot attaches a file then
            text = f"{len(rows)} rows"
        WebhookClient(response_url).send(text=f"```{text}```", response_type="ephemeral")

    return answer


def bare_echo() -> Answer:
    """A one-line reply with no request to the cluster: what getting a command in and its
    answer out costs, apart from any work for it."""

    def answer(_text: str, response_url: str) -> None:
        WebhookClient(response_url).send(text="ok", response_type="ephemeral")

    return answer


def raw_floor(*, then: Answer | None = None) -> web.Application:
    """aiohttp + the v0 signature check + 200: the least any HTTP-mode app can do; with
    ``then``, a thread runs it on the command's text and response_url once the check passed
    (the least any such app can do to answer a command at all: no framework around it)."""
    verifier = SignatureVerifier(SIGNING_SECRET)
    executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="raw-floor")

    async def events(request: web.Request) -> web.Response:
        body = await request.text()
        if not verifier.is_valid(
            body,
            request.headers.get("X-Slack-Request-Timestamp", ""),
            request.headers.get("X-Slack-Signature", ""),
        ):
            return web.Response(status=401)
        if then is not None:
            fields = urllib.parse.parse_qs(body, keep_blank_values=True)
            executor.submit(then, fields["text"][0], fields["response_url"][0])
        return web.Response(status=200)

    async def close(_: web.Application) -> None:
        executor.shutdown(wait=False, cancel_futures=True)

    application = web.Application()
    application.router.add_post(EVENTS, events)
    application.on_cleanup.append(close)
    return application


@dataclass(frozen=True, slots=True)
class Standalone:
    """An app of ``bench.standalone`` running: its pid, and where it takes commands."""

    pid: int
    url: str


@contextmanager
def standalone(app: str, kubeconfig: Path, slack: Workspace) -> Iterator[Standalone]:
    """``bench.standalone``'s ``app`` doing ``get pods``' floor GET, served by a process of
    its own for the duration."""
    argv = [app, str(kubeconfig), slack.api_url, slack.bot_token]
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.standalone", *argv],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()  # once it serves; empty if it exited first
        if not url:
            msg = f"bench.standalone {app} exited with {child.wait(timeout=10)} before serving"
            raise RuntimeError(msg)
        yield Standalone(child.pid, url)
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=10)
        if child.stdout is not None:
            child.stdout.close()
