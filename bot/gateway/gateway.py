"""``KubernetesGateway``: runs parsed commands against a real (or sandbox) API server.

The service sees only ``execute(command, *, actor, text) -> Result``; this class wires one
``ApiClient`` to the per-verb handlers (``bot.gateway.verbs.registry``), each reproducing
kubectl's requests and output. It owns no policy: commands arrive authorized, confirmed and with
namespaces resolved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from kubernetes.client import ApiClient

from bot import __version__
from bot.core.command import Command
from bot.core.impersonation import KubeIdentity
from bot.core.results import Result
from bot.errors import BotError, UsageError
from bot.gateway import client as clients
from bot.gateway.api import Api
from bot.gateway.discovery import Discovery
from bot.gateway.handler import Call
from bot.gateway.options import GatewayOptions
from bot.gateway.pending_store import PendingStore
from bot.gateway.preview import Previewer
from bot.gateway.seen_requests import SeenRequests
from bot.gateway.verbs.registry import HANDLERS

__all__ = ["GatewayOptions", "KubernetesGateway"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class KubernetesGateway:
    """The bot's ``KubeGateway`` over the official Kubernetes client."""

    def __init__(
        self,
        api_client: ApiClient,
        *,
        options: GatewayOptions | None = None,
        now: Callable[[], datetime] = _utc_now,
        version: str = __version__,
    ) -> None:
        opts = options or GatewayOptions()
        self._client = clients.prepared(api_client, connections=opts.connections)
        connect = opts.connect_timeout or min(5.0, opts.request_timeout)
        api = Api(
            self._client,
            timeout=opts.request_timeout,
            connect_timeout=connect,
            observe=opts.observe,
        )
        self._call = Call(
            api=api,
            discovery=Discovery(api, ttl=opts.discovery_ttl),
            options=opts,
            now=now,
            version=version,
        )

    @classmethod
    def from_kubeconfig(
        cls,
        path: str | Path | None = None,
        *,
        context: str | None = None,
        options: GatewayOptions | None = None,
    ) -> KubernetesGateway:
        """A gateway for a kubeconfig file and context (None: ``KUBECONFIG``/default, current)."""
        return cls(clients.from_kubeconfig(path, context=context), options=options)

    @classmethod
    def in_cluster(cls, *, options: GatewayOptions | None = None) -> KubernetesGateway:
        """A gateway using the pod's service account."""
        return cls(clients.in_cluster(), options=options)

    def reachable(self) -> bool:
        """Whether the API server answers ``GET /version`` now (the readiness probe)."""
        try:
            self._call.api.get("/version")
        except BotError:
            return False
        return True

    def seen_requests(self, *, namespace: str) -> SeenRequests:
        """The record of signed Slack requests taken, in ``namespace`` (the bot's own), over
        this gateway's connections and with the bot's own identity."""
        return SeenRequests(self._call.api, namespace=namespace)

    def close(self) -> None:
        """Close the connections to the API server."""
        clients.close(self._client)

    def previewer(self) -> Previewer:
        """Reads for previews of changes, over this gateway's connections."""
        return Previewer(self._call.api, page_size=self._call.options.page_size)

    def pending_store(self, *, namespace: str, prefix: str) -> PendingStore:
        """Pending requests as ConfigMaps ``PREFIX-ID`` in the bot's ``namespace``."""
        return PendingStore(self._call.api, namespace=namespace, prefix=prefix)

    def execute(
        self, command: Command, *, actor: str, text: str, identity: KubeIdentity | None = None
    ) -> Result:
        """Run one command; raises ``bot.errors`` errors with kubectl-like messages.

        ``identity``: impersonate it in every request of the command (None: the bot itself).
        A namespaced command whose namespace is None is a caller's bug (``ValueError``).
        """
        handler = HANDLERS.get(command.verb)
        if handler is None:
            raise UsageError(f"{command.verb} is answered by the bot itself, not by the cluster")
        call = dataclasses.replace(
            self._call, api=self._call.api.acting_as(identity), actor=actor, text=text
        )
        return handler(command, call)
