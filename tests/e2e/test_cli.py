"""``k8s-chatops run`` as a real process: the composition root, both modes, signals, and logs.

The bot runs with LOG_LEVEL=DEBUG against the sandbox and the fake Slack; its log must never
contain a token, and SIGTERM must stop it cleanly (exit status 0).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kubesim.testing.harness import Sandbox, running_sandbox
from tests.e2e.stack import SIGNING_SECRET
from tests.fakeslack import ALICE, FakeSlack, HttpSlack, SocketSlack, running_fake_slack
from tests.subprocess_env import child_env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def bot_process(
    mode: str, workdir: Path, sandbox: Sandbox, fake: FakeSlack, port: int
) -> Iterator[subprocess.Popen[bytes]]:
    config = workdir / "k8s-chatops.yaml"
    config.write_text(
        f"slack:\n  mode: {mode}\n  port: {port}\npolicy:\n  admins: [{ALICE.id}]\n"
        f"audit:\n  path: {workdir / 'audit.jsonl'}\n"
    )
    env = child_env(
        drop=("KUBERNETES_", "SLACK_"),
        HOME=str(workdir),
        LOG_LEVEL="DEBUG",
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_APP_TOKEN=fake.app_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
    )
    argv = [sys.executable, "-m", "bot", "run", "--config", str(config)]
    argv += ["--kubeconfig", str(sandbox.kubeconfig)]
    with (workdir / "bot.log").open("wb") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def wait_healthy(fake: FakeSlack, url: str, process: subprocess.Popen[bytes]) -> None:
    def healthy() -> bool:
        assert process.poll() is None, "the bot exited"
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    fake.wait_for(healthy, timeout=60, what="the bot's /healthz")


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_run_serves_slack_and_stops_on_sigterm(mode: str, tmp_path: Path) -> None:
    port = free_port()
    with (
        running_sandbox(scenario="demo", speed=50) as sandbox,
        running_fake_slack() as fake,
        bot_process(mode, tmp_path, sandbox, fake, port) as process,
    ):
        slack: HttpSlack | SocketSlack
        if mode == "http":
            wait_healthy(fake, f"http://127.0.0.1:{port}/healthz", process)
            slack = HttpSlack(fake, f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
        else:
            fake.wait_for(lambda: fake.socket.live == 1, timeout=60, what="the bot's session")
            slack = SocketSlack(fake)
        sent = slack.command("get deployments -n prod")
        fake.wait_for(
            lambda: [p for p in fake.responses_to(sent.response_url) if "worker" in str(p.body)],
            what="the list of deployments",
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    log = (tmp_path / "bot.log").read_text()
    assert "DEBUG" in log
    for secret in (fake.bot_token, fake.app_token, SIGNING_SECRET):
        assert secret not in log
    assert '"get deployments -n prod"' in (tmp_path / "audit.jsonl").read_text()
