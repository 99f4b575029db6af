"""Every ``Reply`` the bot gives, built in one place from what happened.

The service decides who sees a reply (its ``visibility``, passed in) and audits it; what the
reply says is decided here, from the command, its result or error, and the shared phrases of
``bot.core.wording``. The transports only render and deliver these replies.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from bot.core.command import Command
from bot.core.render_result import render_result
from bot.core.reply import ConfirmRequest, Paragraph, Part, Preformatted, Reply, Tone, Visibility
from bot.core.results import Result
from bot.core.subject import Subject
from bot.core.usage import help_text
from bot.core.verbs.help import Help
from bot.core.wording import minutes, typed
from bot.errors import BotError, UsageError

PROGRESS_CONTEXT: Final = "The answer will replace this message."
"""Small print of the "working on it" note, which the answer replaces."""


def result_reply(
    command: Command,
    result: Result,
    *,
    asker: Subject,
    prefix: str,
    text: str,
    visibility: Visibility,
) -> Reply:
    """A read-only command's answer, with who asked what as small print."""
    asked = f"{asker.display}: {typed(prefix, text)}"
    return render_result(result, command).reply(visibility=visibility, context=(asked,))


def change_reply(
    command: Command, result: Result, *, announcement: str, visibility: Visibility
) -> Reply:
    """A change: who did what where (``announcement``), then kubectl's own summary line."""
    rendered = render_result(result, command)
    return Reply(
        headline=announcement,
        parts=(Preformatted(rendered.headline), *rendered.parts),
        tone=rendered.tone,
        visibility=visibility,
        context=rendered.notes,
    )


def help_reply(command: Help, *, prefix: str, visibility: Visibility) -> Reply:
    """``help`` and ``help VERB``, answered without the cluster."""
    title = f"{prefix} help {command.topic}" if command.topic else f"{prefix} commands"
    text = help_text(command.topic)
    return Reply(
        headline=title,
        parts=(Preformatted(text, filename="help.txt"),),
        visibility=visibility,
    )


def usage_reply(error: UsageError, *, prefix: str, visibility: Visibility) -> Reply:
    """Text that is not a command: what was wrong, the verb's usage, a "did you mean"."""
    parts: list[Part] = []
    if error.usage:
        parts.append(Preformatted(f"Usage: {typed(prefix, error.usage)}"))
    if error.hint:
        parts.append(Paragraph(error.hint))
    return Reply(
        headline=str(error),
        parts=tuple(parts),
        tone=Tone.ERROR,
        visibility=visibility,
        context=(f'Type "{typed(prefix, "help")}" for the list of commands.',),
    )


def error_reply(error: BotError, *, visibility: Visibility) -> Reply:
    """A refusal or failure the user can act on: a denial, a cluster error, a stale button."""
    return Reply(headline=str(error), tone=Tone.ERROR, visibility=visibility)


def confirmation_reply(prompt: str, token: str, *, author: Subject, expiry: timedelta) -> Reply:
    """The Confirm / Cancel question for a damaging command.

    Always ephemeral: only the author can answer, and showing the buttons to the channel
    invites clicks.
    """
    return Reply(
        headline=prompt,
        tone=Tone.WARNING,
        visibility=Visibility.EPHEMERAL,
        confirm=ConfirmRequest(prompt=prompt, token=token),
        context=(f"Only {author.display} can confirm, within {minutes(expiry)}.",),
    )


def cancelled_reply(text: str, *, visibility: Visibility) -> Reply:
    """The author cancelled a parked command (``text``, as typed)."""
    return Reply(
        headline="Cancelled",
        parts=(Paragraph(f"Nothing was changed: {text}"),),
        visibility=visibility,
    )


def incident_reply(incident: str, *, visibility: Visibility) -> Reply:
    """A bug: the user gets the incident id the log has next to the traceback, nothing more."""
    return Reply(
        headline=f"Something went wrong inside the bot (incident {incident}).",
        parts=(
            Paragraph(
                "Try again; if it keeps failing, give the incident id to the "
                "bot's operators, it is in the bot's log."
            ),
        ),
        tone=Tone.ERROR,
        visibility=visibility,
    )


def failure_reply() -> Reply:
    """The transport's last guard, when even the service failed to answer."""
    return Reply(
        headline="Something went wrong inside the bot; the details are in its log.",
        tone=Tone.ERROR,
        visibility=Visibility.EPHEMERAL,
    )


def busy_reply() -> Reply:
    """The bot has no room for the request right now; nothing was run."""
    return Reply(
        headline="The bot is busy, try again in a moment.",
        parts=(Paragraph("Nothing was run: too many commands are waiting or running."),),
        tone=Tone.WARNING,
        visibility=Visibility.EPHEMERAL,
    )


def progress_reply(typed_command: str) -> Reply:
    """The "working on it" note for a slow command; the answer replaces it."""
    return Reply(headline=f"Working on {typed_command} …", context=(PROGRESS_CONTEXT,))


def posted_reply(reply: Reply) -> Reply:
    """What replaces a confirmation prompt whose outcome was posted in the channel; its small
    print (``Approved by @bob.``) is kept, so that the prompt itself says who approved."""
    return Reply(
        headline=reply.headline,
        tone=reply.tone,
        context=(*reply.context, "Posted in the channel."),
    )


def audit_reply(
    *, user: str, channel: str, text: str, decision: str, outcome: str, detail: str = ""
) -> Reply:
    """The audit channel's short line for one request (its texts already scrubbed)."""
    where = f" in {channel}" if channel else ""
    return Reply(
        headline=f"{user}{where}: {text} — {decision}, {outcome}",
        parts=(Paragraph(detail),) if detail else (),
        tone=Tone.WARNING if decision in ("denied", "refused") else Tone.INFO,
        visibility=Visibility.IN_CHANNEL,
    )
