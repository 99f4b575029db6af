"""The composition root builds what ``run`` runs: options from the settings reach each part."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bot.cluster import Cluster, own_namespace, require_cluster
from bot.compose import (
    chatops_options,
    composed,
    console_session,
    gateway_options,
)
from bot.core.reply import Paragraph, Visibility
from bot.errors import ConfigError
from bot.service.audit import AuditRecord
from bot.service.options import ChatOpsOptions
from bot.service.service import Request
from bot.settings import Settings, load_settings
from bot.settings.notifications import LeaderElectionSettings
from bot.transport.console import console_subject
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.gateway.support import established_to

ME = console_subject("U0ME", "me")

SETTINGS = """\
slack:
  command: /kube
  workers: 3
  long_workers: 2
kubernetes:
  max_rows: 2
  default_namespace: prod
  request_timeout_seconds: 7
  rollout_status_timeout_seconds: 9
  log_tail_lines: 3
  log_limit_bytes: 4096
replies:
  read_only: in_channel
  changes: ephemeral
  errors: in_channel
policy:
  admins: [U0ME]
confirmations:
  expiry_minutes: 2
  scale_up_factor: 4
  scale_up_above: 40
"""


class MemoryAudit:
    def __init__(self) -> None:
        self.records: list[AuditRecord] = []

    def record(self, entry: AuditRecord) -> None:
        self.records.append(entry)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(scenario="demo") as running:
        yield running


def settings_for(tmp_path: Path, sandbox: Sandbox) -> Settings:
    path = tmp_path / "k8s-chatops.yaml"
    text = SETTINGS.replace("kubernetes:\n", f"kubernetes:\n  kubeconfig: {sandbox.kubeconfig}\n")
    path.write_text(text + f"audit:\n  path: {tmp_path / 'audit.jsonl'}\n", encoding="utf-8")
    return load_settings(path, env={"HOME": str(tmp_path)})


def test_the_service_options_come_from_the_settings(tmp_path: Path, sandbox: Sandbox) -> None:
    assert chatops_options(settings_for(tmp_path, sandbox)) == ChatOpsOptions(
        default_namespace="prod",
        command_prefix="/kube",
        read_only=Visibility.IN_CHANNEL,
        changes=Visibility.EPHEMERAL,
        errors=Visibility.IN_CHANNEL,
        confirmation_expiry=timedelta(minutes=2),
        scale_up_factor=4,
        scale_up_above=40,
    )


def test_the_gateway_options_come_from_the_settings(tmp_path: Path, sandbox: Sandbox) -> None:
    options = gateway_options(settings_for(tmp_path, sandbox))
    assert (options.request_timeout, options.rollout_timeout) == (7, 9)
    logs = options.logs
    assert (logs.limit_bytes, logs.default_tail, logs.selector_tail, logs.max_tail) == (
        4096,
        3,
        3,
        3,
    )
    # a connection per worker, two per long worker (rollout status follows its pods too)
    assert (options.max_rows, options.connections) == (2, 7)


def test_the_composed_gateway_uses_them(tmp_path: Path, sandbox: Sandbox) -> None:
    settings = settings_for(tmp_path, sandbox)
    audit = MemoryAudit()
    with composed(settings, require_cluster(settings, {}), audit=audit) as bot:
        mark = len(sandbox.requests.all())
        reply = bot.chatops.handle(Request(ME, "console", "logs deployment/web"))
    [read] = [r for r in sandbox.requests.all()[mark:] if r.path.endswith("/log")]
    assert read.path.startswith("/api/v1/namespaces/prod/pods/web-")  # the default namespace
    assert (read.query["tailLines"], read.query["limitBytes"]) == ("3", "4096")
    assert reply.visibility is Visibility.IN_CHANNEL  # read_only: in_channel
    assert "/kube logs deployment/web" in " ".join(reply.context)
    assert [r.user_id for r in audit.records] == ["U0ME"]


def test_the_composed_gateway_stops_at_max_rows(tmp_path: Path, sandbox: Sandbox) -> None:
    settings = settings_for(tmp_path, sandbox)
    with composed(settings, require_cluster(settings, {}), audit=MemoryAudit()) as bot:
        reply = bot.chatops.handle(Request(ME, "console", "get pods -A"))
    first = reply.parts[0]  # said at the top, above the rows
    assert isinstance(first, Paragraph)
    assert first.text.startswith("showing the first 2 items")
    assert "showing the first" not in " ".join(reply.context)


def test_the_configured_audit_trail_is_written(tmp_path: Path, sandbox: Sandbox) -> None:
    settings = settings_for(tmp_path, sandbox)
    with composed(settings, require_cluster(settings, {})) as bot:
        session = console_session(settings, bot, subject=ME, channel="ops")
        bot.chatops.handle(Request(ME, session.channel, "version"))
    assert '"text": "version"' in (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    assert session.command_name == "/kube"


def test_the_gateway_is_closed_on_exit(tmp_path: Path, sandbox: Sandbox) -> None:
    settings = settings_for(tmp_path, sandbox)
    port = urlparse(sandbox.url).port
    assert port is not None
    before = established_to(port)
    with composed(settings, require_cluster(settings, {}), audit=MemoryAudit()) as bot:
        bot.chatops.handle(Request(ME, "console", "get pods -A"))
        assert established_to(port) > before
    assert established_to(port) == before


def test_no_cluster_anywhere_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no Kubernetes configuration found"):
        require_cluster(Settings(), {"HOME": str(tmp_path)})


def test_a_cluster_names_its_source(tmp_path: Path, sandbox: Sandbox) -> None:
    settings = settings_for(tmp_path, sandbox)
    assert require_cluster(settings, {}) == Cluster(
        in_cluster=False,
        kubeconfig=sandbox.kubeconfig,
        label=f"kubeconfig {sandbox.kubeconfig}",
    )


def test_own_namespace_prefers_the_service_account(tmp_path: Path) -> None:
    missing = tmp_path / "none"
    assert own_namespace(Settings(), service_account=missing) == "default"
    configured = Settings(leader_election=LeaderElectionSettings(namespace="ops"))
    assert own_namespace(configured, service_account=missing) == "ops"
    (tmp_path / "namespace").write_text("chatops\n")
    assert own_namespace(configured, service_account=tmp_path / "namespace") == "chatops"
