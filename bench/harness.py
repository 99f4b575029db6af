"""What the benchmarks run against: the bot, a bare Bolt app and the raw floor, all on loopback.

The bot is wired by ``bot.compose`` and served by the bot's own HTTP mode, as ``k8s-chatops run``
serves it; the bare Bolt app is served the same way by hand (aiohttp hands the request to
``App.dispatch``); the floor is an aiohttp handler that checks the v0 signature with slack_sdk's
``SignatureVerifier`` and answers 200. Slack's side is played by ``tests/fakeslack`` and, for
the requests Slack sends, by a client in a process of its own (``bench.loadgen``).
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

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

ROOT = Path(__file__).resolve().parent.parent
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
def sandbox_process(workdir: Path, *, scenario: str, speed: float) -> Iterator[Path]:
    """A sandbox in a process of its own (``k8s-chatops sandbox``); yields its kubeconfig.

    An API server never shares the bot's process: where only the bot's figures are read (the
    ack), the sandbox's work for its commands does not take the interpreter from its acks.
    """
    kubeconfig = workdir / "sandbox.kubeconfig"
    argv = [sys.executable, "-m", "bot", "sandbox", "--scenario", scenario]
    argv += ["--speed", str(speed), "--kubeconfig-out", str(kubeconfig)]
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        for line in child.stdout:  # it prints its kubeconfig's path once it serves
            if line.startswith("Kubeconfig:"):
                break
        else:
            msg = f"the sandbox exited with {child.wait(timeout=10)}"
            raise RuntimeError(msg)
        yield kubeconfig
    finally:
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=10)
        if child.stdout is not None:
            child.stdout.close()


@contextmanager
def running_bot(
    workdir: Path, sandbox: Sandbox | Path, fake: FakeSlack, *, extra: str = ""
) -> Iterator[str]:
    """The real app in HTTP mode, in this process, on ``sandbox`` (or the cluster a
    kubeconfig names); yields its events URL."""
    env = environment(workdir, fake)
    path = workdir / "k8s-chatops.yaml"
    kubeconfig = sandbox if isinstance(sandbox, Path) else sandbox.kubeconfig
    path.write_text(settings_yaml(kubeconfig, extra=extra))
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


class Client:
    """The load generator's child process (``bench.loadgen``): one job at a time."""

    def __init__(self) -> None:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "bench.loadgen"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._lock = threading.Lock()

    def blast(
        self,
        url: str,
        requests: Sequence[tuple[str, str, dict[str, str]]],
        *,
        concurrency: int,
        timeout: float,
    ) -> list[Shot]:
        job = {"url": url, "requests": requests, "concurrency": concurrency, "timeout": timeout}
        assert self._child.stdin is not None
        assert self._child.stdout is not None
        with self._lock:
            self._child.stdin.write(json.dumps(job) + "\n")
            self._child.stdin.flush()
            line = self._child.stdout.readline()
        if not line:
            msg = f"the load generator exited with {self._child.poll()}"
            raise RuntimeError(msg)
        return [
            Shot(s["response_url"], s["sent"], s["acked"], s["status"], s["answer"])
            for s in json.loads(line)
        ]

    def close(self) -> None:
        if self._child.stdin is not None:
            self._child.stdin.close()
        try:
            self._child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait(timeout=10)
        if self._child.stdout is not None:
            self._child.stdout.close()


_client: Client | None = None


@contextmanager
def client_process() -> Iterator[Client]:
    """Slack's client in its own process for the duration (``blast`` uses it)."""
    global _client  # noqa: PLW0603 - one load generator for the run, used by every section
    client = Client()
    _client = client
    try:
        yield client
    finally:
        _client = None
        client.close()


def blast(
    url: str,
    requests: Sequence[tuple[str, str, dict[str, str]]],
    *,
    concurrency: int,
    timeout: float = 15.0,
) -> list[Shot]:
    """POST every request from the load generator's process, at most ``concurrency`` at a
    time; each bounded by ``timeout`` (outside ``client_process``: a child for this call)."""
    if _client is not None:
        return _client.blast(url, requests, concurrency=concurrency, timeout=timeout)
    with client_process() as client:
        return client.blast(url, requests, concurrency=concurrency, timeout=timeout)


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
                found[post.url] = post.at  # when it arrived, not when this thread looked
                missing.discard(post.url)
        seen = len(posts)
        return not missing

    with suppress(AssertionError):  # not all in time: those stay None
        fake.wait_for(all_in, timeout=timeout, what="replies")
    return found
