"""Rollouts that start together in one channel: held back while the burst lasts, then posted as
one digest message that lists them all, edited as each one ends, failures named in its thread."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from bot.core.chat_sink import MessageRef
from bot.core.notifications.message import DigestEntry, digest, message
from bot.core.notifications.states import Phase, Rollout
from bot.notifier.leader import Elector
from bot.notifier.live import Live
from bot.notifier.options import NotifierOptions
from bot.notifier.ports import NotificationSink
from bot.notifier.records import DIGEST_MARKER, Records


class Digests:
    """The starts of each channel still held back, and the digests posted for them."""

    def __init__(
        self,
        *,
        sink: NotificationSink,
        elector: Elector,
        records: Records,
        lives: Mapping[str, Live],
        options: NotifierOptions,
        now: Callable[[], datetime],
        post_own: Callable[[Live], None],
        drop: Callable[[str], None],
    ) -> None:
        """``lives``: the rollouts being followed (key -> rollout), shared with the notifier;
        ``post_own`` posts a rollout's own message, ``drop`` forgets a rollout whose message
        said its last word."""
        self._sink = sink
        self._elector = elector
        self._records = records
        self._lives = lives
        self._options = options
        self._now = now
        self._post_own = post_own
        self._drop = drop
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
        self.posts = 0
        """Digests posted."""

    def clear(self) -> None:
        """Forget every digest and start (a new term of leadership)."""
        for memory in (
            self._digests,
            self._fresh,
            self._fresh_at,
            self._open,
            self._digest_edited,
            self._last_start,
        ):
            memory.clear()

    def hold(self, key: str, channel: str, clock: float) -> bool:
        """Hold back rollout ``key``, started in ``channel`` at monotonic() ``clock``, for the
        tick that decides between its own message and a digest; False when it starts alone
        there (no burst, no start held back, no open digest) and is to be posted at once."""
        if self._lone(channel, clock) and channel not in self._fresh and channel not in self._open:
            return False
        self._fresh.setdefault(channel, []).append(key)
        first, _ = self._fresh_at.get(channel, (clock, clock))
        self._fresh_at[channel] = (first, clock)
        return True

    def flush(self, *, idle: Callable[[], bool]) -> None:
        """Post the starts held back in each channel whose burst is over: into its open digest,
        as a new digest, or each on its own. ``idle``: whether no change waits unread."""
        clock = time.monotonic()
        window = self._options.batch_window
        for channel, (first, last) in list(self._fresh_at.items()):
            # Quiet means no start for a window and none still queued unread (a leader behind
            # its watch has not seen the rest of the burst yet); at most five windows.
            quiet = clock - last >= window and idle()
            if not quiet and clock - first < 5 * window:
                continue
            keys = [k for k in self._fresh.pop(channel, []) if k in self._lives]
            del self._fresh_at[channel]
            opened = self._open.get(channel)
            if opened is not None and keys:
                self._join(opened, channel, keys)
            elif len(keys) >= self._options.digest_at:
                self._post(channel, keys)
            else:
                for key in keys:
                    self._post_own(self._lives[key])

    def publish(self, ts: str, channel: str) -> None:
        """Edit digest ``ts`` if one of its rollouts changed phase (at most once an interval)."""
        keys = self._digests.get(ts)
        if keys is None:  # continued after a restart: rebuild the membership from the store
            keys = [k for k, r in self._records.stored.items() if r.get("digest") == ts]
            keys += [k for k, live in self._lives.items() if live.digest == ts and k not in keys]
            self._digests[ts] = keys
        changed = [
            self._lives[k]
            for k in keys
            if k in self._lives and self._lives[k].posted is not self._lives[k].rollout.phase
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
            self._records.remember(live)
        self._retire(ts)

    def _lone(self, channel: str, clock: float) -> bool:
        """Whether a start at ``clock`` is alone in its channel: none in the batch window
        before it, and fewer than two in the three windows before it (starts spread by a slow
        cluster or a slow leader are still a burst)."""
        window = self._options.batch_window
        recent = [t for t in self._last_start.get(channel, []) if clock - t < 3 * window]
        lone = len(recent) < 2 and not any(clock - t < window for t in recent)
        self._last_start[channel] = [*recent, clock][-16:]
        return lone

    def _post(self, channel: str, keys: Sequence[str]) -> None:
        if not self._elector.leading():
            return
        marker = f"{DIGEST_MARKER}{keys[0]}"
        self._records.remember_all({k: self._lives[k] for k in keys}, posting=marker)
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
            live = self._lives[key]
            live.digest, live.ref, live.posted = ref.id, ref, live.rollout.phase
            live.edited = self._now()
            if live.rollout.phase is Phase.FAILED:  # failed before the digest went out
                self._thread_failure(ref, live.rollout)
            self._records.remember(live)
        self._retire(ref.id)

    def _join(self, ts: str, channel: str, keys: Sequence[str]) -> None:
        """Rollouts that start while a digest is open are listed in it."""
        members = self._digests.setdefault(ts, [])
        for key in keys:
            if key in members:
                continue
            live = self._lives[key]
            live.digest, live.ref, live.posted = ts, MessageRef(channel, ts), None
            members.append(key)
        self.publish(ts, channel)

    def _entry(self, key: str) -> DigestEntry:
        live = self._lives.get(key)
        if live is not None:
            r = live.rollout
            return DigestEntry(r.namespace, r.name, r.revision, r.phase)
        record = self._records.stored.get(key, {})
        return DigestEntry(
            str(record.get("namespace", "")),
            str(record.get("name", "")),
            int(str(record.get("revision", "0"))),
            Phase(str(record.get("phase", "complete"))),
        )

    def _thread_failure(self, digest_ref: MessageRef, r: Rollout) -> None:
        """A failed rollout of a digest, named in the digest's thread."""
        said = message(r)
        self._sink.reply_in_thread(
            digest_ref, replace(said, headline=f"{r.namespace}/{r.name}: {said.headline}")
        )

    def _retire(self, ts: str) -> None:
        keys = self._digests.get(ts, [])
        for key in keys:
            live = self._lives.get(key)
            if live is not None and live.posted is not None and live.posted.ended:
                self._drop(key)
        if not any(k in self._lives for k in keys):
            self._open = {c: t for c, t in self._open.items() if t != ts}
