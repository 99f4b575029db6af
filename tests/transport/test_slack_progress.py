"""The "working on it" timer: at most one note, never after the answer."""

from __future__ import annotations

import threading

from bot.transport.slack_progress import ProgressNote


def test_no_note_when_the_work_finishes_first() -> None:
    calls: list[str] = []
    with ProgressNote(lambda: calls.append("note") is None, after=3) as note:
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


def test_a_slow_note_does_not_hold_up_the_next() -> None:
    release = threading.Event()
    second = threading.Event()

    def stuck() -> bool:
        return release.wait(timeout=10)

    def quick() -> bool:
        second.set()
        return True

    with ProgressNote(stuck, after=0.01) as slow, ProgressNote(quick, after=0.02) as fast:
        assert second.wait(timeout=10)  # posted while the first note's post still hangs
        release.set()
    assert (slow.posted, fast.posted) == (True, True)


def test_commands_share_one_timer_thread() -> None:
    before = threading.active_count()
    notes = [ProgressNote(lambda: True, after=3) for _ in range(50)]
    for note in notes:
        note.__enter__()
    assert threading.active_count() <= before + 1
    for note in notes:
        note.finish()
    assert not any(note.posted for note in notes)
