"""The local console: lines in, rendered replies out, confirmations as a yes/no line."""

from __future__ import annotations

import builtins
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.core.chat_sink import ChatSink, MessageRef
from bot.core.command import Command
from bot.core.impersonation import KubeIdentity
from bot.core.policy import Binding, Policy, Role, Rule
from bot.core.reply import Preformatted, Reply, Tone
from bot.core.results import Change, Result, Table
from bot.core.verbs.get import Get
from bot.service.audit import AuditRecord
from bot.service.options import ChatOpsOptions
from bot.service.service import ChatOps
from bot.transport.console import (
    PROMPT,
    REMEMBERED,
    Console,
    ConsoleSink,
    console_subject,
    stream_reader,
    terminal_reader,
)
from tests.subprocess_env import child_env

ME = console_subject("U0ME", "me")
PODS = Table(columns=("NAME", "READY"), rows=(("web-1", "1/1"),))


@dataclass
class Gateway:
    calls: list[Command] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)

    def execute(
        self, command: Command, *, actor: str, text: str, identity: KubeIdentity | None = None
    ) -> Result:
        self.calls.append(command)
        self.actors.append(actor)
        if isinstance(command, Get):
            return PODS
        return Change(summary='pod "web-1" deleted')


class NoAudit:
    def record(self, entry: AuditRecord) -> None:
        pass


def console(gateway: Gateway, *, admin: bool = True, command: str = "/k8s") -> Console:
    chatops = ChatOps(
        gateway=gateway,
        policy=Policy(admins=frozenset({ME.user_id} if admin else ())),
        options=ChatOpsOptions(command_prefix=command),
        audit=NoAudit(),
    )
    return Console(chatops=chatops, subject=ME, command_name=command)


def run(lines: str, **kwargs: object) -> tuple[int, str, Gateway]:
    gateway = Gateway()
    out = io.StringIO()
    code = console(gateway, **kwargs).run(stream_reader(io.StringIO(lines)), out)  # type: ignore[arg-type]
    return code, out.getvalue(), gateway


def test_piped_lines_are_answered_without_prompts() -> None:
    code, out, gateway = run("get pods\n\n/k8s get pods -A\n")
    assert code == 0
    assert len(gateway.calls) == 2
    assert out.count("web-1") == 2
    assert PROMPT not in out


@pytest.mark.parametrize(
    ("answer", "runs"),
    [
        ("yes\n", True),
        ("Y\n", True),
        ("Confirm\n", True),
        ("confirm\n", True),
        ("no\n", False),
        ("Cancel\n", False),
        ("\n", False),
        ("", False),
    ],
)
def test_confirmation_is_the_next_line(answer: str, *, runs: bool) -> None:
    code, out, gateway = run("delete pod web-1\n" + answer)
    assert code == 0
    assert "Delete pod web-1" in out
    assert bool(gateway.calls) is runs
    assert ("deleted pod/web-1" in out) is runs
    assert ("Cancelled" in out) is not runs
    assert out.count("Delete pod web-1") == 1  # the question, once


def test_the_console_names_its_user_its_own_way() -> None:
    assert (ME.display, ME.actor) == ("@me", "console:@me")
    code, out, gateway = run("delete pod web-1\nyes\n")
    assert code == 0
    assert gateway.actors == ["console:@me"]
    assert "Only @me can confirm" in out


def test_errors_make_the_exit_status_one() -> None:
    code, out, gateway = run("gte pods\nget pods\n")
    assert code == 1
    assert 'unknown command "gte"' in out.lower()
    assert len(gateway.calls) == 1


def test_denied_change_for_non_admin() -> None:
    code, out, gateway = run("scale deployment/web --replicas=2\n", admin=False)
    assert code == 1
    assert (
        "error: you may not scale deployments/web in namespace default: no policy is configured"
        in out
    )
    assert gateway.calls == []


def test_exit_stops_reading() -> None:
    code, _, gateway = run("exit\nget pods\n")
    assert code == 0
    assert gateway.calls == []


def test_the_configured_command_name_is_accepted() -> None:
    code, out, gateway = run("/kube get pods\n", command="/kube")
    assert code == 0
    assert len(gateway.calls) == 1
    assert "web-1" in out


