"""The pods of a live rollout's new ReplicaSet: watched in a thread of their own while its
message is live, each failing one reported in the message's thread (once per reason)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.core import kube
from bot.core.chat_sink import MessageRef
from bot.core.kube import Obj
from bot.core.notifications.message import problem_reply
from bot.core.notifications.states import PodProblem, pod_problems, with_pod, with_problem
from bot.core.watch_events import EventType
from bot.errors import BotError
from bot.notifier.leader import Elector
from bot.notifier.live import Live
from bot.notifier.ports import Cluster, NotificationSink
from bot.notifier.records import Records
from bot.secrets import redact

logger = logging.getLogger(__name__)

LOG_LINES = 20
"""Lines of a crashing container's log posted in the thread."""
POD_WATCHES = 64
"""Rollouts whose new pods are watched at once (two threads and a connection each); rollouts
past it are followed by their Deployment alone until one ends."""


@dataclass(frozen=True, slots=True)
class PodSeen:
    """A pod of a live rollout's new ReplicaSet, as its watch delivered it."""

    key: str
    pod: Obj


class Pods:
    """Watches the new pods of the rollouts in ``lives`` and reports the failing ones."""

    def __init__(
        self,
        cluster: Cluster,
        sink: NotificationSink,
        elector: Elector,
        records: Records,
        lives: Mapping[str, Live],
        *,
        pause: float,
    ) -> None:
        """``lives``: the rollouts being followed (key -> rollout), shared with the notifier;
        ``pause``: how long to wait between looks for a new ReplicaSet."""
        self._cluster = cluster
        self._sink = sink
        self._elector = elector
        self._records = records
        self._lives = lives
        self._pause = pause

    def watch(self, live: Live, *, put: Callable[[PodSeen], None]) -> None:
        """Start watching the pods of the rollout's new ReplicaSet (once its message is
        posted), in a thread that finds the ReplicaSet and hands the pods to the leading
        thread (``put``), which does no I/O for it."""
        r = live.rollout
        if not live.selector or live.ref is None or r.scale is not None:
            return
        if sum(1 for other in self._lives.values() if other.pods is not None) >= POD_WATCHES:
            return
        stop = threading.Event()
        live.pods = stop
        key, cluster = r.key, self._cluster
        pause = self._pause

        def read() -> None:
            try:
                selector = None
                while selector is None:  # until the controller has made it
                    selector = cluster.new_pods_selector(r.namespace, live.selector, r.revision)
                    if selector is None and stop.wait(pause):
                        return
                for event in cluster.pods(r.namespace, selector, stop):
                    if event.type is not EventType.DELETED:
                        put(PodSeen(key, event.object))
            except BotError as e:
                logger.info("notifier: the pod watch of %s ended: %s", key, e)

        threading.Thread(target=read, name=f"notifier-pods-{r.name}", daemon=True).start()

    def seen(self, seen: PodSeen) -> None:
        """Report a failing pod in the thread as soon as its watch shows it (once per reason)."""
        live = self._lives.get(seen.key)
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
                self._records.remember(live)

    def _report(self, live: Live, problem: PodProblem) -> bool:
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


def stop_watching(live: Live) -> None:
    """Stop the watch of ``live``'s pods, if one runs."""
    if live.pods is not None:
        live.pods.set()
