"""The Slack payloads the app's listeners read, typed, and the ``Subject`` each describes.

Bolt hands listeners plain dictionaries; these ``TypedDict``s name the fields the bot relies on
(docs.slack.dev: the slash command's form fields, the ``block_actions`` interaction payload), all
optional because Slack may omit any of them. People are named the Slack way here, and nowhere
below the transport: ``@alice`` in replies, ``slack:@alice`` in change-causes.
"""

from __future__ import annotations

from typing import TypedDict

from bot.core.subject import Subject


class SlashCommand(TypedDict, total=False):
    """A slash command invocation (form fields in HTTP mode, the payload in Socket Mode)."""

    command: str
    """The slash command as registered: ``/k8s``."""
    text: str
    """What the user typed after it."""
    user_id: str
    user_name: str
    channel_id: str
    team_id: str
    response_url: str
    """A capability to answer for 30 minutes (5 uses), so never logged."""
    trigger_id: str


class ActionUser(TypedDict, total=False):
    """The person who clicked."""

    id: str
    username: str
    name: str
    team_id: str


class ActionChannel(TypedDict, total=False):
    """The channel of the clicked message."""

    id: str
    name: str


class ActionContainer(TypedDict, total=False):
    """The message holding the button."""

    type: str
    message_ts: str
    channel_id: str
    is_ephemeral: bool
    """True when only the clicker could see the message."""


class ButtonAction(TypedDict, total=False):
    """One clicked button."""

    type: str
    action_id: str
    block_id: str
    value: str
    """For the confirm buttons, the parked command's token."""
    action_ts: str


class BlockActions(TypedDict, total=False):
    """A ``block_actions`` interaction: a click on a button of one of the bot's messages."""

    type: str
    user: ActionUser
    channel: ActionChannel
    container: ActionContainer
    actions: list[ButtonAction]
    response_url: str
    trigger_id: str


def slack_subject(user_id: str, user_name: str) -> Subject:
    """A Slack user as the service sees them: ``@name`` in replies, ``slack:@name`` as actor."""
    return Subject(user_id, user_name, display=f"@{user_name}", actor=f"slack:@{user_name}")


def command_subject(command: SlashCommand) -> Subject:
    """Who typed the slash command."""
    return slack_subject(command.get("user_id", ""), command.get("user_name", ""))


def action_subject(body: BlockActions) -> Subject:
    """Who clicked; Slack names them ``username`` (``name`` in older payloads)."""
    user = body.get("user") or ActionUser()
    return slack_subject(user.get("id", ""), user.get("username") or user.get("name", ""))
