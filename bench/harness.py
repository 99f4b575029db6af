"""What the benchmarks run against: the bot, a bare Bolt app and the raw floor, all on loopback.

The bot is wired by ``bot.compose`` and served by the bot's own HTTP mode, as ``k8s-chatops run``
serves it; the bare Bolt app is served the same way by hand (aiohttp hands the request to
``App.dispatch``); the floor is an aiohttp handler that checks the v0 signature with slack_sdk's
``SignatureVerifier`` and answers 200. Slack's side is played by ``tests/fakeslack``.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web
from slack_bolt import Ack, App, BoltRequest
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.compose import composed, require_cluster, slack_app
from bot.core.replies import PROGRESS_CONTEXT
from bot.settings import load_settings
from bot.transport.slack_http import running_http, settle_the_collector
from kubesim.testing.harness import Sandbox
from tests.e2e.stack import MemoryAudit
from tests.fakeslack import ALICE, FakeSlack, SlackUser, payloads

SIGNING_SECRET = "bench0signing0secret0bench0sign0"
EVENTS = "/slack/events"


def user(index: int, prefix: str = "U0B") -> SlackUser:
    """A distinct Slack user per sender, so that no per-user limit shapes the figures."""
    return SlackUser(f"{prefix}{index:05d}", f"user{index}")


def settings_yaml(kubeconfig: Path, *, port: int = 3000, extra: str = "") -> str:
    """The bot's settings file for a benchmark (``extra``: more ``kubernetes:`` keys)."""
    return (
        f"slack:\n  mode: http\n  port: {port}\n"
        f"kubernetes:\n  kubeconfig: {kubeconfig}\n  log_tail_lines: 100000\n{extra}"
        f"policy:\n  admins: [{ALICE.id}]\n"
    )


def environment(workdir: Path, fake: FakeSlack) -> dict[str, str]:
    """The bot process's environment: tokens and the fake's URL."""
    return {
        "HOME": str(workdir),
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
    }


@contextmanager
def running_bot(
    workdir: Path, sandbox: Sandbox, fake: FakeSlack, *, extra: str = ""
) -> Iterator[str]:
    """The real app in HTTP mode, in this process; yields its events URL."""
    env = environment(workdir, fake)
    path = workdir / "k8s-chatops.yaml"
    path.write_text(settings_yaml(sandbox.kubeconfig, extra=extra))
    settings = load_settings(path, env=env)
    with ExitStack() as stack:
        bot = stack.enter_context(
            composed(settings, require_cluster(settings, env), audit=MemoryAudit())
        )
        app = slack_app(settings, bot)
        stack.callback(app.close)  # its workers stop with it: no thread outlives it
        stack.enter_context(_collector_as_served())
        yield stack.enter_context(running_http(app))


@contextmanager
def _collector_as_served() -> Iterator[None]:
    """The collector as ``serve_http`` leaves it for ``k8s-chatops run``, for this process (so
    for every arm), then as it was: the smoke run must not change it for the tests after it."""
    thresholds = gc.get_threshold()
    settle_the_collector()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


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

    try:
        port = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
        yield f"http://127.0.0.1:{port}{EVENTS}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


def bare_bolt(fake: FakeSlack) -> web.Application:
    """A Bolt app whose command listener only acks, behind aiohttp → ``App.dispatch``."""
    app = App(
        client=WebClient(token=fake.bot_token, base_url=fake.api_url),
        signing_secret=SIGNING_SECRET,
    )

    def on_command(ack: Ack) -> None:
        ack()

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


def raw_floor() -> web.Application:
    """aiohttp + the v0 signature check + 200: the least any HTTP-mode app can do."""
    verifier = SignatureVerifier(SIGNING_SECRET)

    async def events(request: web.Request) -> web.Response:
        body = await request.text()
        if not verifier.is_valid(
            body,
            request.headers.get("X-Slack-Request-Timestamp", ""),
            request.headers.get("X-Slack-Signature", ""),
        ):
            return web.Response(status=401)
        return web.Response(status=200)

    application = web.Application()
    application.router.add_post(EVENTS, events)
    return application


# --- Slack's side: signed commands, their acks and their replies -----------------------------


@dataclass(frozen=True, slots=True)
class Shot:
    """One command sent: when, how it was acked, where its reply goes."""

    response_url: str
    sent: float
    acked: float
    status: int
    answer: str = ""
    """The ack's body (a slash command refused at once says why in it)."""

    @property
    def ack_seconds(self) -> float:
        return self.acked - self.sent


def signed(fake: FakeSlack, text: str, sender: SlackUser) -> tuple[str, str, dict[str, str]]:
    """(response_url, body, headers) of one signed ``/k8s TEXT``."""
    fields = fake.slash_command(text, user=sender)
    body = payloads.form_body(fields)
    return fields["response_url"], body, payloads.signature_headers(SIGNING_SECRET, body)


async def _fire(
    session: aiohttp.ClientSession,
    url: str,
    request: tuple[str, str, dict[str, str]],
    gate: asyncio.Semaphore,
    timeout: float,
) -> Shot:
    response_url, body, headers = request
    async with gate:
        sent = time.perf_counter()
        try:
            async with session.post(
                url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as answer:
                text = (await answer.read()).decode("utf-8", "replace")
                status = answer.status
        except (TimeoutError, aiohttp.ClientError):
            status, text = 0, ""
        return Shot(response_url, sent, time.perf_counter(), status, text)


def blast(
    url: str,
    requests: Sequence[tuple[str, str, dict[str, str]]],
    *,
    concurrency: int,
    timeout: float = 15.0,
) -> list[Shot]:
    """POST every request, at most ``concurrency`` at a time; each bounded by ``timeout``."""

    async def run() -> list[Shot]:
        gate = asyncio.Semaphore(concurrency)
        connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
        async with aiohttp.ClientSession(connector=connector) as session:
            return await asyncio.gather(
                *(_fire(session, url, request, gate, timeout) for request in requests)
            )

    return asyncio.run(run())


def replies_by(fake: FakeSlack, urls: Sequence[str], *, timeout: float) -> dict[str, float | None]:
    """When each reply arrived (``perf_counter``), watching them all at once until ``timeout``."""
    found: dict[str, float | None] = dict.fromkeys(urls)
    missing = set(urls)
    seen = 0

    def all_in() -> bool:
        nonlocal seen
        posts = fake.responses
        for post in posts[seen:]:
            done = post.status == 200 and PROGRESS_CONTEXT not in str(post.body)
            if done and post.url in missing:
                found[post.url] = time.perf_counter()
                missing.discard(post.url)
        seen = len(posts)
        return not missing

    with suppress(AssertionError):  # not all in time: those stay None
        fake.wait_for(all_in, timeout=timeout, what="replies")
    return found
