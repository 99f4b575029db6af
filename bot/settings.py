"""The bot's settings: one YAML file plus the environment, validated once at start-up.

Everything the bot can be told lives in one frozen ``Settings`` object, so a mistake surfaces
before the bot connects to Slack, as one line naming the key and what was expected::

    config/k8s-chatops.yaml: replies.read_only: expected one of 'ephemeral', 'in_channel',
    got 'public'

Secrets come only from the environment (``bot.secrets``); a token-looking key or value in the
file is refused rather than silently ignored.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final, get_args, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.core.impersonation import GROUP_FIELDS, USER_FIELDS, Impersonation, check_template
from bot.core.reply import Visibility
from bot.errors import ConfigError
from bot.policy_settings import PolicySettings
from bot.secrets import SECRET_ENV, TOKEN_PATTERN, SlackSecrets, load_secrets
from bot.settings_errors import describe_error, loc_path, unknown_key_message

DEFAULT_PATH: Final = Path("config/k8s-chatops.yaml")

ENVIRONMENT: Final[Mapping[str, str]] = {
    "SLACK_BOT_TOKEN": "bot token (xoxb-...); or SLACK_BOT_TOKEN_FILE naming a file holding it",
    "SLACK_APP_TOKEN": "app-level token (xapp-...) for Socket Mode; or SLACK_APP_TOKEN_FILE",
    "SLACK_SIGNING_SECRET": "signing secret for HTTP mode; or SLACK_SIGNING_SECRET_FILE",
    "SLACK_API_URL": "Slack Web API base URL override (overrides slack.api_url)",
    "KUBECONFIG": "kubeconfig path(s) when neither --kubeconfig nor kubernetes.kubeconfig is set",
    "KUBERNETES_SERVICE_HOST": "set inside a pod: the bot then uses its service account",
    "LOG_LEVEL": "DEBUG, INFO (default), WARNING or ERROR",
}
"""Every environment variable the bot reads, for ``--help``."""

_SECRET_WORDS: Final = ("token", "secret", "password", "credential")


class SlackMode(enum.StrEnum):
    """How Slack reaches the bot."""

    SOCKET = "socket"
    HTTP = "http"


class LogLevel(enum.StrEnum):
    """The ``LOG_LEVEL`` values we accept."""

    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


class _Section(BaseModel):
    """Frozen and closed: an unknown key is a typo, and a typo must not pass silently."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class SlackSettings(_Section):
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


class ImpersonateSettings(_Section):
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


class KubernetesSettings(_Section):
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


class RepliesSettings(_Section):
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


class ConfirmationSettings(_Section):
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


def _glob(value: str) -> str:
    # A namespace name, or a glob over names ('*', 'prod-*'): RFC 1123 letters plus '*' and '?'.
    if not value or any(not (c.isalnum() and not c.isupper()) and c not in "-*?" for c in value):
        msg = "expected a namespace name or glob such as 'prod' or 'prod-*'"
        raise ValueError(msg)
    return value


NamespaceGlob = Annotated[str, AfterValidator(_glob)]


def _channel(value: str) -> str:
    # Channel ids stay valid when a channel is renamed; names do not.
    if not (value[:1] in ("C", "G") and value[1:].isalnum() and value.isupper()):
        msg = "expected a Slack channel id such as 'C0DEPLOYS' (not a #name)"
        raise ValueError(msg)
    return value


SlackChannelId = Annotated[str, AfterValidator(_channel)]


class AuditSettings(_Section):
    """Where the audit trail goes."""

    path: str = Field(
        default="stdout", description="'stdout', 'stderr' or a file to append JSON lines to"
    )
    channel: SlackChannelId | None = Field(
        default=None, description="Slack channel id that also gets a short message per record"
    )


class RouteSettings(_Section):
    """One route: Deployments in these namespaces (and matching the selector) go to a channel."""

    namespaces: tuple[NamespaceGlob, ...] = Field(
        default=("*",), min_length=1, description="namespace globs this route covers"
    )
    selector: str = Field(
        default="", description="optional equality label selector on the Deployment (a=b,c!=d)"
    )
    channel: SlackChannelId = Field(description="Slack channel id the notifications go to")

    @field_validator("selector")
    @classmethod
    def _selector(cls, value: str) -> str:
        for term in filter(None, (t.strip() for t in value.split(","))):
            key, sep, _ = term.replace("!=", "=").replace("==", "=").partition("=")
            if not sep or not key.strip():
                msg = f"expected a label selector such as 'team=payments', got term {term!r}"
                raise ValueError(msg)
        return value


