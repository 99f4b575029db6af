"""The composition root: the one place that turns the settings into a running bot.

For the cluster that ``bot.cluster`` found, it derives each part's options from the settings
(the gateway's timeouts and log bounds, the service's namespace, prefix, visibilities and
confirmation expiry), and builds the gateway, the policy, the audit trail, the service and the
transports. ``k8s-chatops run`` and ``console``, the end-to-end tests and ``bench/`` all wire
the bot through it, so the tests run what production runs. Heavy libraries (the Kubernetes
client, Bolt) are imported only by the functions that need them, so that ``--help`` stays fast.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.audit_channel import ChannelAudit, Tee
from bot.audit_log import JsonLinesAudit
from bot.cluster import Cluster, own_namespace
from bot.core.policy import Policy
from bot.core.subject import Subject
from bot.service.expiry import Sweeper
from bot.service.options import ChatOpsOptions
from bot.service.ports import AuditSink, KubeGateway
from bot.service.service import ChatOps, utc_now
from bot.settings import Settings, SlackMode
from bot.telemetry import CountedAudit, Metrics
from bot.transport.console import Console

if TYPE_CHECKING:
    from bot.gateway.gateway import GatewayOptions, KubernetesGateway
    from bot.transport.slack_app import SeenSignaturesPort, SlackApp


@dataclass(frozen=True, slots=True)
class Bot:
    """The composed bot, before a transport serves it."""

    chatops: ChatOps
    gateway: KubeGateway
    audit: AuditSink
    cluster: Cluster
    audit_channel: ChannelAudit | None = None
    """The audit trail's copy in ``audit.channel``; the Slack app attaches its poster."""
    metrics: Metrics = dataclasses.field(default_factory=Metrics)
    """This bot's Prometheus metrics (served on the ops port)."""
    reachable: Callable[[], bool] = lambda: True
    """Whether the cluster answers now (the readiness probe asks)."""
    seen: SeenSignaturesPort | None = None
    """HTTP mode: the signed requests any replica took (in the bot's namespace)."""
    expiry: Sweeper | None = None
    """Expires unanswered requests and edits their prompts; the Slack app starts it."""


def pending_prefix(settings: Settings) -> str:
    """Names of the pending-request ConfigMaps: ``k8s-chatops-request-ID``."""
    return f"{settings.leader_election.lease_name}-request"


def chatops_options(settings: Settings) -> ChatOpsOptions:
    """What the service needs of the settings, and nothing else."""
    replies = settings.replies
    return ChatOpsOptions(
        default_namespace=settings.kubernetes.default_namespace,
        command_prefix=settings.slack.command,
        read_only=replies.read_only,
        changes=replies.changes,
        errors=replies.errors,
        confirmation_expiry=timedelta(minutes=settings.confirmations.expiry_minutes),
        scale_up_factor=settings.confirmations.scale_up_factor,
        scale_up_above=settings.confirmations.scale_up_above,
        impersonation=(
            None
            if settings.kubernetes.impersonate is None
            else settings.kubernetes.impersonate.to_impersonation()
        ),
    )


def gateway_options(settings: Settings) -> GatewayOptions:
    """The gateway's timeouts and bounds, from the ``kubernetes`` settings section."""
    from bot.gateway.gateway import GatewayOptions  # noqa: PLC0415 - the client is slow to import
    from bot.gateway.options import LogLimits  # noqa: PLC0415

    kube = settings.kubernetes
    defaults = LogLimits()
    return GatewayOptions(
        request_timeout=kube.request_timeout_seconds,
        rollout_timeout=kube.rollout_status_timeout_seconds,
        logs=LogLimits(
            limit_bytes=kube.log_limit_bytes,
            default_tail=min(defaults.default_tail, kube.log_tail_lines),
            selector_tail=min(defaults.selector_tail, kube.log_tail_lines),
            max_tail=kube.log_tail_lines,
        ),
        max_rows=kube.max_rows,
        # One connection for each thread that may call the cluster at once; a long worker's
        # rollout status follows the Deployment and its pods on two.
        connections=settings.slack.workers + 2 * settings.slack.long_workers,
    )


def build_gateway(
    settings: Settings, cluster: Cluster, *, metrics: Metrics | None = None
) -> KubernetesGateway:
    """The Kubernetes gateway for ``cluster``, bounded by the ``kubernetes`` settings (and
    counting its requests in ``metrics``)."""
    from bot.gateway.gateway import KubernetesGateway  # noqa: PLC0415

    options = gateway_options(settings)
    if metrics is not None:
        options = dataclasses.replace(options, observe=metrics.kubernetes_request)
    if cluster.in_cluster:
        return KubernetesGateway.in_cluster(options=options)
    return KubernetesGateway.from_kubeconfig(
        cluster.kubeconfig, context=cluster.context, options=options
    )


