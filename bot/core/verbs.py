"""The builders of the supported verbs: a verb's positionals and flags in, one validated
``Command`` out, or a ``UsageError`` saying what is wrong.

Split from ``grammar`` (which finds the verb and reads the words) so that each verb's rules
read on their own; the typed verbs accept only the built-in types they are written for, while
``get`` keeps any type as typed for the gateway's discovery.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import Final

from bot.core import values
from bot.core.argv import Args
from bot.core.command import (
    Command,
    Delete,
    Describe,
    Get,
    Help,
    Logs,
    OutputFormat,
    Rollout,
    RolloutAction,
    Scale,
    SetImage,
    Version,
)
from bot.core.lexicon import (
    ALL_VERBS,
    DEPLOYMENTS,
    NODES,
    PODS,
    RESOURCE_WORDS,
    SERVICES,
    SINGULAR,
    SUPPORTED_VERBS,
)
from bot.errors import UsageError

_OUTPUTS: Final = tuple(fmt.value for fmt in OutputFormat if fmt is not OutputFormat.TABLE)


def _no_more(args: Args, count: int, what: str) -> None:
    """Refuse positionals beyond the first ``count``."""
    if len(args.positionals) > count:
        extra = " ".join(args.positionals[count:])
        raise UsageError(f'unexpected "{extra}": {what}')


def _namespace(args: Args) -> str | None:
    value = args.flag("namespace")
    return None if value is None else values.namespace(value)


def _selector(args: Args) -> str | None:
    value = args.flag("selector")
    return None if value is None else values.label_selector(value)


def _resource(word: str, allowed: Sequence[str], verb: str) -> str:
    """Map a typed built-in type to its canonical plural, if ``verb`` supports it."""
    canonical = RESOURCE_WORDS.get(word.lower())
    if canonical is not None and canonical in allowed:
        return canonical
    names = ", ".join(allowed)
    raise UsageError(f'{verb} works on {names} only, not "{word}"', hint=_type_hint(word, allowed))


def _type_hint(word: str, allowed: Sequence[str]) -> str | None:
    """Suggest a supported type for a typo (``pdo`` -> ``pod``), never for another real type."""
    if word.lower() in RESOURCE_WORDS:
        return None
    spellings = [w for w, canonical in RESOURCE_WORDS.items() if canonical in allowed]
    close = difflib.get_close_matches(word.lower(), spellings, n=1, cutoff=0.6)
    return f'did you mean "{SINGULAR[RESOURCE_WORDS[close[0]]]}"?' if close else None


def _target(args: Args, verb: str, allowed: Sequence[str]) -> tuple[str, str, int]:
    """Read ``TYPE/NAME`` or ``TYPE NAME``; return (canonical type, name, positionals used)."""
    if not args.positionals:
        raise UsageError(f"{verb} needs {SINGULAR[allowed[0]]}/NAME")
    first = args.positionals[0]
    if "/" in first:
        word, _, name = first.partition("/")
        used = 1
    elif len(args.positionals) > 1 and "=" not in args.positionals[1]:
        word, name, used = first, args.positionals[1], 2
    else:
        raise UsageError(f"{verb} needs {SINGULAR[allowed[0]]}/NAME, not just {first!r}")
    resource = _resource(word, allowed, verb)
    return resource, values.object_name(name, what=SINGULAR[resource]), used


def _version(args: Args) -> Command:
    _no_more(args, 0, "version takes no arguments")
    return Version()


def _help(args: Args) -> Command:
    if not args.positionals:
        return Help()
    topic = args.positionals[0].lower()
    if topic not in ALL_VERBS:
        close = difflib.get_close_matches(topic, SUPPORTED_VERBS, n=1, cutoff=0.6)
        hint = f'did you mean "help {close[0]}"?' if close else None
        raise UsageError(f'no help for "{args.positionals[0]}": not a command', hint=hint)
    if topic not in {"set", "rollout"}:  # "help rollout undo" names a sub-command
        _no_more(args, 1, "help takes one verb")
    return Help(topic)


def _get(args: Args) -> Command:
    if not args.positionals:
        raise UsageError("get needs a resource type, e.g. get pods", hint='try "get pods"')
    first = args.positionals[0]
    if "/" in first:
        word, _, name_text = first.partition("/")
        _no_more(args, 1, "get one TYPE/NAME at a time")
        name: str | None = values.any_name(name_text)
    else:
        word = first
        _no_more(args, 2, "get one name at a time")
        name = values.any_name(args.positionals[1]) if len(args.positionals) > 1 else None
    resource = values.type_word(word)
    namespace = _namespace(args)
    everywhere = args.enabled("all-namespaces")
    selector = _selector(args)
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


def _describe(args: Args) -> Command:
    allowed = (PODS, DEPLOYMENTS, SERVICES, NODES)
    if not args.positionals:
        raise UsageError("describe needs a type: pod, deployment, service or node")
    first = args.positionals[0]
    if "/" in first:
        word, _, name_text = first.partition("/")
        _no_more(args, 1, "describe one TYPE/NAME at a time")
    else:
        word = first
        _no_more(args, 2, "describe one name at a time")
        name_text = args.positionals[1] if len(args.positionals) > 1 else ""
    resource = _resource(word, allowed, "describe")
    name = (
        values.object_name(name_text, what=SINGULAR[resource])
        if name_text or "/" in first
        else None
    )
    selector = _selector(args)
    if name is not None and selector is not None:
        raise UsageError("a name cannot be given together with a selector")
    namespace = None if resource == NODES else _namespace(args)
    return Describe(resource=resource, name=name, namespace=namespace, selector=selector)


def _logs(args: Args) -> Command:
    selector = _selector(args)
    name: str | None = None
    kind = "pod"
    positional_container: str | None = None
    if selector is not None:
        if args.positionals:
            raise UsageError("give either a pod name or -l SELECTOR, not both")
    elif not args.positionals:
        raise UsageError("logs needs a pod name, deployment/NAME or -l SELECTOR")
    else:
        _no_more(args, 2, "logs takes a pod and at most one container")
        first = args.positionals[0]
        if "/" in first:
            word, _, name_text = first.partition("/")
            kind = SINGULAR[_resource(word, (PODS, DEPLOYMENTS), "logs")]
        else:
            name_text = first
        name = values.object_name(name_text, what=kind)
        if len(args.positionals) > 1:
            positional_container = args.positionals[1]
    container = args.flag("container")
    if positional_container is not None and container not in (None, positional_container):
        raise UsageError("give the container either as an argument or with -c, not both")
    container = container if container is not None else positional_container
    tail, since = args.flag("tail"), args.flag("since")
    return Logs(
        name=name,
        kind=kind,
        namespace=_namespace(args),
        container=None if container is None else values.container_name(container),
        tail=None if tail is None else values.whole_number(tail, flag="--tail"),
        since_seconds=None if since is None else values.duration_seconds(since, flag="--since"),
        previous=args.enabled("previous"),
        timestamps=args.enabled("timestamps"),
        selector=selector,
    )


def _scale(args: Args) -> Command:
    _, name, used = _target(args, "scale", (DEPLOYMENTS,))
    _no_more(args, used, "scale one deployment at a time")
    replicas = args.flag("replicas")
    if replicas is None:
        raise UsageError(
            "scale needs --replicas=N", hint=f'try "scale deployment/{name} --replicas=2"'
        )
    current = args.flag("current-replicas")
    return Scale(
        name=name,
        replicas=values.whole_number(replicas, flag="--replicas"),
        namespace=_namespace(args),
        current_replicas=None
        if current is None
        else values.whole_number(current, flag="--current-replicas"),
    )


def _set(args: Args) -> Command:
    if not args.positionals:
        raise UsageError("set needs a sub-command: set image deployment/NAME CONTAINER=IMAGE")
    sub = args.positionals[0]
    if sub != "image":
        raise UsageError(f'set {sub} is not available; only "set image" is')
    target = Args(args.positionals[1:], args.flags)
    _, name, used = _target(target, "set image", (DEPLOYMENTS,))
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
    return SetImage(name=name, images=tuple(images), namespace=_namespace(args))


def _rollout(args: Args) -> Command:
    if not args.positionals:
        raise UsageError("rollout needs an action: status, history, undo or restart")
    word = args.positionals[0].lower()
    if word in {"pause", "resume"}:
        raise UsageError(f"rollout {word} is not available; use rollout undo or rollout restart")
    try:
        action = RolloutAction(word)
    except ValueError:
        close = difflib.get_close_matches(word, [a.value for a in RolloutAction], n=1, cutoff=0.6)
        hint = f'did you mean "rollout {close[0]}"?' if close else None
        raise UsageError(f'unknown rollout action "{word}"', hint=hint) from None
    target = Args(args.positionals[1:], args.flags)
    _, name, used = _target(target, f"rollout {word}", (DEPLOYMENTS,))
    _no_more(target, used, "rollout one deployment at a time")
    revision = _revision(args, action)
    return Rollout(action=action, name=name, namespace=_namespace(args), to_revision=revision)


def _revision(args: Args, action: RolloutAction) -> int | None:
    """``--to-revision`` (undo) or ``--revision`` (history); 0 means kubectl's default."""
    to_revision, revision = args.flag("to-revision"), args.flag("revision")
    if to_revision is not None and action is not RolloutAction.UNDO:
        raise UsageError("--to-revision is only for rollout undo")
    if revision is not None and action is not RolloutAction.HISTORY:
        raise UsageError("--revision is only for rollout history")
    value = to_revision if to_revision is not None else revision
    if value is None:
        return None
    number = values.whole_number(value, flag="--to-revision" if to_revision else "--revision")
    return number or None


