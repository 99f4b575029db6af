"""The whole bot wired as in production, against the sandbox cluster and the fake Slack.

``running_stack(mode)`` wires the bot with ``bot.compose`` from a settings file, exactly as
``k8s-chatops run`` does (the same cluster lookup, gateway options, policy, service options and
Slack app); only the audit trail is kept in memory, and the app is served from a background
thread. ``Stack.run`` plays one slash command and returns what Slack received, wherever the app
chose to deliver it.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.cluster import require_cluster
from bot.compose import composed, slack_app
from bot.core.replies import PROGRESS_CONTEXT
from bot.gateway import seen_requests
from bot.service.audit import AuditRecord
from bot.settings import Settings, load_settings
from bot.transport.blocks import CONFIRM_ACTION
from bot.transport.slack_http import running_http
from bot.transport.slack_serve import connect_socket_mode, disconnect_socket_mode
from kubesim.apiserver.request_log import RecordedRequest
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.fakeslack import (
    ALICE,
    OPS_CHANNEL,
    FakeSlack,
    HttpSlack,
    Sent,
    SlackUser,
    SocketSlack,
    running_fake_slack,
)

SIGNING_SECRET = "e2e0signing0secret0e2e0signing00"
SPEED = 50.0
"""Sandbox clock speed: pods start and terminate 50 times faster than in real time."""


@dataclass
class MemoryAudit:
    """The audit sink, kept in memory so tests can read the trail."""

    records: list[AuditRecord] = field(default_factory=list)
    _written: threading.Condition = field(default_factory=threading.Condition)

    def record(self, entry: AuditRecord) -> None:
        with self._written:
            self.records.append(entry)
            self._written.notify_all()

    def wait_for(
        self, found: Callable[[AuditRecord], bool], *, since: int = 0, timeout: float = 20.0
    ) -> AuditRecord:
        """The first record after the first ``since`` that ``found`` accepts, waiting for it."""
        with self._written:
            if not self._written.wait_for(
                lambda: any(found(r) for r in self.records[since:]), timeout
            ):
                raise AssertionError(f"no audit record after {timeout}s")
            return next(r for r in self.records[since:] if found(r))


@dataclass
class ShiftedClock:
    """The bot's wall clock, which a test may move forward (past an expiry) without sleeping."""

    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass(frozen=True)
class Delivered:
    """One message the app delivered for a request."""

    via: str
    """``response_url`` or ``chat.postMessage``."""
    body: dict[str, Any]
    sent: Sent

    @property
    def headline(self) -> str:
        """The notification text (unescaped)."""
        return html.unescape(str(self.body.get("text", "")))

    @property
    def text(self) -> str:
        """Every text in the blocks, unescaped, one per line."""
        found: list[str] = []
        _collect(self.body.get("blocks", []), found)
        return html.unescape("\n".join(found))

    @property
    def ephemeral(self) -> bool:
        """True when only the requester saw it."""
        return self.via == "response_url" and self.body.get("response_type") == "ephemeral"

    def confirm_token(self) -> str:
        """The token the Confirm button carries."""
        for block in self.body.get("blocks", []):
            for element in block.get("elements", []):
                if element.get("action_id") == CONFIRM_ACTION:
                    return str(element["value"])
        raise AssertionError(f"no confirm button in {self.body}")


def _collect(value: object, found: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                found.append(item)
            else:
                _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)


