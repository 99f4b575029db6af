"""``delete pod NAME`` / ``delete service|statefulset|daemonset|job|cronjob NAME|-l SELECTOR``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.core import values, wording
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import (
    CRONJOBS,
    DAEMONSETS,
    JOBS,
    NAMESPACE,
    PODS,
    RESOURCE_WORDS,
    SELECTOR,
    SERVICES,
    SINGULAR,
    STATEFULSETS,
)
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError

DELETABLE: Final = (PODS, SERVICES, STATEFULSETS, DAEMONSETS, JOBS, CRONJOBS)
"""What ``delete`` removes (a workload's pods go with it, collected by the cluster)."""


@dataclass(frozen=True, slots=True)
class Delete(Command):
    """``delete pod NAME`` / ``delete service NAME|-l SELECTOR``."""

    resource: str
    """Canonical plural: ``pods`` or ``services``."""
    name: str | None = None
    selector: str | None = None
    namespace: str | None = None

    @property
    def verb(self) -> str:
        return "delete"


def build(args: Args) -> Delete:
    if not args.positionals:
        raise UsageError("delete needs a type and a name: delete pod NAME")
    targets = [p.partition("/")[0] for p in args.positionals if "/" in p] or [args.positionals[0]]
    for word in targets:
        if RESOURCE_WORDS.get(word.lower()) not in DELETABLE:
            hint = arguments.type_hint(word, DELETABLE)
            if hint:
                raise UsageError(
                    f"delete works on pods, services, statefulsets, daemonsets, jobs and "
                    f'cronjobs only, not "{word}"',
                    hint=hint,
                )
            raise UsageError(
                f"delete is limited to pods, services, statefulsets, daemonsets, jobs and "
                f'cronjobs, not "{word}": remove other objects from your manifests and CI, or '
                "scale a deployment to 0"
            )
    selector = arguments.selector(args)
    first = args.positionals[0]
    if "/" in first:
        word, _, name_text = first.partition("/")
        names: Sequence[str] = [name_text]
        arguments.no_more(args, 1, "delete one object at a time")
    else:
        word = first
        names = args.positionals[1:]
        if len(names) > 1:
            raise UsageError(f'unexpected "{" ".join(names[1:])}": delete one object at a time')
    resource = arguments.resource(word, DELETABLE, "delete")
    what = SINGULAR[resource]
    if names and selector is not None:
        raise UsageError("give either a name or -l SELECTOR, not both")
    if selector is not None and resource == PODS:
        raise UsageError("delete pods one at a time, by name; -l is accepted for other types")
    if not names and selector is None:
        raise UsageError(f"delete needs a {what} name or -l SELECTOR")
    name = values.object_name(names[0], what=what) if names else None
    return Delete(
        resource=resource, name=name, selector=selector, namespace=arguments.namespace(args)
    )


def _announce(cmd: Delete) -> str:
    where = wording.in_namespace(cmd.namespace)
    if cmd.name is not None:
        return f"deleted {SINGULAR.get(cmd.resource, cmd.resource)}/{cmd.name}{where}"
    return f"deleted the {cmd.resource} matching {cmd.selector}{where}"


def _confirm(cmd: Delete) -> str:
    """Deleting is hard to take back: always confirmed, naming exactly what goes."""
    where = wording.where(cmd.namespace)
    what = SINGULAR.get(cmd.resource, cmd.resource)
    if cmd.name is not None:
        return f"Delete {what} {cmd.name} {where}?"
    return f"Delete every {what} matching {cmd.selector} {where}?"


SPEC: Final = VerbSpec(
    name="delete",
    words=("delete",),
    record=Delete,
    flags=(NAMESPACE, SELECTOR),
    build=build,
    usage="delete pod NAME | delete service|statefulset|daemonset|job|cronjob NAME|-l SELECTOR "
    "[-n NAMESPACE]",
    summary="delete a pod, or services and workloads by name or selector (admins, confirmed)",
    examples=("delete pod web-5d8f9c-abcde", "delete service -l app=web", "delete job db-migrate"),
    names="pod",
    mutating=True,
    action=lambda cmd: f"delete {cmd.resource}",
    announce=_announce,
    confirm=_confirm,
)
