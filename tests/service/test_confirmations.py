"""Parked damaging commands: only their author may answer, once, before they expire."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.subject import Subject
from bot.core.verbs.delete import Delete
from bot.errors import NotAllowed
from bot.service import confirmations
from bot.service.confirmations import ConfirmationGoneError, Confirmations

ALICE = Subject("U0ALICE", "alice", display="@alice", actor="slack:@alice")
BOB = Subject("U0BOB", "bob", display="@bob", actor="slack:@bob")
COMMAND = Delete(resource="pods", name="web-1", namespace="prod")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def parked(clock: Clock) -> Confirmations:
    counter = itertools.count()
    return Confirmations(
        expiry=timedelta(minutes=5), clock=clock, new_token=lambda: f"t{next(counter)}"
    )


def park(store: Confirmations, subject: Subject = ALICE) -> str:
    return store.park(
        subject=subject, channel="C1", text="delete pod web-1 -n prod", command=COMMAND
    )


def test_author_takes_the_command_once(parked: Confirmations) -> None:
    token = park(parked)
    pending = parked.take(ALICE, token)
    assert (pending.command, pending.channel, pending.text) == (
        COMMAND,
        "C1",
        "delete pod web-1 -n prod",
    )
    with pytest.raises(ConfirmationGoneError, match="no longer pending"):
        parked.take(ALICE, token)


def test_someone_else_is_refused_and_the_author_still_can(parked: Confirmations) -> None:
    token = park(parked)
    with pytest.raises(NotAllowed, match="Only @alice, who ran this command, can confirm"):
        parked.take(BOB, token)
    assert parked.take(ALICE, token).subject == ALICE


def test_unknown_token(parked: Confirmations) -> None:
    with pytest.raises(ConfirmationGoneError, match="run the command again"):
        parked.take(ALICE, "nope")


@pytest.mark.parametrize(
    ("elapsed", "expired"),
    [
        (timedelta(minutes=4, seconds=59), False),
        (timedelta(minutes=5), True),
        (timedelta(minutes=9), True),
    ],
)
def test_expiry(parked: Confirmations, clock: Clock, elapsed: timedelta, *, expired: bool) -> None:
    token = park(parked)
    clock.now += elapsed
    if expired:
        with pytest.raises(ConfirmationGoneError, match="expired after 5 minutes"):
            parked.take(ALICE, token)
    else:
        assert parked.take(ALICE, token).command == COMMAND


def test_long_expired_entries_are_forgotten(parked: Confirmations, clock: Clock) -> None:
    park(parked)
    clock.now += timedelta(minutes=10)
    park(parked)
    assert len(parked) == 1


def test_the_number_parked_is_bounded(
    parked: Confirmations, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(confirmations, "MAX_PENDING", 3)
    tokens = [park(parked) for _ in range(5)]
    assert len(parked) == 3
    with pytest.raises(ConfirmationGoneError):
        parked.take(ALICE, tokens[0])
    assert parked.take(ALICE, tokens[-1]).command == COMMAND


def test_default_tokens_are_unguessable(clock: Clock) -> None:
    store = Confirmations(expiry=timedelta(minutes=1), clock=clock)
    tokens = {park(store) for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(token) >= 20 for token in tokens)