def build_policy(settings: Settings, *extra_admins: str) -> Policy:
    """``policy.admins``, plus ``extra_admins`` (the console's local user)."""
    return settings.policy.to_policy(*extra_admins)


def open_audit(settings: Settings, *, console: bool) -> JsonLinesAudit:
    """The audit trail; the console keeps its stdout for replies, so that it can be piped.

    In the console the default ``stdout`` goes to stderr, or nowhere when stderr is a terminal
    (a JSON line after every answer drowns the conversation); a file or an explicit ``stderr``
    is honoured as configured.
    """
    target = settings.audit.path
    if console and target == "stdout":
        if sys.stderr.isatty():
            return JsonLinesAudit.open(os.devnull)
        target = "stderr"
    return JsonLinesAudit.open(target, secrets=settings.secrets.values())


@contextmanager
def composed(
    settings: Settings,
    cluster: Cluster,
    *,
    audit: AuditSink | None = None,
    extra_admins: tuple[str, ...] = (),
    console: bool = False,
    clock: Callable[[], datetime] | None = None,
) -> Iterator[Bot]:
    """The bot for ``cluster``; its gateway (and the audit file it opened) closed on exit.

    ``audit`` replaces the configured audit trail (tests keep it in memory); ``console``: the
    audit trail stays off stdout (see ``open_audit``); ``clock`` replaces the service's wall
    clock (tests move it past an expiry). Requests waiting for a click are kept in ConfigMaps
    of the bot's own namespace (``pending_prefix``), so that every replica sees them.
    """
    metrics = Metrics()
    with ExitStack() as stack:
        gateway = stack.enter_context(closing(build_gateway(settings, cluster, metrics=metrics)))
        if audit is None:
            trail = stack.enter_context(closing(open_audit(settings, console=console)))
            audit = trail
        channel = None
        if settings.audit.channel is not None and not console:
            channel = ChannelAudit(settings.audit.channel, secrets=settings.secrets.values())
            stack.callback(channel.close)
            audit = Tee(audit, channel)
        pending = gateway.pending_store(
            namespace=own_namespace(settings), prefix=pending_prefix(settings)
        )
        chatops = ChatOps(
            gateway=gateway,
            policy=build_policy(settings, *extra_admins),
            options=chatops_options(settings),
            audit=CountedAudit(audit, metrics),
            clock=clock or utc_now,
            previews=gateway.previewer(),
            pending=pending,
        )
        # Waits in wall-clock time even when a test moves the service's clock past an expiry:
        # such a test is about the click, which must not race the sweeper.
        expiry = Sweeper(service=chatops, feed=pending, clock=utc_now)
        stack.callback(expiry.stop)  # before the gateway closes
        seen = (
            gateway.seen_requests(namespace=own_namespace(settings))
            if settings.slack.mode is SlackMode.HTTP
            else None
        )
        yield Bot(
            chatops=chatops,
            gateway=gateway,
            audit=audit,
            cluster=cluster,
            audit_channel=channel,
            metrics=metrics,
            reachable=gateway.reachable,
            seen=seen,
            expiry=expiry,
        )


def slack_app(settings: Settings, bot: Bot) -> SlackApp:
    """The Slack app serving ``bot`` in ``slack.mode`` (Bolt checks the bot token at once)."""
    from bot.transport.slack_clients import responder_for  # noqa: PLC0415
    from bot.transport.slack_delivery import Delivery  # noqa: PLC0415 - Bolt is slow
    from bot.transport.slack_serve import app_from_settings  # noqa: PLC0415

    app = app_from_settings(settings, bot.chatops, metrics=bot.metrics, seen=bot.seen)
    if bot.audit_channel is not None:
        bot.audit_channel.attach(Delivery(app.client))
    if bot.expiry is not None:
        bot.expiry.start(Delivery(app.client, responder=responder_for(app.client)))
    return app


def console_session(settings: Settings, bot: Bot, *, subject: Subject, channel: str) -> Console:
    """The terminal console serving ``bot`` as ``subject``, in a pretend ``channel``."""
    return Console(
        chatops=bot.chatops, subject=subject, channel=channel, command_name=settings.slack.command
    )