@dataclass
class Stack:
    """The running bot, its cluster and its Slack."""

    mode: str
    sandbox: Sandbox
    fake: FakeSlack
    slack: HttpSlack | SocketSlack
    audit: MemoryAudit
    settings: Settings
    clock: ShiftedClock = field(default_factory=ShiftedClock)
    env: dict[str, str] = field(default_factory=dict)

    def run(
        self,
        text: str,
        *,
        user: SlackUser = ALICE,
        channel: str = OPS_CHANNEL,
        timeout: float = 20.0,
    ) -> Delivered:
        """Send ``/k8s TEXT`` and return the reply, by response_url or in the channel."""
        posted = len(self.fake.calls_to("chat.postMessage"))
        sent = self.slack.command(text, user=user, channel=channel)
        return self._await(sent, posted, timeout, channel)

    def click(
        self,
        action_id: str,
        token: str,
        *,
        user: SlackUser = ALICE,
        timeout: float = 20.0,
        ephemeral: bool = True,
    ) -> tuple[Delivered, list[Delivered]]:
        """Click a button; returns the reply at the click's response_url and any announcement.

        ``ephemeral``: whether the clicked message was seen by its author only (a confirmation)
        or by the channel (an approval prompt)."""
        posted = len(self.fake.calls_to("chat.postMessage"))
        sent = self.slack.click(action_id, token, user=user, ephemeral=ephemeral)
        post = self.fake.wait_response(sent.response_url, timeout=timeout)
        announcements = [
            Delivered("chat.postMessage", call.params, sent)
            for call in self.fake.calls_to("chat.postMessage")[posted:]
            if call.ok
        ]
        return Delivered("response_url", post.body, sent), announcements

    def _await(self, sent: Sent, posted: int, timeout: float, channel: str) -> Delivered:
        def arrived() -> Delivered | None:
            for post in self.fake.responses_to(sent.response_url):
                if post.status == 200 and PROGRESS_CONTEXT not in str(post.body):
                    return Delivered("response_url", post.body, sent)
            for call in self.fake.calls_to("chat.postMessage")[posted:]:
                # Not a notification posted meanwhile in another channel, or in a thread.
                mine = call.params.get("channel") == channel and not call.params.get("thread_ts")
                if call.ok and mine:
                    return Delivered("chat.postMessage", call.params, sent)
            return None

        return self.fake.wait_for(arrived, timeout=timeout, what=f"the reply to {sent}")

    def requests_since(self, mark: int) -> list[RecordedRequest]:
        """Cluster requests after ``mark = len(stack.sandbox.requests)``, but for the records of
        the signed requests HTTP mode took (``bot.gateway.seen_requests``)."""
        return [r for r in self.sandbox.requests.all()[mark:] if not request_record(r)]


def request_record(request: RecordedRequest) -> bool:
    """Whether the bot made ``request`` to record or sweep the signed Slack requests it took."""
    body = request.body if isinstance(request.body, dict) else {}
    name = str(body.get("metadata", {}).get("name", "")) or request.path.rpartition("/")[2]
    if "/configmaps" not in request.path:
        return False
    return name.startswith(seen_requests.PREFIX) or request.query.get("labelSelector") == (
        seen_requests.LABEL
    )


def _environment(workdir: Path, fake: FakeSlack) -> dict[str, str]:
    """What the bot's process would have in its environment: tokens, and no cluster."""
    return {
        "HOME": str(workdir),
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_APP_TOKEN": fake.app_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
    }


VIEWERS = """\
  roles:
    viewer:
      rules:
        - verbs: [get, describe, logs, rollout-status, rollout-history, version]
  bindings:
    - roles: [viewer]
      users: ["*"]
    - roles: [viewer]
      groups: [S0OPS]
"""
"""Every user may read, as before roles existed; only admins change things. The second binding
is for the user group lookup: ``OPS_MEMBERS`` are in S0OPS in the fake Slack."""

OPS_MEMBERS = ["U0BOB"]


def _settings(
    workdir: Path,
    mode: str,
    *,
    sandbox: Sandbox,
    env: dict[str, str],
    slack: str,
    policy: str | None,
    extra: str,
    kubernetes: str = "",
) -> Settings:
    path = workdir / "k8s-chatops.yaml"
    policy = f"policy:\n  admins: [{ALICE.id}]\n{VIEWERS}" if policy is None else policy
    path.write_text(
        f"slack:\n  mode: {mode}\n{slack}"
        f"kubernetes:\n  kubeconfig: {sandbox.kubeconfig}\n{kubernetes}"
        f"{policy}{extra}"
    )
    return load_settings(path, env=env)


