"""Pending requests: stored as JSON, moved on at most once, collected after they expire."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.pending import PromptPlace
from bot.core.preview import Preview
from bot.core.subject import Subject
from bot.service.confirmations import Confirmations
from bot.service.memory_requests import MemoryRequests
from bot.service.pending_request import PendingRequest, State, answered

ALICE = Subject(
    "U0ALICE",
    "alice",
    display="@alice",
    actor="slack:@alice",
    groups=frozenset({"S1"}),
    email="alice@example.com",
    slack_groups=(("S1", "sre"),),
)
PREVIEW = Preview(
    ("deployment web in namespace prod: 3 → 0 replicas",), (("replicas", "3"),), "managed"
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> MemoryRequests:
    return MemoryRequests()


@pytest.fixture
def parked(clock: Clock, store: MemoryRequests) -> Confirmations:
    counter = itertools.count()
    return Confirmations(
        store=store,
        expiry=timedelta(minutes=5),
        clock=clock,
        new_id=lambda: f"{next(counter):020x}",
    )


def park(confirmations: Confirmations) -> PendingRequest:
    return confirmations.park(
        author=ALICE,
        channel="C1",
        text="scale deployment/web --replicas=0 -n prod",
        target="deployments/web in namespace prod",
        prompt="Scale deployment web in namespace prod to 0 replicas?",
        preview=PREVIEW,
        approvers=("sre-lead",),
        rule="policy.bindings[0] role rm rule 0",
    )


def test_a_request_round_trips_through_its_json(parked: Confirmations) -> None:
    request = park(parked)
    assert PendingRequest.from_json(request.to_json()) == request
    loaded = parked.load(request.id)
    assert loaded is not None
    assert loaded[0] == request
    assert request.expires - request.created == timedelta(minutes=5)


def test_a_request_moves_on_once(parked: Confirmations) -> None:
    request = park(parked)
    loaded = parked.load(request.id)
    assert loaded is not None
    _, version = loaded
    moved = parked.move(request, version, State.RUNNING, by="@bob")
    assert moved is not None
    assert moved[0].state is State.RUNNING
    # A second answer read the same version: it loses and must do nothing.
    assert parked.move(request, version, State.CANCELLED, by="@alice") is None
    again = parked.load(request.id)
    assert again is not None
    assert (again[0].state, again[0].by) == (State.RUNNING, "@bob")
    assert "no longer pending: it is being run (answered by @bob)" in answered(again[0])


@pytest.mark.parametrize("key", ["", "../etc", "ABCDEF0123456789", "x" * 20, "0" * 65])
def test_ids_that_name_nothing(parked: Confirmations, key: str) -> None:
    assert parked.load(key) is None


def test_garbage_in_the_store_names_nothing(parked: Confirmations, store: MemoryRequests) -> None:
    store.create("0" * 20, "{not json", expires=datetime.now(UTC))
    assert parked.load("0" * 20) is None


def test_expired_requests_are_collected_after_one_more_period(
    parked: Confirmations, store: MemoryRequests, clock: Clock
) -> None:
    first = park(parked)
    clock.now += timedelta(minutes=9)
    park(parked)
    assert len(store) == 2
    assert parked.load(first.id) is not None  # expired, kept to say so
    clock.now += timedelta(minutes=2)
    park(parked)
    assert len(store) == 2
    assert parked.load(first.id) is None


def test_default_ids_are_unguessable(clock: Clock) -> None:
    confirmations = Confirmations(store=MemoryRequests(), expiry=timedelta(minutes=1), clock=clock)
    ids = {park(confirmations).id for _ in range(20)}
    assert len(ids) == 20
    assert all(len(i) >= 20 for i in ids)


PLACE = PromptPlace("C1", message="1700000000.000100")


def test_where_the_prompt_is_is_kept_with_the_request(parked: Confirmations) -> None:
    request = park(parked)
    parked.place(request.id, PLACE)
    loaded = parked.load(request.id)
    assert loaded is not None
    assert loaded[0] == replace(request, place=PLACE)
    assert PendingRequest.from_json(loaded[0].to_json()) == loaded[0]


def test_a_click_read_before_the_prompt_was_placed_still_runs(parked: Confirmations) -> None:
    request = park(parked)
    loaded = parked.load(request.id)
    assert loaded is not None
    parked.place(request.id, PLACE)  # written between the click's read and its move
    moved = parked.move(*loaded, State.RUNNING, by="@bob")
    assert moved is not None
    assert (moved[0].state, moved[0].place) == (State.RUNNING, PLACE)
    assert parked.move(*loaded, State.CANCELLED) is None


def test_an_answered_request_is_not_placed(parked: Confirmations) -> None:
    request = park(parked)
    loaded = parked.load(request.id)
    assert loaded is not None
    assert parked.move(*loaded, State.CANCELLED) is not None
    parked.place(request.id, PLACE)
    again = parked.load(request.id)
    assert again is not None
    assert (again[0].state, again[0].place) == (State.CANCELLED, None)


def test_a_request_expires_once_and_only_when_due(parked: Confirmations, clock: Clock) -> None:
    request = park(parked)
    assert parked.expire(request.id) is None
    clock.now += timedelta(minutes=5)
    expired = parked.expire(request.id)
    assert expired is not None
    assert expired.state is State.EXPIRED
    assert parked.expire(request.id) is None
    assert parked.expire("0" * 20 + "f") is None
