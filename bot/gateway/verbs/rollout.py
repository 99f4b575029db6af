"""``rollout status|history|undo|restart`` for Deployments, on kubectl's requests.

The decisions live in ``bot.core`` (``rollout``, ``rollout_status``, ``rollback``,
``rollout_history``); this module reads what they need (the Deployment as raw JSON, its
ReplicaSets across all pages) and sends what they decide: a JSON patch for undo, a strategic
merge patch for restart. ``status`` follows the rollout and its pods
(``bot.gateway.rollout_status``) until it is done, fails, a new pod is stuck, or the bot's own
deadline passes.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import datetime
from typing import Final

from bot.core import kube, rollback, rollout, rollout_history
from bot.core.kube import Obj
from bot.core.rbac import Access, reads
from bot.core.results import Change, Document
from bot.core.verbs.rollout import Rollout
from bot.gateway.api import JSON_PATCH, STRATEGIC_MERGE_PATCH, Api
from bot.gateway.discovery import DEPLOYMENTS, REPLICASETS
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler, deployments_only
from bot.gateway.namespaces import namespace_of
from bot.gateway.rollout_status import DeploymentStatus
from bot.gateway.verbs.rollout_sets import SET_KINDS, SetRollouts

_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


class Rollouts:
    """Runs the ``rollout`` sub-commands against one cluster."""

    def __init__(
        self,
        api: Api,
        *,
        page_size: int,
        timeout: float,
        now: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._page_size = page_size
        self._timeout = timeout
        self._now = now
        self._monotonic = monotonic

    # --- reads shared by history and undo ---------------------------------------------------

    def _deployment(self, namespace: str, name: str) -> Obj:
        return self._api.get(
            DEPLOYMENTS.path(namespace, name), target=Target("deployment", name, namespace)
        )

    def _owned(self, deployment: Obj, namespace: str) -> list[Obj]:
        selector = kube.selector_string(kube.mapping(deployment, "spec", "selector"))
        page, _ = self._api.list(
            REPLICASETS.path(namespace),
            query=[("labelSelector", selector)],
            page_size=self._page_size,
        )
        return rollout.owned_replica_sets(deployment, page.items)

    # --- history ----------------------------------------------------------------------------

    def history(self, cmd: Rollout) -> Document:
        """kubectl's history table, or one revision's pod template with ``--revision``."""
        namespace = namespace_of(cmd)
        owned = self._owned(self._deployment(namespace, cmd.name), namespace)
        return rollout_history.history_document(
            f"deployment.apps/{cmd.name}",
            cmd.to_revision,
            rollout_history.history(owned),
            rollout_history.history_rows(owned),
        )

    # --- undo and restart -------------------------------------------------------------------

    def undo(self, cmd: Rollout) -> Change:
        """Roll back to the previous (or ``--to-revision``) template, as kubectl decides."""
        namespace = namespace_of(cmd)
        deployment = self._deployment(namespace, cmd.name)
        plan = rollback.plan_undo(
            deployment, self._owned(deployment, namespace), to_revision=cmd.to_revision or 0
        )
        notes: tuple[str, ...] = ()
        if plan.patch:
            self._api.json(
                "PATCH",
                DEPLOYMENTS.path(namespace, cmd.name),
                body=list(plan.patch),
                content_type=JSON_PATCH,
                target=Target("deployment", cmd.name, namespace),
            )
            if _LAST_APPLIED in kube.string_map(deployment, "metadata", "annotations"):
                notes = (
                    "this deployment is managed with kubectl apply: the next apply of its "
                    "manifest will replace the rolled-back template",
                )
        return Change(
            f"deployment.apps/{cmd.name} {plan.outcome}", notes=notes, changed=bool(plan.patch)
        )

    def restart(self, cmd: Rollout) -> Change:
        """Set ``kubectl.kubernetes.io/restartedAt`` on the pod template, as kubectl does."""
        namespace = namespace_of(cmd)
        deployment = self._deployment(namespace, cmd.name)
        patch = rollout.restart_patch(deployment, self._now())
        self._api.json(
            "PATCH",
            DEPLOYMENTS.path(namespace, cmd.name),
            query=[("fieldManager", "kubectl-rollout")],
            body=patch,
            content_type=STRATEGIC_MERGE_PATCH,
            target=Target("deployment", cmd.name, namespace),
        )
        return Change(f"deployment.apps/{cmd.name} restarted")

    # --- status -----------------------------------------------------------------------------

    def status(self, cmd: Rollout) -> Document:
        """Follow the rollout (``bot.gateway.rollout_status``) for ``--timeout``, bounded by the
        bot's own limit; ``--watch=false`` looks once."""
        timeout = self._timeout
        notes: tuple[str, ...] = ()
        if cmd.timeout:
            if cmd.timeout > self._timeout:
                notes = (f"--timeout is capped at {self._timeout:g} s by the bot's settings",)
            timeout = min(float(cmd.timeout), self._timeout)
        follower = DeploymentStatus(
            self._api, page_size=self._page_size, timeout=timeout, monotonic=self._monotonic
        )
        result = follower.follow(namespace_of(cmd), cmd.name, watch=cmd.watch)
        if notes:
            return dataclasses.replace(result, notes=(*notes, *result.notes))
        return result


def _rollouts(cmd: Rollout, call: Call) -> Rollouts:
    deployments_only(cmd.kind)
    opts = call.options
    return Rollouts(call.api, page_size=opts.page_size, timeout=opts.rollout_timeout, now=call.now)


def _sets(cmd: Rollout, call: Call) -> SetRollouts:
    opts = call.options
    return SetRollouts(
        call.api,
        cmd.kind,
        page_size=opts.page_size,
        timeout=opts.rollout_timeout,
        now=call.now,
    )


def _status(cmd: Rollout, call: Call) -> Document:
    return (
        _sets(cmd, call).status(cmd) if cmd.kind in SET_KINDS else _rollouts(cmd, call).status(cmd)
    )


def _history(cmd: Rollout, call: Call) -> Document:
    if cmd.kind in SET_KINDS:
        return _sets(cmd, call).history(cmd)
    return _rollouts(cmd, call).history(cmd)


def _undo(cmd: Rollout, call: Call) -> Change:
    return _sets(cmd, call).undo(cmd) if cmd.kind in SET_KINDS else _rollouts(cmd, call).undo(cmd)


def _restart(cmd: Rollout, call: Call) -> Change:
    if cmd.kind in SET_KINDS:
        return _sets(cmd, call).restart(cmd)
    return _rollouts(cmd, call).restart(cmd)


_SETS: Final = (("statefulsets", "apps"), ("daemonsets", "apps"))
_HISTORY: Final = (
    Access("get", "deployments", "apps"),
    Access("list", "replicasets", "apps"),
    *(Access("get", plural, group) for plural, group in _SETS),
    Access("list", "controllerrevisions", "apps"),
)
_PATCHES: Final = tuple(
    Access("patch", plural, "apps") for plural in ("deployments", "statefulsets", "daemonsets")
)
STATUS: Final = Handler(
    "rollout-status",
    Rollout,
    _status,
    access=(
        *reads("deployments", "apps", "list", "watch"),
        *(a for plural, group in _SETS for a in reads(plural, group, "list", "watch")),
        *_HISTORY,
    ),
)
HISTORY: Final = Handler("rollout-history", Rollout, _history, access=_HISTORY)
UNDO: Final = Handler("rollout-undo", Rollout, _undo, access=(*_HISTORY, *_PATCHES))
RESTART: Final = Handler("rollout-restart", Rollout, _restart, access=_PATCHES)
