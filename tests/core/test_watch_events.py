"""The watch ledger: streamed repeats are dropped, a re-list yields exactly what was missed."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.watch_events import EventType, Ledger

ADDED, MODIFIED, DELETED = EventType.ADDED, EventType.MODIFIED, EventType.DELETED


def obj(name: str, rv: str, *, uid: str | None = None, namespace: str = "prod") -> dict[str, Any]:
    meta = {"name": name, "namespace": namespace, "resourceVersion": rv, "uid": uid or f"u-{name}"}
    return {"metadata": meta, "spec": {"big": "x" * 100}}


def ledger_of(*objs: dict[str, Any]) -> Ledger:
    ledger = Ledger()
    assert list(ledger.replace(objs)) == [(ADDED, o) for o in objs]
    return ledger


def changes(ledger: Ledger, *listed: dict[str, Any]) -> list[tuple[EventType, str, str]]:
    return [
        (kind, o["metadata"]["name"], o["metadata"]["resourceVersion"])
        for kind, o in ledger.replace(listed)
    ]


@pytest.mark.parametrize(
    ("before", "listed", "expected"),
    [
        ([], [], []),
        ([obj("a", "1")], [obj("a", "1")], []),
        ([obj("a", "1")], [obj("a", "5")], [(MODIFIED, "a", "5")]),
        ([obj("a", "1")], [obj("a", "1"), obj("b", "4")], [(ADDED, "b", "4")]),
        ([obj("a", "1"), obj("b", "2")], [obj("b", "2")], [(DELETED, "a", "1")]),
        # Deleted and re-created under the same name while disconnected: a new uid.
        ([obj("a", "1")], [obj("a", "7", uid="u-new")], [(ADDED, "a", "7"), (DELETED, "a", "1")]),
        (
            [obj("a", "1"), obj("b", "2"), obj("c", "3")],
            [obj("c", "9"), obj("d", "8")],
            [(MODIFIED, "c", "9"), (ADDED, "d", "8"), (DELETED, "a", "1"), (DELETED, "b", "2")],
        ),
    ],
)
def test_relist_reports_the_difference(
    before: list[dict[str, Any]],
    listed: list[dict[str, Any]],
    expected: list[tuple[EventType, str, str]],
) -> None:
    ledger = ledger_of(*before)
    assert changes(ledger, *listed) == expected
    assert len(ledger) == len(listed)
    assert changes(ledger, *listed) == []  # the same list again changes nothing


def test_relist_deletion_is_a_metadata_stub() -> None:
    ledger = ledger_of(obj("a", "1"))
    ((kind, stub),) = ledger.replace([])
    assert kind is DELETED
    assert stub == {
        "metadata": {"name": "a", "namespace": "prod", "resourceVersion": "1", "uid": "u-a"}
    }


def test_objects_without_uid_are_known_by_namespace_and_name() -> None:
    bare = {"metadata": {"name": "a", "resourceVersion": "1"}}
    ledger = ledger_of(bare)
    ((kind, stub),) = ledger.replace([])
    assert (kind, stub) == (DELETED, {"metadata": {"name": "a", "resourceVersion": "1"}})


def test_an_interrupted_relist_reports_nothing_gone() -> None:
    ledger = ledger_of(obj("a", "1"), obj("b", "2"))

    def broken() -> Any:
        yield obj("a", "3")
        raise ConnectionError

    seen = []
    with pytest.raises(ConnectionError):
        seen.extend(ledger.replace(broken()))
    assert [(k, o["metadata"]["name"]) for k, o in seen] == [(MODIFIED, "a")]
    assert changes(ledger, obj("a", "3")) == [(DELETED, "b", "2")]


@pytest.mark.parametrize(
    ("events", "reported"),
    [
        ([(ADDED, obj("a", "2"))], [True]),
        ([(ADDED, obj("a", "2")), (ADDED, obj("a", "2"))], [True, False]),
        ([(MODIFIED, obj("x", "1"))], [False]),  # the list already reported x at 1
        ([(MODIFIED, obj("x", "3")), (DELETED, obj("x", "4"))], [True, True]),
        ([(DELETED, obj("x", "4")), (DELETED, obj("x", "4"))], [True, False]),
        ([(DELETED, obj("ghost", "4"))], [False]),
    ],
)
def test_streamed_repeats_are_dropped(
    events: list[tuple[EventType, dict[str, Any]]], reported: list[bool]
) -> None:
    ledger = ledger_of(obj("x", "1"))
    assert [ledger.observe(kind, o) for kind, o in events] == reported
