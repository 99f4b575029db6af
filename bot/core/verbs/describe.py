"""``describe TYPE [NAME | TYPE/NAME] [-l SELECTOR]`` of any type discovery lists (CRDs too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core import values
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import CLUSTER_SCOPED, NAMESPACE, RESOURCE_WORDS, SELECTOR, SINGULAR
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError


@dataclass(frozen=True, slots=True)
class Describe(Command):
    """``describe TYPE [NAME] [-l SELECTOR]`` for any type."""

    resource: str
    """``pods``, ``deployments``, ``services`` or ``nodes`` however typed; any other type as typed
    (``ing``, ``certificates.cert-manager.io``), resolved by the gateway's discovery."""
    name: str | None
    """None describes every object of the type (or those ``selector`` matches), as kubectl
    does for ``describe pods`` -- the Kubernetes Basics tutorial relies on it."""
    namespace: str | None = None
    selector: str | None = None

    @property
    def verb(self) -> str:
        return "describe"


def build(args: Args) -> Describe:
    if not args.positionals:
        raise UsageError(
            "describe needs a type, e.g. describe pod NAME", hint='try "describe pods"'
        )
    first = args.positionals[0]
    if "/" in first:
        word, _, name_text = first.partition("/")
        arguments.no_more(args, 1, "describe one TYPE/NAME at a time")
    else:
        word = first
        arguments.no_more(args, 2, "describe one name at a time")
        name_text = args.positionals[1] if len(args.positionals) > 1 else ""
    canonical = RESOURCE_WORDS.get(word.lower())
    resource = canonical or values.type_word(word)
    name = None
    if name_text or "/" in first:
        name = (
            values.object_name(name_text, what=SINGULAR[canonical])
            if canonical
            else values.any_name(name_text)
        )
    selector = arguments.selector(args)
    if name is not None and selector is not None:
        raise UsageError("a name cannot be given together with a selector")
    cluster_scoped = resource.lower().partition(".")[0] in CLUSTER_SCOPED
    namespace = None if cluster_scoped else arguments.namespace(args)
    return Describe(resource=resource, name=name, namespace=namespace, selector=selector)


SPEC: Final = VerbSpec(
    name="describe",
    words=("describe",),
    record=Describe,
    flags=(NAMESPACE, SELECTOR),
    build=build,
    usage="describe TYPE [NAME | TYPE/NAME] [-l SELECTOR] [-n NAMESPACE]",
    summary="show details and recent events of one object or all of a type",
    examples=(
        "describe pod web-5d8f9c-abcde",
        "describe deployments/web",
        "describe nodes",
        "describe ingress web -n prod",
        "describe certificate api -n prod",
    ),
    names="pod",
    mutating=False,
)
