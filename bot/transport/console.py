"""The local console: the same ChatOps as Slack, typed at a ``k8s>`` prompt or piped in.

It exists so that the whole bot can be tried, demonstrated and scripted without a Slack
workspace: ``echo 'get pods -A' | k8s-chatops console --sandbox``. Confirmations become a
yes/no question on the next line; replies are printed with the terminal renderer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from bot.core.render_text import render_reply
from bot.core.reply import Reply, Tone
from bot.core.subject import Subject
from bot.service.service import ChatOps, Request

PROMPT = "k8s> "
CONFIRM_PROMPT = "Type yes to confirm, anything else cancels: "
_QUIT = frozenset({"exit", "quit", ":q"})
_YES = frozenset({"y", "yes"})

Reader = Callable[[str], str | None]
"""Shows a prompt and returns one line without its newline, or None at end of input."""


@dataclass(frozen=True, slots=True)
class Console:
    """One console session: who is typing, in which pretend channel, against which bot."""

    chatops: ChatOps
    subject: Subject
    channel: str = "console"
    command_name: str = "/k8s"
    """The configured slash command, accepted (and dropped) at the start of a line."""

    def run(self, read: Reader, out: TextIO) -> int:
        """Answer lines until end of input or ``exit``; 1 if any reply was an error, else 0."""
        failed = False
        while (line := read(PROMPT)) is not None:
            text = self._strip_command(line.strip())
            if not text:
                continue
            if text.lower() in _QUIT:
                break
            reply = self.chatops.handle(Request(self.subject, self.channel, text))
            failed |= self._show(reply, out)
            if reply.confirm is not None:
                answer = read(CONFIRM_PROMPT)
                approved = answer is not None and answer.strip().lower() in _YES
                reply = self.chatops.answer(self.subject, reply.confirm.token, approved=approved)
                failed |= self._show(reply, out)
        return 1 if failed else 0

    def _strip_command(self, text: str) -> str:
        first, _, rest = text.partition(" ")
        return rest.strip() if first == self.command_name else text

    @staticmethod
    def _show(reply: Reply, out: TextIO) -> bool:
        """Print the reply and a blank line after it; True when it reports an error."""
        out.write(render_reply(reply).rstrip("\n") + "\n\n")
        out.flush()
        return reply.tone is Tone.ERROR


def stream_reader(stream: TextIO) -> Reader:
    """Read piped input: no prompts (they would pollute the output), stop at EOF."""

    def read(_prompt: str) -> str | None:
        line = stream.readline()
        return line.rstrip("\n") if line else None

    return read


def terminal_reader(out: TextIO) -> Reader:
    """Read from a terminal with line editing and history; Ctrl-C clears the line, Ctrl-D ends."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401, PLC0415 - importing it enables editing in input()

    def read(prompt: str) -> str | None:
        while True:
            try:
                return input(prompt)
            except KeyboardInterrupt:
                out.write("\n")
            except EOFError:
                out.write("\n")
                return None

    return read
