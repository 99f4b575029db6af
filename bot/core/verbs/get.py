"""``get TYPE[,TYPE] [NAME ...] | TYPE/NAME ...``: any type, categories (``all``) included, kept as
typed (the gateway resolves types through discovery, CRDs included), with kubectl's output flags.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from bot.core import jsonpath, values
from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import (
    ALL_NAMESPACES,
    FIELD_SELECTOR,
    LABEL_COLUMNS,
    NAMESPACE,
    NO_HEADERS,
    OUTPUT,
    SELECTOR,
    SHOW_LABELS,
    SORT_BY,
)
from bot.core.verbs import arguments
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError

MAX_TYPES: Final = 16
"""Most types one ``get`` may list (``all`` counts as one)."""
MAX_NAMES: Final = 50
"""Most names one ``get`` may read, one request each."""
MAX_LABEL_COLUMNS: Final = 10


class OutputFormat(enum.StrEnum):
    """``-o`` values we accept for ``get``."""

    TABLE = "table"
    WIDE = "wide"
    YAML = "yaml"
    JSON = "json"
    NAME = "name"
    JSONPATH = "jsonpath"
    CUSTOM_COLUMNS = "custom-columns"


@dataclass(frozen=True, slots=True)
class Column:
    """One ``custom-columns`` column: its header as typed and its parsed path."""

    header: str
    path: jsonpath.Template


@dataclass(frozen=True, slots=True)
class Get(Command):
    """``get TYPE[,TYPE] [NAME ...] [-n NS | -A] [-l SELECTOR] [-o FORMAT] ...``."""

    resource: str
    """The first type as typed (``po``, ``all``, ``deployment.apps``, a CRD plural ...)."""
    name: str | None = None
    """The name, when exactly one is given."""
    namespace: str | None = None
    all_namespaces: bool = False
    selector: str | None = None
    output: OutputFormat = OutputFormat.TABLE
    types: tuple[str, ...] = ()
    """Every type typed, in order (``deploy,svc``); empty means just ``resource``."""
    names: tuple[str, ...] = ()
    """Every name given after the type(s), when there are several."""
    objects: tuple[tuple[str, str], ...] = ()
    """``TYPE/NAME`` arguments, in order, when given that way."""
    template: jsonpath.Template | None = None
    """``-o jsonpath=TEMPLATE``."""
    columns: tuple[Column, ...] = ()
    """``-o custom-columns=HEADER:PATH,...``."""
    field_selector: str | None = None
    sort_by: jsonpath.Template | None = None
    show_labels: bool = False
    label_columns: tuple[str, ...] = ()
    no_headers: bool = False

    @property
    def verb(self) -> str:
        return "get"

    @property
    def type_words(self) -> tuple[str, ...]:
        """The types asked for, in order."""
        if self.objects:
            return tuple(dict.fromkeys(word for word, _ in self.objects))
        return self.types or (self.resource,)

    @property
    def all_names(self) -> tuple[str, ...]:
        """The names given after the type(s) (none: list them)."""
        if self.names:
            return self.names
        return (self.name,) if self.name is not None else ()


_SIMPLE: Final = ("wide", "yaml", "json", "name")
_OUTPUTS: Final = (*_SIMPLE, "jsonpath=...", "custom-columns=...")


def build(args: Args) -> Get:
    if not args.positionals:
        raise UsageError("get needs a resource type, e.g. get pods", hint='try "get pods"')
    slashed = [p for p in args.positionals if "/" in p]
    objects: tuple[tuple[str, str], ...] = ()
    types: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    if slashed:
        if len(slashed) != len(args.positionals):
            raise UsageError(
                "there is no need to specify a resource type as a separate argument when "
                "passing arguments in resource/name form (e.g. get pod/a pod/b)"
            )
        pairs = []
        for text in args.positionals:
            word, _, name_text = text.partition("/")
            pairs.append((values.type_word(word), values.any_name(name_text)))
        objects = tuple(pairs)
        resource = objects[0][0]
        if len(objects) == 1:  # TYPE/NAME: the same record as TYPE NAME
            names, objects = (objects[0][1],), ()
    else:
        types = tuple(values.type_word(word) for word in args.positionals[0].split(","))
        names = tuple(values.any_name(n) for n in args.positionals[1:])
        resource = types[0]
    if len(types) > MAX_TYPES or len(objects) > MAX_NAMES or len(names) > MAX_NAMES:
        raise UsageError(
            f"get reads at most {MAX_TYPES} types and {MAX_NAMES} names at a time; "
            "use -l SELECTOR to narrow the list"
        )
    namespace = arguments.namespace(args)
    everywhere = args.enabled("all-namespaces")
    selector = arguments.selector(args)
    named = bool(objects or names)
    if everywhere and namespace is not None:
        raise UsageError("use either -n NAMESPACE or -A, not both")
    if everywhere and named:
        raise UsageError("a resource cannot be retrieved by name across all namespaces")
    if named and selector is not None:
        raise UsageError("a name cannot be given together with a selector")
    output, template, columns = _output(args.flag("output"))
    field_selector = args.flag("field-selector")
    if field_selector is not None:
        field_selector = _field_selector(field_selector)
    if named and field_selector is not None:
        raise UsageError("a name cannot be given together with a field selector")
    sort_text = args.flag("sort-by")
    sort_by = jsonpath.parse(jsonpath.relaxed(sort_text)) if sort_text is not None else None
    label_columns = _label_columns(args.flag("label-columns"))
    return Get(
        resource=resource,
        name=names[0] if len(names) == 1 else None,
        namespace=namespace,
        all_namespaces=everywhere,
        selector=selector,
        output=output,
        types=types if len(types) > 1 else (),
        names=names if len(names) > 1 else (),
        objects=objects,
        template=template,
        columns=columns,
        field_selector=field_selector,
        sort_by=sort_by,
        show_labels=args.enabled("show-labels"),
        label_columns=label_columns,
        no_headers=args.enabled("no-headers"),
    )


def _output(
    value: str | None,
) -> tuple[OutputFormat, jsonpath.Template | None, tuple[Column, ...]]:
    if value is None:
        return OutputFormat.TABLE, None, ()
    if value in _SIMPLE:
        return OutputFormat(value), None, ()
    kind, eq, spec = value.partition("=")
    if kind == "jsonpath":
        if not spec:
            raise UsageError("template format specified but no template given")
        return OutputFormat.JSONPATH, jsonpath.parse(spec), ()
    if kind == "custom-columns":
        if not spec:
            raise UsageError("custom-columns format specified but no custom columns given")
        return OutputFormat.CUSTOM_COLUMNS, None, _columns(spec)
    shown = kind if eq else value
    raise UsageError(f'output format "{shown}" is not supported; use {", ".join(_OUTPUTS)}')


def _columns(spec: str) -> tuple[Column, ...]:
    """kubectl's ``HEADER:PATH,HEADER:PATH``."""
    columns = []
    for part in spec.split(","):
        header, colon, path = part.partition(":")
        if not colon or not header:
            raise UsageError(
                f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
            )
        columns.append(Column(header, jsonpath.parse(jsonpath.relaxed(path))))
    return tuple(columns)