def _serve(
    stack: ExitStack,
    *,
    mode: str,
    settings: Settings,
    env: dict[str, str],
    fake: FakeSlack,
    audit: MemoryAudit,
    clock: ShiftedClock,
) -> HttpSlack | SocketSlack:
    """Compose one bot (one replica) and serve it; returns how to play Slack to it."""
    bot = stack.enter_context(
        composed(settings, require_cluster(settings, env), audit=audit, clock=clock)
    )
    app = slack_app(settings, bot)
    stack.callback(app.close)
    if mode == "http":
        url = stack.enter_context(running_http(app))
        return HttpSlack(fake, url, SIGNING_SECRET)
    assert settings.secrets.app_token is not None
    before = fake.socket.live
    handler = connect_socket_mode(app, app_token=settings.secrets.app_token.get_secret_value())
    stack.callback(disconnect_socket_mode, handler)
    fake.wait_for(lambda: fake.socket.live == before + 1, what="the Socket Mode session")
    return SocketSlack(fake, session=before)


@contextmanager
def running_stack(
    mode: str,
    workdir: Path,
    *,
    slack: str = "",
    policy: str | None = None,
    usergroups: dict[str, list[str]] | None = None,
    extra: str = "",
    kubernetes: str = "",
    handles: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """Sandbox (demo scenario) + fake Slack + the bot in ``mode`` ("http" or "socket").

    ``slack``: more lines of the settings' ``slack`` section, indented (``"  workers: 2\n"``).
    ``policy``: the settings' whole ``policy`` section instead of admins-and-viewers, with the
    fake workspace's ``usergroups`` (group id -> member ids, with their ``handles``) it refers
    to. ``extra``: more top-level sections of the settings file; ``kubernetes``: more lines of
    its ``kubernetes`` section, indented.
    """
    with ExitStack() as stack:
        sandbox = stack.enter_context(running_sandbox(scenario="demo", speed=SPEED))
        fake = stack.enter_context(running_fake_slack())
        fake.workspace.usergroups = (
            {"S0OPS": list(OPS_MEMBERS)} if usergroups is None else dict(usergroups)
        )
        fake.workspace.handles = dict(handles or {})
        env = _environment(workdir, fake)
        settings = _settings(
            workdir,
            mode,
            sandbox=sandbox,
            env=env,
            slack=slack,
            policy=policy,
            extra=extra,
            kubernetes=kubernetes,
        )
        audit = MemoryAudit()
        clock = ShiftedClock()
        served = _serve(
            stack, mode=mode, settings=settings, env=env, fake=fake, audit=audit, clock=clock
        )
        yield Stack(mode, sandbox, fake, served, audit, settings, clock, env)


@contextmanager
def running_replica(of: Stack) -> Iterator[Stack]:
    """Another replica of ``of``'s bot: the same settings, cluster, Slack, audit and clock, in
    its own composition (its own gateway, service and Slack app), as a second pod would be."""
    with ExitStack() as stack:
        served = _serve(
            stack,
            mode=of.mode,
            settings=of.settings,
            env=of.env,
            fake=of.fake,
            audit=of.audit,
            clock=of.clock,
        )
        yield Stack(of.mode, of.sandbox, of.fake, served, of.audit, of.settings, of.clock, of.env)


@contextmanager
def http_bots(
    kubeconfig: Path, fake: FakeSlack, workdir: Path, *, count: int = 1
) -> Iterator[list[tuple[str, MemoryAudit]]]:
    """``count`` replicas of the bot in HTTP mode, composed from one settings file, on one
    cluster (the sandbox in any scenario, or any other) and one fake Slack; yields each one's
    events URL and audit trail."""
    env = {
        "HOME": str(workdir),
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
    }
    path = workdir / "k8s-chatops.yaml"
    path.write_text(
        f"slack:\n  mode: http\nkubernetes:\n  kubeconfig: {kubeconfig}\n"
        f"policy:\n  admins: [{ALICE.id}]\n"
    )
    settings = load_settings(path, env=env)
    with ExitStack() as stack:
        served = []
        for _ in range(count):
            audit = MemoryAudit()
            bot = stack.enter_context(
                composed(settings, require_cluster(settings, env), audit=audit)
            )
            app = slack_app(settings, bot)
            stack.callback(app.close)
            served.append((stack.enter_context(running_http(app)), audit))
        yield served
