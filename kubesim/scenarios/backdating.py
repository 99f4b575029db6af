"""Back-dating: objects a scenario creates get the creationTimestamp of a moment long past, as if
a real cluster had made them then."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from kubesim.storage.store import Store


class _Fixed:
    """A clock stuck at one instant, lent to the store while a back-dated object is created."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def now(self) -> datetime:
        return self._moment


@contextmanager
def backdated(store: Store, moment: datetime) -> Iterator[None]:
    """Objects created inside get ``moment`` as creationTimestamp."""
    real = store.clock
    store.clock = _Fixed(moment)
    try:
        yield
    finally:
        store.clock = real
