"""A pending request as a store holds it: opaque text and the version a change is conditioned
on, shared by the service's ``PendingRequests`` port and the gateway's ConfigMap store; and
where its prompt is, so that the replica that expires it can say so in place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoredRequest:
    """A pending request as stored, and the version a change of it is conditioned on."""

    record: str
    """The service's JSON of the request."""
    version: str
    """The ConfigMap's resourceVersion (a counter in memory)."""


@dataclass(frozen=True, slots=True)
class StoredChange:
    """What a follower of the store learns: a request written (or moved), or gone."""

    key: str
    stored: StoredRequest | None
    """None: deleted."""


@dataclass(frozen=True, slots=True)
class PromptPlace:
    """Where a request's prompt was delivered, so that whoever expires it can replace it.

    Plain strings, kept with the request in the cluster: any replica can edit the prompt.
    """

    channel: str
    message: str = ""
    """The id (Slack ``ts``) of a message posted in ``channel``, edited in place."""
    reply_url: str = ""
    """The ``response_url`` an ephemeral prompt was posted through; posting to it again with
    ``replace_original`` replaces the prompt (for 30 minutes, as the expiry is at most)."""
