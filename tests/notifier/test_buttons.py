"""The Logs, Status and Undo buttons of a rollout message, clicked in Slack (signed
``block_actions`` over HTTP, and Socket Mode envelopes): each runs the command it names for
whoever clicks, in that channel, through the same policy, confirmation and audit as typing it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from bot.cluster import require_cluster
from bot.compose import composed, slack_app
from bot.notifications import NotifierTimings, notifications
from bot.service.audit import Verdict
from bot.settings import Settings, load_settings
from bot.transport.blocks import CONFIRM_ACTION, RUN_ACTION
from bot.transport.slack_delivery import Delivery
from bot.transport.slack_http import running_http
from bot.transport.slack_serve import connect_socket_mode, disconnect_socket_mode
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.e2e.stack import SIGNING_SECRET, MemoryAudit
from tests.fakeslack import (
    ALICE,
    BOB,
    OPS_CHANNEL,
    FakeSlack,
    HttpSlack,
    SlackUser,
    SocketSlack,
    running_fake_slack,
)

WAIT = 30.0
FAST = NotifierTimings(tick=0.1, edit_interval=0.3, batch_window=0.4)
POLICY = f"""\
policy:
  roles:
    viewer:
      rules:
        - verbs: [get, logs, rollout-status]
    deployer:
      rules:
        - verbs: [rollout-undo]
          namespaces: [prod]
          confirm: true
  bindings:
    - roles: [viewer]
      users: ["*"]
    - roles: [deployer]
      users: [{ALICE.id}]
notifications:
  routes:
    - namespaces: ["*"]
      channel: {OPS_CHANNEL}
leader_election:
  lease_duration_seconds: 3
  renew_deadline_seconds: 2
  retry_period_seconds: 0.3
"""
"""Everyone may read; only alice may undo in prod, and her rule asks her to confirm first."""


@dataclass
class Bot:
    sandbox: Sandbox
    fake: FakeSlack
    slack: HttpSlack | SocketSlack
    audit: MemoryAudit

    def click(self, value: str, *, user: SlackUser, action_id: str = f"{RUN_ACTION}_0") -> str:
        """Click a button; the reply at the click's response_url, as text."""
        if isinstance(self.slack, HttpSlack):
            sent = self.slack.click(action_id, value, user=user, ephemeral=False)
        else:
            sent = self.slack.click(action_id, value, user=user)
        post = self.fake.wait_response(sent.response_url, timeout=WAIT)
        assert post.body.get("response_type") == "ephemeral"
        assert post.body.get("replace_original") is False or action_id == CONFIRM_ACTION
        return _texts(post.body)

    def type(self, text: str, *, user: SlackUser) -> str:
        """Type ``/k8s TEXT``; the reply at its response_url, as text."""
        sent = self.slack.command(text, user=user)
        return _texts(self.fake.wait_response(sent.response_url, timeout=WAIT).body)


def _texts(body: dict[str, Any]) -> str:
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "text" and isinstance(item, str):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(body.get("blocks", []))
    return html.unescape("\n".join(found))


@contextmanager
def running_bot(mode: str, workdir: Path) -> Iterator[Bot]:
    """The sandbox, the fake Slack and the bot serving ``mode`` with notifications on."""
    with ExitStack() as stack:
        sandbox = stack.enter_context(running_sandbox(scenario="demo", speed=20.0))
        fake = stack.enter_context(running_fake_slack())
        env = {
            "HOME": str(workdir),
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_APP_TOKEN": fake.app_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
        }
        path = workdir / "k8s-chatops.yaml"
        path.write_text(
            f"slack:\n  mode: {mode}\nkubernetes:\n  kubeconfig: {sandbox.kubeconfig}\n"
            f"  rollout_status_timeout_seconds: 2\n{POLICY}"
        )
        settings: Settings = load_settings(path, env=env)
        audit = MemoryAudit()
        cluster = require_cluster(settings, env)
        bot = stack.enter_context(composed(settings, cluster, audit=audit))
        app = slack_app(settings, bot)
        stack.callback(app.close)
        running = stack.enter_context(
            notifications(settings, cluster, Delivery(app.client), identity="one", timings=FAST)
        )
        assert running is not None
        slack: HttpSlack | SocketSlack
        if mode == "http":
            slack = HttpSlack(fake, stack.enter_context(running_http(app)), SIGNING_SECRET)
        else:
            assert settings.secrets.app_token is not None
            handler = connect_socket_mode(
                app, app_token=settings.secrets.app_token.get_secret_value()
            )
            stack.callback(disconnect_socket_mode, handler)
            fake.wait_for(lambda: fake.socket.live == 1, what="the Socket Mode session")
            slack = SocketSlack(fake)
        fake.wait_for(running.leading, timeout=WAIT, what="leadership")
        yield Bot(sandbox, fake, slack, audit)


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """The command buttons of a message: label -> the command its value carries."""
    return {
        element["text"]["text"]: element["value"]
        for block in message["blocks"]
        if block.get("type") == "actions"
        for element in block["elements"]
        if str(element.get("action_id", "")).startswith(RUN_ACTION)
    }