def test_terminal_reader_handles_ctrl_c_and_ctrl_d(monkeypatch: pytest.MonkeyPatch) -> None:
    events: Iterator[str | type[BaseException]] = iter([KeyboardInterrupt, "get pods", EOFError])
    prompts: list[str] = []

    def fake_input(prompt: str = "") -> str:
        prompts.append(prompt)
        event = next(events)
        if isinstance(event, str):
            return event
        raise event

    monkeypatch.setattr(builtins, "input", fake_input)
    out = io.StringIO()
    read = terminal_reader(out)
    assert read(PROMPT) == "get pods"
    assert read(PROMPT) is None
    assert prompts == [PROMPT, PROMPT, PROMPT]
    assert out.getvalue() == "\n\n"


# --- the console as a ChatSink ------------------------------------------------------------

STARTED = Reply(headline="rollout of deployment/web started")


def test_a_post_prints_the_reply_as_the_console_does() -> None:
    out = io.StringIO()
    sink: ChatSink = ConsoleSink(out)
    reply = Reply(headline="pods (1 row)", parts=(Preformatted("NAME\nweb-1"),))
    assert sink.post("console", reply) == MessageRef(channel="console", id="1")
    assert sink.post("console", STARTED) == MessageRef(channel="console", id="2")
    assert out.getvalue() == "pods (1 row)\n\nNAME\nweb-1\n\nrollout of deployment/web started\n\n"


def test_an_update_names_the_message_it_edits() -> None:
    out = io.StringIO()
    sink = ConsoleSink(out)
    ref = sink.post("C1", STARTED)
    done = Reply(headline="deployment/web rolled out", tone=Tone.SUCCESS)
    assert sink.update(ref, done) == ref
    again = Reply(headline="deployment/web rolled out in 40 s", tone=Tone.SUCCESS)
    sink.update(ref, again)
    printed = out.getvalue().split("\n\n")
    assert printed[1:3] == [
        '[edit of "rollout of deployment/web started"]\ndeployment/web rolled out',
        '[edit of "deployment/web rolled out"]\ndeployment/web rolled out in 40 s',
    ]


def test_a_thread_reply_names_the_threads_first_message() -> None:
    out = io.StringIO()
    sink = ConsoleSink(out)
    root = sink.post("C1", STARTED)
    first = sink.reply_in_thread(root, Reply(headline="pod web-1: ImagePullBackOff"))
    second = sink.reply_in_thread(first, Reply(headline="pod web-2: ImagePullBackOff"))
    assert (first, second) == (
        MessageRef(channel="C1", id="2", thread="1"),
        MessageRef(channel="C1", id="3", thread="1"),
    )
    assert out.getvalue().count('[in the thread of "rollout of deployment/web started"]\n') == 2


def test_the_console_forgets_old_headlines() -> None:
    out = io.StringIO()
    sink = ConsoleSink(out)
    first = sink.post("C1", STARTED)
    for n in range(REMEMBERED):
        sink.post("C1", Reply(headline=f"message {n}"))
    sink.update(first, STARTED)
    assert out.getvalue().endswith("[edit of message 1]\nrollout of deployment/web started\n\n")


# --- against the real sandbox and the real gateway -----------------------------------------

HEADER = re.compile(r"^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$", re.MULTILINE)


