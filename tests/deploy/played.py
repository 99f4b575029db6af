"""One run of the workload as the ServiceAccount, and what it asked of Kubernetes and Slack.

The package's tests share three runs (base; base with the delete component; base with the
impersonate component and ``kubernetes.impersonate`` on): the RBAC proofs read the cluster
requests, the Slack manifest's test the Web API methods.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kubesim.auth.attributes import Attributes
from tests.deploy.as_account import AccountStack, running_as_account
from tests.deploy.manifests import Grant
from tests.deploy.workload import play


@dataclass(frozen=True)
class Asked:
    """One permission the bot needed, as the sandbox's authorizer was asked it."""

    verb: str
    group: str
    resource: str
    """``pods`` or ``pods/log``."""
    namespace: str
    name: str

    @classmethod
    def of(cls, a: Attributes) -> Asked:
        resource = f"{a.resource}/{a.subresource}" if a.subresource else a.resource
        return cls(a.verb, a.api_group, resource, a.namespace, a.name)

    def granted_by(self, grant: Grant) -> bool:
        return (
            (grant.verb, grant.group, grant.resource) == (self.verb, self.group, self.resource)
            and grant.namespace in ("", self.namespace)
            and (not grant.names or self.name in grant.names)
        )


@dataclass
class Played:
    """What one run of the workload asked for, and of whom."""

    components: tuple[str, ...]
    running: AccountStack
    asked: list[Asked]
    paths: set[str]
    statuses: list[tuple[str, str, int | None]]
    refused: list[str]
    """The answers that told a Slack user of a 403."""
    methods: set[str]
    """The Slack Web API methods the bot called."""


@contextmanager
def played_as_account(workdir: Path, components: tuple[str, ...]) -> Iterator[Played]:
    """Play the workload with ``components`` on; the bot keeps running until the block ends."""
    with running_as_account(workdir, components) as running:
        refused = play(running, delete="delete" in components)
        running.notifier.halt(release=True)  # the Lease's release is a request too
        requests = running.bot_requests()
        asked: list[Asked] = []
        for r in requests:
            if r.outcome.impersonation:
                # The bot's identity was asked only whether it may impersonate; what the
                # request does is the impersonated Slack user's, judged by the cluster's RBAC.
                asked += [Asked.of(a) for a in r.outcome.impersonation]
            elif r.outcome.attributes is not None and r.outcome.attributes.resource_request:
                asked.append(Asked.of(r.outcome.attributes))
        paths = {
            r.path
            for r in requests
            if r.outcome.attributes is None or not r.outcome.attributes.resource_request
        }
        statuses = [(r.method, r.path, r.outcome.status) for r in requests]
        methods = {c.method for c in running.stack.fake.calls}
        yield Played(components, running, asked, paths, statuses, refused, methods)
