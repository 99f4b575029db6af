"""``k8s-chatops run`` as a real process, as an operator sees it: the ops port, JSON logs without
secrets, and a graceful SIGTERM (readiness off, the command in flight answered, the Lease
handed back, exit status 0)."""

from __future__ import annotations

import ctypes
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from kubesim.testing.harness import Sandbox, running_sandbox
from tests.fakeslack import ALICE, FakeSlack, HttpSlack, running_fake_slack
from tests.fakeslack.drive import Sent
from tests.subprocess_env import child_env

SIGNING_SECRET = "0ops0signing0secret0ops0signing0"
BOT_TOKEN = "xoxb-7310945518-7329468212785-OpsPortT0kenZkXr9LdV0sTeJ"
APP_TOKEN = "xapp-1-A0OPS-7329468212785-0b1c2d3e4f5a6b7c8d9e"
LEASE = "chatops-ops-test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    """GET ``url``: status and body, errors included; (0, reason) when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return int(answer.status), answer.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError as e:
        return 0, str(e)


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    sandbox: Sandbox
    fake: FakeSlack
    slack: HttpSlack
    ops: str
    """``http://127.0.0.1:PORT`` of the ops port."""
    log: Path

    def lease_holder(self) -> str | None:
        """Who holds the Lease; None also while no replica has created it yet."""
        api = self.sandbox.api_client()
        try:
            lease = client.CoordinationV1Api(api).read_namespaced_lease(LEASE, "default")
        except ApiException as e:
            if e.status == 404:
                return None
            raise
        finally:
            api.close()
        holder: str | None = lease.spec.holder_identity
        return holder


@contextmanager
def running_bot(workdir: Path) -> Iterator[Running]:
    port, ops = free_port(), free_port()
    with (
        running_sandbox(scenario="demo", speed=50) as sandbox,
        running_fake_slack(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as fake,
    ):
        config = workdir / "k8s-chatops.yaml"
        config.write_text(
            f"slack:\n  mode: http\n  port: {port}\n  shutdown_grace_seconds: 60\n"
            f"policy:\n  admins: [{ALICE.id}]\n"
            "notifications:\n  routes:\n    - channel: C0DEPLOYS\n"
            f"leader_election:\n  lease_name: {LEASE}\n  namespace: default\n"
            "ops:\n  host: 127.0.0.1\n"
        )
        env = child_env(
            drop=("KUBERNETES_", "SLACK_"),
            HOME=str(workdir),
            LOG_LEVEL="DEBUG",
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake.api_url,
        )
        argv = [sys.executable, "-m", "bot", "run", "--config", str(config)]
        argv += ["--kubeconfig", str(sandbox.kubeconfig), "--ops-port", str(ops)]
        log = workdir / "bot.log"
        with log.open("wb") as out:
            process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
            try:
                running = Running(
                    process,
                    sandbox,
                    fake,
                    HttpSlack(fake, f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET),
                    f"http://127.0.0.1:{ops}",
                    log,
                )

                def ready() -> bool:
                    assert process.poll() is None, log.read_text()
                    return get(running.ops + "/readyz")[0] == 200

                fake.wait_for(ready, timeout=60, what="the bot's /readyz")
                yield running
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait(timeout=10)


def command_in_flight(bot: Running) -> Sent:
    """``get pods -n prod``, sent once the bot is waiting on its pod list, which the cluster
    answers only seconds later."""
    path = "/api/v1/namespaces/prod/pods"
    bot.sandbox.faults.delay(3.0, method="GET", path=f"{path}$", times=1)
    sent = bot.slack.command("get pods -n prod")
    bot.fake.wait_for(
        lambda: bot.sandbox.requests.matching(method="GET", path=path),
        what="the command's request to the cluster",
    )
    return sent


def test_sigterm_finishes_the_command_in_flight_releases_the_lease_and_exits_0(
    tmp_path: Path,
) -> None:
    with running_bot(tmp_path) as bot:
        assert get(bot.ops + "/healthz") == (200, "ok\n")
        bot.fake.wait_for(bot.lease_holder, timeout=30, what="the notifier's Lease")
        sent = command_in_flight(bot)
        bot.process.send_signal(signal.SIGTERM)
        bot.fake.wait_for(
            lambda: get(bot.ops + "/readyz") == (503, "not ready: shutting down\n"),
            what="readiness to turn false",
        )
        assert bot.process.wait(timeout=60) == 0
        posts = [json.dumps(p.body) for p in bot.fake.responses_to(sent.response_url)]
        assert any("web-" in body for body in posts), posts  # the reply, after the progress note
        assert not bot.lease_holder()
    lines = bot.log.read_text().splitlines()
    events = [json.loads(line) for line in lines]  # every line is one JSON object
    logged = [e for e in events if "event" in e]
    assert {"time", "level", "event", "logger"} <= set(logged[0])
    assert any(e["event"].startswith("waiting up to 60s for 1 request") for e in logged)
    assert any(e["level"] == "debug" for e in logged)
    assert [e["text"] for e in events if "decision" in e] == ["get pods -n prod"]  # audit


def test_no_token_or_secret_reaches_the_output(tmp_path: Path) -> None:
    typed = f"get pods -n prod -l app={SIGNING_SECRET},token={BOT_TOKEN}"
    with running_bot(tmp_path) as bot:
        sent = bot.slack.command(typed)
        bot.fake.wait_response(sent.response_url, timeout=30)
        bot.slack.command("get deployments -n prod")
        bot.process.send_signal(signal.SIGTERM)
        assert bot.process.wait(timeout=90) == 0, bot.log.read_text()[-3000:]
    output = bot.log.read_text()
    assert "[REDACTED]" in output
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in output


def test_metrics_count_the_commands_and_the_requests(tmp_path: Path) -> None:
    with running_bot(tmp_path) as bot:
        sent = bot.slack.command("get deployments -n prod")
        bot.fake.wait_response(sent.response_url, timeout=30)

        def counted() -> str | None:
            status, text = get(bot.ops + "/metrics")
            assert status == 200
            return text if _sample(text, "k8s_chatops_commands_total", verb="get") else None

        text = bot.fake.wait_for(counted, what="the command in /metrics")
        bot.process.send_signal(signal.SIGTERM)
        assert bot.process.wait(timeout=60) == 0
    assert _sample(text, "k8s_chatops_commands_total", decision="allowed", outcome="ok") == 1
    assert (
        _sample(text, "k8s_chatops_kubernetes_requests_total", method="GET", code="200") or 0
    ) > 0
    assert (_sample(text, "k8s_chatops_slack_api_calls_total", method="response_url") or 0) >= 1
    assert _sample(text, "k8s_chatops_leader") in (0.0, 1.0)


def _sample(text: str, name: str, **labels: Any) -> float | None:
    """The value of the first sample of ``name`` carrying ``labels``, or None."""
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            wanted = all(sample.labels.get(k) == v for k, v in labels.items())
            if sample.name == name and wanted:
                return float(sample.value)
    return None


SYS_TGKILL = {"x86_64": 234, "aarch64": 131}


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.machine() not in SYS_TGKILL,
    reason="tgkill: Linux on x86_64 or aarch64",
)
def test_sigterm_taken_by_another_thread_still_stops_the_bot(tmp_path: Path) -> None:
    """The kernel may hand SIGTERM to any thread; an idle bot must stop all the same."""
    libc = ctypes.CDLL(None, use_errno=True)
    with running_bot(tmp_path) as bot:
        pid = bot.process.pid
        others = sorted(int(t) for t in os.listdir(f"/proc/{pid}/task") if int(t) != pid)
        assert others
        assert libc.syscall(SYS_TGKILL[platform.machine()], pid, others[-1], signal.SIGTERM) == 0
        assert bot.process.wait(timeout=60) == 0
        assert not bot.lease_holder()


