"""The audit trail's copy in a Slack channel (``audit.channel``): one short message per record.

The JSON-lines trail is the record of truth and is written first, at once; this copy goes
through a queue and a thread of its own, so that Slack being slow, rate limited or down never
delays or drops a line of it. A message Slack refused is retried (the client already waits out
``Retry-After``; here the same record is tried again after a capped backoff) until it is taken or
the bot stops, and what was still queued at the stop is counted in the log.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Final

from bot.core.chat_sink import ChatSink
from bot.core.replies import audit_reply
from bot.core.reply import Reply
from bot.secrets import redact
from bot.service.audit import AuditRecord
from bot.service.ports import AuditSink

logger = logging.getLogger(__name__)

RETRY_SECONDS: Final = (1.0, 2.0, 5.0, 10.0, 30.0)
"""Waits before posting a refused record again; the last one repeats."""

DETAIL_CHARS: Final = 300
"""A denial's reason or an error fits; a long one is cut (the JSON line keeps it whole)."""


class Tee:
    """Gives every record to each sink in turn: the JSON lines first, then the channel's queue."""

    def __init__(self, *sinks: AuditSink) -> None:
        self._sinks = sinks

    def record(self, entry: AuditRecord) -> None:
        """Hand ``entry`` to every sink, in order."""
        for sink in self._sinks:
            sink.record(entry)


class ChannelAudit:
    """Posts each record to ``channel`` once a ``ChatSink`` is attached (the Slack app makes it
    after the service that writes the records), in order, never dropping one while it runs."""

    def __init__(
        self,
        channel: str,
        *,
        secrets: tuple[str, ...] = (),
        retry_seconds: tuple[float, ...] = RETRY_SECONDS,
    ) -> None:
        self.channel = channel
        self._secrets = secrets
        self._retry = retry_seconds
        self._queue: deque[AuditRecord] = deque()
        self._changed = threading.Condition()
        self._sink: ChatSink | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None

    def record(self, entry: AuditRecord) -> None:
        """Queue ``entry`` for the channel; never blocks on Slack."""
        with self._changed:
            self._queue.append(entry)
            self._changed.notify_all()

    def attach(self, sink: ChatSink) -> None:
        """Start posting through ``sink`` (records queued before are posted first)."""
        with self._changed:
            if self._thread is not None:
                return
            self._sink = sink
            self._thread = threading.Thread(target=self._run, name="audit-channel", daemon=True)
            self._thread.start()

    def close(self, *, timeout: float = 5.0) -> None:
        """Post what is queued for up to ``timeout`` seconds, then stop; log what is left."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        with self._changed:
            self._thread = None
            left = len(self._queue)
        if left:
            logger.warning(
                "audit channel %s: %d record(s) not posted before the stop; "
                "they are in the audit trail",
                self.channel,
                left,
            )

    def _run(self) -> None:
        failures = 0
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._queue or self._stopping)
                if not self._queue:
                    return
                entry = self._queue[0]
                sink = self._sink
            assert sink is not None  # attach() sets it before starting the thread
            if sink.post(self.channel, self._message(entry)) is not None:
                failures = 0
                with self._changed:
                    self._queue.popleft()
                continue
            wait = self._retry[min(failures, len(self._retry) - 1)]
            failures += 1
            logger.warning("audit channel %s: post refused; retrying in %.0f s", self.channel, wait)
            with self._changed:
                if self._changed.wait_for(lambda: self._stopping, wait):
                    return

    def _message(self, entry: AuditRecord) -> Reply:
        detail = redact(entry.detail, self._secrets)
        if len(detail) > DETAIL_CHARS:
            detail = detail[: DETAIL_CHARS - 1] + "…"
        return audit_reply(
            user=entry.user_name or entry.user_id,
            channel=entry.channel,
            text=redact(entry.text, self._secrets),
            decision=str(entry.decision),
            outcome=str(entry.outcome),
            detail=detail,
        )
