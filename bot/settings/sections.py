"""The settings' sections for Slack, the cluster, replies, confirmations, the audit trail and
the ops port, each a frozen, closed model whose fields say what they mean."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from bot.core.impersonation import GROUP_FIELDS, USER_FIELDS, Impersonation, check_template
from bot.core.reply import Visibility


class SlackMode(enum.StrEnum):
    """How Slack reaches the bot."""

    SOCKET = "socket"
    HTTP = "http"


class Section(BaseModel):
    """Frozen and closed: an unknown key is a typo, and a typo must not pass silently."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class SlackSettings(Section):
    """How the bot talks to Slack."""

    mode: SlackMode = Field(
        default=SlackMode.SOCKET,
        description="'socket' (Socket Mode: the bot dials out) or 'http' (Slack POSTs to us)",
    )
    host: str = Field(default="127.0.0.1", description="address to listen on in http mode")
    port: int = Field(default=3000, ge=1, le=65535, description="port to listen on in http mode")
    command: str = Field(default="/k8s", description="the slash command the app registers")
    api_url: str | None = Field(
        default=None, description="Slack Web API base URL override (env SLACK_API_URL wins)"
    )
    workers: int = Field(
        default=16, ge=1, le=256, description="threads running commands and button clicks"
    )
    long_workers: int = Field(
        default=16,
        ge=1,
        le=256,
        description="threads for commands that wait (rollout status), apart from the others",
    )
    queue: int = Field(
        default=256,
        ge=0,
        le=10_000,
        description="requests waiting for a thread (per pool); past it users are told to retry",
    )
    per_user: int = Field(
        default=4, ge=1, le=1000, description="requests one user may have waiting or running"
    )
    workers_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description=(
            "http mode: how far below the ack process's the CPU priority of the bot's own "
            "threads is (a nice increment; 0: the same)"
        ),
    )
    shutdown_grace_seconds: float = Field(
        default=25.0,
        ge=0,
        le=3600,
        description="on SIGTERM, how long commands in flight may take to finish",
    )

    @field_validator("command")
    @classmethod
    def _slash(cls, value: str) -> str:
        if not value.startswith("/") or len(value) < 2 or " " in value:
            msg = "expected a slash command such as '/k8s'"
            raise ValueError(msg)
        return value

    @field_validator("api_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            msg = "expected an http(s) URL such as 'https://slack.com/api/'"
            raise ValueError(msg)
        return value if value.endswith("/") else value + "/"


class ImpersonateSettings(Section):
    """``kubernetes.impersonate``: each Slack user acts in the cluster as a user of their own."""

    user: str = Field(
        default="slack:{user_id}",
        description="Kubernetes user name template: {user_id}, {user_name}, {email}",
    )
    group: str | None = Field(
        default="slack:{handle}",
        description="a Kubernetes group per Slack user group: {id}, {handle}; none for no groups",
    )
    extra_groups: tuple[str, ...] = Field(
        default=(), description="groups every impersonated user also gets"
    )

    @field_validator("user")
    @classmethod
    def _user(cls, value: str) -> str:
        check_template(value, USER_FIELDS)
        if not value.strip():
            msg = "expected a user name template such as 'slack:{user_id}'"
            raise ValueError(msg)
        return value

    @field_validator("group")
    @classmethod
    def _group(cls, value: str | None) -> str | None:
        return None if value is None else check_template(value, GROUP_FIELDS)

    def to_impersonation(self) -> Impersonation:
        """The service's form of these templates."""
        return Impersonation(user=self.user, group=self.group, extra_groups=self.extra_groups)


class KubernetesSettings(Section):
    """Which cluster, and how long and how much to ask of it."""

    context: str | None = Field(
        default=None, description="kubeconfig context; none means its current context"
    )
    kubeconfig: Path | None = Field(
        default=None, description="kubeconfig file; none means KUBECONFIG, then ~/.kube/config"
    )
    default_namespace: str = Field(
        default="default", description="namespace for commands without -n/--namespace"
    )
    request_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="timeout of each Kubernetes API request"
    )
    rollout_status_timeout_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="how long `rollout status` waits for the rollout"
    )
    log_tail_lines: int = Field(
        default=200,
        ge=1,
        le=100_000,
        description="most log lines returned (an upper bound on --tail)",
    )
    log_limit_bytes: int = Field(
        default=512_000, ge=1024, le=50_000_000, description="most bytes of logs read per request"
    )
    max_rows: int = Field(
        default=50_000,
        ge=1,
        le=1_000_000,
        description="most rows `get` returns before saying how to narrow the query",
    )
    impersonate: ImpersonateSettings | None = Field(
        default=None,
        description="act as each Slack user in the cluster (user, group, extra_groups)",
    )

    @field_validator("default_namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        # RFC 1123 label, the rule the API server applies to namespace names.
        ok = 0 < len(value) <= 63 and value[0].isalnum() and value[-1].isalnum()
        if not ok or any(not (c.isdigit() or c.islower() or c == "-") for c in value):
            msg = "expected a namespace name (lower-case letters, digits and '-')"
            raise ValueError(msg)
        return value


class RepliesSettings(Section):
    """Who sees each kind of answer in Slack."""

    read_only: Visibility = Field(
        default=Visibility.EPHEMERAL,
        description="answers to get/describe/logs/...: ephemeral|in_channel",
    )
    changes: Visibility = Field(
        default=Visibility.IN_CHANNEL,
        description="announcements of scale/set image/...: same choices",
    )
    errors: Visibility = Field(
        default=Visibility.EPHEMERAL, description="error replies: same choices"
    )


class ConfirmationSettings(Section):
    """Damaging commands wait for their author's confirmation this long."""

    # Slack's response_url, used to answer a button click, lives 30 minutes.
    expiry_minutes: float = Field(
        default=5.0, gt=0, le=30, description="minutes a confirmation stays valid (at most 30)"
    )
    # kubectl scale --replicas=100000 is one typo away from --replicas=10: asked first.
    scale_up_factor: int = Field(
        default=10,
        ge=1,
        description="a scale to more than this many times the current replicas is confirmed",
    )
    scale_up_above: int = Field(
        default=100, ge=0, description="a scale to more than this many replicas is confirmed"
    )


def _channel(value: str) -> str:
    # Channel ids stay valid when a channel is renamed; names do not.
    if not (value[:1] in ("C", "G") and value[1:].isalnum() and value.isupper()):
        msg = "expected a Slack channel id such as 'C0DEPLOYS' (not a #name)"
        raise ValueError(msg)
    return value


SlackChannelId = Annotated[str, AfterValidator(_channel)]


class AuditSettings(Section):
    """Where the audit trail goes."""

    path: str = Field(
        default="stdout", description="'stdout', 'stderr' or a file to append JSON lines to"
    )
    channel: SlackChannelId | None = Field(
        default=None, description="Slack channel id that also gets a short message per record"
    )


class OpsSettings(Section):
    """The operator's port: liveness, readiness and Prometheus metrics."""

    # All addresses: the kubelet probes the pod's IP, and Prometheus scrapes it.
    host: str = Field(default="0.0.0.0", description="address the ops port listens on")
    port: int = Field(
        default=8080,
        ge=0,
        le=65535,
        description="/healthz, /readyz and /metrics in `run`; 0 turns the port off",
    )
