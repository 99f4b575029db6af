"""The expiry sweeper: an unanswered request is expired once, among any number of sweepers, its
prompt replaced where it was delivered; one that expired before the sweeper started is met in
its first list; and it stops at once, waiting or not."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.core.pending import PromptPlace, StoredChange
from bot.core.reply import Reply
from bot.service.audit import Verdict
from bot.service.expiry import Sweeper
from bot.service.memory_requests import MemoryRequests
from bot.service.options import ChatOpsOptions
from bot.service.service import ChatOps, Request
from tests.service.test_approvals import CAROL, SCALE, Audit, Gateway, Previews, policy

WAIT = 10.0


@dataclass
class Feed:
    """What a store's follower would see: ``keys`` listed first, then what ``changes`` gets."""

    store: MemoryRequests
    keys: list[str] = field(default_factory=list)
    changes: queue.Queue[StoredChange] = field(default_factory=queue.Queue)

    def follow(self, stop: threading.Event) -> Iterator[StoredChange]:
        for key in self.keys:
            yield StoredChange(key, self.store.read(key))
        while not stop.is_set():
            try:
                yield self.changes.get(timeout=0.05)
            except queue.Empty:
                continue

    def written(self, key: str) -> None:
        self.keys.append(key)
        self.changes.put(StoredChange(key, self.store.read(key)))


@dataclass
class Prompts:
    replaced: list[tuple[PromptPlace, Reply]] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def replace_prompt(self, place: PromptPlace, reply: Reply) -> bool:
        self.replaced.append((place, reply))
        self.done.set()
        return True


@dataclass
class Clock:
    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def service(
    store: MemoryRequests, audit: Audit, clock: Clock, expiry: timedelta = timedelta(minutes=5)
) -> ChatOps:
    return ChatOps(
        gateway=Gateway(),
        policy=policy(),
        audit=audit,
        clock=clock,
        previews=Previews(),
        pending=store,
        options=ChatOpsOptions(confirmation_expiry=expiry),
    )


def test_two_sweepers_expire_a_request_once_and_replace_its_prompt() -> None:
    store, audit, clock = MemoryRequests(), Audit(), Clock()
    chatops = service(store, audit, clock, timedelta(seconds=1))
    feeds = [Feed(store), Feed(store)]
    prompts = [Prompts(), Prompts()]
    sweepers = [Sweeper(service=chatops, feed=f, clock=clock) for f in feeds]
    for sweeper, shown in zip(sweepers, prompts, strict=True):
        sweeper.start(shown)
    try:
        prompt = chatops.handle(Request(CAROL, "C1", SCALE))
        assert prompt.confirm is not None
        key = prompt.confirm.token
        place = PromptPlace("C1", message="1700000000.000100")
        chatops.placed(key, place)
        for feed in feeds:
            feed.written(key)
        deadline = time.monotonic() + WAIT
        while not any(p.done.is_set() for p in prompts) and time.monotonic() < deadline:
            prompts[0].done.wait(0.01)
        assert any(p.done.is_set() for p in prompts)
    finally:
        for sweeper in sweepers:
            sweeper.stop()
    ((where, reply),) = [r for p in prompts for r in p.replaced]
    assert where == place
    assert reply.confirm is None
    assert reply.headline.startswith("Expired at ")
    assert reply.headline.endswith(" UTC; nothing was changed.")
    expired = [r for r in audit.records if r.decision is Verdict.EXPIRED]
    assert [(r.user_id, r.request, r.verb) for r in expired] == [(CAROL.user_id, key, "scale")]


def test_a_request_that_expired_before_the_start_is_swept_at_once() -> None:
    store, audit, clock = MemoryRequests(), Audit(), Clock()
    chatops = service(store, audit, clock)
    prompt = chatops.handle(Request(CAROL, "C1", SCALE))
    assert prompt.confirm is not None
    chatops.placed(prompt.confirm.token, PromptPlace("C1", reply_url="https://slack.invalid/r"))
    clock.offset = timedelta(minutes=6)
    feed, shown = Feed(store, keys=[prompt.confirm.token]), Prompts()
    sweeper = Sweeper(service=chatops, feed=feed, clock=clock)
    sweeper.start(shown)
    try:
        assert shown.done.wait(WAIT)
    finally:
        sweeper.stop()
    ((where, _),) = shown.replaced
    assert where.reply_url == "https://slack.invalid/r"


def test_it_stops_while_waiting() -> None:
    store, audit, clock = MemoryRequests(), Audit(), Clock()
    chatops = service(store, audit, clock)
    feed = Feed(store)
    sweeper = Sweeper(service=chatops, feed=feed, clock=clock)
    sweeper.start(Prompts())
    prompt = chatops.handle(Request(CAROL, "C1", SCALE))
    assert prompt.confirm is not None
    feed.written(prompt.confirm.token)
    deadline = time.monotonic() + WAIT
    while prompt.confirm.token not in sweeper.pending() and time.monotonic() < deadline:
        threading.Event().wait(0.01)
    assert prompt.confirm.token in sweeper.pending()
    assert sweeper.running
    sweeper.stop()
    assert not sweeper.running
    assert [r for r in audit.records if r.decision is Verdict.EXPIRED] == []
