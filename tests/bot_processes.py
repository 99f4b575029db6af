"""``k8s-chatops run`` as a real child process, for the tests that need the whole program (its
modes, its signals, its logs) or more than one of it.

Each process gets its working directory's settings file, ``audit.jsonl`` and ``bot.log``, the
fake Slack's tokens in a clean environment, the cluster's kubeconfig and ``--ops-port 0``;
leaving the block kills it if it still runs.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kubesim.testing.harness import Sandbox
from tests.e2e.stack import SIGNING_SECRET
from tests.fakeslack import FakeSlack
from tests.subprocess_env import child_env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def bot_process(
    mode: str,
    workdir: Path,
    kubeconfig: Path,
    fake: FakeSlack,
    port: int,
    *,
    settings: str = "",
    log_level: str = "INFO",
    log_format: str | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """``k8s-chatops run`` in ``mode`` (HTTP on ``port``); ``settings``: more top-level sections
    of its settings file (after ``slack`` and ``audit``)."""
    config = workdir / "k8s-chatops.yaml"
    config.write_text(
        f"slack:\n  mode: {mode}\n  port: {port}\naudit:\n  path: {workdir / 'audit.jsonl'}\n"
        f"{settings}"
    )
    env = child_env(
        drop=("KUBERNETES_", "SLACK_"),
        HOME=str(workdir),
        LOG_LEVEL=log_level,
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_APP_TOKEN=fake.app_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
    )
    argv = [sys.executable, "-m", "bot", "run", "--config", str(config), "--ops-port", "0"]
    argv += ["--kubeconfig", str(kubeconfig)]
    if log_format is not None:
        argv += ["--log-format", log_format]
    with (workdir / "bot.log").open("wb") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def http_bot_process(
    workdir: Path,
    sandbox: Sandbox,
    fake: FakeSlack,
    port: int,
    *,
    settings: str = "",
    log_level: str = "INFO",
) -> Iterator[subprocess.Popen[bytes]]:
    """``bot_process`` serving HTTP on ``sandbox``, in ``workdir``, which must not exist yet."""
    workdir.mkdir()
    with bot_process(
        "http", workdir, sandbox.kubeconfig, fake, port, settings=settings, log_level=log_level
    ) as process:
        yield process


def wait_healthy(fake: FakeSlack, url: str, process: subprocess.Popen[bytes]) -> None:
    """Until ``url`` (a ``/healthz``) answers 200; fails at once if the bot exits."""

    def healthy() -> bool:
        assert process.poll() is None, "the bot exited"
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    fake.wait_for(healthy, timeout=60, what="the bot's /healthz")
