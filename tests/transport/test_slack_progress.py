"""The "working on it" timer: at most one note, never after the answer."""

from __future__ import annotations

import threading

from bot.transport.slack_progress import ProgressNote


def test_no_note_when_the_work_finishes_first() -> None:
    calls: list[str] = []
    with ProgressNote(lambda: calls.append("note") is None, after=60) as note:
        pass
    assert (note.posted, calls) == (False, [])


def test_no_note_when_disabled() -> None:
    with ProgressNote(lambda: True, after=None) as note:
        pass
    assert not note.posted


def test_one_note_when_the_work_is_slow() -> None:
    posted = threading.Event()

    def post() -> bool:
        posted.set()
        return True

    with ProgressNote(post, after=0.01) as note:
        assert posted.wait(timeout=10)
    assert note.posted


def test_a_refused_note_is_not_counted() -> None:
    tried = threading.Event()

    def post() -> bool:
        tried.set()
        return False

    with ProgressNote(post, after=0.01) as note:
        assert tried.wait(timeout=10)
    assert not note.posted