def console_process(
    tmp_path: Path, stdin: str, *args: str, config: str = ""
) -> subprocess.CompletedProcess[str]:
    """``k8s-chatops console`` in a clean place: no kubeconfig, no settings file, no tokens."""
    env = child_env(drop=("SLACK_", "KUBE", "LOG_"), HOME=str(tmp_path))
    settings = tmp_path / "k8s-chatops.yaml"
    settings.write_text(config, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", "--config", str(settings), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


def test_piped_get_pods_on_the_sandbox_prints_kubectls_table(tmp_path: Path) -> None:
    done = console_process(tmp_path, "get pods -A\n", "--sandbox")
    assert done.returncode == 0, done.stderr
    assert HEADER.search(done.stdout), done.stdout
    rows = [line.split() for line in done.stdout.splitlines()]
    running = {(row[0], row[1].rsplit("-", 2)[0]) for row in rows if row[3:4] == ["Running"]}
    assert {("kube-system", "coredns"), ("prod", "web"), ("prod", "api")} <= running
    assert "sandbox cluster (demo scenario)" in done.stderr


def test_without_a_kubeconfig_the_console_uses_the_sandbox_and_says_so(tmp_path: Path) -> None:
    stdin = (
        "scale deployment/web --replicas=0 -n prod\n"
        "yes\n"
        "get deployment web -n prod\n"
        "scale deployment/web --replicas=1 -n prod\n"
    )
    done = console_process(
        tmp_path, stdin, "--as", "U0ADMIN", config="policy:\n  admins: [U0ADMIN]\n"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no kubeconfig found; using the built-in sandbox cluster" in done.stderr
    out = done.stdout
    assert "@U0ADMIN scaled deployment/web in namespace prod to 0 replicas" in out
    assert "deployment.apps/web scaled" in out
    assert re.search(r"^web\s+0/0\s", out, re.MULTILINE), out
    assert "@U0ADMIN scaled deployment/web in namespace prod to 1 replica\n" in out
    audit = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert [(a["decision"], a["outcome"]) for a in audit] == [
        ("previewed", "not_run"),
        ("confirmed", "ok"),
        ("allowed", "ok"),
        ("allowed", "ok"),
    ]


def test_a_line_that_is_not_utf8_is_reported_and_skipped(tmp_path: Path) -> None:
    env = child_env(drop=("SLACK_", "KUBE", "LOG_"), HOME=str(tmp_path))
    (tmp_path / "k8s-chatops.yaml").write_text("", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--config", "k8s-chatops.yaml", "--sandbox"],
        input=b"get pods \xff\xfe -n prod\nversion\n",
        capture_output=True,
        check=False,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    stderr = done.stderr.decode()
    assert done.returncode == 0, stderr
    assert "line 1: not valid UTF-8 (byte 10); skipped" in stderr
    assert "Traceback" not in stderr
    assert "Client Version" in done.stdout.decode()  # the next line was answered


def test_the_stream_reader_decodes_lines_of_bytes() -> None:
    errors = io.StringIO()
    read = stream_reader(io.BytesIO(b"get pods\r\n\xc3(\nversion"), errors=errors)
    assert [read(""), read(""), read("")] == ["get pods", "version", None]
    assert errors.getvalue().count("\n") == 1


DEPLOYERS = """\
policy:
  roles:
    deployer:
      rules:
        - verbs: [scale, get]
          resources: [deployments]
          namespaces: ["prod"]
          max_replicas: 3
  bindings:
    - roles: [deployer]
      groups: [S0DEPLOY]
      channels: [C0DEPLOYS]
"""


def test_the_console_user_is_held_to_the_policy_by_group_and_channel(tmp_path: Path) -> None:
    stdin = (
        "whoami\n"
        "scale deployment/web --replicas=4 -n prod\n"
        "scale deployment/web --replicas=2 -n prod\n"
    )
    args = ("--as", "U0DEV", "--groups", "S0DEPLOY", "--channel", "C0DEPLOYS")
    done = console_process(tmp_path, stdin, *args, config=DEPLOYERS)
    out = done.stdout
    assert "policy.bindings[0] gives you deployer in C0DEPLOYS." in out
    assert (
        "you may not scale deployments/web in namespace prod: role deployer allows it only up to 3"
        in out
    )
    assert "@U0DEV scaled deployment/web in namespace prod to 2 replicas" in out
    elsewhere = console_process(tmp_path, "get deploy -n prod\n", "--as", "U0DEV", config=DEPLOYERS)
    assert "deployer (in C0DEPLOYS) would" in elsewhere.stdout


@pytest.mark.parametrize(
    ("answer", "cancelled"), [("cancel\n", True), ("yes\n", False), ("", False)]
)
def test_an_approval_request_waits_or_is_withdrawn(answer: str, *, cancelled: bool) -> None:
    rules = Policy(
        roles={
            "rm": Role("rm", (Rule(frozenset({"scale"}), approvers=("lead",)),)),
            "lead": Role("lead", (Rule(frozenset({"get"})),)),
        },
        bindings=(Binding(("rm",), users=frozenset({ME.user_id})),),
    )
    gateway = Gateway()
    chatops = ChatOps(gateway=gateway, policy=rules, audit=NoAudit())
    out = io.StringIO()
    line = "scale deployment/web --replicas=2\n"
    code = Console(chatops=chatops, subject=ME).run(stream_reader(io.StringIO(line + answer)), out)
    assert code == 0
    assert "Run scale on deployments/web in namespace default?" in out.getvalue()
    assert ("Cancelled" in out.getvalue()) is cancelled
    assert ("waits for an approval" in out.getvalue()) is not cancelled
    assert gateway.calls == []
