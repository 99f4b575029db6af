"""``rollout status|history|undo|restart deployment/NAME``: four verbs on one record.

They share the ``Rollout`` record (the gateway's rollout module runs all four on kubectl's
algorithms in ``bot.core.rollout`` and its siblings); each has its own spec, flags and policy name.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Final

from bot.core import values, wording
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import (
    DAEMONSETS,
    DEPLOYMENTS,
    NAMESPACE,
    REVISION,
    SINGULAR,
    STATEFULSETS,
    TIMEOUT,
    TO_REVISION,
    WATCH,
)
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec


class RolloutAction(enum.StrEnum):
    """The ``rollout`` sub-verbs of the ``Rollout`` record."""

    STATUS = "status"
    HISTORY = "history"
    UNDO = "undo"
    RESTART = "restart"


@dataclass(frozen=True, slots=True)
class Rollout(Command):
    """``rollout status|history|undo|restart TYPE/NAME [--to-revision=N]`` (deployment,
    statefulset or daemonset)."""

    action: RolloutAction
    name: str
    kind: str = "deployment"
    namespace: str | None = None
    to_revision: int | None = None
    """``--to-revision`` for undo, ``--revision`` for history."""
    timeout: int | None = None
    """``--timeout`` of status in seconds (0: kubectl's "forever"); the bot's setting bounds it."""
    watch: bool = True
    """``--watch=false`` of status: look once, print the state, and stop."""

    @property
    def verb(self) -> str:
        return f"rollout-{self.action}"


ROLLOUT_KINDS: Final = (DEPLOYMENTS, STATEFULSETS, DAEMONSETS)
"""What kubectl's rollout commands work on (pause and resume: Deployments only, and kubectl
says so for the others)."""
_KINDS_USAGE: Final = "deployment|statefulset|daemonset"


def _build(action: RolloutAction, target: Args) -> Rollout:
    resource, name, used = arguments.target(target, f"rollout {action}", ROLLOUT_KINDS)
    arguments.no_more(target, used, "rollout one object at a time")
    value = target.flag("to-revision") or target.flag("revision")
    flag = "--to-revision" if target.flag("to-revision") is not None else "--revision"
    # 0 means kubectl's default: the previous revision (undo), the whole table (history).
    revision = None if value is None else values.whole_number(value, flag=flag) or None
    timeout = target.flag("timeout")
    return Rollout(
        action=action,
        name=name,
        kind=SINGULAR[resource],
        namespace=arguments.namespace(target),
        to_revision=revision,
        timeout=None if timeout is None else _timeout_seconds(timeout),
        watch=target.flag("watch") != "false",
    )


def _timeout_seconds(value: str) -> int:
    """kubectl's ``--timeout`` duration; ``0`` (any unit) means no limit of its own."""
    if re.fullmatch(r"0+(\.0*)?(h|m|s|ms)?", value):
        return 0
    return values.duration_seconds(value, flag="--timeout")


def _target(cmd: Rollout) -> str:
    return f"{cmd.kind}/{cmd.name}{wording.in_namespace(cmd.namespace)}"


def _announce_undo(cmd: Rollout) -> str:
    revision = f" to revision {cmd.to_revision}" if cmd.to_revision else ""
    return f"rolled back {_target(cmd)}{revision}"


STATUS: Final = VerbSpec(
    name="rollout-status",
    words=("rollout", "status"),
    record=Rollout,
    flags=(NAMESPACE, TIMEOUT, WATCH),
    build=lambda args: _build(RolloutAction.STATUS, args),
    usage=f"rollout status {_KINDS_USAGE}/NAME [--timeout=DURATION] [--watch=false] [-n NAMESPACE]",
    summary="follow a deployment's, statefulset's or daemonset's rollout until it is done, "
    "naming its failing pods",
    examples=(
        "rollout status deployment/web",
        "rollout status deployment/web --timeout=30s",
        "rollout status deployment/web --watch=false",
    ),
    mutating=False,
)

HISTORY: Final = VerbSpec(
    name="rollout-history",
    words=("rollout", "history"),
    record=Rollout,
    flags=(NAMESPACE, REVISION),
    build=lambda args: _build(RolloutAction.HISTORY, args),
    usage=f"rollout history {_KINDS_USAGE}/NAME [--revision=N] [-n NAMESPACE]",
    summary="list a workload's revisions, or show one revision's template",
    examples=("rollout history deployment/web", "rollout history statefulset/db --revision=2"),
    mutating=False,
)

UNDO: Final = VerbSpec(
    name="rollout-undo",
    words=("rollout", "undo"),
    record=Rollout,
    flags=(NAMESPACE, TO_REVISION),
    build=lambda args: _build(RolloutAction.UNDO, args),
    usage=f"rollout undo {_KINDS_USAGE}/NAME [--to-revision=N] [-n NAMESPACE]",
    summary="roll a workload back to its previous or a given revision (admins)",
    examples=("rollout undo deployment/web", "rollout undo deployment/web --to-revision=2"),
    mutating=True,
    action=lambda _: "roll back deployments",
    announce=_announce_undo,
)

RESTART: Final = VerbSpec(
    name="rollout-restart",
    words=("rollout", "restart"),
    record=Rollout,
    flags=(NAMESPACE,),
    build=lambda args: _build(RolloutAction.RESTART, args),
    usage=f"rollout restart {_KINDS_USAGE}/NAME [-n NAMESPACE]",
    summary="restart a workload's pods with a rolling update (admins)",
    examples=("rollout restart deployment/web", "rollout restart statefulset/db -n prod"),
    mutating=True,
    action=lambda _: "restart deployments",
    announce=lambda cmd: f"restarted {_target(cmd)}",
)
