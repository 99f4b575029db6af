"""Plain-text rendering: kubectl's table layout, and whole replies for the terminal console.

Tables are laid out exactly as kubectl's printers do (Go ``text/tabwriter`` with
``minwidth=6, padding=3``), so the bot's output can be compared with kubectl's byte for byte and
the Slack renderer can put the same text in a code block.
"""

from __future__ import annotations

import itertools
from typing import Final

from bot.core import tabwriter
from bot.core.reply import Reply, Tone
from bot.core.results import Change, Result, Table

MIN_WIDTH: Final = 6
"""kubectl's ``printers.GetNewTabWriter``: a column is at least 6 characters wide, padding
included (``text/tabwriter`` minwidth)."""
PADDING: Final = 3
"""Spaces added to the widest cell of a column."""

_PREFIX: Final = {Tone.ERROR: "error: ", Tone.WARNING: "warning: "}


def table_text(table: Table) -> str:
    """The table as kubectl prints it: headers, then rows, columns left-aligned.

    Every column but the last is padded to ``max(widest cell + 3, 6)``; the last is not padded,
    so a row whose last cell is empty (``-L`` of a label the object lacks) keeps the padding of
    the one before, as kubectl's. A cell of several lines (``custom-columns`` prints values
    whole) goes through tabwriter, as kubectl's does. A table without rows prints its
    ``empty_message`` instead, as kubectl does.
    """
    if not table.rows:
        return table.empty_message
    shown = (table.columns, *table.rows) if table.headers else table.rows
    count = len(shown[0])
    uniform = all(len(line) == count for line in shown)
    cells = "".join(itertools.chain.from_iterable(shown))
    if count and uniform and "\t" not in cells and "\n" not in cells and "\f" not in cells:
        return "\n".join(_aligned(shown))
    lines = ["\t".join(line) for line in shown]
    return tabwriter.align("\n".join(lines), minwidth=MIN_WIDTH, padding=PADDING)


def _aligned(lines: tuple[tuple[str, ...], ...]) -> list[str]:
    """Rows of as many cells each, laid out as tabwriter would: every line has a cell in every
    column, so each column is one block, as wide as its widest cell (50,000 rows in one pass)."""
    columns = list(zip(*lines, strict=True))
    widths = [max(MIN_WIDTH, max(map(len, cells)) + PADDING) for cells in columns[:-1]]
    line_format = "".join(f"{{:<{width}}}" for width in widths) + "{}"
    del columns
    return [line_format.format(*line) for line in lines]


def result_text(result: Result) -> str:
    """A result as kubectl would print it to stdout (notes, its stderr, excluded)."""
    if isinstance(result, Table):
        return table_text(result)
    if isinstance(result, Change):
        return "\n".join((result.summary, *result.details))
    return result.text


def render_reply(reply: Reply) -> str:
    """A reply for the terminal: headline, parts, confirmation, then the small print.

    Plain text only (no colours), so it reads the same in a terminal, a log and a test.
    """
    blocks = [_PREFIX.get(reply.tone, "") + reply.headline]
    blocks += [part.text.rstrip("\n") for part in reply.parts]
    if reply.confirm is not None:
        confirm = reply.confirm
        # The question once: a confirmation's headline usually is its prompt.
        question = "" if confirm.prompt == reply.headline else f"{confirm.prompt}\n"
        blocks.append(
            f"{question}[{confirm.confirm_label}] or [{confirm.deny_label}] "
            f"(answer for {confirm.token})"
        )
    if reply.context:
        blocks.append("\n".join(f"-- {line}" for line in reply.context))
    return "\n\n".join(block for block in blocks if block) + "\n"
