"""The whole of the bot's settings: the file's sections, the Slack credentials and the log
level, in one frozen ``Settings``."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from pydantic import field_validator

from bot.policy_settings import PolicySettings
from bot.secrets import SlackSecrets
from bot.settings.notifications import LeaderElectionSettings, NotificationSettings
from bot.settings.sections import (
    AuditSettings,
    ConfirmationSettings,
    KubernetesSettings,
    OpsSettings,
    RepliesSettings,
    Section,
    SlackMode,
    SlackSettings,
)


class LogLevel(enum.StrEnum):
    """The ``LOG_LEVEL`` values we accept."""

    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


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


class Settings(Section):
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
