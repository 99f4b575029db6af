"""``rollout status|history|undo|restart`` for StatefulSets and DaemonSets, on kubectl's requests.

The decisions are ``bot.core.rollout_sets``': history and undo read the set's
ControllerRevisions (listed by the set's selector, kept when the set controls them), undo sends
the chosen revision's patch as a strategic merge patch, restart the same ``restartedAt``
annotation as for Deployments, and status follows the set with list+watch on
``metadata.name`` until kubectl's status viewer says done or fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Final

from bot.core import kube, rollout, rollout_history, rollout_sets
from bot.core.kube import Obj
from bot.core.results import Change, Document
from bot.core.rollout_status import Status
from bot.core.verbs.rollout import Rollout
from bot.errors import ClusterError, NotFound
from bot.gateway.api import STRATEGIC_MERGE_PATCH, Api
from bot.gateway.discovery import CONTROLLER_REVISIONS, DAEMONSETS, STATEFULSETS, ResourceInfo
from bot.gateway.errors import Target
from bot.gateway.namespaces import namespace_of
from bot.gateway.watch import EventType, Watch

SET_KINDS: Final[dict[str, tuple[ResourceInfo, Callable[[Obj], Status]]]] = {
    "statefulset": (STATEFULSETS, rollout_sets.statefulset_status),
    "daemonset": (DAEMONSETS, rollout_sets.daemonset_status),
}
"""The kinds this module rolls out: their type and kubectl's status viewer."""


def _bounded(requested: int | None, limit: float) -> tuple[float, tuple[str, ...]]:
    """How long status follows: ``--timeout`` (0 or none: as long as it may) up to ``limit``,
    and the note that says when the limit cut it, as for Deployments."""
    if not requested:
        return limit, ()
    if requested > limit:
        return limit, (f"--timeout is capped at {limit:g} s by the bot's settings",)
    return float(requested), ()


class SetRollouts:
    """Runs the ``rollout`` sub-commands on one StatefulSet or DaemonSet."""

    def __init__(
        self,
        api: Api,
        kind: str,
        *,
        page_size: int,
        timeout: float,
        now: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._kind = kind
        self._info, self._viewer = SET_KINDS[kind]
        self._page_size = page_size
        self._timeout = timeout
        self._now = now
        self._monotonic = monotonic

    def _target(self, cmd: Rollout) -> Target:
        return Target(self._kind, cmd.name, namespace_of(cmd))

    def _get(self, cmd: Rollout) -> Obj:
        return self._api.get(self._info.path(namespace_of(cmd), cmd.name), target=self._target(cmd))

    def _revisions(self, owner: Obj, namespace: str) -> list[Obj]:
        selector = kube.selector_string(kube.mapping(owner, "spec", "selector"))
        page, _ = self._api.list(
            CONTROLLER_REVISIONS.path(namespace),
            query=[("labelSelector", selector)],
            page_size=self._page_size,
        )
        return rollout_sets.owned_revisions(owner, page.items)

    def _name(self, cmd: Rollout) -> str:
        return f"{self._kind}.apps/{cmd.name}"

    def history(self, cmd: Rollout) -> Document:
        """kubectl's history table, or one revision's pod template with ``--revision``."""
        namespace = namespace_of(cmd)
        revisions = self._revisions(self._get(cmd), namespace)
        return rollout_history.history_document(
            self._name(cmd),
            cmd.to_revision,
            rollout_sets.history(revisions),
            rollout_sets.history_rows(revisions),
        )

    def undo(self, cmd: Rollout) -> Change:
        """Send the chosen revision's patch back, or say the template already matches it."""
        namespace = namespace_of(cmd)
        owner = self._get(cmd)
        plan = rollout_sets.plan_undo(
            owner, self._revisions(owner, namespace), to_revision=cmd.to_revision or 0
        )
        if plan.patch is not None:
            self._api.json(
                "PATCH",
                self._info.path(namespace, cmd.name),
                body=plan.patch,
                content_type=STRATEGIC_MERGE_PATCH,
                target=self._target(cmd),
            )
        return Change(f"{self._name(cmd)} {plan.outcome}")

    def restart(self, cmd: Rollout) -> Change:
        """Set ``kubectl.kubernetes.io/restartedAt`` on the pod template, as kubectl does."""
        namespace = namespace_of(cmd)
        try:
            patch = rollout.restart_patch(self._get(cmd), self._now())
        except ClusterError as e:
            raise ClusterError(str(e).replace("deployment", self._kind, 1)) from e
        self._api.json(
            "PATCH",
            self._info.path(namespace, cmd.name),
            query=[("fieldManager", "kubectl-rollout")],
            body=patch,
            content_type=STRATEGIC_MERGE_PATCH,
            target=self._target(cmd),
        )
        return Change(f"{self._name(cmd)} restarted")

    def status(self, cmd: Rollout) -> Document:
        """Follow the set's rollout with kubectl's status viewer for its kind, for
        ``--timeout`` bounded by the bot's own limit; ``--watch=false`` looks once."""
        namespace = namespace_of(cmd)
        timeout, notes = _bounded(cmd.timeout, self._timeout)
        watch = Watch(
            self._api,
            self._info.path(namespace),
            fields=f"metadata.name={cmd.name}",
            page_size=self._page_size,
            deadline=self._monotonic() + timeout,
            target=self._target(cmd),
            monotonic=self._monotonic,
        )
        lines: list[str] = []

        def seen(state: Status) -> Document | None:
            line = f"error: {state.message}" if state.failed else state.message
            if not lines or lines[-1] != line:
                lines.append(line)
            if state.done or state.failed:
                return Document("\n".join(lines) + "\n", failed=state.failed, notes=notes)
            return None

        for event in watch.initial():
            finished = seen(self._viewer(event.object))
            if finished is not None:
                return finished
        if not lines:
            raise NotFound(f'{self._kind} "{cmd.name}" not found in namespace "{namespace}"')
        for event in watch.changes() if cmd.watch else ():  # --watch=false: what it saw
            if event.type is EventType.DELETED:
                return Document(f'error: {self._kind} "{cmd.name}" was deleted\n', failed=True)
            finished = seen(self._viewer(event.object))
            if finished is not None:
                return finished
        note = (
            f"the rollout is still in progress after {timeout:g} s; run "
            "rollout status again to keep following it"
        )
        return Document("\n".join(lines) + "\n", notes=(*notes, note) if cmd.watch else notes)
