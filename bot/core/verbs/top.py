"""``top pods|nodes [NAME] [-n NS | -A] [-l SEL] [--sort-by=cpu|memory] [--containers]``.

kubectl's ``top``: the CPU and memory the Metrics API (``metrics.k8s.io``, served by
metrics-server) reports for pods or nodes, printed as ``kubectl top`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core import values
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import (
    ALL_NAMESPACES,
    NAMESPACE,
    NO_HEADERS,
    NODES,
    PODS,
    SELECTOR,
    SORT_BY,
    Flag,
)
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError

CONTAINERS: Final = Flag("containers", takes_value=False)
SORT_KEYS: Final = ("cpu", "memory")


@dataclass(frozen=True, slots=True)
class Top(Command):
    """``top pods|nodes [NAME] [-n NS | -A] [-l SEL] [--sort-by=cpu|memory] [--containers]``."""

    resource: str
    """``pods`` or ``nodes``."""
    name: str | None = None
    namespace: str | None = None
    all_namespaces: bool = False
    selector: str | None = None
    sort_by: str | None = None
    """``cpu`` or ``memory``: highest first, as kubectl sorts."""
    containers: bool = False
    """``--containers`` (pods): one row per container."""
    headers: bool = True

    @property
    def verb(self) -> str:
        return "top"


def build(args: Args) -> Top:
    if not args.positionals:
        raise UsageError("top needs pods or nodes: top pods -n prod, top nodes")
    kind = arguments.resource(args.positionals[0], (PODS, NODES), "top")
    arguments.no_more(args, 2, "top takes one name at most")
    name = args.positionals[1] if len(args.positionals) > 1 else None
    namespace, everywhere = arguments.namespace(args), args.enabled("all-namespaces")
    if kind == NODES and (namespace is not None or everywhere or args.enabled("containers")):
        raise UsageError("nodes have no namespace or containers: top nodes [NAME] [-l SELECTOR]")
    if everywhere and namespace is not None:
        raise UsageError("use either -n NAMESPACE or -A, not both")
    sort_by = args.flag("sort-by")
    if sort_by is not None and sort_by not in SORT_KEYS:
        raise UsageError(f'--sort-by takes cpu or memory, not "{sort_by}"')
    return Top(
        resource=kind,
        name=None if name is None else values.object_name(name, what=kind.removesuffix("s")),
        namespace=namespace,
        all_namespaces=everywhere,
        selector=arguments.selector(args),
        sort_by=sort_by,
        containers=args.enabled("containers"),
        headers=not args.enabled("no-headers"),
    )


SPEC: Final = VerbSpec(
    name="top",
    words=("top",),
    record=Top,
    flags=(NAMESPACE, ALL_NAMESPACES, SELECTOR, SORT_BY, CONTAINERS, NO_HEADERS),
    build=build,
    usage="top pods|nodes [NAME] [-n NAMESPACE | -A] [-l SELECTOR] [--sort-by=cpu|memory] "
    "[--containers] [--no-headers]",
    summary="CPU and memory of pods or nodes, from the Metrics API (kubectl top)",
    examples=("top pods -n prod", "top pods -A --sort-by=memory", "top nodes"),
    mutating=False,
)
