"""The rollouts being followed: what each Deployment change means for them (a new rollout or
scale, progress, an end), their messages published as they change and kept in the cluster."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.core.notifications.routing import channel_for, matches_any
from bot.core.notifications.states import (
    Phase,
    Rollout,
    Snapshot,
    begin,
    begin_scale,
    is_rollout,
    is_scale,
    observe,
    snapshot,
    supersede,
)
from bot.core.watch_events import EventType, Origin, WatchEvent
from bot.notifier.digests import Digests
from bot.notifier.leader import Elector
from bot.notifier.live import Live, resumed
from bot.notifier.messages import Messages
from bot.notifier.options import NotifierOptions
from bot.notifier.pods import Pods, PodSeen, stop_watching
from bot.notifier.ports import Cluster, NotificationSink
from bot.notifier.records import Records

logger = logging.getLogger(__name__)


class Rollouts:
    """The Deployments as last seen, and the rollouts of theirs being followed."""

    def __init__(
        self,
        cluster: Cluster,
        sink: NotificationSink,
        elector: Elector,
        options: NotifierOptions,
        *,
        now: Callable[[], datetime],
    ) -> None:
        self._options = options
        self._now = now
        self._known: dict[str, Snapshot] = {}
        self._live: dict[str, Live] = {}
        self._records = Records(cluster.store, sink)
        self._messages = Messages(
            sink=sink,
            elector=elector,
            records=self._records,
            options=options,
            now=now,
            drop=self._drop,
        )
        self._digests = Digests(
            sink=sink,
            elector=elector,
            records=self._records,
            lives=self._live,
            options=options,
            now=now,
            post_own=self._messages.post,
            drop=self._drop,
        )
        self._pods = Pods(cluster, sink, elector, self._records, self._live, pause=options.tick)
        self._arrived = time.monotonic()
        """monotonic() when the Deployment change being handled arrived from the watch."""

    @property
    def posts(self) -> int:
        """Messages posted."""
        return self._messages.posts + self._digests.posts

    def reset(self) -> None:
        """Forget everything but what the cluster remembers (a new term of leadership)."""
        self.stop_watching()
        self._known.clear()
        self._live.clear()
        self._digests.clear()
        self._records.load()

    def stop_watching(self) -> None:
        """Stop every watch of a live rollout's pods."""
        for live in self._live.values():
            stop_watching(live)

    def collect_garbage(self) -> None:
        """Forget stored rollouts that ended and whose Deployment is gone or moved on."""
        self._records.collect_garbage(self._known)

    def changed(self, event: WatchEvent, *, arrived: float) -> None:
        """Follow a Deployment change that arrived from the watch at monotonic() ``arrived``."""
        self._arrived = arrived
        self._on_event(event)

    def pod(self, seen: PodSeen) -> None:
        """A pod of a live rollout's new ReplicaSet, as its watch showed it."""
        self._pods.seen(seen)

    def tick(self, *, idle: Callable[[], bool], put: Callable[[PodSeen], None]) -> None:
        """Post what waited for a tick, watch the new pods of posted rollouts and edit their
        messages where due; ``idle``: whether no change waits unread; ``put``: where the pod
        watches hand their pods."""
        self._digests.flush(idle=idle)
        for live in list(self._live.values()):
            if live.ref is None and live.digest is None:
                continue
            if not live.rollout.phase.ended and live.pods is None:
                self._pods.watch(live, put=put)
            self._publish(live)

    def _on_event(self, event: WatchEvent) -> None:
        kind = event.object.get("kind")
        if kind not in (None, "Deployment"):
            logger.warning("notifier: the Deployments watch sent a %s; ignored", kind)
            return
        snap = snapshot(event.object)
        if not matches_any(snap.namespace, self._options.namespaces):
            return
        if event.type is EventType.DELETED:
            self._known.pop(snap.uid, None)
            for key in [k for k, live in self._live.items() if live.rollout.uid == snap.uid]:
                self._end(key, supersede(self._live[key].rollout, at=self._now()))
            return
        before = self._known.get(snap.uid)
        # Keep the images the revision had: a template change shows up before the revision does.
        same = before is not None and before.revision == snap.revision
        self._known[snap.uid] = replace(snap, images=before.images) if same and before else snap
        if before is None:
            self._supersede_stored(snap)
            # Not done only because the controller has yet to see a new spec: the revision
            # that rolls it out comes next (and starts its own message), the old one is over.
            live_at_start = event.origin is not Origin.LIST or not (snap.done or snap.unobserved)
            if snap.revision > 0 and (live_at_start or self._records.live(snap)):
                self._start(snap, previous=None)
            return
        self._on_change(before, snap)

    def _on_change(self, before: Snapshot, snap: Snapshot) -> None:
        """A Deployment seen before changed: a new rollout (or scale), or progress."""
        if is_rollout(before, snap):
            for key in [k for k, live in self._live.items() if live.rollout.uid == snap.uid]:
                self._end(key, supersede(self._live[key].rollout, at=self._now()))
            self._start(snap, previous=before)
            return
        lives = [
            live
            for live in self._live.values()
            if live.rollout.uid == snap.uid and live.rollout.revision == snap.revision
        ]
        scaled = self._options.scale_changes and is_scale(before, snap)
        # A rollout's own message already shows the replicas; else the scale gets one.
        if scaled and not any(live.rollout.scale is None for live in lives):
            for live in lives:
                self._end(live.rollout.key, supersede(live.rollout, at=self._now()))
            self._start(snap, previous=before, scale=True)
            return
        for live in lives:
            self._advance(live, observe(live.rollout, snap, at=self._now()))

    def _supersede_stored(self, snap: Snapshot) -> None:
        """Messages of older revisions left live by a previous leader end as superseded."""
        for key, record in list(self._records.stored.items()):
            uid, _, revision = key.rpartition(".")
            if uid != snap.uid or not revision.isdigit() or int(revision) >= snap.revision:
                continue
            if Phase(str(record.get("phase", "complete"))).ended:
                continue
            older = replace(snap, revision=int(revision), done=False, deadline_exceeded=False)
            channel = str(record.get("channel", ""))
            rollout = begin(older, previous=None, at=self._now())
            live = resumed(Live(rollout=rollout, channel=channel), record)
            self._live[key] = live
            self._advance(live, supersede(live.rollout, at=self._now()))

    def _start(self, snap: Snapshot, *, previous: Snapshot | None, scale: bool = False) -> None:
        channel = channel_for(
            self._options.routes,
            namespace=snap.namespace,
            labels=dict(snap.labels),
            annotations=dict(snap.annotations),
        )
        if channel is None:
            return
        at = self._now()
        if scale and previous is not None:
            rollout = begin_scale(snap, previous=previous, at=at)
        else:
            rollout = begin(snap, previous=previous, at=at)
        key = rollout.key
        if key in self._live:
            return
        record = self._records.stored.get(key)
        live = Live(rollout=rollout, channel=channel, selector=snap.selector)
        if record is not None:
            live = resumed(live, record)
            if live.posted is not None and live.posted.ended:
                return
            marker = record.get("posting")
            if live.ref is None and live.digest is None and isinstance(marker, str):
                self._records.recover(live, marker)
        self._live[key] = live
        if live.ref is None and live.digest is None:
            # When the start arrived, not when it is handled: a leader slowed by its own posts
            # must still see a burst as one.
            if not self._digests.hold(key, channel, self._arrived):
                self._messages.post(live)  # nothing else starting here: post at once
            return
        self._advance(live, observe(live.rollout, snap, at=at))

    def _advance(self, live: Live, rollout: Rollout) -> None:
        live.rollout = rollout
        self._publish(live)

    def _end(self, key: str, rollout: Rollout) -> None:
        live = self._live[key]
        self._advance(live, rollout)

    # --- publishing ----------------------------------------------------------------------------

    def _publish(self, live: Live) -> None:
        """Post or edit the message if due; remember it in the cluster."""
        if live.ref is None and live.digest is None:
            return  # waits for the tick that decides between its own message and a digest
        if live.digest is not None:
            self._digests.publish(live.digest, live.channel)
            return
        self._messages.edit(live)

    def _drop(self, key: str) -> None:
        """A rollout whose message said its last word: forget it, stop watching its pods."""
        live = self._live.pop(key, None)
        if live is not None:
            stop_watching(live)
