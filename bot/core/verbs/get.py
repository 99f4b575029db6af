"""``get TYPE [NAME] [-n NS | -A] [-l SELECTOR] [-o FORMAT]``: any type, kept as typed (the
gateway resolves it through discovery, CRDs included)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from bot.core import values
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import ALL_NAMESPACES, NAMESPACE, OUTPUT, SELECTOR
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError


class OutputFormat(enum.StrEnum):
    """``-o`` values we accept for ``get``."""

    TABLE = "table"
    WIDE = "wide"
    YAML = "yaml"
    JSON = "json"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class Get(Command):
    """``get TYPE [NAME] [-n NS | -A] [-l SELECTOR] [-o FORMAT]``."""

    resource: str
    """The type as typed (``po``, ``pods``, ``deployment.apps``, a CRD plural ...)."""
    name: str | None = None
    namespace: str | None = None
    all_namespaces: bool = False
    selector: str | None = None
    output: OutputFormat = OutputFormat.TABLE

    @property
    def verb(self) -> str:
        return "get"


_OUTPUTS: Final = tuple(fmt.value for fmt in OutputFormat if fmt is not OutputFormat.TABLE)


def build(args: Args) -> Get:
    if not args.positionals:
        raise UsageError("get needs a resource type, e.g. get pods", hint='try "get pods"')
    first = args.positionals[0]
    if "/" in first:
        word, _, name_text = first.partition("/")
        arguments.no_more(args, 1, "get one TYPE/NAME at a time")
        name: str | None = values.any_name(name_text)
    else:
        word = first
        arguments.no_more(args, 2, "get one name at a time")
        name = values.any_name(args.positionals[1]) if len(args.positionals) > 1 else None
    resource = values.type_word(word)
    namespace = arguments.namespace(args)
    everywhere = args.enabled("all-namespaces")
    selector = arguments.selector(args)
    if everywhere and namespace is not None:
        raise UsageError("use either -n NAMESPACE or -A, not both")
    if everywhere and name is not None:
        raise UsageError("a resource cannot be retrieved by name across all namespaces")
    if name is not None and selector is not None:
        raise UsageError("a name cannot be given together with a selector")
    return Get(
        resource=resource,
        name=name,
        namespace=namespace,
        all_namespaces=everywhere,
        selector=selector,
        output=_output(args.flag("output")),
    )


def _output(value: str | None) -> OutputFormat:
    if value is None:
        return OutputFormat.TABLE
    if value not in _OUTPUTS:
        shown = value.partition("=")[0]
        raise UsageError(f'output format "{shown}" is not supported; use {", ".join(_OUTPUTS)}')
    return OutputFormat(value)


SPEC: Final = VerbSpec(
    name="get",
    words=("get",),
    record=Get,
    flags=(NAMESPACE, ALL_NAMESPACES, SELECTOR, OUTPUT),
    build=build,
    usage="get TYPE [NAME | TYPE/NAME] [-n NAMESPACE | -A] [-l SELECTOR] [-o wide|yaml|json|name]",
    summary="list objects of any type, CRDs included",
    examples=(
        "get pods",
        "get pods -n prod -o wide",
        "get deploy/web -o yaml",
        "get pods -l app=web -A",
        "get rs",
    ),
    mutating=False,
)
