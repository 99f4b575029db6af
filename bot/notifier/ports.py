"""The notifier's ports: what it needs of the cluster, owned here, implemented by the gateway."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Protocol

from bot.core.chat_sink import ChatSink, MessageRef
from bot.core.lease import LeaseRecord
from bot.core.reply import Reply
from bot.core.watch_events import WatchEvent


class Lock(Protocol):
    """One Lease, read and written optimistically."""

    identity: str

    def read(self) -> LeaseRecord | None: ...

    def write(
        self, seen: LeaseRecord | None, *, duration: float, now: datetime, hold: bool = True
    ) -> LeaseRecord | None: ...


class Store(Protocol):
    """Per-rollout records kept in the cluster."""

    def load(self) -> dict[str, dict[str, object]]: ...
    def put(self, key: str, record: Mapping[str, object]) -> None: ...
    def put_many(self, records: Mapping[str, Mapping[str, object]]) -> None: ...
    def remove(self, *keys: str) -> None: ...


class Cluster(Protocol):
    """Deployments, pods and logs, plus the notifier's Lease and store."""

    @property
    def lease(self) -> Lock: ...
    @property
    def store(self) -> Store: ...

    def deployments(self, stop: threading.Event) -> Iterator[WatchEvent]: ...
    def new_pods_selector(self, namespace: str, selector: str, revision: int) -> str | None: ...
    def pods(
        self, namespace: str, selector: str, stop: threading.Event
    ) -> Iterator[WatchEvent]: ...
    def log_tail(self, namespace: str, pod: str, container: str, *, lines: int) -> str: ...


class NotificationSink(ChatSink, Protocol):
    """The ``ChatSink``, plus what closes the window between a post and the store's write.

    Before posting a new message the notifier stores a marker for it; the post carries the
    marker. A leader that finds a marker without a message ts (its predecessor died between
    the two) asks ``find_marked`` before posting again.
    """

    def post_marked(self, channel: str, reply: Reply, marker: str) -> MessageRef | None:
        """``post``, with ``marker`` attached to the message (invisible to readers)."""
        ...

    def find_marked(self, channel: str, marker: str) -> MessageRef | None:
        """The recent message of ``channel`` carrying ``marker``; None when there is none or
        it cannot be told."""
        ...
