"""``scale deployment/NAME --replicas=N [--current-replicas=C]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core import values, wording
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import (
    CURRENT_REPLICAS,
    DEPLOYMENTS,
    NAMESPACE,
    REPLICAS,
    SINGULAR,
    STATEFULSETS,
)
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError


@dataclass(frozen=True, slots=True)
class Scale(Command):
    """``scale deployment|statefulset/NAME --replicas=N [--current-replicas=C]``."""

    name: str
    replicas: int
    kind: str = "deployment"
    namespace: str | None = None
    current_replicas: int | None = None

    @property
    def verb(self) -> str:
        return "scale"


def build(args: Args) -> Scale:
    resource, name, used = arguments.target(args, "scale", (DEPLOYMENTS, STATEFULSETS))
    arguments.no_more(args, used, "scale one deployment at a time")
    replicas = args.flag("replicas")
    if replicas is None:
        raise UsageError(
            "scale needs --replicas=N",
            hint=f'try "scale {SINGULAR[resource]}/{name} --replicas=2"',
        )
    current = args.flag("current-replicas")
    return Scale(
        name=name,
        kind=SINGULAR[resource],
        replicas=values.whole_number(replicas, flag="--replicas"),
        namespace=arguments.namespace(args),
        current_replicas=None
        if current is None
        else values.whole_number(current, flag="--current-replicas"),
    )


def _announce(cmd: Scale) -> str:
    target = f"{cmd.kind}/{cmd.name}{wording.in_namespace(cmd.namespace)}"
    return f"scaled {target} to {cmd.replicas} {wording.replicas(cmd.replicas)}"


def _confirm(cmd: Scale) -> str | None:
    """Scaling to zero stops every pod: hard to take back, so it is confirmed."""
    if cmd.replicas != 0:
        return None
    where = wording.where(cmd.namespace)
    return f"Scale {cmd.kind} {cmd.name} {where} to 0 replicas? All of its pods will stop."


def scale_up_prompt(cmd: Scale, current: int | None, *, factor: int, above: int) -> str | None:
    """The question before a large scale-up, asked whatever the rules say, or None.

    Large: to more than ``factor`` times ``current`` (from 0: to more than ``factor``), or to
    more than ``above`` replicas; ``current`` None (not read) judges by ``above`` alone. A
    scale down or to the same count is never large.
    """
    if current is not None and cmd.replicas <= current:
        return None
    if cmd.replicas > above:
        why = f"more than {above} {wording.replicas(above)}"
    elif current is not None and cmd.replicas > factor * max(current, 1):
        times = f"{factor} times its current {current}" if current else f"{factor}, from 0"
        why = f"more than {times}"
    else:
        return None
    where = wording.where(cmd.namespace)
    start = "" if current is None else f" from {current}"
    count = f"{cmd.replicas} {wording.replicas(cmd.replicas)}"
    return f"Scale {cmd.kind} {cmd.name} {where}{start} to {count}? That is {why}."


def scale_up_may_ask(cmd: Scale, *, factor: int, above: int) -> bool:
    """Whether ``scale_up_prompt`` could ask, whatever the current count: if not, the
    target need not be read for it."""
    return cmd.replicas > min(factor, above)


SPEC: Final = VerbSpec(
    name="scale",
    words=("scale",),
    record=Scale,
    flags=(NAMESPACE, REPLICAS, CURRENT_REPLICAS),
    build=build,
    usage="scale deployment|statefulset/NAME --replicas=N [--current-replicas=C] [-n NAMESPACE]",
    summary="change a deployment's or statefulset's replica count (admins)",
    examples=(
        "scale deployment/web --replicas=4",
        "scale deploy web --replicas 2 -n prod",
        "scale statefulset/postgres --replicas=3 -n prod",
    ),
    mutating=True,
    action=lambda _: "scale deployments",
    announce=_announce,
    confirm=_confirm,
)