def _ack_process(bot: Running) -> int:
    """The pid of the bot's child that serves its HTTP port."""
    pid = bot.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    (child,) = children
    return int(child)


def _nice(pid: int, tid: int) -> int:
    """A thread's nice value (field 19 of its stat, after the parenthesised name)."""
    stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
    return int(stat.rpartition(")")[2].split()[16])


def test_a_process_of_its_own_acks_even_while_the_bots_process_is_frozen(tmp_path: Path) -> None:
    with running_bot(tmp_path) as bot:
        ack = _ack_process(bot)
        assert ack != bot.process.pid
        threads = [int(t) for t in os.listdir(f"/proc/{bot.process.pid}/task")]
        assert {_nice(bot.process.pid, t) for t in threads} == {10}  # slack.workers_nice
        assert _nice(ack, ack) == 0
        bot.process.send_signal(signal.SIGSTOP)  # no thread of the bot's can run
        try:
            sent = bot.slack.command("get pods -n prod")
            assert (sent.status, sent.body) == (200, "")  # acked all the same
            assert bot.fake.responses_to(sent.response_url) == []
        finally:
            bot.process.send_signal(signal.SIGCONT)
        answer = bot.fake.wait_response(sent.response_url, timeout=30)  # then it runs
        assert "web-" in json.dumps(answer.body)


def test_when_its_ack_process_dies_the_bot_finishes_what_it_took_and_exits_1(
    tmp_path: Path,
) -> None:
    with running_bot(tmp_path) as bot:
        sent = command_in_flight(bot)
        os.kill(_ack_process(bot), signal.SIGKILL)
        assert bot.process.wait(timeout=60) == 1
        posts = [json.dumps(p.body) for p in bot.fake.responses_to(sent.response_url)]
        assert any("web-" in body for body in posts), posts  # the command taken was answered
    assert "the ack process ended" in bot.log.read_text()
