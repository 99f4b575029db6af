"""``set image deployment/NAME CONTAINER=IMAGE [...]``."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import values
from bot.core.argv import Args
from bot.core.lexicon import DEPLOYMENTS
from bot.core.verbs import arguments
from bot.errors import UsageError


@dataclass(frozen=True, slots=True)
class SetImage:
    """``set image deployment/NAME CONTAINER=IMAGE [...]``."""

    name: str
    images: tuple[tuple[str, str], ...]
    """(container, image) pairs in the order typed; container ``*`` means all."""
    kind: str = "deployment"
    namespace: str | None = None


def build(args: Args) -> SetImage:
    if not args.positionals:
        raise UsageError("set needs a sub-command: set image deployment/NAME CONTAINER=IMAGE")
    sub = args.positionals[0]
    if sub != "image":
        raise UsageError(f'set {sub} is not available; only "set image" is')
    target = Args(args.positionals[1:], args.flags)
    _, name, used = arguments.target(target, "set image", (DEPLOYMENTS,))
    pairs = target.positionals[used:]
    if not pairs:
        raise UsageError("set image needs at least one CONTAINER=IMAGE")
    images: list[tuple[str, str]] = []
    for pair in pairs:
        container, eq, image = pair.partition("=")
        if not eq or not container or not image:
            raise UsageError(f'expected CONTAINER=IMAGE, not "{pair}"')
        container = values.container_name(container, wildcard=True)
        if any(seen == container for seen, _ in images):
            raise UsageError(f'container "{container}" is given twice')
        images.append((container, values.image(image)))
    return SetImage(name=name, images=tuple(images), namespace=arguments.namespace(args))
