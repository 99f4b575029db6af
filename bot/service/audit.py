"""The audit trail's records: one per request and per confirmation answer, denials included.

Who asked, where, what they typed, what the policy decided, how it ended and how long it took.
The service writes them to an ``AuditSink`` (``bot.service.ports``); ``bot.audit_log`` writes
them as JSON lines.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Verdict(enum.StrEnum):
    """What the bot decided about a request before (or instead of) running it."""

    ALLOWED = "allowed"
    DENIED = "denied"
    """The policy refused it."""
    INVALID = "invalid"
    """It did not parse."""
    PREVIEWED = "previewed"
    """Previewed and parked, waiting for its author's confirmation or an approval."""
    PENDING = "previewed"
    """The old name of ``PREVIEWED``."""
    CONFIRMED = "confirmed"
    """Its author confirmed it."""
    APPROVED = "approved"
    """A different person holding an approver role approved it (``approver`` says who)."""
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    """Clicked after its expiry, or expired unanswered (the prompt then says so): nothing ran."""
    REFUSED = "refused"
    """A click from someone who may not answer, on a request already answered or unknown, or
    on a request whose target changed since its preview."""


class Outcome(enum.StrEnum):
    """How the request ended."""

    OK = "ok"
    FAILED = "failed"
    """The cluster refused or failed it (a ``BotError``), or a rollout failed."""
    ERROR = "error"
    """A bug: an unexpected exception, logged with an incident id."""
    NOT_RUN = "not_run"


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One line of the audit trail."""

    time: datetime
    user_id: str
    user_name: str
    channel: str
    text: str
    """The command as typed."""
    decision: Verdict
    outcome: Outcome
    duration_ms: int
    detail: str = ""
    """The reason of a denial, the error message, or the change's summary line."""
    incident: str | None = None
    """Set for ``Outcome.ERROR``; the same id is in the log next to the traceback."""
    announced: bool | None = None
    """For a change delivered by a transport: whether its announcement reached the chat
    (False: applied, but nobody was told). None when there was nothing to announce."""
    verb: str = ""
    """The policy verb (``scale``), empty when the text did not parse."""
    target: str = ""
    """What it acts on: ``deployments/web in prod``."""
    rule: str = ""
    """What allowed it: ``policy.bindings[1] role deployer rule 0``; a denial's reason is in
    ``detail``."""
    approver: str = ""
    """Who approved (or confirmed, or cancelled) a previewed request: ``@bob (U0BOB)``."""
    preview: tuple[str, ...] = ()
    """The preview shown for the request: the exact change, one line each."""
    request: str = ""
    """The pending request's id, which its buttons carry."""
