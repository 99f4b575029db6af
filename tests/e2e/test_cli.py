"""``k8s-chatops run`` as a real process: the composition root, both modes, signals, and logs.

The bot runs with LOG_LEVEL=DEBUG against the sandbox and the fake Slack; its log and its audit
file must never contain a secret, even one typed into a command that ends in a logged error, and
SIGTERM must stop it cleanly (exit status 0).
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kubesim.api.resources import by_kind
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.e2e.stack import SIGNING_SECRET
from tests.fakeslack import ALICE, FakeSlack, HttpSlack, SocketSlack, running_fake_slack
from tests.subprocess_env import child_env

pytestmark = pytest.mark.sandbox_only
"""These tests use the demo scenario's objects and the sandbox's request log or fault hooks."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def bot_process(
    mode: str, workdir: Path, sandbox: Sandbox, fake: FakeSlack, port: int, *, settings: str = ""
) -> Iterator[subprocess.Popen[bytes]]:
    config = workdir / "k8s-chatops.yaml"
    config.write_text(
        f"slack:\n  mode: {mode}\n  port: {port}\npolicy:\n  admins: [{ALICE.id}]\n"
        f"audit:\n  path: {workdir / 'audit.jsonl'}\n{settings}"
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
    argv += ["--kubeconfig", str(sandbox.kubeconfig), "--log-format", "text", "--ops-port", "0"]
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


BOT_TOKEN = "xoxb-7310945518-7329468212785-q2F7WmA4nZkXr9LdV0sTeJcB"
"""A bot token of Slack's real shape (team id, bot id, secret), as the fake Slack's."""


@contextmanager
def http_bot(workdir: Path, settings: str = "") -> Iterator[tuple[Sandbox, FakeSlack, HttpSlack]]:
    """The real process in HTTP mode, up and answering, then stopped by SIGTERM (exit 0)."""
    port = free_port()
    with (
        running_sandbox(scenario="demo", speed=50) as sandbox,
        running_fake_slack(bot_token=BOT_TOKEN) as fake,
        bot_process("http", workdir, sandbox, fake, port, settings=settings) as process,
    ):
        wait_healthy(fake, f"http://127.0.0.1:{port}/healthz", process)
        yield (
            sandbox,
            fake,
            HttpSlack(fake, f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET),
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def test_secrets_typed_into_a_failing_command_are_redacted_in_log_and_audit(
    tmp_path: Path,
) -> None:
    typed = f"get pods -n prod -l app={SIGNING_SECRET},token={BOT_TOKEN}"
    with http_bot(tmp_path) as (sandbox, fake, slack):
        # A proxy's text page where the pod list's JSON belongs: an unexpected error, which
        # the bot logs (at ERROR, with its traceback) under an incident id.
        sandbox.faults.flood(2048, path="/namespaces/prod/pods$")
        sent = slack.command(typed)
        post = fake.wait_response(sent.response_url, timeout=30)
        assert "Something went wrong inside the bot (incident" in str(post.body)
    log = (tmp_path / "bot.log").read_text()
    audit = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    redacted = "get pods -n prod -l app=[REDACTED],token=[REDACTED]"
    (incident,) = [line for line in log.splitlines() if " ERROR " in line and "incident" in line]
    assert f"unexpected JSONDecodeError while handling {redacted!r}" in incident
    assert "Traceback (most recent call last)" in log
    assert " DEBUG " in log
    assert [(a["text"], a["outcome"]) for a in audit] == [(redacted, "error")]
    for secret in (SIGNING_SECRET, BOT_TOKEN, fake.app_token):
        assert secret not in log
        assert secret not in (tmp_path / "audit.jsonl").read_text()


def test_logs_tail_above_the_setting_is_capped_and_the_reply_says_so(tmp_path: Path) -> None:
    with http_bot(tmp_path, "kubernetes:\n  log_tail_lines: 50\n") as (sandbox, fake, slack):
        pods = sandbox.call(
            lambda: sandbox.store.list(by_kind("Pod"), "prod", label_selector="app=web")
        )
        name = sorted(pod["metadata"]["name"] for pod in pods)[0]
        sandbox.requests.clear()
        sent = slack.command(f"logs {name} -n prod --tail=500")
        post = fake.wait_response(sent.response_url, timeout=30)
        (request,) = sandbox.requests.matching(path=f"/api/v1/namespaces/prod/pods/{name}/log")
    assert request.query["tailLines"] == "50"
    assert "--tail is capped at 50 lines" in json.dumps(post.body)
