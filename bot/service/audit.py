"""The audit trail: one record per request and per confirmation answer, denials included.

Who asked, where, what they typed, what the policy decided, how it ended and how long it took,
as JSON lines an operator can ``grep``/``jq`` or ship to a log store. Text is passed through
``bot.secrets.redact`` because users paste things into chat they should not.
"""

from __future__ import annotations

import enum
import json
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, TextIO

from bot.secrets import redact


class Verdict(enum.StrEnum):
    """What the bot decided about a request before (or instead of) running it."""

    ALLOWED = "allowed"
    DENIED = "denied"
    """The policy refused it."""
    INVALID = "invalid"
    """It did not parse."""
    PENDING = "pending"
    """Parked, waiting for its author's confirmation."""
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    REFUSED = "refused"
    """A confirmation answer from someone else, or for an unknown or expired token."""


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


class AuditSink(Protocol):
    """Where audit records go; implementations must be safe to call from several threads."""

    def record(self, entry: AuditRecord) -> None: ...


class JsonLinesAudit:
    """Appends each record as one JSON object per line, flushed at once."""

    def __init__(self, stream: TextIO, *, secrets: tuple[str, ...] = ()) -> None:
        self._stream = stream
        self._secrets = secrets
        self._lock = threading.Lock()

    @classmethod
    def open(cls, target: str, *, secrets: tuple[str, ...] = ()) -> JsonLinesAudit:
        """``stdout``, ``stderr``, or a file path opened for appending (line-buffered)."""
        if target == "stdout":
            return cls(sys.stdout, secrets=secrets)
        if target == "stderr":
            return cls(sys.stderr, secrets=secrets)
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(path.open("a", encoding="utf-8", buffering=1), secrets=secrets)

    def record(self, entry: AuditRecord) -> None:
        """Write one line; the text fields are scrubbed of anything token-shaped."""
        line = {
            "time": entry.time.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "user_id": entry.user_id,
            "user_name": entry.user_name,
            "channel": entry.channel,
            "text": redact(entry.text, self._secrets),
            "decision": str(entry.decision),
            "outcome": str(entry.outcome),
            "duration_ms": entry.duration_ms,
            "detail": redact(entry.detail, self._secrets),
        }
        if entry.incident is not None:
            line["incident"] = entry.incident
        encoded = json.dumps(line, ensure_ascii=False)
        with self._lock:
            self._stream.write(encoded + "\n")
            self._stream.flush()

    def close(self) -> None:
        """Close a file target; the standard streams are left open."""
        if self._stream not in (sys.stdout, sys.stderr):
            self._stream.close()
