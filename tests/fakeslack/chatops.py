"""A scripted stand-in for ``ChatOps``: the Slack app's tests check transport, not the service.

It records what the app asked, answers from a script, and can hold a request until the test
releases it, which proves that Slack's ack went out before the work finished.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.pending import PromptPlace
from bot.core.reply import Reply, Visibility
from bot.core.subject import Subject
from bot.service.ports import Deliver
from bot.service.service import Request


@dataclass(frozen=True, slots=True)
class Answer:
    """One call of ``answer``."""

    subject: Subject
    token: str
    approved: bool
    channel: str = ""


def echo(request: Request) -> Reply:
    """The default script: an ephemeral reply naming the text."""
    return Reply(headline=f"ran {request.text}")


@dataclass
class ScriptedChatOps:
    """``handle`` runs ``script``; ``answer`` runs ``on_answer``; both are recorded."""

    script: Callable[[Request], Reply] = echo
    on_answer: Callable[[Answer], Reply] = lambda a: Reply(
        headline="confirmed" if a.approved else "Cancelled", visibility=Visibility.EPHEMERAL
    )
    gate: threading.Event | None = None
    """When set, ``handle`` waits for it (at most 10 s) before answering."""
    requests: list[Request] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    places: list[tuple[str, PromptPlace]] = field(default_factory=list)

    def handle(
        self, request: Request, *, deliver: Deliver | None = None, confirm: bool = False
    ) -> Reply:
        self.requests.append(request)
        if self.gate is not None and not self.gate.wait(timeout=10):
            raise TimeoutError("the test never released the gate")
        return self.script(request)

    def answer(
        self,
        subject: Subject,
        token: str,
        *,
        approved: bool,
        channel: str = "",
        deliver: Deliver | None = None,
    ) -> Reply:
        call = Answer(subject, token, approved, channel)
        self.answers.append(call)
        return self.on_answer(call)

    def placed(self, token: str, place: PromptPlace) -> None:
        self.places.append((token, place))
