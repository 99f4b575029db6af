"""deploy/slack-app-manifest.yaml asks for exactly the bot scopes the bot uses: those of the Web
API methods the fake Slack saw it call while it played the e2e suite's kinds of commands,
clicks and notifications (``tests/deploy/workload.py``), plus ``commands`` for ``/k8s``."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.deploy.manifests import DEPLOY
from tests.deploy.played import Played

MANIFEST = DEPLOY / "slack-app-manifest.yaml"
SCOPES: dict[str, frozenset[str]] = {
    # The bot token scope each method needs, from its page in Slack's reference
    # (docs.slack.dev/reference/methods/METHOD, "Required scopes").
    "auth.test": frozenset(),  # no scope required
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "conversations.open": frozenset({"im:write"}),  # a DM with one user
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
    "usergroups.users.list": frozenset({"usergroups:read"}),
    "usergroups.list": frozenset({"usergroups:read"}),  # impersonation's {handle}
    "users.info": frozenset({"users:read"}),
    # Public and private channels' histories (a notification channel may be either).
    "conversations.history": frozenset({"channels:history", "groups:history"}),
    # The app-level token's (connections:write, given when the token is made), not the bot's.
    "apps.connections.open": frozenset(),
}
AFTER_A_CRASH = frozenset({"conversations.history"})
"""Called only by a new leader whose predecessor died between posting a notification and
storing its ts (to find the message it posted): ``tests/notifier/test_notifier.py``'s
take-over-after-a-crash test sees it called; the workload here never crashes a leader."""
SLASH_COMMAND = "commands"
"""The scope a slash command needs (docs.slack.dev/reference/scopes/commands); no method."""


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return loaded


def test_the_manifest_asks_for_the_scopes_of_the_methods_the_bot_called(played: Played) -> None:
    methods = played.methods | AFTER_A_CRASH
    unknown = methods - set(SCOPES)
    assert unknown == set(), "add the method's scope to SCOPES, from Slack's reference"
    needed = {SLASH_COMMAND}.union(*(SCOPES[m] for m in methods))
    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_the_workload_reaches_every_scope_the_manifest_names(played: Played) -> None:
    # Guards the test above against a workload that stops calling a method.
    assert {"chat.postMessage", "chat.update", "files.completeUploadExternal"} <= played.methods
    assert {"conversations.open", "usergroups.users.list"} <= played.methods


@pytest.mark.parametrize("key", ["socket_mode_enabled", "interactivity"])
def test_socket_mode_and_interactivity_are_on(key: str) -> None:
    settings = manifest()["settings"]
    value = settings[key]
    assert value is True or value == {"is_enabled": True}


def test_the_slash_command_is_k8s() -> None:
    (command,) = manifest()["features"]["slash_commands"]
    assert command["command"] == "/k8s"
    assert manifest()["oauth_config"]["scopes"].keys() == {"bot"}
