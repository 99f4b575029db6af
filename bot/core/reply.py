"""The platform-neutral reply: what the bot says, before Slack or the terminal shape it.

Renderers (``bot.core.render_text`` for the console, ``bot.transport.blocks`` for Slack) are the
only code that turns a ``Reply`` into output; they own the length limits and overflow rules.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Tone(enum.StrEnum):
    """How the reply should read: colours or emoji in Slack, a prefix in the terminal."""

    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


class Visibility(enum.StrEnum):
    """Who sees the reply in Slack; the console ignores it."""

    EPHEMERAL = "ephemeral"
    IN_CHANNEL = "in_channel"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A short prose paragraph (plain text; renderers escape it)."""

    text: str


@dataclass(frozen=True, slots=True)
class Preformatted:
    """Monospace output: a table, yaml, logs. Rendered in a code block, or attached when long."""

    text: str
    filename: str = "output.txt"
    """Name to use when the renderer attaches the text as a file."""


@dataclass(frozen=True, slots=True)
class ConfirmRequest:
    """Ask the same user to confirm a damaging command before it runs."""

    prompt: str
    token: str
    """Opaque id of the pending command, sent back with the answer."""
    confirm_label: str = "Confirm"
    deny_label: str = "Cancel"
    approval: bool = False
    """Someone other than the author must approve; the author may only cancel."""


@dataclass(frozen=True, slots=True)
class Action:
    """A button that runs a command for whoever presses it, exactly as if they had typed it
    (same policy, confirmation and audit), in the channel of the message it is on."""

    label: str
    command: str
    """The text typed after the slash command, e.g. ``rollout status deployment/web -n prod``."""


Part = Paragraph | Preformatted


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer to one request."""

    headline: str
    """One line that stands alone: notification text, first line in the terminal."""
    parts: tuple[Part, ...] = ()
    tone: Tone = Tone.INFO
    visibility: Visibility = Visibility.EPHEMERAL
    confirm: ConfirmRequest | None = None
    context: tuple[str, ...] = field(default=())
    """Small print: who asked, the namespace, stderr-like notes."""
    actions: tuple[Action, ...] = ()
    """Buttons that run commands for whoever presses them (rollout notifications)."""
