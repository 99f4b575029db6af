"""The one place that renders Slack messages: ``Reply`` in, Block Kit blocks (plus at most one
file to upload) out, within Slack's limits.

Slack rejects a message whose section text passes 3000 characters or that has more than 50
blocks, and in practice fails with ``msg_blocks_too_long`` at about 13k characters in total
(slackapi/bolt-js#2509). Output that does not fit is cut at a line boundary, the message says
how much is shown, and the full text goes back as an ``Attachment`` for the transport to upload
(``slack_files``). Blocks are built with ``slack_sdk.models.blocks`` so that ``to_dict()``
validates them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.core.reply import Action, ConfirmRequest, Paragraph, Preformatted, Reply, Tone

CONFIRM_ACTION: Final = "k8s_confirm"
"""``action_id`` of the confirm button; its ``value`` is the pending command's token."""
DENY_ACTION: Final = "k8s_deny"
"""``action_id`` of the cancel button; its ``value`` is the pending command's token."""
CONFIRM_BLOCK_ID: Final = "k8s_confirmation"
"""``block_id`` of the actions block holding both buttons."""
RUN_ACTION: Final = "k8s_run"
"""``action_id`` prefix of a button that runs a command (``k8s_run_0``, ``k8s_run_1`` …: ids
must differ within a block); its ``value`` is the command's text."""
RUN_BLOCK_ID: Final = "k8s_actions"
"""``block_id`` of the actions block holding the command buttons."""
VALUE_LIMIT: Final = 2000
"""Characters in a button's value (Slack's limit)."""

SECTION_LIMIT: Final = 3000
"""Characters in one section's text (Slack and slack_sdk)."""
BLOCK_LIMIT: Final = 50
"""Blocks in one message."""
TEXT_BUDGET: Final = 11_000
"""Characters of text across all blocks, kept under the ~12-13k at which Slack refuses."""
INLINE_LINES: Final = 100
"""Longest output shown inline; longer output is previewed and attached."""
PREVIEW_LINES: Final = 30
"""Lines of an attached output shown in the message."""
CONTEXT_ELEMENTS: Final = 10
"""Elements in one context block."""
CONTEXT_BUDGET: Final = 2000
"""Characters of small print."""
HEADLINE_LIMIT: Final = 1000
"""Characters of the headline; it is meant to be one short line."""
PROMPT_LIMIT: Final = 2000
"""Characters of a confirmation prompt."""
NOTE_ROOM: Final = 300
"""Characters kept (with one block) for the transport's note on where an attachment went."""

_FENCE: Final = "```"
_EMOJI: Final = {
    Tone.SUCCESS: ":white_check_mark: ",
    Tone.WARNING: ":warning: ",
    Tone.ERROR: ":x: ",
}


@dataclass(frozen=True, slots=True)
class Attachment:
    """Output too long for the message, to upload as a file next to it."""

    filename: str
    content: str
    title: str


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """What the transport posts: ``text`` is the notification (and fallback) text."""

    text: str
    blocks: list[Block]
    attachment: Attachment | None = None

    def with_note(self, note: str) -> SlackMessage:
        """The message with one more line of small print at its end (where its attachment
        went), without rendering the reply again: ``to_slack`` kept a block and
        ``NOTE_ROOM`` characters for it."""
        text = _clip(escape(" ".join(note.split())), NOTE_ROOM)
        block = ContextBlock(elements=[MarkdownTextObject(text=text)])
        return SlackMessage(self.text, [*self.blocks, block], self.attachment)


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn reserves (api.slack.com formatting docs)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_slack(reply: Reply) -> SlackMessage:
    """Render one reply; the caller posts ``blocks`` and uploads ``attachment`` if present."""
    headline = _clip(escape(" ".join(reply.headline.split())), HEADLINE_LIMIT)
    head = [_section(_EMOJI.get(reply.tone, "") + f"*{headline}*")]
    tail = (
        _confirmation(reply.confirm, headline=reply.headline)
        + _actions(reply.actions)
        + _context(reply.context)
    )
    body = _Body(
        budget=TEXT_BUDGET - NOTE_ROOM - _text_size([*head, *tail]),
        room=BLOCK_LIMIT - len(head) - len(tail) - 1,
        title=reply.headline,
    )
    for part in reply.parts:
        if isinstance(part, Preformatted):
            body.preformatted(part)
        else:
            body.paragraph(part)
    return SlackMessage(
        text=headline,
        blocks=[*head, *body.blocks, *tail],
        attachment=body.attachment,
    )


