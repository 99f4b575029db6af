"""Shared helpers for the gateway tests: options and a ``run`` that parses like the bot."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from bot.core.command import Command, with_default_namespace
from bot.core.grammar import parse
from bot.core.results import Result
from bot.gateway.gateway import GatewayOptions, KubernetesGateway

ACTOR = "slack:@alice"
OPTIONS = GatewayOptions(request_timeout=5.0, rollout_timeout=30.0)
DEFAULT_NAMESPACE = "default"
"""What these tests configure as ``kubernetes.default_namespace``."""


def resolved(command: Command) -> Command:
    """``command`` with its namespace filled in, as the service does before calling the gateway."""
    return with_default_namespace(command, DEFAULT_NAMESPACE)


def run(gateway: KubernetesGateway, text: str) -> Result:
    """Parse and resolve ``text`` as the bot would, then run it as ``slack:@alice``."""
    return gateway.execute(resolved(parse(text)), actor=ACTOR, text=text)


def established_to(port: int) -> int:
    """Open TCP connections of this machine to ``port``, from Linux's /proc/net tables."""
    count = 0
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text(encoding="ascii").splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            count += remote_port == port and fields[3] == "01"  # 01: ESTABLISHED
    return count


def eventually(check: Callable[[], bool], *, within: float = 20.0) -> None:
    """Poll ``check`` until it holds (controllers act asynchronously) or fail at the deadline."""
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)
