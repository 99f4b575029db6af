"""The notifier: while this replica leads, follow every Deployment and keep one message per
rollout up to date in its channel, continuing the messages stored in the cluster.

One thread reads the Deployments watch into a queue, and one per live rollout the watch of its
new ReplicaSet's pods; the notifier's thread turns each change into rollout states
(``bot.core.notifications``), posts or edits through the ``ChatSink``, and records channel, ts
and the last state posted in the cluster before moving on (a marker first, for a new message).
It checks that it still leads right before every post and stops at once when it does not.
Memory per Deployment is one small ``Snapshot``; per rollout, only while it is live.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Final

from bot.core import kube
from bot.core.chat_sink import MessageRef
from bot.core.kube import Obj
from bot.core.notifications.message import (
    DigestEntry,
    Throttle,
    digest,
    message,
    problem_reply,
)
from bot.core.notifications.routing import Route, channel_for, matches_any
from bot.core.notifications.states import (
    Phase,
    PodProblem,
    Rollout,
    Snapshot,
    begin,
    begin_scale,
    is_rollout,
    is_scale,
    observe,
    pod_problems,
    snapshot,
    supersede,
    with_pod,
    with_problem,
)
from bot.core.watch_events import EventType, Origin, WatchEvent
from bot.errors import BotError
from bot.notifier.leader import Elector
from bot.notifier.ports import Cluster, NotificationSink
from bot.secrets import redact

logger = logging.getLogger(__name__)

LOG_LINES = 20
"""Lines of a crashing container's log posted in the thread."""
POD_WATCHES = 64
"""Rollouts whose new pods are watched at once (two threads and a connection each); rollouts
past it are followed by their Deployment alone until one ends."""


@dataclass(frozen=True, slots=True)
class NotifierOptions:
    """What the notifier was configured with."""

    routes: tuple[Route, ...]
    namespaces: tuple[str, ...] = ("*",)
    edit_interval: float = 3.0
    """At most one edit per this many seconds while a rollout progresses."""
    tick: float = 0.5
    """How often throttled edits and pods of live rollouts are looked at."""
    digest_at: int = 4
    """This many rollouts starting together in one channel share one digest message."""
    scale_changes: bool = False
    """A replicas-only change gets a message of its own, followed until the replicas are ready."""
    batch_window: float = 1.0
    """A rollout starting within this long of another in its channel waits (until the channel saw
    no start this long, at most five times as long) so that a burst is posted as one digest; a
    lone rollout is posted at once."""


@dataclass(slots=True)
class _Live:
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


@dataclass(frozen=True, slots=True)
class _Arrived:
    """A Deployment change, and when the watch delivered it."""

    event: WatchEvent
    at: float


