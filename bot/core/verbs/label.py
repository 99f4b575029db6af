"""``label|annotate TYPE NAME KEY=VALUE ... [KEY-] [--overwrite]``: change an object's labels or
annotations, on any type discovery lists (namespaced or not, CRDs included).

The type stays as typed for the gateway's discovery, like ``get``. Keys are checked here as
Kubernetes qualified names (and label values as label values) so that a typo gets one clear
line instead of the API server's 422; kubectl itself leaves that to the server.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.core import values, wording
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import CLUSTER_SCOPED, NAMESPACE, Flag
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError

OVERWRITE: Final = Flag("overwrite", takes_value=False)
_NAME_PART: Final = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_PREFIX: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


class MetadataField(enum.StrEnum):
    """Which map of ``metadata`` a command changes."""

    LABELS = "labels"
    ANNOTATIONS = "annotations"


@dataclass(frozen=True, slots=True)
class MetadataChange(Command):
    """``label`` or ``annotate`` one object."""

    field: MetadataField
    resource: str
    """The type as typed (``deploy``, ``nodes``, a CRD plural ...)."""
    name: str
    changes: tuple[tuple[str, str], ...]
    """(key, value) pairs to set, in the order typed."""
    removals: tuple[str, ...] = ()
    """Keys to remove (typed ``KEY-``)."""
    overwrite: bool = False
    namespace: str | None = None

    @property
    def verb(self) -> str:
        return "label" if self.field is MetadataField.LABELS else "annotate"


def _key(key: str, *, what: str) -> str:
    """A qualified name: ``[PREFIX/]NAME``, the prefix a DNS subdomain, the name 63 characters."""
    prefix, slash, name = key.rpartition("/")
    valid = len(name) <= 63 and _NAME_PART.fullmatch(name) is not None
    if slash:
        valid = valid and len(prefix) <= 253 and _PREFIX.fullmatch(prefix) is not None
    if not valid:
        raise UsageError(
            f'invalid {what} key "{key}": use letters, digits, "-", "_" and ".", starting and '
            'ending with a letter or digit, optionally after a DNS prefix and "/"'
        )
    return key


def _updates(
    updates: Sequence[str], *, field: MetadataField
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """``KEY=VALUE`` and ``KEY-`` words, as kubectl reads them (a label value holds no ``=``)."""
    what = "label" if field is MetadataField.LABELS else "annotation"
    changes: list[tuple[str, str]] = []
    removals: list[str] = []
    for update in updates:
        key, eq, value = update.partition("=")
        if eq:
            if field is MetadataField.LABELS:
                if "=" in value:
                    raise UsageError(f"invalid label spec: {update}")
                if len(value) > 63 or not (value == "" or _NAME_PART.fullmatch(value)):
                    raise UsageError(f'invalid label value "{value}" for "{key}"')
            changes.append((_key(key, what=what), value))
        elif update.endswith("-") and len(update) > 1:
            removals.append(_key(update[:-1], what=what))
        else:
            raise UsageError(f"invalid {what} spec: {update}", hint="use KEY=VALUE or KEY-")
    if not changes and not removals:
        raise UsageError(f"at least one {what} update is required")
    if {key for key, _ in changes} & set(removals):
        article = "a label" if what == "label" else "an annotation"
        raise UsageError(f"can not both modify and remove {article} in the same command")
    return tuple(changes), tuple(removals)


def _build(args: Args, *, field: MetadataField) -> MetadataChange:
    verb = "label" if field is MetadataField.LABELS else "annotate"
    if not args.positionals:
        raise UsageError(
            f"{verb} needs a type, a name and KEY=VALUE",
            hint=f'try "{verb} deployment web KEY=VALUE"',
        )
    first = args.positionals[0]
    if "/" in first:
        word, _, name = first.partition("/")
        updates = args.positionals[1:]
    elif len(args.positionals) > 1:
        word, name, updates = first, args.positionals[1], args.positionals[2:]
    else:
        raise UsageError(f"{verb} needs TYPE NAME or TYPE/NAME, then KEY=VALUE")
    changes, removals = _updates(updates, field=field)
    return MetadataChange(
        field=field,
        resource=values.type_word(word),
        name=values.any_name(name),
        changes=changes,
        removals=removals,
        overwrite=args.enabled("overwrite"),
        namespace=arguments.namespace(args),
    )


def _announce(cmd: MetadataChange) -> str:
    cluster_scoped = cmd.resource.lower().partition(".")[0] in CLUSTER_SCOPED
    where = "" if cluster_scoped else wording.in_namespace(cmd.namespace)
    if cmd.field is MetadataField.LABELS:
        shown = [f"{key}={value}" for key, value in cmd.changes]
        done = "labeled"
    else:  # annotation values may be long: the keys say what changed
        shown = [key for key, _ in cmd.changes]
        done = "annotated"
    shown += [f"{key}-" for key in cmd.removals]
    return f"{done} {cmd.resource}/{cmd.name}{where}: {', '.join(shown)}"


LABEL: Final = VerbSpec(
    name="label",
    words=("label",),
    record=MetadataChange,
    flags=(NAMESPACE, OVERWRITE),
    build=lambda args: _build(args, field=MetadataField.LABELS),
    usage="label TYPE NAME KEY=VALUE ... [KEY-] [--overwrite] [-n NAMESPACE]",
    summary="set or remove labels of one object of any type (admins)",
    examples=(
        "label deployment web tier=frontend",
        "label node/sandbox-worker disk=ssd",
        "label pod web-5d8f9c-abcde tier=backend --overwrite -n prod",
        "label deploy web tier-",
    ),
    mutating=True,
    action=lambda _: "change labels",
    announce=_announce,
)

ANNOTATE: Final = VerbSpec(
    name="annotate",
    words=("annotate",),
    record=MetadataChange,
    flags=(NAMESPACE, OVERWRITE),
    build=lambda args: _build(args, field=MetadataField.ANNOTATIONS),
    usage="annotate TYPE NAME KEY=VALUE ... [KEY-] [--overwrite] [-n NAMESPACE]",
    summary="set or remove annotations of one object of any type (admins)",
    examples=(
        "annotate deployment web owner=team-a",
        "annotate svc/web description='the public front end' --overwrite",
        "annotate deploy web owner-",
    ),
    mutating=True,
    action=lambda _: "change annotations",
    announce=_announce,
)
