"""The local console: the same ChatOps as Slack, typed at a ``k8s>`` prompt or piped in.

It exists so that the whole bot can be tried, demonstrated and scripted without a Slack
workspace: ``echo 'get pods -A' | k8s-chatops console --sandbox``. Confirmations become a
yes/no question on the next line (a request that needs someone else's approval can only be
withdrawn there); replies are printed with the terminal renderer, through the
console's ``ChatSink`` (``ConsoleSink``), which prints notifications the same way.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Final, TextIO

from bot.core.chat_sink import ChatSink, MessageRef
from bot.core.render_text import render_reply
from bot.core.reply import Reply, Tone
from bot.core.subject import Subject
from bot.service.service import ChatOps, Request

PROMPT = "k8s> "
CONFIRM_PROMPT = "Type Confirm (or yes) to confirm, anything else cancels: "
APPROVAL_PROMPT = "Type cancel to withdraw it, anything else leaves it waiting for an approval: "
WAITING = "The request waits for an approval until it expires; approvers answer it in Slack."
_QUIT = frozenset({"exit", "quit", ":q"})
_YES = frozenset({"y", "yes"})
REMEMBERED: Final = 1000
"""Messages whose headline the console keeps, to say which one an edit or a thread reply is of."""

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
        sink = ConsoleSink(out)
        failed = False
        while (line := read(PROMPT)) is not None:
            text = self._strip_command(line.strip())
            if not text:
                continue
            if text.lower() in _QUIT:
                break
            reply = self.chatops.handle(Request(self.subject, self.channel, text))
            failed |= self._show(reply, sink)
            if reply.confirm is not None and reply.confirm.approval:
                # Someone else approves (in Slack); here the author may only withdraw it.
                answer = read(APPROVAL_PROMPT)
                if answer is not None and answer.strip().lower() == "cancel":
                    reply = self.chatops.answer(self.subject, reply.confirm.token, approved=False)
                    failed |= self._show(reply, sink)
                else:
                    sink.post(self.channel, Reply(headline=WAITING))
            elif reply.confirm is not None:
                answer = read(CONFIRM_PROMPT)
                # The word on the button confirms too: the prompt shows [Confirm] or [Cancel].
                yes = {*_YES, reply.confirm.confirm_label.lower()}
                approved = answer is not None and answer.strip().lower() in yes
                reply = self.chatops.answer(self.subject, reply.confirm.token, approved=approved)
                failed |= self._show(reply, sink)
        return 1 if failed else 0

    def _strip_command(self, text: str) -> str:
        first, _, rest = text.partition(" ")
        return rest.strip() if first == self.command_name else text

    def _show(self, reply: Reply, sink: ChatSink) -> bool:
        """Print the reply as a message of the channel; True when it reports an error."""
        sink.post(self.channel, reply)
        return reply.tone is Tone.ERROR


class ConsoleSink(ChatSink):
    """The console's ``ChatSink``: each message is printed when it is posted, edited or threaded.

    A post prints the reply as it is; an edit or a thread reply first names the message it is
    about by its headline, since a terminal cannot change what it already printed. Safe to call
    from several threads (a notifier posts while the user types).
    """

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._headlines: dict[str, str] = {}

    def post(self, channel: str, reply: Reply) -> MessageRef:
        """Print ``reply``; its reference numbers the console's messages from 1."""
        with self._lock:
            ref = MessageRef(channel=channel, id=str(next(self._ids)))
            self._print(ref, reply, about=None)
        return ref

    def post_marked(self, channel: str, reply: Reply, marker: str) -> MessageRef:
        """``post``: the console's messages live as long as the process, markers add nothing."""
        del marker
        return self.post(channel, reply)

    def find_marked(self, channel: str, marker: str) -> MessageRef | None:
        """Never found: a new console has printed nothing yet."""
        del channel, marker
        return None

    def update(self, message: MessageRef, reply: Reply) -> MessageRef:
        """Print ``reply`` as the new content of ``message``."""
        with self._lock:
            self._print(message, reply, about=f"edit of {self._name(message.id)}")
        return message

    def reply_in_thread(self, message: MessageRef, reply: Reply) -> MessageRef:
        """Print ``reply`` as an answer in the thread of ``message``."""
        thread = message.thread or message.id
        with self._lock:
            ref = MessageRef(channel=message.channel, id=str(next(self._ids)), thread=thread)
            self._print(ref, reply, about=f"in the thread of {self._name(thread)}")
        return ref

    def _name(self, message_id: str) -> str:
        headline = self._headlines.get(message_id)
        return f'"{headline}"' if headline is not None else f"message {message_id}"

    def _print(self, ref: MessageRef, reply: Reply, *, about: str | None) -> None:
        self._headlines.pop(ref.id, None)
        self._headlines[ref.id] = reply.headline
        while len(self._headlines) > REMEMBERED:
            del self._headlines[next(iter(self._headlines))]
        header = f"[{about}]\n" if about is not None else ""
        self._out.write(header + render_reply(reply).rstrip("\n") + "\n\n")
        self._out.flush()


def console_subject(user_id: str, user_name: str) -> Subject:
    """The person at the terminal: ``@name`` in replies, ``console:@name`` in change-causes."""
    return Subject(user_id, user_name, display=f"@{user_name}", actor=f"console:@{user_name}")


def stream_reader(stream: TextIO | BinaryIO, *, errors: TextIO | None = None) -> Reader:
    """Read piped input: no prompts (they would pollute the output), stop at EOF.

    Bytes are decoded line by line, so a line that is not UTF-8 costs only itself: it is
    reported on ``errors`` in one line and skipped, and the next line is read.
    """
    numbers = itertools.count(1)

    def read(_prompt: str) -> str | None:
        while True:
            raw = stream.readline()
            number = next(numbers)
            if not raw:
                return None
            if isinstance(raw, str):
                return raw.rstrip("\n")
            try:
                return raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as e:
                if errors is not None:
                    errors.write(
                        f"line {number}: not valid UTF-8 (byte {e.start + 1}); "
                        "skipped, type or pipe UTF-8 text\n"
                    )
                    errors.flush()

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
            except UnicodeDecodeError:
                out.write("that line is not valid UTF-8; skipped, type UTF-8 text\n")

    return read
