"""What a command acts on, as the policy matches it: verb, type, namespace and name.

Each command record names its target in its own fields (``resource`` as typed, or ``kind``, a
``name``, a ``namespace``); this reads them uniformly so the policy needs no table per verb.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.command import Command
from bot.core.resources import Resource, resource


@dataclass(frozen=True, slots=True)
class Target:
    """The object (or objects) a command reads or changes."""

    resource: Resource | None
    """None for commands about no object (``version``)."""
    namespace: str | None
    """None for a cluster-scoped type, or ``-A``: both match only ``namespaces: ["*"]``."""
    name: str | None
    """None when the command names no object (a list, a selector): matches only ``names: ["*"]``."""

    def describe(self) -> str:
        """``deployments/web in namespace prod`` for replies."""
        if self.resource is None:
            return "the cluster"
        what = self.resource.name + (f"/{self.name}" if self.name else "")
        if self.namespace is None:
            return what if not self.resource.namespaced else f"{what} in every namespace"
        return f"{what} in namespace {self.namespace}"


def target_of(command: Command) -> Target:
    """The target of ``command``; its namespace must already be resolved."""
    word = getattr(command, "resource", None) or getattr(command, "kind", None)
    if command.verb in ("cordon", "uncordon"):
        word = "nodes"
    if word is None:
        return Target(None, None, None)
    kind = resource(str(word))
    namespace = getattr(command, "namespace", None) if kind.namespaced else None
    if getattr(command, "all_namespaces", False):
        namespace = None
    return Target(kind, namespace, getattr(command, "name", None))
