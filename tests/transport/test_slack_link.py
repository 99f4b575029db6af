"""The link between HTTP mode's processes: the ack process's count of the workers' bounds, and
the frames."""

from __future__ import annotations

import logging

import pytest

from bot.transport.slack_front import LOG_BACKLOG_BYTES, _LinkLog
from bot.transport.slack_link import (
    FRAME_HEADER,
    MAX_FRAME_BYTES,
    Admission,
    decode_frame,
    encode_frame,
    frame_length,
)
from bot.transport.slack_workers import WorkerSizes


def test_admission_keeps_the_per_user_bound_until_the_bot_says_a_request_ended() -> None:
    admission = Admission(WorkerSizes(workers=8, queue=8, per_user=2))
    first = admission.enter("U1", long=False)
    second = admission.enter("U1", long=True)
    assert first is not None
    assert second is not None
    assert admission.enter("U1", long=False) is None
    assert admission.enter("U2", long=False) is not None  # others are not held up
    admission.leave(first.number)
    assert admission.enter("U1", long=False) is not None


def test_admission_keeps_each_pools_threads_and_queue_apart() -> None:
    admission = Admission(WorkerSizes(workers=1, long_workers=2, queue=1, per_user=99))
    general = [admission.enter(f"U{i}", long=False) for i in range(3)]
    assert [t is not None for t in general] == [True, True, False]  # 1 thread + 1 waiting
    waits = [admission.enter(f"L{i}", long=True) for i in range(4)]
    assert [t is not None for t in waits] == [True, True, True, False]
    assert admission.in_flight() == 5


def test_an_unknown_or_repeated_end_changes_nothing() -> None:
    admission = Admission(WorkerSizes(workers=1, queue=0, per_user=1))
    ticket = admission.enter("U1", long=False)
    assert ticket is not None
    admission.leave(ticket.number)
    admission.leave(ticket.number)
    admission.leave(12345)
    assert admission.in_flight() == 0
    assert admission.enter("U1", long=False) is not None
    assert admission.enter("U2", long=False) is None  # the one thread is taken, once


def test_frames_round_trip_and_are_bounded() -> None:
    frame = {"t": "job", "number": 7, "body": "text=get+pods%20%E2%9C%93", "headers": {"a": ["b"]}}
    data = encode_frame(frame)
    size = frame_length(data[: FRAME_HEADER.size])
    assert size == len(data) - FRAME_HEADER.size
    assert decode_frame(data[FRAME_HEADER.size :]) == frame
    with pytest.raises(ValueError, match="over the bound"):
        frame_length(FRAME_HEADER.pack(MAX_FRAME_BYTES + 1))
    with pytest.raises(ValueError, match="JSON object"):
        decode_frame(b"[1, 2]")


def test_the_ack_process_drops_log_records_while_the_bot_reads_none() -> None:
    sent: list[dict[str, object]] = []
    backlog = [0]
    handler = _LinkLog(sent.append, lambda: backlog[0])
    record = logging.LogRecord("bot.transport", logging.WARNING, __file__, 1, "busy", None, None)
    handler.emit(record)
    backlog[0] = LOG_BACKLOG_BYTES + 1  # the link is full: the bot's process is not reading
    handler.emit(record)
    assert [frame["msg"] for frame in sent] == ["busy"]