class NotificationSettings(_Section):
    """Rollout notifications: which namespaces are watched and where their messages go."""

    enabled: bool | None = Field(
        default=None, description="post rollout notifications; none means yes when a route exists"
    )
    namespaces: tuple[NamespaceGlob, ...] = Field(
        default=("*",), description="namespace globs whose Deployments are watched"
    )
    routes: tuple[RouteSettings, ...] = Field(
        default=(),
        description="first match wins (namespaces, selector, channel); no match, no message",
    )
    scale_changes: bool = Field(
        default=False, description="notify of replicas-only changes too (not rollouts)"
    )

    @property
    def active(self) -> bool:
        """Whether the notifier runs: on when a route exists, unless switched off."""
        return bool(self.routes) if self.enabled is None else self.enabled


class LeaderElectionSettings(_Section):
    """The Lease that lets one replica of the bot post notifications."""

    lease_name: str = Field(
        default="k8s-chatops", description="coordination.k8s.io/v1 Lease in the bot's namespace"
    )
    namespace: str | None = Field(
        default=None,
        description="the bot's namespace outside a pod (in a pod: its own); none means default",
    )
    lease_duration_seconds: float = Field(
        default=15.0, gt=0, le=3600, description="a lease not renewed this long may be taken"
    )
    renew_deadline_seconds: float = Field(
        default=10.0, gt=0, le=3600, description="the leader stops leading if not renewed by then"
    )
    retry_period_seconds: float = Field(
        default=2.0, gt=0, le=600, description="pause between attempts to acquire or renew"
    )

    @field_validator("lease_name", "namespace")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is None:
            return None
        ok = 0 < len(value) <= 63 and value[0].isalnum() and value[-1].isalnum()
        if not ok or any(not (c.isdigit() or c.islower() or c in "-.") for c in value):
            msg = "expected a Kubernetes name (lower-case letters, digits, '-' and '.')"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _timings(self) -> LeaderElectionSettings:
        if not self.lease_duration_seconds > self.renew_deadline_seconds:
            msg = "lease_duration_seconds must be greater than renew_deadline_seconds"
            raise ValueError(msg)
        if not self.renew_deadline_seconds > self.retry_period_seconds:
            msg = "renew_deadline_seconds must be greater than retry_period_seconds"
            raise ValueError(msg)
        return self


class OpsSettings(_Section):
    """The operator's port: liveness, readiness and Prometheus metrics."""

    # All addresses: the kubelet probes the pod's IP, and Prometheus scrapes it.
    host: str = Field(default="0.0.0.0", description="address the ops port listens on")
    port: int = Field(
        default=8080,
        ge=0,
        le=65535,
        description="/healthz, /readyz and /metrics in `run`; 0 turns the port off",
    )


_MODE_SECRETS: Final[Mapping[SlackMode, tuple[str, ...]]] = {
    SlackMode.SOCKET: ("bot_token", "app_token"),
    SlackMode.HTTP: ("bot_token", "signing_secret"),
}
"""The credentials each way of reaching Slack needs (``SlackSecrets`` field names)."""

FILE_SECTIONS: Final = (
    "slack",
    "kubernetes",
    "replies",
    "policy",
    "confirmations",
    "audit",
    "notifications",
    "leader_election",
    "ops",
)
"""Top-level keys the YAML file may have; the rest of ``Settings`` comes from the environment."""


