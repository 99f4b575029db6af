"""``rollout pause|resume deployment/NAME``: stop a deployment's rollouts, and let them go on.

A paused Deployment keeps its pods but starts no new ReplicaSet for template changes until it
is resumed, so changes can be batched (``set image`` several times) and rolled out once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core import wording
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import DAEMONSETS, DEPLOYMENTS, NAMESPACE, SINGULAR, STATEFULSETS
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec


@dataclass(frozen=True, slots=True)
class PauseRollout(Command):
    """``rollout pause deployment/NAME`` (``paused``) or ``rollout resume deployment/NAME``."""

    name: str
    paused: bool
    """True to pause, False to resume."""
    kind: str = "deployment"
    namespace: str | None = None

    @property
    def verb(self) -> str:
        return "rollout-pause" if self.paused else "rollout-resume"


def _build(target: Args, *, paused: bool) -> PauseRollout:
    sub = "pause" if paused else "resume"
    # kubectl takes statefulsets and daemonsets too, and answers that pausing is not supported.
    resource, name, used = arguments.target(
        target, f"rollout {sub}", (DEPLOYMENTS, STATEFULSETS, DAEMONSETS)
    )
    arguments.no_more(target, used, "rollout one deployment at a time")
    return PauseRollout(
        name=name,
        paused=paused,
        kind=SINGULAR[resource],
        namespace=arguments.namespace(target),
    )


def _announce(cmd: PauseRollout) -> str:
    what = "paused" if cmd.paused else "resumed"
    return f"{what} the rollout of {cmd.kind}/{cmd.name}{wording.in_namespace(cmd.namespace)}"


PAUSE: Final = VerbSpec(
    name="rollout-pause",
    words=("rollout", "pause"),
    record=PauseRollout,
    flags=(NAMESPACE,),
    build=lambda args: _build(args, paused=True),
    usage="rollout pause deployment/NAME [-n NAMESPACE]",
    summary="stop a deployment from rolling out template changes until resumed (admins)",
    examples=("rollout pause deployment/web",),
    mutating=True,
    action=lambda _: "pause deployment rollouts",
    announce=_announce,
)

RESUME: Final = VerbSpec(
    name="rollout-resume",
    words=("rollout", "resume"),
    record=PauseRollout,
    flags=(NAMESPACE,),
    build=lambda args: _build(args, paused=False),
    usage="rollout resume deployment/NAME [-n NAMESPACE]",
    summary="let a paused deployment roll out its template again (admins)",
    examples=("rollout resume deployment/web",),
    mutating=True,
    action=lambda _: "resume deployment rollouts",
    announce=_announce,
)
