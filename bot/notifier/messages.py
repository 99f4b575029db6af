"""Each rollout's own message: posted once (its marker stored first, so that a successor looks
before posting again), then edited as the rollout progresses, at most once an interval."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.core.notifications.message import Throttle, message
from bot.notifier.leader import Elector
from bot.notifier.live import Live
from bot.notifier.options import NotifierOptions
from bot.notifier.ports import NotificationSink
from bot.notifier.records import Records


class Messages:
    """Posts and edits the messages of the rollouts not listed in a digest."""

    def __init__(
        self,
        *,
        sink: NotificationSink,
        elector: Elector,
        records: Records,
        options: NotifierOptions,
        now: Callable[[], datetime],
        drop: Callable[[str], None],
    ) -> None:
        """``drop`` forgets a rollout whose message said its last word."""
        self._sink = sink
        self._elector = elector
        self._records = records
        self._throttle = Throttle(options.edit_interval)
        self._now = now
        self._drop = drop
        self.posts = 0
        """Messages posted."""

    def post(self, live: Live) -> None:
        """Post the rollout's message and remember it in the cluster."""
        if not self._elector.leading():
            return
        marker = live.rollout.key
        self._records.remember(live, posting=marker)  # a successor then looks before posting again
        if not self._elector.leading():
            return
        ref = self._sink.post_marked(live.channel, message(live.rollout), marker)
        if ref is None:
            return
        self.posts += 1
        live.ref, live.posted, live.edited = ref, live.rollout.phase, self._now()
        self._records.remember(live)
        if live.rollout.phase.ended:
            self._drop(live.rollout.key)

    def edit(self, live: Live, *, force: bool = False) -> None:
        """Edit the posted message if due; remember it in the cluster."""
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
            self._records.remember(live)
        if rollout.phase.ended:
            self._drop(rollout.key)