class _Body:
    """The blocks between headline and confirmation, built against the remaining budgets.

    ``NOTE_RESERVE`` characters and one block are always kept back so that a note about what was
    left out can still be added.
    """

    NOTE_RESERVE: Final = 300

    def __init__(self, *, budget: int, room: int, title: str) -> None:
        self.budget = budget - self.NOTE_RESERVE
        self.room = room - 1
        self.title = title
        self.blocks: list[Block] = []
        self.attachment: Attachment | None = None
        self.cut = False

    def paragraph(self, part: Paragraph) -> None:
        """Prose as mrkdwn (escaped), in sections of at most 3000 characters."""
        for chunk in _chunks([escape(line) for line in part.text.splitlines()], SECTION_LIMIT):
            if len(chunk) > self.budget or self.room < 1:
                self.note("some text was left out to fit Slack's limits")
                return
            self.add(SectionBlock(text=MarkdownTextObject(text=chunk or " ")), len(chunk))

    def preformatted(self, part: Preformatted) -> None:
        """A code block; output past the limits is previewed and attached in full."""
        count = _line_count(part.text)
        if count > INLINE_LINES:  # attached: only the preview's lines are split and escaped
            lines = _first_lines(part.text, PREVIEW_LINES)
        else:
            lines = part.text.splitlines()
            escaped = [_code_line(line) for line in lines]
            chunks = _chunks(escaped, _CODE_ROOM)
            size = sum(len(_code(chunk)) for chunk in chunks)
            fits = max(map(len, escaped), default=0) <= _CODE_ROOM
            if fits and size <= self.budget and len(chunks) <= self.room:
                for chunk in chunks:
                    self.add(_code_block(chunk), len(_code(chunk)))
                return
        preview = [_code_line(_clip(line, PREVIEW_WIDTH)) for line in lines[:PREVIEW_LINES]]
        while preview and len(_code("\n".join(preview))) > min(SECTION_LIMIT, self.budget):
            preview.pop()
        if preview and self.room >= 1:
            self.add(_code_block("\n".join(preview)), len(_code("\n".join(preview))))
        else:
            preview = []
        if self.attachment is None:
            self.attachment = Attachment(part.filename, part.text, self.title)
            rest = f"full output attached as {part.filename}"
        else:
            rest = "the rest is not shown"
        self.note(f"showing first {len(preview)} of {count} lines; {rest}")

    def add(self, block: Block, size: int) -> None:
        self.blocks.append(block)
        self.budget -= size
        self.room -= 1

    def note(self, text: str) -> None:
        """Small print about what was left out, paid from the reserve, which is then set aside
        again for the next note; when nothing is left, further notes are dropped."""
        if self.cut:
            return
        text = _clip(text, self.NOTE_RESERVE - 10)
        self.blocks.append(ContextBlock(elements=[MarkdownTextObject(text=escape(text))]))
        self.budget -= self.NOTE_RESERVE
        self.room -= 1
        self.cut = self.budget < 0 or self.room < 0


_CODE_ROOM: Final = SECTION_LIMIT - 2 * len(_FENCE) - 2
"""Characters of code that fit in one section between its fences."""
PREVIEW_WIDTH: Final = 200
"""Longest line of a preview; the attachment keeps whole lines."""


def _code_line(line: str) -> str:
    """A line escaped for a code block; a fence inside the output would end the block early."""
    return escape(line).replace(_FENCE, "``\u200b`")


_OTHER_BREAKS: Final = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
"""Line boundaries ``str.splitlines`` knows besides ``\\n``."""


_ASCII_BREAKS: Final = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")
"""The ones of ``_OTHER_BREAKS`` that ASCII text can hold."""