class Settings(_Section):
    """Everything the bot was configured with; build it with ``load_settings``."""

    slack: SlackSettings = SlackSettings()
    kubernetes: KubernetesSettings = KubernetesSettings()
    replies: RepliesSettings = RepliesSettings()
    policy: PolicySettings = PolicySettings()
    confirmations: ConfirmationSettings = ConfirmationSettings()
    audit: AuditSettings = AuditSettings()
    notifications: NotificationSettings = NotificationSettings()
    leader_election: LeaderElectionSettings = LeaderElectionSettings()
    ops: OpsSettings = OpsSettings()
    secrets: SlackSecrets = SlackSecrets()
    log_level: LogLevel = LogLevel.INFO
    """From ``LOG_LEVEL``, any case."""
    source: Path | None = None
    """The file the settings came from, or None when only defaults were used."""

    @field_validator("log_level", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        return (
            value.upper()
            if isinstance(value, str) and value.upper() in LogLevel.__members__
            else value
        )

    def require_slack_secrets(self) -> None:
        """Fail at start-up, naming the variables, when ``slack.mode`` lacks a credential."""
        mode = self.slack.mode
        self.secrets.require(*_MODE_SECRETS[mode], mode=str(mode))


@dataclass(frozen=True, slots=True)
class Override:
    """A setting given on the command line, validated like the file's and named by its flag."""

    path: str
    """Dotted key, e.g. ``slack.port``."""
    value: object
    origin: str
    """How the user gave it, e.g. ``--port``; error messages start with it."""


def load_settings(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: tuple[Override, ...] = (),
) -> Settings:
    """Read ``path`` (default ``config/k8s-chatops.yaml`` if present), apply the environment and
    ``overrides``, and validate; raise ``ConfigError`` naming the first bad key.
    """
    env = os.environ if env is None else env
    explicit = path is not None
    path = DEFAULT_PATH if path is None else path
    label = str(path)
    data: dict[str, Any] = {}
    source: Path | None = None
    if explicit or path.exists():
        data = _read_yaml(path)
        source = path
    origins: dict[tuple[str, ...], str] = {}
    for key, var in (("slack.api_url", "SLACK_API_URL"), ("log_level", "LOG_LEVEL")):
        if env.get(var):
            _put(data, key, env[var])
            origins[tuple(key.split("."))] = var
    for item in overrides:
        if item.value is not None:
            _put(data, item.path, item.value)
            origins[tuple(item.path.split("."))] = item.origin
    data["secrets"] = load_secrets(env)
    data["source"] = source
    try:
        return Settings.model_validate(data)
    except ValidationError as e:
        error = e.errors()[0]
        loc = tuple(str(part) for part in error["loc"])
        where = origins.get(loc[:2]) or origins.get(loc[:1]) or label
        detail = describe_error(error, _keys_at(error["loc"][:-1]))
        raise ConfigError(f"{where}: {loc_path(error['loc'])}: {detail}") from None


def _keys_at(loc: tuple[str | int, ...]) -> tuple[str, ...]:
    """The keys allowed in the mapping at ``loc``, for an "unknown key" message.

    ``loc`` may pass through lists and named maps (``policy.roles.NAME.rules[0]``).
    """
    node: object = Settings
    for part in loc:
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(str(part))
            node = None if field is None else field.annotation
        else:
            args = get_args(node)
            node = args[-1] if get_origin(node) is dict else (args[0] if args else None)
        if type(None) in get_args(node):  # ``X | None``: the X
            node = next((a for a in get_args(node) if a is not type(None)), None)
    if node is Settings:
        return FILE_SECTIONS
    if isinstance(node, type) and issubclass(node, BaseModel):
        return tuple(node.model_fields)
    return ()


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        msg = f"{path}: cannot read the settings file ({e.strerror or e}); check --config"
        raise ConfigError(msg) from e
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(e, "problem", None) or "invalid YAML"
        msg = f"{path}: {where}{problem}; the file must be valid YAML"
        raise ConfigError(msg) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        msg = f"{path}: expected a mapping of settings at the top level"
        raise ConfigError(msg)
    _refuse_secrets(path, loaded, ())
    for key in loaded:
        if key not in FILE_SECTIONS:
            raise ConfigError(f"{path}: {key}: {unknown_key_message(str(key), FILE_SECTIONS)}")
    # `replies:` with every key commented out parses as null; read it as "all defaults".
    return {key: ({} if value is None else value) for key, value in loaded.items()}


def _refuse_secrets(path: Path, node: object, loc: tuple[str | int, ...]) -> None:
    """Tokens belong in the environment; say so instead of reporting an 'unknown key'."""
    where = f"{path}: {loc_path(loc)}" if loc else str(path)
    variables = ", ".join(SECRET_ENV.values())
    hint = f"secrets are read only from the environment ({variables}, or their _FILE variants)"
    if isinstance(node, dict):
        for key, value in node.items():
            if any(word in str(key).lower() for word in _SECRET_WORDS):
                raise ConfigError(f"{path}: {loc_path((*loc, str(key)))}: {hint}")
            _refuse_secrets(path, value, (*loc, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _refuse_secrets(path, value, (*loc, index))
    elif isinstance(node, str) and TOKEN_PATTERN.search(node):
        raise ConfigError(f"{where}: this looks like a Slack token (not shown); {hint}")


def _put(data: dict[str, Any], dotted: str, value: object) -> None:
    *parents, last = dotted.split(".")
    node = data
    for key in parents:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
        node[key] = child = dict(child)
        node = child
    node[last] = value


def reference() -> list[tuple[str, str, str]]:
    """(key, default, description) for every file setting, in file order, for ``--help``."""
    rows: list[tuple[str, str, str]] = []
    for section in FILE_SECTIONS:
        model = Settings.model_fields[section].annotation
        assert isinstance(model, type)
        assert issubclass(model, BaseModel)
        for name, field in model.model_fields.items():
            default = field.get_default(call_default_factory=True)
            shown = "none" if default is None else str(default)
            if isinstance(default, tuple):
                shown = "[]" if not default else ", ".join(default)
            rows.append((f"{section}.{name}", shown, field.description or ""))
    return rows
