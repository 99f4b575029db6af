"""``logs POD|TYPE/NAME [CONTAINER] [-c C|--all-containers] [--tail N] [--since D] [-p]
[--timestamps] [--prefix] [-l SEL]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core import values
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import (
    ALL_CONTAINERS,
    CONTAINER,
    DAEMONSETS,
    DEPLOYMENTS,
    JOBS,
    NAMESPACE,
    PODS,
    PREFIX,
    PREVIOUS,
    SELECTOR,
    SINCE,
    SINGULAR,
    STATEFULSETS,
    TAIL,
    TIMESTAMPS,
)
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError


@dataclass(frozen=True, slots=True)
class Logs(Command):
    """``logs POD|TYPE/NAME [-c C] [--tail N] [--since D] [-p] [--timestamps] [-l SEL]``."""

    name: str | None
    """Pod name, or None when ``selector`` picks the pods."""
    kind: str = "pod"
    """``pod`` or ``deployment`` (from ``deployment/NAME``)."""
    namespace: str | None = None
    container: str | None = None
    tail: int | None = None
    """``--tail``; None means the bot's default (10 with ``-l``, as kubectl); -1 every line,
    bounded by the byte limit alone."""
    since_seconds: int | None = None
    previous: bool = False
    timestamps: bool = False
    selector: str | None = None
    all_containers: bool = False
    """``--all-containers``: every container of each pod (init, then app, then ephemeral)."""
    prefix: bool = False
    """``--prefix``: each line starts with ``[pod/NAME/CONTAINER] `` (also when several streams)."""

    @property
    def verb(self) -> str:
        return "logs"


LOG_KINDS: Final = (PODS, DEPLOYMENTS, STATEFULSETS, DAEMONSETS, JOBS)
"""``logs TYPE/NAME``: a pod, or a workload whose pod kubectl picks (not CronJobs: kubectl has
no selector for them)."""


def build(args: Args) -> Logs:
    selector = arguments.selector(args)
    name: str | None = None
    kind = "pod"
    positional_container: str | None = None
    if selector is not None:
        if args.positionals:
            raise UsageError("give either a pod name or -l SELECTOR, not both")
    elif not args.positionals:
        raise UsageError("logs needs a pod name, deployment/NAME or -l SELECTOR")
    else:
        arguments.no_more(args, 2, "logs takes a pod and at most one container")
        first = args.positionals[0]
        if "/" in first:
            word, _, name_text = first.partition("/")
            kind = SINGULAR[arguments.resource(word, LOG_KINDS, "logs")]
        else:
            name_text = first
        name = values.object_name(name_text, what=kind)
        if len(args.positionals) > 1:
            positional_container = args.positionals[1]
    container = args.flag("container")
    if positional_container is not None and container not in (None, positional_container):
        raise UsageError("give the container either as an argument or with -c, not both")
    container = container if container is not None else positional_container
    all_containers = args.enabled("all-containers")
    if all_containers and container is not None:
        raise UsageError(
            f"--all-containers=true should not be specified with container name {container}"
        )
    tail, since = args.flag("tail"), args.flag("since")
    return Logs(
        name=name,
        kind=kind,
        namespace=arguments.namespace(args),
        container=None if container is None else values.container_name(container),
        tail=None if tail is None else _tail(tail),
        since_seconds=None if since is None else values.duration_seconds(since, flag="--since"),
        previous=args.enabled("previous"),
        timestamps=args.enabled("timestamps"),
        selector=selector,
        all_containers=all_containers,
        prefix=args.enabled("prefix"),
    )


def _tail(value: str) -> int:
    """``--tail``: a line count, or kubectl's -1 for every line."""
    if value == "-1":
        return -1
    if value.startswith("-"):
        raise UsageError(f'invalid --tail "{value}": use a number of lines, or -1 for all of them')
    return values.whole_number(value, flag="--tail")


SPEC: Final = VerbSpec(
    name="logs",
    words=("logs",),
    record=Logs,
    flags=(
        NAMESPACE,
        CONTAINER,
        ALL_CONTAINERS,
        TAIL,
        SINCE,
        PREVIOUS,
        TIMESTAMPS,
        PREFIX,
        SELECTOR,
    ),
    build=build,
    usage="logs POD|TYPE/NAME [CONTAINER] [-c CONTAINER|--all-containers] "
    "[--tail N|-1] [--since 10m|1h|2h30m] [-p] [--timestamps] [--prefix] [-l SELECTOR] "
    "[-n NAMESPACE]",
    summary="show a container's logs (bounded)",
    examples=(
        "logs web-5d8f9c-abcde",
        "logs deployment/web -c app --tail 50",
        "logs statefulset/postgres -n prod",
        "logs -l app=web --since 10m",
        "logs web-5d8f9c-abcde --all-containers --prefix",
    ),
    names="pod",
    mutating=False,
)
