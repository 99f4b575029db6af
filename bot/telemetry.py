"""The bot's Prometheus metrics: one registry per composed bot, fed at the seams.

Each ``Metrics`` owns its own ``CollectorRegistry`` (never the library's global one), so that two
bots in one process (the tests, ``bench/``) count apart. The parts report through plain
callables and thin wrappers built here, so that the gateway, the service and the notifier never
import ``prometheus_client``: commands are counted from their audit records (one per request,
whatever way it ends), notifications from the notifier's chat sink, Kubernetes requests from the
gateway's ``Api`` and Slack calls from the transport's clients.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.core.chat_sink import MessageRef
from bot.core.reply import Reply
from bot.core.watch_events import WatchEvent
from bot.notifier.ports import Cluster, Lock, NotificationSink, Store
from bot.service.audit import AuditRecord
from bot.service.ports import AuditSink

CONTENT_TYPE: Final = CONTENT_TYPE_LATEST
"""The ``Content-Type`` of ``/metrics``: Prometheus' text format."""

LATENCY_BUCKETS: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
"""Seconds; ``rollout status`` may follow a rollout for a minute."""


class Metrics:
    """Every metric of one bot; safe to update from any thread."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.commands = Counter(
            "k8s_chatops_commands",
            "Slash commands and confirmation answers, by verb, policy decision and outcome",
            ["verb", "decision", "outcome"],
            registry=r,
        )
        self.command_seconds = Histogram(
            "k8s_chatops_command_duration_seconds",
            "Time from a command's arrival to its audit record, by verb",
            ["verb"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.kubernetes_requests = Counter(
            "k8s_chatops_kubernetes_requests",
            "Requests to the Kubernetes API server, by method and HTTP code (0: no answer)",
            ["method", "code"],
            registry=r,
        )
        self.kubernetes_errors = Counter(
            "k8s_chatops_kubernetes_errors",
            "Kubernetes API requests that failed, by HTTP code (0: no answer)",
            ["code"],
            registry=r,
        )
        self.slack_calls = Counter(
            "k8s_chatops_slack_api_calls",
            "Slack Web API calls (and response_url posts), by method; retries not included",
            ["method"],
            registry=r,
        )
        self.slack_retries = Counter(
            "k8s_chatops_slack_api_retries",
            "Slack calls retried, by reason (rate_limited, server_error, connection)",
            ["reason"],
            registry=r,
        )
        self.slack_rate_limited = Counter(
            "k8s_chatops_slack_rate_limited",
            "Slack answers of 429 Too Many Requests",
            registry=r,
        )
        self.notifications = Counter(
            "k8s_chatops_notifications_posted",
            "Rollout notifications sent to the chat, by kind (post, update, thread)",
            ["kind"],
            registry=r,
        )
        self.leader = Gauge(
            "k8s_chatops_leader",
            "1 while this replica holds the notifier's Lease",
            registry=r,
        )
        self.watch_lag = Gauge(
            "k8s_chatops_notifier_watch_lag_seconds",
            "Seconds since the leader's Deployments watch last delivered a change (0 when not "
            "watching); a stuck watch grows without bound, an idle cluster up to the watch's "
            "5-minute reconnect",
            registry=r,
        )
        self._watch_seen: float | None = None
        self._lock = threading.Lock()
        self.watch_lag.set_function(self._lag)

    def exposition(self) -> bytes:
        """The Prometheus text of every metric."""
        return generate_latest(self.registry)

    # --- the seams ------------------------------------------------------------------------

    def kubernetes_request(self, method: str, code: int) -> None:
        """One answered (or unanswered, ``code`` 0) request to the API server."""
        self.kubernetes_requests.labels(method, str(code)).inc()
        if code == 0 or code >= 400:
            self.kubernetes_errors.labels(str(code)).inc()

    def slack_call(self, method: str) -> None:
        """One Slack call, before any retry."""
        self.slack_calls.labels(method).inc()

    def slack_retry(self, reason: str) -> None:
        """One retry of a Slack call; ``rate_limited`` also counts a 429."""
        self.slack_retries.labels(reason).inc()

    def follow_leader(self, leading: Callable[[], bool]) -> None:
        """Read the leader gauge from ``leading`` at each scrape."""
        self.leader.set_function(lambda: 1.0 if leading() else 0.0)

    def watching(self, *, active: bool) -> None:
        """The Deployments watch (re)started (``active``) or ended."""
        with self._lock:
            self._watch_seen = time.monotonic() if active else None

    def watch_event(self) -> None:
        """The Deployments watch delivered a change."""
        with self._lock:
            self._watch_seen = time.monotonic()

    def _lag(self) -> float:
        with self._lock:
            seen = self._watch_seen
        return 0.0 if seen is None else time.monotonic() - seen


class CountedAudit:
    """An ``AuditSink`` counting each record (verb, decision, outcome, duration) on its way."""

    def __init__(self, inner: AuditSink, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def record(self, entry: AuditRecord) -> None:
        """Count ``entry``, then write it."""
        verb = entry.verb or "unparsed"
        self._metrics.commands.labels(verb, str(entry.decision), str(entry.outcome)).inc()
        self._metrics.command_seconds.labels(verb).observe(entry.duration_ms / 1000)
        self._inner.record(entry)


class CountedSink:
    """The notifier's ``ChatSink``, counting what reached the chat."""

    def __init__(self, inner: NotificationSink, metrics: Metrics) -> None:
        self._inner = inner
        self._counter = metrics.notifications

    def post(self, channel: str, reply: Reply) -> MessageRef | None:
        """Post, and count it when it was posted."""
        return self._count("post", self._inner.post(channel, reply))

    def post_marked(self, channel: str, reply: Reply, marker: str) -> MessageRef | None:
        """Post with a marker, and count it when it was posted."""
        return self._count("post", self._inner.post_marked(channel, reply, marker))

    def find_marked(self, channel: str, marker: str) -> MessageRef | None:
        """The inner look-up (not a message of ours: not counted)."""
        return self._inner.find_marked(channel, marker)

    def update(self, message: MessageRef, reply: Reply) -> MessageRef | None:
        """Edit, and count it when it was edited."""
        return self._count("update", self._inner.update(message, reply))

    def reply_in_thread(self, message: MessageRef, reply: Reply) -> MessageRef | None:
        """Answer in a thread, and count it when it was posted."""
        return self._count("thread", self._inner.reply_in_thread(message, reply))

    def _count(self, kind: str, ref: MessageRef | None) -> MessageRef | None:
        if ref is not None:
            self._counter.labels(kind).inc()
        return ref


class WatchedCluster:
    """The notifier's ``Cluster``, timing its Deployments watch for the lag gauge."""

    def __init__(self, inner: Cluster, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics

    @property
    def lease(self) -> Lock:
        """The inner Lease lock."""
        return self._inner.lease

    @property
    def store(self) -> Store:
        """The inner state store."""
        return self._inner.store

    def deployments(self, stop: threading.Event) -> Iterator[WatchEvent]:
        """The inner watch, each event noted."""
        self._metrics.watching(active=True)
        try:
            for event in self._inner.deployments(stop):
                self._metrics.watch_event()
                yield event
        finally:
            self._metrics.watching(active=False)

    def new_pods_selector(self, namespace: str, selector: str, revision: int) -> str | None:
        """The inner ReplicaSet look-up."""
        return self._inner.new_pods_selector(namespace, selector, revision)

    def pods(self, namespace: str, selector: str, stop: threading.Event) -> Iterator[WatchEvent]:
        """The inner pod watch."""
        return self._inner.pods(namespace, selector, stop)

    def log_tail(self, namespace: str, pod: str, container: str, *, lines: int) -> str:
        """The inner log tail."""
        return self._inner.log_tail(namespace, pod, container, lines=lines)
