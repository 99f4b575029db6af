"""Reads for previews: the target of a change as it is now, handed to ``bot.core.preview``.

Only GETs and LISTs: a preview never changes anything. The same reads run again at the click,
and the two ``Preview.state`` values are compared to refuse a request whose target moved.
"""

from __future__ import annotations

from bot.core import kube, rollout
from bot.core import preview as previews
from bot.core.command import Command
from bot.core.impersonation import KubeIdentity
from bot.core.preview import Preview
from bot.core.verbs.delete import Delete
from bot.core.verbs.rollout import Rollout
from bot.core.verbs.scale import Scale
from bot.core.verbs.set_image import SetImage
from bot.errors import UsageError
from bot.gateway.api import Api
from bot.gateway.discovery import (
    DAEMONSETS,
    DEPLOYMENTS,
    REPLICASETS,
    STATEFULSETS,
)
from bot.gateway.errors import Target
from bot.gateway.handler import deployments_only
from bot.gateway.namespaces import namespace_of
from bot.gateway.verbs.delete import DELETABLE


class Previewer:
    """Reads what a command would change and says exactly what that is."""

    def __init__(self, api: Api, *, page_size: int = 500) -> None:
        self._api = api
        self._page_size = page_size

    def preview(
        self, command: Command, *, prompt: str, identity: KubeIdentity | None = None
    ) -> Preview:
        """The preview of ``command``; ``prompt`` stands in for verbs read nowhere else.

        ``identity``: read as it (impersonation: the identity the change will run as, so that
        nobody is shown what they may not read); None: as the bot. Raises the cluster's errors
        (``NotFound``, ``Forbidden`` …) and kubectl's (``rollout undo`` with no history), so
        that a command that could not run is refused before anyone is asked.
        """
        return _Reads(self._api.acting_as(identity), self._page_size).preview(command, prompt)


class _Reads:
    """One preview's reads, all over one ``Api`` (the bot's, or one impersonating someone)."""

    def __init__(self, api: Api, page_size: int) -> None:
        self._api = api
        self._page_size = page_size

    def preview(self, command: Command, prompt: str) -> Preview:
        if isinstance(command, Scale):
            return previews.scale(self._workload(command), command.replicas)
        if isinstance(command, SetImage):
            return previews.set_image(self._deployment(command), command.images)
        if isinstance(command, Rollout) and command.verb in ("rollout-undo", "rollout-restart"):
            return self._rollout(command, prompt)
        if isinstance(command, Delete):
            return self._delete(command)
        return previews.generic(prompt)

    def _deployment(self, command: Scale | SetImage | Rollout) -> kube.Obj:
        deployments_only(command.kind)
        namespace = namespace_of(command)
        return self._api.get(
            DEPLOYMENTS.path(namespace, command.name),
            target=Target("deployment", command.name, namespace),
        )

    def _rollout(self, command: Rollout, prompt: str) -> Preview:
        """A restart of any workload; the undo of a Deployment (StatefulSets and DaemonSets:
        asked as typed, with the workload's state compared at the click)."""
        workload = self._workload(command)
        if command.verb == "rollout-restart":
            return previews.restart(workload)
        if command.kind != "deployment":
            return Preview((prompt,), previews.deployment_state(workload))
        owned = self._owned(workload, namespace_of(command))
        return previews.undo(workload, owned, to_revision=command.to_revision or 0)

    def _workload(self, command: Scale | Rollout) -> kube.Obj:
        """The Deployment, StatefulSet or DaemonSet the command names."""
        if command.kind == "deployment":
            return self._deployment(command)
        info = STATEFULSETS if command.kind == "statefulset" else DAEMONSETS
        namespace = namespace_of(command)
        return self._api.get(
            info.path(namespace, command.name),
            target=Target(command.kind, command.name, namespace),
        )

    def _owned(self, deployment: kube.Obj, namespace: str) -> list[kube.Obj]:
        selector = kube.selector_string(kube.mapping(deployment, "spec", "selector"))
        page, _ = self._api.list(
            REPLICASETS.path(namespace),
            query=[("labelSelector", selector)],
            page_size=self._page_size,
        )
        return rollout.owned_replica_sets(deployment, page.items)

    def _delete(self, command: Delete) -> Preview:
        info = DELETABLE.get(command.resource)
        if info is None:
            raise UsageError(f"delete works for {', '.join(DELETABLE)}, not {command.resource}")
        namespace = namespace_of(command)
        kind = info.kind.lower()
        if command.name is not None:
            found = self._api.get(
                info.path(namespace, command.name), target=Target(kind, command.name, namespace)
            )
            return previews.delete(kind, [found])
        query = [("labelSelector", command.selector)] if command.selector else []
        page, _ = self._api.list(info.path(namespace), query=query, page_size=self._page_size)
        return previews.delete(kind, page.items, selector=command.selector, namespace=namespace)