def _line_count(text: str) -> int:
    """``len(text.splitlines())`` without the list (an attached output can be 50,000 rows).
    ASCII text, the usual, is known as such at once: only the ASCII breaks are looked for."""
    if (
        any(found in text for found in _ASCII_BREAKS)
        if text.isascii()
        else _OTHER_BREAKS.search(text) is not None
    ):
        return len(text.splitlines())
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def _first_lines(text: str, count: int) -> list[str]:
    """The first ``count`` of ``text.splitlines()``, splitting no more than they need."""
    end = -1
    for _ in range(count):
        end = text.find("\n", end + 1)
        if end == -1:
            return text.splitlines()[:count]
    return text[:end].splitlines()[:count]


def _code(text: str) -> str:
    return f"{_FENCE}\n{text}\n{_FENCE}"


def _code_block(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=_code(text), verbatim=True))


def _clip(line: str, width: int) -> str:
    """At most ``width`` characters, ending in "…" when cut, never inside an ``&amp;``-style
    escape (a cut escape would show as text)."""
    if len(line) <= width:
        return line
    cut = line[: width - 1]
    amp = cut.rfind("&", max(0, len(cut) - 5))
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def _chunks(lines: list[str], limit: int) -> list[str]:
    """Join lines into chunks of at most ``limit`` characters; over-long lines are split."""
    pieces = [
        line[start : start + limit]
        for line in lines or [""]
        for start in range(0, len(line) or 1, limit)
    ]
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        grown = size + 1 + len(piece) if current else len(piece)
        if current and grown > limit:
            chunks.append("\n".join(current))
            current, grown = [], len(piece)
        current.append(piece)
        size = grown
    chunks.append("\n".join(current))
    return chunks


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:SECTION_LIMIT]))


def _confirmation(confirm: ConfirmRequest | None, *, headline: str) -> list[Block]:
    """The prompt and its two buttons, both carrying the pending request's id; the prompt is
    left out when the headline already asks it (a preview sits between them).

    The confirm button is ``danger``: every confirmation here guards a destructive change, and
    Slack reserves that style for "buttons that confirm destructive actions". Cancel stays plain.
    """
    if confirm is None:
        return []
    buttons = [
        ButtonElement(
            text=PlainTextObject(text=confirm.confirm_label),
            action_id=CONFIRM_ACTION,
            value=confirm.token,
            style="danger",
        ),
        ButtonElement(
            text=PlainTextObject(text=confirm.deny_label),
            action_id=DENY_ACTION,
            value=confirm.token,
        ),
    ]
    actions = ActionsBlock(block_id=CONFIRM_BLOCK_ID, elements=buttons)
    if confirm.prompt == headline:
        return [actions]
    return [_section(_clip(escape(confirm.prompt), PROMPT_LIMIT)), actions]


def _actions(actions: tuple[Action, ...]) -> list[Block]:
    """The command buttons; a command too long to be a button's value is left out."""
    buttons = [
        ButtonElement(
            text=PlainTextObject(text=action.label),
            action_id=f"{RUN_ACTION}_{index}",
            value=action.command,
        )
        for index, action in enumerate(actions)
        if len(action.command) <= VALUE_LIMIT
    ]
    return [ActionsBlock(block_id=RUN_BLOCK_ID, elements=buttons)] if buttons else []


def _context(lines: tuple[str, ...]) -> list[Block]:
    """Small print, one element per line (past ten lines the rest share the last element),
    at most ``CONTEXT_BUDGET`` characters in all so that it never crowds out the output."""
    if not lines:
        return []
    head = list(lines[: CONTEXT_ELEMENTS - 1])
    rest = lines[CONTEXT_ELEMENTS - 1 :]
    if rest:
        head.append(" · ".join(rest))
    elements = []
    left = CONTEXT_BUDGET
    for line in head:
        text = _clip(escape(" ".join(line.split())) or "-", max(left, 2))
        left -= len(text)
        elements.append(MarkdownTextObject(text=text))
        if left <= 0:
            break
    return [ContextBlock(elements=elements)]


def _text_size(blocks: list[Block]) -> int:
    """Characters of text in blocks: every ``text`` string in their JSON, as Slack counts."""
    return sum(_texts(block.to_dict()) for block in blocks)


def _texts(value: object) -> int:
    if isinstance(value, dict):
        return sum(
            len(item) if key == "text" and isinstance(item, str) else _texts(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return sum(_texts(item) for item in value)
    return 0