def confirm_token(fake: FakeSlack) -> str:
    """The token of the last Confirm button sent to a response_url."""
    prompt = next(r for r in reversed(fake.responses) if CONFIRM_ACTION in str(r.body))
    return next(
        str(element["value"])
        for block in prompt.body["blocks"]
        if block.get("type") == "actions"
        for element in block["elements"]
        if element["action_id"] == CONFIRM_ACTION
    )


def without_expiry_time(prompt: str) -> str:
    """A prompt with its "expires at HH:MM:SS UTC" clock time blanked out."""
    return re.sub(r"expires at \d\d:\d\d:\d\d UTC", "expires at <time> UTC", prompt)


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_logs_status_and_undo_run_for_whoever_clicks(mode: str, tmp_path: Path) -> None:
    with running_bot(mode, tmp_path) as bot:
        api = bot.sandbox.api_client()
        apps = client.AppsV1Api(api)
        before = apps.read_namespaced_deployment("web", "prod")
        old_image = before.spec.template.spec.containers[0].image
        template = {"spec": {"containers": [{"name": "web", "image": "nginx:crash"}]}}
        body = {
            "spec": {"template": template, "progressDeadlineSeconds": 600, "minReadySeconds": 60}
        }
        apps.patch_namespaced_deployment("web", "prod", body)

        def with_failing_pod() -> dict[str, str]:
            top = [
                m for m in bot.fake.messages if m["channel"] == OPS_CHANNEL and not m["thread_ts"]
            ]
            found = buttons(top[0]) if top else {}
            return found if " -c web " in found.get("Logs", "") else {}

        commands = bot.fake.wait_for(with_failing_pod, timeout=WAIT, what="the failing pod's Logs")
        assert commands["Status"] == "rollout status deployment/web -n prod"
        assert commands["Undo"] == "rollout undo deployment/web -n prod"

        # Logs: the failing pod's tail (or, between two crashes, why there is none), for BOB.
        logs = bot.click(commands["Logs"], user=BOB)
        assert commands["Logs"].split()[1] in logs  # its log, or why it has none right now

        # Status: kubectl's rollout status for the clicker.
        status = bot.click(commands["Status"], user=BOB, action_id=f"{RUN_ACTION}_1")
        assert 'deployment "web"' in status

        # Undo by someone without the right: denied, nothing changes.
        denied = bot.click(commands["Undo"], user=BOB, action_id=f"{RUN_ACTION}_2")
        assert "not allowed" in denied.lower() or "may not" in denied.lower(), denied
        assert (
            apps.read_namespaced_deployment("web", "prod").spec.template.spec.containers[0].image
            == "nginx:crash"
        )

        # Undo by alice: her rule asks for confirmation, as typing it does; it runs on Confirm.
        prompt = bot.click(commands["Undo"], user=ALICE, action_id=f"{RUN_ACTION}_2")
        assert "Confirm" in prompt, prompt
        typed = bot.type(commands["Undo"], user=ALICE)
        # The same question as typed (its expiry clock may have ticked a second since).
        assert without_expiry_time(prompt) == without_expiry_time(typed)
        assert (
            apps.read_namespaced_deployment("web", "prod").spec.template.spec.containers[0].image
            == "nginx:crash"
        )
        bot.click(confirm_token(bot.fake), user=ALICE, action_id=CONFIRM_ACTION)
        bot.fake.wait_for(
            lambda: (
                apps.read_namespaced_deployment("web", "prod")
                .spec.template.spec.containers[0]
                .image
                == old_image
            ),
            timeout=WAIT,
            what="the undo",
        )
        api.close()
    (logged,) = [r for r in bot.audit.records if r.text == commands["Logs"]]
    assert (logged.user_id, logged.verb, logged.decision, logged.channel) == (
        BOB.id,
        "logs",
        Verdict.ALLOWED,
        OPS_CHANNEL,
    )
    clicked = [r for r in bot.audit.records if r.text.startswith("rollout undo")]
    assert [(r.user_id, r.decision) for r in clicked] == [
        (BOB.id, Verdict.DENIED),
        (ALICE.id, Verdict.PENDING),
        (ALICE.id, Verdict.PENDING),
        (ALICE.id, Verdict.CONFIRMED),
    ]
    assert all(r.channel == OPS_CHANNEL for r in clicked)
