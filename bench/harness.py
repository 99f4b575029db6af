"""What the benchmarks run against, all on loopback: the bot and the sandbox, and Slack's side.

The bot is ``k8s-chatops run --mode http`` in a process of its own, as deployed, and so is the
sandbox (``k8s-chatops sandbox``). Slack's side is played by ``tests/fakeslack`` and, for the
requests Slack sends, by a client in a process of its own (``bench.loadgen``). The apps the
bot is measured beside (a bare Bolt app, the raw floor) are in ``bench.apps``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from kubernetes.client import ApiClient
from kubernetes.config import new_client_from_config

from bot.core.replies import PROGRESS_CONTEXT
from tests.fakeslack import ALICE, FakeSlack, SlackUser, payloads

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "bench0signing0secret0bench0sign0"
EVENTS = "/slack/events"
SANDBOX_PIDS: dict[Path, int] = {}
"""The pid of each running ``sandbox_process``, by its kubeconfig (its CPU time is measured)."""


def user(index: int, prefix: str = "U0B") -> SlackUser:
    """A distinct Slack user per sender, so that no per-user limit shapes the figures."""
    return SlackUser(f"{prefix}{index:05d}", f"user{index}")


def settings_yaml(kubeconfig: Path, *, port: int = 3000, extra: str = "", slack: str = "") -> str:
    """The bot's settings file for a benchmark (``extra``: more ``kubernetes:`` keys,
    ``slack``: more ``slack:`` keys)."""
    return (
        f"slack:\n  mode: http\n  port: {port}\n{slack}"
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
def sandbox_process(
    workdir: Path, *, scenario: str, speed: float = 1.0, pods: int = 0, deployments: int = 0
) -> Iterator[Path]:
    """A sandbox in a process of its own (``k8s-chatops sandbox``); yields its kubeconfig.

    An API server never shares the bot's process, nor Slack's: the sandbox's work for the
    bot's commands does not take an interpreter from the bot, or from the floor it is set
    beside.
    """
    kubeconfig = workdir / "sandbox.kubeconfig"
    argv = [sys.executable, "-m", "bot", "sandbox", "--scenario", scenario]
    argv += ["--speed", str(speed), "--kubeconfig-out", str(kubeconfig)]
    if pods:
        argv += ["--pods", str(pods)]
    if deployments:
        argv += ["--deployments", str(deployments)]
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    SANDBOX_PIDS[kubeconfig] = child.pid
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
        SANDBOX_PIDS.pop(kubeconfig, None)
        _stop(child)
        if child.stdout is not None:
            child.stdout.close()


def api_client(kubeconfig: Path) -> ApiClient:
    """The official client on ``kubeconfig`` (the floors' requests, the bench's set-up)."""
    return new_client_from_config(config_file=str(kubeconfig))


def _stop(child: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    child.terminate()
    try:
        child.wait(timeout=15)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(timeout=10)


@dataclass(frozen=True, slots=True)
class BotProcess:
    """A running ``k8s-chatops run --mode http``: where Slack posts to it, its pid, and how
    long it took from start to answering HTTP."""

    url: str
    pid: int
    ready_seconds: float


@contextmanager
def running_bot(
    workdir: Path,
    kubeconfig: Path,
    fake: FakeSlack,
    *,
    extra: str = "",
    slack: str = "",
    sections: str = "",
    start_seconds: float = 60.0,
) -> Iterator[BotProcess]:
    """The real app as deployed: ``k8s-chatops run --mode http`` in a process of its own, on
    the cluster ``kubeconfig`` names, Slack played by ``fake`` (in the bench's process).

    ``extra``: more ``kubernetes:`` keys; ``slack``: more ``slack:`` keys; ``sections``: more
    top-level sections (YAML lines). ``start_seconds``: how long it may take to answer HTTP.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    config = workdir / "k8s-chatops.yaml"
    config.write_text(settings_yaml(kubeconfig, port=port, extra=extra, slack=slack) + sections)
    env = {**os.environ, **environment(workdir, fake), "LOG_LEVEL": "WARNING"}
    argv = [sys.executable, "-m", "bot", "run", "--mode", "http", "--config", str(config)]
    argv += ["--ops-port", "0"]  # no fixed port: benches and tests may run side by side
    log_path = workdir / "bot.log"
    with log_path.open("wb") as log:
        began = time.perf_counter()
        child = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + start_seconds
        while not _answers_http(port):
            if child.poll() is not None or time.monotonic() > deadline:
                msg = f"the bot did not start: see {log_path}"
                raise RuntimeError(msg)
            time.sleep(0.01)  # polling the port: there is no event to wait on
        ready = time.perf_counter() - began
        yield BotProcess(f"http://127.0.0.1:{port}{EVENTS}", child.pid, ready)
    finally:
        _stop(child)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers_http(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # it answered, with whatever status
    except OSError:
        return False


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
