"""The gateway's timeouts and bounds (from the ``kubernetes`` settings section)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class LogLimits:
    """How much ``logs`` may read."""

    limit_bytes: int = 512_000
    """Bytes read per container log (also sent as ``limitBytes``)."""
    default_tail: int = 100
    """Lines when ``--tail`` is not given (kubectl: all)."""
    selector_tail: int = 10
    """Lines per pod with ``-l`` and no ``--tail`` (kubectl's own default)."""
    max_tail: int = 200
    """Upper bound on ``--tail``."""
    max_pods: int = 10
    """Pods read for one ``-l`` request."""


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
    connections: int = 32
    """Connections the client keeps open to the API server: one per thread that may call it
    (the Slack workers), so that none is discarded and its TLS handshake redone under load."""
    observe: Callable[[str, int], None] | None = None
    """Told (method, HTTP status, 0 for none) of every request to the API server (metrics)."""
