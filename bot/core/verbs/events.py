"""``events [--for TYPE/NAME] [--types=Normal,Warning] [-n NS | -A]``: kubectl's own ``events``
command, the namespace's events oldest first, as on-call reads them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core import values
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import ALL_NAMESPACES, NAMESPACE, Flag
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError

FOR: Final = Flag("for")
TYPES: Final = Flag("types")
EVENT_TYPES: Final = ("Normal", "Warning")


@dataclass(frozen=True, slots=True)
class Events(Command):
    """``events [--for TYPE/NAME] [--types=T,...] [-n NS | -A]``."""

    namespace: str | None = None
    all_namespaces: bool = False
    for_type: str | None = None
    """The type of ``--for TYPE/NAME`` as typed (the gateway resolves it)."""
    for_name: str | None = None
    types: tuple[str, ...] = ()
    """``Normal`` and/or ``Warning``; empty shows both."""

    @property
    def verb(self) -> str:
        return "events"


def build(args: Args) -> Events:
    arguments.no_more(args, 0, "name the object with --for TYPE/NAME")
    namespace = arguments.namespace(args)
    everywhere = args.enabled("all-namespaces")
    if everywhere and namespace is not None:
        raise UsageError("use either -n NAMESPACE or -A, not both")
    for_type = for_name = None
    target = args.flag("for")
    if target is not None:
        word, slash, name = target.partition("/")
        if not slash or not word or not name:
            raise UsageError(f'--for takes TYPE/NAME, e.g. --for pod/web-1, not "{target}"')
        for_type, for_name = values.type_word(word), values.any_name(name)
    types: list[str] = []
    for typed in (args.flag("types") or "").split(","):
        if not typed.strip():
            continue
        match = [t for t in EVENT_TYPES if t.lower() == typed.strip().lower()]
        if not match:
            raise UsageError("valid --types are Normal or Warning")
        types.append(match[0])
    return Events(
        namespace=namespace,
        all_namespaces=everywhere,
        for_type=for_type,
        for_name=for_name,
        types=tuple(dict.fromkeys(types)),
    )


SPEC: Final = VerbSpec(
    name="events",
    words=("events",),
    record=Events,
    flags=(NAMESPACE, ALL_NAMESPACES, FOR, TYPES),
    build=build,
    usage="events [--for TYPE/NAME] [--types=Normal|Warning] [-n NAMESPACE | -A]",
    summary="list events oldest first, as kubectl events does",
    examples=("events", "events --for deployment/web -n prod", "events --types=Warning -A"),
    mutating=False,
)
