"""The replies of a previewed request: the prompt with its preview, and how it ended.

The prompt shows the exact change (``bot.core.preview``), a GitOps warning when a tool would
revert it, who asked and when it expires, and the buttons; an approval prompt is posted in the
channel, where approvers see it, a confirmation only to its author. The outcomes replace the
prompt in place.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.preview import Preview
from bot.core.reply import ConfirmRequest, Paragraph, Part, Preformatted, Reply, Tone, Visibility
from bot.core.wording import RUN_AGAIN, minutes


def prompt_reply(
    *,
    request_id: str,
    prompt: str,
    preview: Preview,
    author: str,
    expires: datetime,
    expiry: timedelta,
    approval: str = "",
) -> Reply:
    """The question, the preview and the buttons; ``approval``: who must approve, if anyone."""
    # A verb without a reader of its own previews with the question itself: asked once.
    same = preview.lines == (prompt,)
    parts: list[Part] = (
        [] if same else [Preformatted("\n".join(preview.lines), filename="preview.txt")]
    )
    if preview.warning:
        parts.append(Paragraph(f"Warning: {preview.warning}."))
    when = f"expires at {expires:%H:%M:%S} UTC, in {minutes(expiry)}"
    if approval:
        who = f"Asked by {author}; needs an approval by {approval}; {author} may cancel; {when}."
        confirm = ConfirmRequest(
            prompt=prompt, token=request_id, confirm_label="Approve", approval=True
        )
        visibility = Visibility.IN_CHANNEL
    else:
        who = f"Only {author} can confirm, within {minutes(expiry)} ({when})."
        confirm = ConfirmRequest(prompt=prompt, token=request_id)
        visibility = Visibility.EPHEMERAL
    return Reply(
        headline=prompt,
        parts=tuple(parts),
        tone=Tone.WARNING,
        visibility=visibility,
        confirm=confirm,
        context=(who,),
    )


def expired_reply(text: str, expiry: timedelta, *, visibility: Visibility) -> Reply:
    """A click after the expiry: nothing changed."""
    return Reply(
        headline=f"This request expired after {minutes(expiry)}; {RUN_AGAIN}.",
        parts=(Paragraph(f"Nothing was changed: {text}"),),
        tone=Tone.WARNING,
        visibility=visibility,
    )


def unanswered_reply(text: str, expires: datetime, *, author: str) -> Reply:
    """What a prompt nobody answered in time becomes: no buttons, nothing changed."""
    return Reply(
        headline=f"Expired at {expires:%H:%M} UTC; nothing was changed.",
        parts=(Paragraph(f"{author} asked: {text}"),),
        tone=Tone.WARNING,
        context=(f"Nobody answered in time; {RUN_AGAIN} for a new preview.",),
    )


def disallowed_reply(reason: str, *, visibility: Visibility) -> Reply:
    """The policy no longer allows the request at the click: refused for good, so it replaces
    the prompt (an error would leave its buttons, for a request nobody can answer now)."""
    return Reply(
        headline=f"Refused: {reason}",
        parts=(Paragraph("Nothing was changed."),),
        tone=Tone.WARNING,
        visibility=visibility,
    )


def changed_reply(target: str, changed: list[str], *, visibility: Visibility) -> Reply:
    """The target moved between the preview and the click: refused, naming what changed."""
    return Reply(
        headline=f"Refused: {target} changed since the preview ({'; '.join(changed)})",
        parts=(Paragraph(f"Nothing was changed; {RUN_AGAIN} to see a new preview."),),
        tone=Tone.WARNING,
        visibility=visibility,
    )


def answered_reply(sentence: str, *, visibility: Visibility) -> Reply:
    """A click on a request already answered: nothing more is done."""
    return Reply(headline=sentence, tone=Tone.ERROR, visibility=visibility)
