"""The notifier's ports: what it needs of the cluster, owned here, implemented by the gateway."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Protocol

from bot.core.lease import LeaseRecord
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
