"""``KubernetesGateway``: runs parsed commands against a real (or sandbox) API server.

The service sees only ``execute(command, *, actor, text) -> Result``; this class wires one
``ApiClient`` to the per-verb modules, each reproducing kubectl's requests and output. It owns
no policy: commands arrive authorized, confirmed and with namespaces resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kubernetes.client import ApiClient

from bot import __version__
from bot.core import kube
from bot.core.command import Command
from bot.core.results import Document, Result
from bot.core.verbs.delete import Delete
from bot.core.verbs.describe import Describe
from bot.core.verbs.get import Get
from bot.core.verbs.help import Help
from bot.core.verbs.logs import Logs
from bot.core.verbs.rollout import Rollout, RolloutAction
from bot.core.verbs.scale import Scale
from bot.core.verbs.set_image import SetImage
from bot.core.verbs.version import Version
from bot.errors import UsageError
from bot.gateway import client as clients
from bot.gateway.api import Api
from bot.gateway.discovery import Discovery
from bot.gateway.verbs.delete import delete
from bot.gateway.verbs.describe import Describer
from bot.gateway.verbs.get import Getter
from bot.gateway.verbs.logs import LogLimits, LogReader
from bot.gateway.verbs.rollout import Rollouts
from bot.gateway.verbs.scale import scale
from bot.gateway.verbs.set_image import set_image


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class GatewayOptions:
    """Timeouts and bounds for one gateway (from the ``kubernetes`` settings section)."""

    request_timeout: float = 10.0
    """Read timeout of every request, in seconds."""
    connect_timeout: float | None = None
    """Connect timeout; None means ``min(5, request_timeout)``."""
    rollout_timeout: float = 60.0
    """How long ``rollout status`` follows a rollout before answering."""
    logs: LogLimits = field(default_factory=LogLimits)
    max_rows: int = 50_000
    """Most objects ``get`` returns before saying how to narrow the query."""
    page_size: int = 500
    """``limit`` of each list request (kubectl's chunk size)."""
    max_described: int = 20
    """Most objects one ``describe`` without a name prints."""
    discovery_ttl: float = 600.0
    """Seconds discovery results are reused before being read again."""


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
        self._client = clients.without_retries(api_client)
        connect = opts.connect_timeout or min(5.0, opts.request_timeout)
        self._api = Api(self._client, timeout=opts.request_timeout, connect_timeout=connect)
        self._version = version
        discovery = Discovery(self._api, ttl=opts.discovery_ttl)
        self._getter = Getter(
            self._api, discovery, max_rows=opts.max_rows, page_size=opts.page_size
        )
        self._describer = Describer(
            self._api,
            discovery,
            page_size=opts.page_size,
            max_objects=opts.max_described,
            now=now,
        )
        self._logs = LogReader(self._api, limits=opts.logs, page_size=opts.page_size)
        self._rollouts = Rollouts(
            self._api, page_size=opts.page_size, timeout=opts.rollout_timeout, now=now
        )
        self._page_size = opts.page_size

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

    def close(self) -> None:
        """Close the connections to the API server."""
        clients.close(self._client)

    def execute(self, command: Command, *, actor: str, text: str) -> Result:
        """Run one command; raises ``bot.errors`` errors with kubectl-like messages.

        A namespaced command whose namespace is None is a caller's bug (``ValueError``).
        """
        if isinstance(command, Scale | SetImage | Rollout) and command.kind != "deployment":
            raise UsageError(f"only deployments can be changed this way, not {command.kind}")
        match command:
            case Version():
                server = self._api.get("/version")
                return Document(
                    f"Client Version: k8s-chatops {self._version}\n"
                    f"Server Version: {kube.text(server, 'gitVersion') or 'unknown'}\n"
                )
            case Get():
                return self._getter.get(command)
            case Describe():
                return self._describer.describe(command)
            case Logs():
                return self._logs.logs(command)
            case Scale():
                return scale(self._api, command)
            case SetImage():
                return set_image(self._api, command, change_cause=f"{actor} {text}".strip())
            case Rollout(action=RolloutAction.STATUS):
                return self._rollouts.status(command)
            case Rollout(action=RolloutAction.HISTORY):
                return self._rollouts.history(command)
            case Rollout(action=RolloutAction.UNDO):
                return self._rollouts.undo(command)
            case Rollout(action=RolloutAction.RESTART):
                return self._rollouts.restart(command)
            case Delete():
                return delete(self._api, command, page_size=self._page_size)
            case Help():
                raise UsageError("help is answered by the bot itself, not by the cluster")
        raise UsageError(f"the gateway cannot run {type(command).__name__}")  # pragma: no cover