@dataclass(frozen=True, slots=True)
class _PodSeen:
    """A pod of a live rollout's new ReplicaSet, as its watch delivered it."""

    key: str
    pod: Obj


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Notifier:
    """Runs while ``stop`` is not set; does nothing but wait while another replica leads."""

    def __init__(
        self,
        cluster: Cluster,
        sink: NotificationSink,
        elector: Elector,
        options: NotifierOptions,
        *,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._cluster = cluster
        self._sink = sink
        self._elector = elector
        self._options = options
        self._throttle = Throttle(options.edit_interval)
        self._now = now
        self._known: dict[str, Snapshot] = {}
        self._live: dict[str, _Live] = {}
        self._stored: dict[str, dict[str, object]] = {}
        self._digests: dict[str, list[str]] = {}
        """Digest ts -> keys of the rollouts it lists."""
        self._fresh: dict[str, list[str]] = {}
        """Per channel, keys of rollouts started but not posted yet (digest candidates)."""
        self._fresh_at: dict[str, tuple[float, float]] = {}
        """Per channel, monotonic() of the first and the last of those starts."""
        self._digest_edited: dict[str, datetime] = {}
        self._last_start: dict[str, list[float]] = {}
        """Per channel, monotonic() of the rollout starts of the last ``3 * batch_window``
        seconds (a burst is starts close together)."""
        self._open: dict[str, str] = {}
        """Per channel, the ts of a digest with rollouts still live: new starts join it."""
        self._events: queue.Queue[_Item] = queue.Queue()
        self._arrived = time.monotonic()
        """monotonic() when the Deployment change being handled arrived from the watch."""
        self._recovered: dict[str, MessageRef | None] = {}
        """Marker -> the message found carrying it (asked once per term of leadership)."""
        self.posts = 0
        """Messages posted (for tests and the bench)."""

    # --- running -------------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Lead when elected, follow until the lease is lost or ``stop`` is set."""
        while not stop.is_set():
            if not self._elector.leading():
                self._elector.changed.wait(self._options.tick)
                self._elector.changed.clear()
                continue
            try:
                self._lead(stop)
            except BotError as e:
                logger.warning("notifier: %s; starting over", e)
                stop.wait(self._options.tick)

    def _lead(self, stop: threading.Event) -> None:
        logger.info("notifier: %s leads; following Deployments", self._elector.identity)
        self._reset()
        events: queue.Queue[_Item] = queue.Queue()
        self._events = events
        ended = threading.Event()

        def read() -> None:
            try:
                for event in self._cluster.deployments(ended):
                    events.put(_Arrived(event, time.monotonic()))
            except Exception as e:  # noqa: BLE001 - handed to the leading thread, which raises it
                events.put(e)
            finally:
                events.put(None)

        reader = threading.Thread(target=read, name="notifier-watch", daemon=True)
        reader.start()
        try:
            self._follow(events, stop)
        finally:
            ended.set()
            for live in self._live.values():
                self._stop_pods(live)

    def _reset(self) -> None:
        """Forget everything but what the cluster remembers (a new term of leadership)."""
        for live in self._live.values():
            self._stop_pods(live)
        for memory in (
            self._known,
            self._live,
            self._digests,
            self._fresh,
            self._fresh_at,
            self._open,
            self._digest_edited,
            self._last_start,
            self._recovered,
        ):
            memory.clear()
        self._stored = self._cluster.store.load()

    def _follow(self, events: queue.Queue[_Item], stop: threading.Event) -> None:
        """Handle events and ticks until the watch ends, ``stop`` is set or the lease is lost."""
        listed = False
        last_tick = time.monotonic()
        while not stop.is_set() and self._elector.leading():
            try:
                item = events.get(timeout=self._options.tick)
            except queue.Empty:
                item = _TICK
            if item is None:
                return
            if isinstance(item, Exception):
                raise item
            if item is not _TICK:
                listed = self._take(item, listed=listed)
                if events.qsize() and time.monotonic() - last_tick < self._options.tick:
                    continue
            if item is _TICK or time.monotonic() - last_tick >= self._options.tick:
                last_tick = time.monotonic()
                if not listed and events.empty():
                    listed = True
                    self._collect_garbage()
                self._on_tick()

    # --- events --------------------------------------------------------------------------------

    def _take(self, item: _Arrived | _PodSeen | WatchEvent, *, listed: bool) -> bool:
        """Handle one item of the queue; returns whether the first list is over (the first
        watched event ends it, and the store's garbage is collected then)."""
        if isinstance(item, _PodSeen):
            self._on_pod(item)
            return listed
        if isinstance(item, _Arrived):
            self._arrived, item = item.at, item.event
        else:
            self._arrived = time.monotonic()
        if item.origin is not Origin.LIST and not listed:
            listed = True
            self._collect_garbage()
        self._on_event(item)
        return listed

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
            if snap.revision > 0 and (live_at_start or self._stored_live(snap)):
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
        for key, record in list(self._stored.items()):
            uid, _, revision = key.rpartition(".")
            if uid != snap.uid or not revision.isdigit() or int(revision) >= snap.revision:
                continue
            if Phase(str(record.get("phase", "complete"))).ended:
                continue
            older = replace(snap, revision=int(revision), done=False, deadline_exceeded=False)
            channel = str(record.get("channel", ""))
            rollout = begin(older, previous=None, at=self._now())
            live = self._resumed(_Live(rollout=rollout, channel=channel), record)
            self._live[key] = live
            self._advance(live, supersede(live.rollout, at=self._now()))

    def _stored_live(self, snap: Snapshot) -> bool:
        record = self._stored.get(f"{snap.uid}.{snap.revision}")
        return record is not None and not Phase(str(record.get("phase"))).ended

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
        record = self._stored.get(key)
        live = _Live(rollout=rollout, channel=channel, selector=snap.selector)
        if record is not None:
            live = self._resumed(live, record)
            if live.posted is not None and live.posted.ended:
                return
            marker = record.get("posting")
            if live.ref is None and live.digest is None and isinstance(marker, str):
                self._recover(live, marker)
        self._live[key] = live
        if live.ref is None and live.digest is None:
            # When the start arrived, not when it is handled: a leader slowed by its own posts
            # must still see a burst as one.
            clock = self._arrived
            if (
                self._lone(channel, clock)
                and channel not in self._fresh
                and channel not in self._open
            ):
                self._post_own(live)  # nothing else starting here: post at once
                return
            self._fresh.setdefault(channel, []).append(key)
            first, _ = self._fresh_at.get(channel, (clock, clock))
            self._fresh_at[channel] = (first, clock)
            return
        self._advance(live, observe(live.rollout, snap, at=at))

    def _lone(self, channel: str, clock: float) -> bool:
        """Whether a start at ``clock`` is alone in its channel: none in the batch window
        before it, and fewer than two in the three windows before it (starts spread by a slow
        cluster or a slow leader are still a burst)."""
        window = self._options.batch_window
        recent = [t for t in self._last_start.get(channel, []) if clock - t < 3 * window]
        lone = len(recent) < 2 and not any(clock - t < window for t in recent)
        self._last_start[channel] = [*recent, clock][-16:]
        return lone

    def _resumed(self, live: _Live, record: dict[str, object]) -> _Live:
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
        return _Live(
            rollout=replace(
                rollout, problems=tuple(sorted({p.rsplit("/", 1)[-1] for p in reported}))
            ),
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

    def _recover(self, live: _Live, marker: str) -> None:
        """The previous leader stored ``marker`` and died before storing the message's ts:
        if its post went out, continue that message (a digest's, for a digest marker)."""
        if marker not in self._recovered:
            self._recovered[marker] = self._sink.find_marked(live.channel, marker)
        found = self._recovered[marker]
        if found is None:
            return  # not posted (or Slack cannot say): it is posted now, as it would have been
        logger.info("notifier: found the message of %s posted before a take-over", marker)
        live.ref, live.posted, live.edited = found, None, None
        if marker.startswith(_DIGEST_MARKER):
            live.digest = found.id
            for record in self._stored.values():
                if record.get("posting") == marker:
                    record["digest"] = found.id

    def _advance(self, live: _Live, rollout: Rollout) -> None:
        live.rollout = rollout
        self._publish(live)

    def _end(self, key: str, rollout: Rollout) -> None:
        live = self._live[key]
        self._advance(live, rollout)

    # --- publishing ----------------------------------------------------------------------------

    def _publish(self, live: _Live, *, force: bool = False) -> None:
        """Post or edit the message if due; remember it in the cluster."""
        if live.ref is None and live.digest is None:
            return  # waits for the tick that decides between its own message and a digest
        if live.digest is not None:
            self._publish_digest(live.digest, live.channel)
            return
        rollout = live.rollout
        at = self._now()
        if not force and not self._throttle.due(
            posted=live.posted, now=rollout.phase, last_edit=live.edited, at=at
        ):
            return
        if live.posted is rollout.phase and live.edited is not None and rollout.phase.ended:
            return
        if not self._elector.leading():
            return
        assert live.ref is not None
        ref = self._sink.update(live.ref, message(rollout))
        if ref is None:
            return  # Slack refused for now: the next tick tries again
        live.edited = at
        if live.posted is not rollout.phase:
            live.posted = rollout.phase
            self._remember(live)
        if rollout.phase.ended:
            self._drop(rollout.key)

    def _post_own(self, live: _Live) -> None:
        if not self._elector.leading():
            return
        marker = live.rollout.key
        self._remember(live, posting=marker)  # a successor then looks before posting again
        if not self._elector.leading():
            return
        ref = self._sink.post_marked(live.channel, message(live.rollout), marker)
        if ref is None:
            return
        self.posts += 1
        live.ref, live.posted, live.edited = ref, live.rollout.phase, self._now()
        self._remember(live)
        if live.rollout.phase.ended:
            self._drop(live.rollout.key)

    def _post_digest(self, channel: str, keys: Sequence[str]) -> None:
        if not self._elector.leading():
            return
        marker = f"{_DIGEST_MARKER}{keys[0]}"
        marked = {k: self._record(self._live[k], posting=marker) for k in keys}
        self._stored.update(marked)
        self._cluster.store.put_many(marked)
        if not self._elector.leading():
            return
        ref = self._sink.post_marked(channel, digest([self._entry(k) for k in keys]), marker)
        if ref is None:
            return
        self.posts += 1
        self._digests[ref.id] = list(keys)
        self._open[channel] = ref.id
        self._digest_edited[ref.id] = self._now()
        for key in keys:
            live = self._live[key]
            live.digest, live.ref, live.posted = ref.id, ref, live.rollout.phase
            live.edited = self._now()
            if live.rollout.phase is Phase.FAILED:  # failed before the digest went out
                self._thread_failure(ref, live.rollout)
            self._remember(live)
        self._retire_digest(ref.id)

    def _join_digest(self, ts: str, channel: str, keys: Sequence[str]) -> None:
        """Rollouts that start while a digest is open are listed in it."""
        members = self._digests.setdefault(ts, [])
        for key in keys:
            if key in members:
                continue
            live = self._live[key]
            live.digest, live.ref, live.posted = ts, MessageRef(channel, ts), None
            members.append(key)
        self._publish_digest(ts, channel)

    def _entry(self, key: str) -> DigestEntry:
        live = self._live.get(key)
        if live is not None:
            r = live.rollout
            return DigestEntry(r.namespace, r.name, r.revision, r.phase)
        record = self._stored.get(key, {})
        return DigestEntry(
            str(record.get("namespace", "")),
            str(record.get("name", "")),
            int(str(record.get("revision", "0"))),
            Phase(str(record.get("phase", "complete"))),
        )

    def _publish_digest(self, ts: str, channel: str) -> None:
        keys = self._digests.get(ts)
        if keys is None:  # continued after a restart: rebuild the membership from the store
            keys = [k for k, r in self._stored.items() if r.get("digest") == ts]
            keys += [k for k, live in self._live.items() if live.digest == ts and k not in keys]
            self._digests[ts] = keys
        changed = [
            self._live[k]
            for k in keys
            if k in self._live and self._live[k].posted is not self._live[k].rollout.phase
        ]
        if not changed or not self._elector.leading():
            return
        at = self._now()
        last = self._digest_edited.get(ts)
        if last is not None and (at - last).total_seconds() < self._options.edit_interval:
            return  # a later tick edits it: one edit per interval, however many rollouts end
        if (
            self._sink.update(MessageRef(channel, ts), digest([self._entry(k) for k in keys]))
            is None
        ):
            return
        self._digest_edited[ts] = at
        for live in changed:
            live.posted, live.edited = live.rollout.phase, at
            if live.rollout.phase is Phase.FAILED:
                self._thread_failure(MessageRef(channel, ts), live.rollout)
            self._remember(live)
        self._retire_digest(ts)

    def _thread_failure(self, digest_ref: MessageRef, r: Rollout) -> None:
        """A failed rollout of a digest, named in the digest's thread."""
        said = message(r)
        self._sink.reply_in_thread(
            digest_ref, replace(said, headline=f"{r.namespace}/{r.name}: {said.headline}")
        )

    def _retire_digest(self, ts: str) -> None:
        keys = self._digests.get(ts, [])
        for key in keys:
            live = self._live.get(key)
            if live is not None and live.posted is not None and live.posted.ended:
                self._drop(key)
        if not any(k in self._live for k in keys):
            self._open = {c: t for c, t in self._open.items() if t != ts}

    def _remember(self, live: _Live, *, posting: str | None = None) -> None:
        record = self._record(live, posting=posting)
        self._stored[live.rollout.key] = record
        self._cluster.store.put(live.rollout.key, record)

    @staticmethod
    def _record(live: _Live, *, posting: str | None = None) -> dict[str, object]:
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

    # --- ticks ---------------------------------------------------------------------------------

    def _on_tick(self) -> None:
        clock = time.monotonic()
        window = self._options.batch_window
        for channel, (first, last) in list(self._fresh_at.items()):
            # Quiet means no start for a window and none still queued unread (a leader behind
            # its watch has not seen the rest of the burst yet); at most five windows.
            quiet = clock - last >= window and self._events.empty()
            if not quiet and clock - first < 5 * window:
                continue
            keys = [k for k in self._fresh.pop(channel, []) if k in self._live]
            del self._fresh_at[channel]
            opened = self._open.get(channel)
            if opened is not None and keys:
                self._join_digest(opened, channel, keys)
            elif len(keys) >= self._options.digest_at:
                self._post_digest(channel, keys)
            else:
                for key in keys:
                    self._post_own(self._live[key])
        for live in list(self._live.values()):
            if live.ref is None and live.digest is None:
                continue
            if not live.rollout.phase.ended and live.pods is None:
                self._watch_pods(live)
            self._publish(live)

    # --- the pods of a live rollout ------------------------------------------------------------

    def _watch_pods(self, live: _Live) -> None:
        """Start watching the pods of the rollout's new ReplicaSet (once its message is
        posted), in a thread that finds the ReplicaSet and hands the pods to the leading
        thread, which does no I/O for it."""
        r = live.rollout
        if not live.selector or live.ref is None or r.scale is not None:
            return
        if sum(1 for other in self._live.values() if other.pods is not None) >= POD_WATCHES:
            return
        stop = threading.Event()
        live.pods = stop
        events, key, cluster = self._events, r.key, self._cluster
        pause = self._options.tick

        def read() -> None:
            try:
                selector = None
                while selector is None:  # until the controller has made it
                    selector = cluster.new_pods_selector(r.namespace, live.selector, r.revision)
                    if selector is None and stop.wait(pause):
                        return
                for event in cluster.pods(r.namespace, selector, stop):
                    if event.type is not EventType.DELETED:
                        events.put(_PodSeen(key, event.object))
            except BotError as e:
                logger.info("notifier: the pod watch of %s ended: %s", key, e)

        threading.Thread(target=read, name=f"notifier-pods-{r.name}", daemon=True).start()

    @staticmethod
    def _stop_pods(live: _Live) -> None:
        if live.pods is not None:
            live.pods.set()

    def _drop(self, key: str) -> None:
        """A rollout whose message said its last word: forget it, stop watching its pods."""
        live = self._live.pop(key, None)
        if live is not None:
            self._stop_pods(live)

    def _on_pod(self, seen: _PodSeen) -> None:
        """Report a failing pod in the thread as soon as its watch shows it (once per reason)."""
        live = self._live.get(seen.key)
        if live is None or live.rollout.phase.ended or live.ref is None:
            return
        live.rollout = with_pod(live.rollout, kube.name_of(seen.pod))
        for problem in pod_problems(seen.pod):
            token = f"{problem.container}/{problem.reason}"  # once per reason, not per pod
            if token not in live.reported and len(live.reported) < 5:
                if not self._report(live, problem):
                    return
                live.reported.add(token)
                live.rollout = with_problem(live.rollout, problem)
                self._remember(live)

    def _report(self, live: _Live, problem: PodProblem) -> bool:
        """Say in the message's thread that a pod fails; False when it could not be said."""
        r = live.rollout
        logs = ""
        if problem.reason in ("CrashLoopBackOff", "OOMKilled"):
            try:
                raw = self._cluster.log_tail(
                    r.namespace, problem.pod, problem.container, lines=LOG_LINES
                )
            except BotError:
                raw = ""
            logs = redact(raw)
        if not self._elector.leading() or live.ref is None:
            return False
        thread = MessageRef(live.ref.channel, live.ref.id)
        return self._sink.reply_in_thread(thread, problem_reply(problem, logs)) is not None

    def _collect_garbage(self) -> None:
        """Forget stored rollouts that ended and whose Deployment is gone or moved on."""
        stale = []
        for key, record in self._stored.items():
            uid, revision, *scale = key.split(".")
            known = self._known.get(uid)
            if scale and (known is None or scale[0] != f"g{known.generation}"):
                stale.append(key)  # a scale whose Deployment changed since: nothing to finish
                continue
            if not Phase(str(record.get("phase", "complete"))).ended:
                continue
            if known is None or str(known.revision) != revision:
                stale.append(key)
        if stale:
            self._cluster.store.remove(*stale)
            for key in stale:
                self._stored.pop(key, None)


_DIGEST_MARKER: Final = "digest:"
"""Marker prefix of a digest's post (then the key of its first rollout)."""

_Item = _Arrived | WatchEvent | _PodSeen | Exception | None
"""What the leading thread's queue carries: a Deployment change, a pod of a live rollout, the
watch's error, or None at its end."""

_TICK: Final = WatchEvent(EventType.MODIFIED, {}, "", Origin.LIST)
"""Stands for "nothing arrived within a tick" in the loop (compared by identity)."""
