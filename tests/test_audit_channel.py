"""``ChannelAudit`` on its own, with a chat sink that refuses on demand: records queued before
the sink is attached are posted first, in order, and a stop with records left says so."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

import pytest

from bot.audit_channel import ChannelAudit, Tee
from bot.core.chat_sink import MessageRef
from bot.core.reply import Reply
from bot.service.audit import AuditRecord, Outcome, Verdict


class Sink:
    """A ChatSink that keeps what it was given, and refuses while ``refusing`` is set."""

    def __init__(self) -> None:
        self.posted: list[Reply] = []
        self.attempts = 0
        self.refusing = threading.Event()
        self.changed = threading.Condition()

    def post(self, channel: str, reply: Reply) -> MessageRef | None:
        with self.changed:
            self.attempts += 1
            self.changed.notify_all()
            if self.refusing.is_set():
                return None
            self.posted.append(reply)
            return MessageRef(channel, str(len(self.posted)))

    def update(self, message: MessageRef, reply: Reply) -> MessageRef | None:
        raise AssertionError("the audit channel only posts")

    def reply_in_thread(self, message: MessageRef, reply: Reply) -> MessageRef | None:
        raise AssertionError("the audit channel only posts")


def _record(text: str, decision: Verdict = Verdict.ALLOWED) -> AuditRecord:
    return AuditRecord(
        time=datetime(2026, 12, 1, tzinfo=UTC),
        user_id="U1",
        user_name="alice",
        channel="C0OPS",
        text=text,
        decision=decision,
        outcome=Outcome.OK,
        duration_ms=3,
        detail="x" * 1000,
    )


class Trail:
    def __init__(self) -> None:
        self.records: list[AuditRecord] = []

    def record(self, entry: AuditRecord) -> None:
        self.records.append(entry)


def test_records_queued_before_the_sink_are_posted_first_in_order() -> None:
    channel = ChannelAudit("C0AUDIT", retry_seconds=(0.01,))
    trail = Trail()
    tee = Tee(trail, channel)
    tee.record(_record("get pods"))
    tee.record(_record("scale deployment/web --replicas=9", Verdict.DENIED))
    assert [r.text for r in trail.records] == ["get pods", "scale deployment/web --replicas=9"]
    sink = Sink()
    channel.attach(sink)
    with sink.changed:
        assert sink.changed.wait_for(lambda: len(sink.posted) == 2, 10)
    channel.close()
    first, second = sink.posted
    assert first.headline == "alice in C0OPS: get pods — allowed, ok"
    assert second.headline.endswith("— denied, ok")
    assert len(first.parts) == 1
    assert len(str(first.parts[0])) < 400


def test_a_stop_with_records_left_logs_how_many(caplog: pytest.LogCaptureFixture) -> None:
    channel = ChannelAudit("C0AUDIT", retry_seconds=(60.0,))
    sink = Sink()
    sink.refusing.set()
    channel.attach(sink)
    channel.record(_record("get pods"))
    with sink.changed:
        assert sink.changed.wait_for(lambda: sink.attempts == 1, 10)
    with caplog.at_level(logging.WARNING, logger="bot.audit_channel"):
        channel.close(timeout=5)
    assert sink.posted == []
    assert "1 record(s) not posted" in caplog.text