def _field_selector(value: str) -> str:
    """``key=value,key!=value``: passed to the API server, which knows each type's fields."""
    if len(value) > 1024 or not value:
        raise UsageError("a field selector is key=value[,key!=value], at most 1024 characters")
    for term in value.split(","):
        key = term.replace("!=", "=").replace("==", "=").partition("=")[0]
        if "=" not in term or not key.strip():
            raise UsageError(
                f'invalid field selector "{term}": use key=value or key!=value, '
                "e.g. involvedObject.name=web"
            )
    return value


def _label_columns(value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    keys = tuple(key.strip() for key in value.split(",") if key.strip())
    if len(keys) > MAX_LABEL_COLUMNS:
        raise UsageError(f"-L takes at most {MAX_LABEL_COLUMNS} label keys")
    for key in keys:
        values.label_selector(key)
    return keys


SPEC: Final = VerbSpec(
    name="get",
    words=("get",),
    record=Get,
    flags=(
        NAMESPACE,
        ALL_NAMESPACES,
        SELECTOR,
        FIELD_SELECTOR,
        OUTPUT,
        SHOW_LABELS,
        LABEL_COLUMNS,
        SORT_BY,
        NO_HEADERS,
    ),
    build=build,
    usage="get TYPE[,TYPE...] [NAME...] | TYPE/NAME... [-n NAMESPACE | -A] [-l SELECTOR] "
    "[--field-selector F=V] [-o wide|yaml|json|name|jsonpath=T|custom-columns=H:P] "
    "[--show-labels] [-L KEY,...] [--sort-by=PATH] [--no-headers]",
    summary="list objects of any type, CRDs and categories (all) included",
    examples=(
        "get pods",
        "get all -n prod",
        "get deploy,svc -n prod -o wide",
        "get deploy/web -o yaml",
        "get pods -l app=web -A --show-labels",
        "get pods -o jsonpath={.items[*].metadata.name}",
        "get events --sort-by=.lastTimestamp --field-selector involvedObject.name=web",
    ),
    mutating=False,
)
