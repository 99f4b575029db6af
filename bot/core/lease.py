"""What a ``coordination.k8s.io/v1`` Lease says about its holder, as a plain record shared by
the gateway's Lease lock and the notifier's leader election."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class LeaseRecord:
    """The holder fields of a Lease."""

    holder: str
    """Empty when nobody holds it (released)."""
    duration: float
    acquired: datetime | None
    renewed: datetime | None
    transitions: int
    resource_version: str
