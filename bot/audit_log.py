"""The audit trail as JSON lines: on stdout, stderr or a file, one object per record.

An operator can ``grep``/``jq`` it or ship it to a log store. Text is passed through
``bot.secrets.redact`` because users paste things into chat they should not. It is the
file-writing adapter of the service's ``AuditSink`` port, wired by the composition root.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import TextIO

from bot.secrets import redact
from bot.service.audit import AuditRecord


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
            "verb": entry.verb,
            "target": entry.target,
            "decision": str(entry.decision),
            "rule": entry.rule,
            "outcome": str(entry.outcome),
            "duration_ms": entry.duration_ms,
            "detail": redact(entry.detail, self._secrets),
        }
        if entry.incident is not None:
            line["incident"] = entry.incident
        if entry.announced is not None:
            line["announced"] = entry.announced
        if entry.request:
            line["request"] = entry.request
            line["approver"] = redact(entry.approver, self._secrets)
            line["preview"] = [redact(p, self._secrets) for p in entry.preview]
        encoded = json.dumps(line, ensure_ascii=False)
        with self._lock:
            self._stream.write(encoded + "\n")
            self._stream.flush()

    def close(self) -> None:
        """Close a file target; the standard streams are left open."""
        if self._stream not in (sys.stdout, sys.stderr):
            self._stream.close()
