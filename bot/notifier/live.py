"""A rollout being followed and what its message last said, and the record of it that the
cluster keeps, from which the next leader continues it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.core.chat_sink import MessageRef
from bot.core.notifications.states import Phase, Rollout


@dataclass(slots=True)
class Live:
    """A rollout being followed, and what its message last said."""

    rollout: Rollout
    channel: str
    ref: MessageRef | None = None
    posted: Phase | None = None
    edited: datetime | None = None
    reported: set[str] = field(default_factory=set)
    """Pods (``pod/container/reason``) already reported in the thread."""
    digest: str | None = None
    """The ts of the digest message this rollout is listed in, if any."""
    selector: str = ""
    pods: threading.Event | None = None
    """Set to stop the watch of the new ReplicaSet's pods (None: not watching)."""


def record_of(live: Live, *, posting: str | None = None) -> dict[str, object]:
    """What the cluster keeps of a rollout; ``posting``: the marker of a post about to be
    made (no ts yet)."""
    r = live.rollout
    record: dict[str, object] = {
        "channel": live.channel,
        "ts": live.ref.id if live.ref is not None else None,
        "phase": str(live.posted or r.phase),
        "namespace": r.namespace,
        "name": r.name,
        "revision": r.revision,
        "started": r.started.isoformat(),
        "old": [list(pair) for pair in r.old_images],
        "problems": sorted(live.reported),
    }
    if live.digest is not None:
        record["digest"] = live.digest
    if posting is not None:
        record["posting"] = posting
    return record


def resumed(live: Live, record: dict[str, object]) -> Live:
    """The live rollout continued from what the cluster remembers of its message."""
    ts, channel = record.get("ts"), record.get("channel")
    started = record.get("started")
    rollout = live.rollout
    if isinstance(started, str):
        rollout = replace(rollout, started=datetime.fromisoformat(started))
    old = record.get("old")
    if isinstance(old, list):
        rollout = replace(rollout, old_images=tuple((str(c), str(i)) for c, i in old))
    problems = record.get("problems")
    reported = {str(p) for p in problems} if isinstance(problems, list) else set()
    digest_ts = record.get("digest")
    return Live(
        rollout=replace(rollout, problems=tuple(sorted({p.rsplit("/", 1)[-1] for p in reported}))),
        channel=str(channel) if isinstance(channel, str) else live.channel,
        ref=MessageRef(str(channel), ts)
        if isinstance(ts, str) and isinstance(channel, str)
        else None,
        posted=Phase(str(record["phase"])) if "phase" in record else None,
        edited=None,
        reported=reported,
        digest=str(digest_ts) if isinstance(digest_ts, str) else None,
        selector=live.selector,
    )