def _delete(args: Args) -> Command:
    if not args.positionals:
        raise UsageError("delete needs a type and a name: delete pod NAME")
    targets = [p.partition("/")[0] for p in args.positionals if "/" in p] or [args.positionals[0]]
    for word in targets:
        if RESOURCE_WORDS.get(word.lower()) not in (PODS, SERVICES):
            hint = _type_hint(word, (PODS, SERVICES))
            if hint:
                raise UsageError(f'delete works on pods, services only, not "{word}"', hint=hint)
            raise UsageError(
                f'delete is limited to pods and services, not "{word}": '
                "remove other objects from your manifests and CI, or scale a deployment to 0"
            )
    selector = _selector(args)
    first = args.positionals[0]
    if "/" in first:
        word, _, name_text = first.partition("/")
        names: Sequence[str] = [name_text]
        _no_more(args, 1, "delete one object at a time")
    else:
        word = first
        names = args.positionals[1:]
        if len(names) > 1:
            raise UsageError(f'unexpected "{" ".join(names[1:])}": delete one object at a time')
    resource = _resource(word, (PODS, SERVICES), "delete")
    what = SINGULAR[resource]
    if names and selector is not None:
        raise UsageError("give either a name or -l SELECTOR, not both")
    if selector is not None and resource == PODS:
        raise UsageError("delete pods one at a time, by name; -l is accepted for services only")
    if not names and selector is None:
        raise UsageError(f"delete needs a {what} name or -l SELECTOR")
    name = values.object_name(names[0], what=what) if names else None
    return Delete(resource=resource, name=name, selector=selector, namespace=_namespace(args))


BUILDERS: Final[MappingProxyType[str, Callable[[Args], Command]]] = MappingProxyType(
    {
        "version": _version,
        "help": _help,
        "get": _get,
        "describe": _describe,
        "logs": _logs,
        "scale": _scale,
        "set": _set,
        "rollout": _rollout,
        "delete": _delete,
    }
)
"""One builder per supported verb: positionals and flags in, a validated command out."""
