"""``set image deployment/NAME CONTAINER=IMAGE [...]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core import values, wording
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import DEPLOYMENTS, NAMESPACE
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError


@dataclass(frozen=True, slots=True)
class SetImage(Command):
    """``set image deployment/NAME CONTAINER=IMAGE [...]``."""

    name: str
    images: tuple[tuple[str, str], ...]
    """(container, image) pairs in the order typed; container ``*`` means all."""
    kind: str = "deployment"
    namespace: str | None = None

    @property
    def verb(self) -> str:
        return "set-image"


def build(target: Args) -> SetImage:
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
    return SetImage(name=name, images=tuple(images), namespace=arguments.namespace(target))


def _announce(cmd: SetImage) -> str:
    images = ", ".join(f"{container}={image}" for container, image in cmd.images)
    return (
        f"set the image of {cmd.kind}/{cmd.name}{wording.in_namespace(cmd.namespace)} to {images}"
    )


SPEC: Final = VerbSpec(
    name="set-image",
    words=("set", "image"),
    record=SetImage,
    flags=(NAMESPACE,),
    build=build,
    usage="set image deployment/NAME CONTAINER=IMAGE [CONTAINER=IMAGE ...] [-n NAMESPACE]",
    summary="change container images of a deployment (admins)",
    examples=("set image deployment/web web=nginx:1.27",),
    mutating=True,
    action=lambda _: "change deployment images",
    announce=_announce,
)
