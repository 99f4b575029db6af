"""``describe pod|deployment|service|node [NAME] [-l SELECTOR]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core import values
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import DEPLOYMENTS, NAMESPACE, NODES, PODS, SELECTOR, SERVICES, SINGULAR
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError


@dataclass(frozen=True, slots=True)
class Describe(Command):
    """``describe TYPE [NAME] [-l SELECTOR]`` for pods, deployments, services and nodes."""

    resource: str
    """Canonical plural: ``pods``, ``deployments``, ``services`` or ``nodes``."""
    name: str | None
    """None describes every object of the type (or those ``selector`` matches), as kubectl
    does for ``describe pods`` -- the Kubernetes Basics tutorial relies on it."""
    namespace: str | None = None
    selector: str | None = None

    @property
    def verb(self) -> str:
        return "describe"


def build(args: Args) -> Describe:
    allowed = (PODS, DEPLOYMENTS, SERVICES, NODES)
    if not args.positionals:
        raise UsageError("describe needs a type: pod, deployment, service or node")
    first = args.positionals[0]
    if "/" in first:
        word, _, name_text = first.partition("/")
        arguments.no_more(args, 1, "describe one TYPE/NAME at a time")
    else:
        word = first
        arguments.no_more(args, 2, "describe one name at a time")
        name_text = args.positionals[1] if len(args.positionals) > 1 else ""
    resource = arguments.resource(word, allowed, "describe")
    name = (
        values.object_name(name_text, what=SINGULAR[resource])
        if name_text or "/" in first
        else None
    )
    selector = arguments.selector(args)
    if name is not None and selector is not None:
        raise UsageError("a name cannot be given together with a selector")
    namespace = None if resource == NODES else arguments.namespace(args)
    return Describe(resource=resource, name=name, namespace=namespace, selector=selector)


SPEC: Final = VerbSpec(
    name="describe",
    words=("describe",),
    record=Describe,
    flags=(NAMESPACE, SELECTOR),
    build=build,
    usage="describe pod|deployment|service|node [NAME | TYPE/NAME] [-l SELECTOR] [-n NAMESPACE]",
    summary="show details and recent events of one object or all of a type",
    examples=("describe pod web-5d8f9c-abcde", "describe deployments/web", "describe nodes"),
    names="pod",
    mutating=False,
)
