"""What ``--help`` lists of the settings: every file key with its default and description,
and every environment variable the bot reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from pydantic import BaseModel

from bot.settings.settings import FILE_SECTIONS, Settings

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
