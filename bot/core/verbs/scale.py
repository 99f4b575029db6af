"""``scale deployment/NAME --replicas=N [--current-replicas=C]``."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import values
from bot.core.argv import Args
from bot.core.lexicon import DEPLOYMENTS
from bot.core.verbs import arguments
from bot.errors import UsageError


@dataclass(frozen=True, slots=True)
class Scale:
    """``scale deployment/NAME --replicas=N [--current-replicas=C]``."""

    name: str
    replicas: int
    kind: str = "deployment"
    namespace: str | None = None
    current_replicas: int | None = None


def build(args: Args) -> Scale:
    _, name, used = arguments.target(args, "scale", (DEPLOYMENTS,))
    arguments.no_more(args, used, "scale one deployment at a time")
    replicas = args.flag("replicas")
    if replicas is None:
        raise UsageError(
            "scale needs --replicas=N", hint=f'try "scale deployment/{name} --replicas=2"'
        )
    current = args.flag("current-replicas")
    return Scale(
        name=name,
        replicas=values.whole_number(replicas, flag="--replicas"),
        namespace=arguments.namespace(args),
        current_replicas=None
        if current is None
        else values.whole_number(current, flag="--current-replicas"),
    )
