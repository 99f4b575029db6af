"""A request's audit trail: the fields of its one audit record, gathered as the request goes
through the service, written once, whichever way it ends."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from bot.core.command import Command
from bot.core.policy import Decision
from bot.core.subject import Subject
from bot.core.targets import target_of
from bot.service.audit import AuditRecord, Outcome, Verdict
from bot.service.pending_request import PendingRequest
from bot.service.ports import AuditSink, Deliver


class Trail:
    """One request's audit fields, so that whichever way it ends, one record is written."""

    def __init__(
        self,
        sink: AuditSink,
        clock: Callable[[], datetime],
        *,
        subject: Subject,
        channel: str,
        text: str,
    ) -> None:
        self._sink = sink
        self._clock = clock
        self._started = time.monotonic()
        self.subject = subject
        self.channel = channel
        self.text = text
        self.verdict = Verdict.ALLOWED
        """The decision so far, so that an incident is recorded with it."""
        self.deliver: Deliver | None = None
        """How the transport announces a change before the record is written."""
        self.verb = ""
        self.target = ""
        self.rule = ""
        self.approver = ""
        """Who answered a previewed request, for the audit trail: ``@bob (U0BOB)``."""
        self.approved_by = ""
        self.clicked_in = ""
        """Where a button was clicked, for the record of a refused click."""
        self.preview: tuple[str, ...] = ()
        self.request = ""
        self.outcome: Outcome | None = None
        """How it ended, once written."""

    def pending(self, request: PendingRequest, clicker: Subject) -> None:
        """Record which previewed request a click answers, and who clicked."""
        self.target = request.target
        self.rule = request.rule
        self.approver = f"{clicker.display} ({clicker.user_id})"
        self.approved_by = clicker.display
        self.preview = request.preview.lines
        self.request = request.id

    def about(self, command: Command) -> None:
        """Record what the request asks for, once parsed."""
        self.verb = command.verb
        self.target = target_of(command).describe()

    def decided(self, decision: Decision) -> None:
        """Record what allowed it (a denial's reason goes in the detail)."""
        if decision.allowed and decision.role:
            self.rule = f"{decision.binding} role {decision.role} rule {decision.rule}"

    def write(
        self,
        outcome: Outcome,
        detail: str = "",
        *,
        verdict: Verdict | None = None,
        incident: str | None = None,
        announced: bool | None = None,
    ) -> None:
        """Write the record; call once, as the last step of a request."""
        self.verdict = verdict or self.verdict
        self.outcome = outcome
        self._sink.record(
            AuditRecord(
                time=self._clock(),
                user_id=self.subject.user_id,
                user_name=self.subject.user_name,
                channel=self.channel,
                text=self.text,
                decision=self.verdict,
                outcome=outcome,
                duration_ms=round((time.monotonic() - self._started) * 1000),
                detail=detail,
                incident=incident,
                announced=announced,
                verb=self.verb,
                target=self.target,
                rule=self.rule,
                approver=self.approver,
                preview=self.preview,
                request=self.request,
            )
        )
