"""``k8s-chatops run`` as a real process: the composition root, both modes, signals, and logs.

The bot runs with LOG_LEVEL=DEBUG against the sandbox and the fake Slack; its log and its audit
file must never contain a secret, even one typed into a command that ends in a logged error, and
SIGTERM must stop it cleanly (exit status 0).
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kubesim.testing.harness import running_sandbox
from tests.bot_processes import bot_process, free_port, wait_healthy
from tests.e2e.stack import SIGNING_SECRET
from tests.e2e.target import Target
from tests.fakeslack import ALICE, FakeSlack, HttpSlack, SocketSlack, running_fake_slack


@contextmanager
def cli_bot(
    mode: str, workdir: Path, kubeconfig: Path, fake: FakeSlack, port: int, *, settings: str = ""
) -> Iterator[subprocess.Popen[bytes]]:
    """The bot these tests run: Alice an admin, DEBUG logs as text."""
    admins = f"policy:\n  admins: [{ALICE.id}]\n"
    with bot_process(
        mode,
        workdir,
        kubeconfig,
        fake,
        port,
        settings=admins + settings,
        log_level="DEBUG",
        log_format="text",
    ) as process:
        yield process


@pytest.mark.parametrize("any_stack", ["http"], indirect=True)  # its cluster, for both modes
@pytest.mark.parametrize("mode", ["http", "socket"])
def test_run_serves_slack_and_stops_on_sigterm(target: Target, mode: str, tmp_path: Path) -> None:
    port = free_port()
    with (
        running_fake_slack() as fake,
        cli_bot(mode, tmp_path, target.kubeconfig, fake, port) as process,
    ):
        slack: HttpSlack | SocketSlack
        if mode == "http":
            wait_healthy(fake, f"http://127.0.0.1:{port}/healthz", process)
            slack = HttpSlack(fake, f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
        else:
            fake.wait_for(lambda: fake.socket.live == 1, timeout=60, what="the bot's session")
            slack = SocketSlack(fake)
        typed = f"get deployments -n {target.namespace}"
        sent = slack.command(typed)
        fake.wait_for(
            lambda: [p for p in fake.responses_to(sent.response_url) if "web" in str(p.body)],
            what="the list of deployments",
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    log = (tmp_path / "bot.log").read_text()
    assert "DEBUG" in log
    for secret in (fake.bot_token, fake.app_token, SIGNING_SECRET):
        assert secret not in log
    assert f'"{typed}"' in (tmp_path / "audit.jsonl").read_text()


BOT_TOKEN = "xoxb-7310945518-7329468212785-q2F7WmA4nZkXr9LdV0sTeJcB"
"""A bot token of Slack's real shape (team id, bot id, secret), as the fake Slack's."""


@contextmanager
def http_bot(
    workdir: Path, kubeconfig: Path, settings: str = ""
) -> Iterator[tuple[FakeSlack, HttpSlack]]:
    """The real process in HTTP mode, up and answering, then stopped by SIGTERM (exit 0)."""
    port = free_port()
    with (
        running_fake_slack(bot_token=BOT_TOKEN) as fake,
        cli_bot("http", workdir, kubeconfig, fake, port, settings=settings) as process,
    ):
        wait_healthy(fake, f"http://127.0.0.1:{port}/healthz", process)
        yield fake, HttpSlack(fake, f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


@pytest.mark.sandbox_only(reason="a fault hook answers the pod list with a text page")
def test_secrets_typed_into_a_failing_command_are_redacted_in_log_and_audit(
    tmp_path: Path,
) -> None:
    typed = f"get pods -n prod -l app={SIGNING_SECRET},token={BOT_TOKEN}"
    with (
        running_sandbox(scenario="demo", speed=50) as sandbox,
        http_bot(tmp_path, sandbox.kubeconfig) as (fake, slack),
    ):
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


@pytest.mark.parametrize("any_stack", ["http"], indirect=True)  # its cluster
def test_logs_tail_above_the_setting_is_capped_and_the_reply_says_so(
    target: Target, tmp_path: Path
) -> None:
    name = target.pods("app=web")[0]
    path = f"/api/v1/namespaces/{target.namespace}/pods/{name}/log"
    settings = "kubernetes:\n  log_tail_lines: 50\n"
    with http_bot(tmp_path, target.kubeconfig, settings) as (fake, slack):
        mark = 0 if target.sandbox is None else len(target.sandbox.requests)
        sent = slack.command(f"logs {name} -n {target.namespace} --tail=500")
        post = fake.wait_response(sent.response_url, timeout=30)
    assert "--tail is capped at 50 lines" in json.dumps(post.body)
    if target.sandbox is not None:  # what the bot asked for (no log of it on a real cluster)
        (request,) = [r for r in target.sandbox.requests.all()[mark:] if r.path == path]
        assert request.query["tailLines"] == "50"
