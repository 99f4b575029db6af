"""``Handler``: how the gateway runs one verb, registered by policy name in one table.

Each verb's module in ``bot.gateway.verbs`` exports its handler(s); ``KubernetesGateway.execute``
finds the command's by ``command.verb`` (the spec's name) and hands it a ``Call``: the API, the
shared discovery cache, the options, the clock, and who asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from bot.core.command import Command
from bot.core.rbac import Access
from bot.core.results import Result
from bot.errors import UsageError
from bot.gateway.api import Api
from bot.gateway.discovery import Discovery
from bot.gateway.options import GatewayOptions

C = TypeVar("C", bound=Command)


@dataclass(frozen=True, slots=True)
class Call:
    """What a handler may use to run one command."""

    api: Api
    discovery: Discovery
    """Shared by every call, so that its cache is too."""
    options: GatewayOptions
    now: Callable[[], datetime]
    version: str
    """The bot's version, for ``version``."""
    actor: str = ""
    """Who asked (``slack:@alice``), for ``kubernetes.io/change-cause``."""
    text: str = ""
    """What they typed."""


@dataclass(frozen=True, slots=True)
class Handler(Generic[C]):
    """Runs the commands of one verb."""

    verb: str
    """The spec's name (``rollout-undo``)."""
    record: type[C]
    run: Callable[[C, Call], Result]
    access: tuple[Access, ...] = ()
    """What its requests need of RBAC, for ``k8s-chatops check`` (a test requires it)."""

    def __call__(self, command: Command, call: Call) -> Result:
        """Run ``command``, which must be this verb's record (a caller's bug otherwise)."""
        if not isinstance(command, self.record):
            msg = f"the {self.verb} handler got a {type(command).__name__}"
            raise TypeError(msg)
        return self.run(command, call)


def deployments_only(kind: str) -> None:
    """Refuse a workload kind the verb does not handle (the parser only builds deployments)."""
    if kind != "deployment":
        raise UsageError(f"only deployments can be changed this way, not {kind}")
