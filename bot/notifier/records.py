"""The records of rollout messages kept in the cluster: written whenever a message changes, read
at the start of each term of leadership, recovered after a take-over, collected once stale."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final

from bot.core.chat_sink import MessageRef
from bot.core.notifications.states import Phase, Snapshot
from bot.notifier.live import Live, record_of
from bot.notifier.ports import NotificationSink, Store

logger = logging.getLogger(__name__)

DIGEST_MARKER: Final = "digest:"
"""Marker prefix of a digest's post (then the key of its first rollout)."""


class Records:
    """What the store holds, as this term of leadership read and wrote it."""

    def __init__(self, store: Store, sink: NotificationSink) -> None:
        self._store = store
        self._sink = sink
        self.stored: dict[str, dict[str, object]] = {}
        """Rollout key -> its record."""
        self._recovered: dict[str, MessageRef | None] = {}
        """Marker -> the message found carrying it (asked once per term of leadership)."""

    def load(self) -> None:
        """Read the store afresh and forget what was recovered (a new term of leadership)."""
        self._recovered.clear()
        self.stored = self._store.load()

    def remember(self, live: Live, *, posting: str | None = None) -> None:
        """Store what is known of ``live`` now (``posting``: as for ``record_of``)."""
        record = record_of(live, posting=posting)
        self.stored[live.rollout.key] = record
        self._store.put(live.rollout.key, record)

    def remember_all(self, lives: Mapping[str, Live], *, posting: str) -> None:
        """Store the records of ``lives`` (key -> rollout) in one write, marked ``posting``."""
        marked = {k: record_of(live, posting=posting) for k, live in lives.items()}
        self.stored.update(marked)
        self._store.put_many(marked)

    def live(self, snap: Snapshot) -> bool:
        """Whether the record of ``snap``'s revision says its rollout had not ended."""
        record = self.stored.get(f"{snap.uid}.{snap.revision}")
        return record is not None and not Phase(str(record.get("phase"))).ended

    def recover(self, live: Live, marker: str) -> None:
        """The previous leader stored ``marker`` and died before storing the message's ts:
        if its post went out, continue that message (a digest's, for a digest marker)."""
        if marker not in self._recovered:
            self._recovered[marker] = self._sink.find_marked(live.channel, marker)
        found = self._recovered[marker]
        if found is None:
            return  # not posted (or Slack cannot say): it is posted now, as it would have been
        logger.info("notifier: found the message of %s posted before a take-over", marker)
        live.ref, live.posted, live.edited = found, None, None
        if marker.startswith(DIGEST_MARKER):
            live.digest = found.id
            for record in self.stored.values():
                if record.get("posting") == marker:
                    record["digest"] = found.id

    def collect_garbage(self, known: Mapping[str, Snapshot]) -> None:
        """Forget stored rollouts that ended and whose Deployment (``known`` by uid) is gone or
        moved on."""
        stale = []
        for key, record in self.stored.items():
            uid, revision, *scale = key.split(".")
            snap = known.get(uid)
            if scale and (snap is None or scale[0] != f"g{snap.generation}"):
                stale.append(key)  # a scale whose Deployment changed since: nothing to finish
                continue
            if not Phase(str(record.get("phase", "complete"))).ended:
                continue
            if snap is None or str(snap.revision) != revision:
                stale.append(key)
        if stale:
            self._store.remove(*stale)
            for key in stale:
                self.stored.pop(key, None)
