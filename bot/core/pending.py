"""A pending request as a store holds it: opaque text and the version a change is conditioned
on, shared by the service's ``PendingRequests`` port and the gateway's ConfigMap store."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoredRequest:
    """A pending request as stored, and the version a change of it is conditioned on."""

    record: str
    """The service's JSON of the request."""
    version: str
    """The ConfigMap's resourceVersion (a counter in memory)."""
