"""The rollout notifier composed from the settings and run in threads: its cluster port, its
leader election, and what it watches and where it posts. ``k8s-chatops run`` and ``console``
and the tests start it here, beside the bot that ``bot.compose`` builds."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.cluster import Cluster, own_namespace
from bot.core.notifications.routing import Route
from bot.settings import Settings
from bot.telemetry import CountedSink, Metrics, WatchedCluster

if TYPE_CHECKING:
    from bot.notifier.leader import Elector
    from bot.notifier.notifier import Notifier
    from bot.notifier.ports import NotificationSink


@dataclass(frozen=True, slots=True)
class NotifierTimings:
    """How often the notifier looks (tests shorten these with a fast sandbox)."""

    tick: float = 0.5
    edit_interval: float = 3.0
    digest_at: int = 4
    batch_window: float = 1.0


@dataclass(slots=True)
class RunningNotifier:
    """The notifier's threads while ``notifications`` runs them."""

    notifier: Notifier
    elector: Elector
    stop: threading.Event
    thread: threading.Thread

    def leading(self) -> bool:
        """Whether this replica holds the lease."""
        return self.elector.leading()

    def halt(self, *, release: bool = True) -> None:
        """Stop posting and campaigning; ``release=False`` leaves the lease to expire, as a
        killed process would."""
        self.stop.set()
        self.thread.join(timeout=10)
        self.elector.stop(release=release)


@contextmanager
def notifications(
    settings: Settings,
    cluster: Cluster,
    sink: NotificationSink,
    *,
    everything_to: str | None = None,
    identity: str | None = None,
    timings: NotifierTimings = NotifierTimings(),
    metrics: Metrics | None = None,
) -> Iterator[RunningNotifier | None]:
    """Run the rollout notifier (and its leader election) in threads while the block runs.

    Yields None when notifications are off. ``everything_to`` (the console) routes every
    Deployment to that channel when no route is configured. On exit the lease is released.
    ``metrics``: where the notifier's posts, requests, leadership and watch are counted.
    """
    from bot.gateway import client as clients  # noqa: PLC0415 - the client is slow to import
    from bot.gateway.notifier_cluster import NotifierCluster  # noqa: PLC0415
    from bot.notifier.leader import Elector, Timings  # noqa: PLC0415
    from bot.notifier.notifier import Notifier as Running  # noqa: PLC0415
    from bot.notifier.options import NotifierOptions  # noqa: PLC0415

    config = settings.notifications
    routes = tuple(Route(r.namespaces, r.channel, r.selector) for r in config.routes)
    if not routes and everything_to is not None and config.enabled is not False:
        routes = (Route(("*",), everything_to),)
    elif not config.active:
        yield None
        return
    api_client = (
        clients.in_cluster()
        if cluster.in_cluster
        else clients.from_kubeconfig(cluster.kubeconfig, context=cluster.context)
    )
    election = settings.leader_election
    port = NotifierCluster(
        api_client,
        namespace=own_namespace(settings),
        lease_name=election.lease_name,
        identity=identity or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}",
        request_timeout=settings.kubernetes.request_timeout_seconds,
        observe=None if metrics is None else metrics.kubernetes_request,
    )
    elector = Elector(
        port.lease,
        Timings(
            election.lease_duration_seconds,
            election.renew_deadline_seconds,
            election.retry_period_seconds,
        ),
    )
    watched = port if metrics is None else WatchedCluster(port, metrics)
    if metrics is not None:
        sink = CountedSink(sink, metrics)
        metrics.follow_leader(elector.leading)
    notifier = Running(
        watched,
        sink,
        elector,
        NotifierOptions(
            routes=routes,
            namespaces=config.namespaces,
            edit_interval=timings.edit_interval,
            tick=timings.tick,
            digest_at=timings.digest_at,
            batch_window=timings.batch_window,
            scale_changes=config.scale_changes,
        ),
    )
    stop = threading.Event()
    thread = threading.Thread(target=notifier.run, args=(stop,), name="notifier", daemon=True)
    running = RunningNotifier(notifier, elector, stop, thread)
    elector.start()
    thread.start()
    try:
        yield running
    finally:
        if not stop.is_set():
            running.halt(release=True)
        port.close()
