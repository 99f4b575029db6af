"""What ``k8s-chatops check`` asks Slack: does the bot token work, and has it the scopes the bot
uses. Slack lists a token's scopes in the ``x-oauth-scopes`` header of every Web API answer, so
one ``auth.test`` says both."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.errors import ConfigError
from bot.settings import Settings
from bot.transport.slack_clients import web_client

SCOPES: Final[Mapping[str, str]] = {
    "commands": "the slash command",
    "chat:write": "replies, announcements and notifications (chat.postMessage, chat.update)",
    "files:write": "long replies uploaded as files",
    "im:write": "long private replies sent as a direct message (conversations.open)",
}
"""Bot-token scopes the bot uses, and what for."""
GROUPS_SCOPE: Final = ("usergroups:read", "policy bindings to user groups (usergroups.users.list)")


@dataclass(frozen=True, slots=True)
class SlackIdentity:
    """Who the bot token is, and what it may do."""

    team: str
    user: str
    scopes: frozenset[str] | None
    """The token's granted scopes; None when Slack did not say."""


def required_scopes(settings: Settings) -> dict[str, str]:
    """The scopes this configuration needs: ``usergroups:read`` only when a binding names a
    group or impersonation maps groups, the ``users:read`` ones when a user name holds {email},
    the ``history`` ones when rollout notifications are on (``conversations.history``)."""
    needed = dict(SCOPES)
    impersonate = settings.kubernetes.impersonate
    grouped = impersonate is not None and impersonate.group is not None
    if grouped or any(binding.groups for binding in settings.policy.bindings):
        needed[GROUPS_SCOPE[0]] = GROUPS_SCOPE[1]
    if impersonate is not None and "{email}" in impersonate.user:
        needed["users:read"] = "the Kubernetes user name's {email} (users.info)"
        needed["users:read.email"] = "the Kubernetes user name's {email}"
    if settings.notifications.active:
        for scope in ("channels:history", "groups:history"):
            needed[scope] = "a new leader finds a notification posted just before a crash"
    return needed


def auth_test(settings: Settings) -> SlackIdentity:
    """Call ``auth.test`` with the bot token; ConfigError saying why when it fails."""
    token = settings.secrets.bot_token
    if token is None:
        msg = "SLACK_BOT_TOKEN (or SLACK_BOT_TOKEN_FILE) is not set; set it in the environment"
        raise ConfigError(msg)
    client = web_client(token.get_secret_value(), base_url=settings.slack.api_url)
    try:
        response = client.auth_test()
    except SlackApiError as e:
        code = e.response.get("error") if e.response is not None else "refused"
        msg = f"SLACK_BOT_TOKEN: Slack refused the bot token (auth.test: {code}); check it"
        raise ConfigError(msg) from None
    except (SlackClientError, OSError) as e:
        msg = f"slack.api_url: cannot reach Slack at {client.base_url} ({type(e).__name__})"
        raise ConfigError(msg) from None
    header = next((v for k, v in response.headers.items() if k.lower() == "x-oauth-scopes"), None)
    if isinstance(header, list):
        header = ",".join(header)
    scopes = None if header is None else frozenset(s.strip() for s in header.split(",") if s)
    return SlackIdentity(
        team=str(response.get("team", "")), user=str(response.get("user", "")), scopes=scopes
    )
