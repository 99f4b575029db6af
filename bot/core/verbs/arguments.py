"""Readers shared by the verbs' builders: extra words, ``-n``, ``-l``, typed types and targets.

Each verb's own rules live in its module beside; these are the words every typed verb reads the
same way, so that ``scale deploy web`` and ``rollout undo deploy/web`` agree on what a target is.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from bot.core import values
from bot.core.argv import Args
from bot.core.lexicon import KNOWN_TYPES, RESOURCE_WORDS, SINGULAR
from bot.errors import UsageError


def no_more(args: Args, count: int, what: str) -> None:
    """Refuse positionals beyond the first ``count``."""
    if len(args.positionals) > count:
        extra = " ".join(args.positionals[count:])
        raise UsageError(f'unexpected "{extra}": {what}')


def namespace(args: Args) -> str | None:
    value = args.flag("namespace")
    return None if value is None else values.namespace(value)


def selector(args: Args) -> str | None:
    value = args.flag("selector")
    return None if value is None else values.label_selector(value)


def resource(word: str, allowed: Sequence[str], verb: str) -> str:
    """Map a typed built-in type to its canonical plural, if ``verb`` supports it."""
    canonical = RESOURCE_WORDS.get(word.lower())
    if canonical is not None and canonical in allowed:
        return canonical
    names = ", ".join(allowed)
    raise UsageError(f'{verb} works on {names} only, not "{word}"', hint=type_hint(word, allowed))


def type_hint(word: str, allowed: Sequence[str]) -> str | None:
    """Suggest a supported type for a typo (``pdo`` -> ``pod``), never for another real type."""
    if word.lower() in RESOURCE_WORDS or word.lower() in KNOWN_TYPES:
        return None  # a real type the verb does not take: "secret" is no typo of "service"
    spellings = [w for w, canonical in RESOURCE_WORDS.items() if canonical in allowed]
    close = difflib.get_close_matches(word.lower(), spellings, n=1, cutoff=0.6)
    return f'did you mean "{SINGULAR[RESOURCE_WORDS[close[0]]]}"?' if close else None


def target(args: Args, verb: str, allowed: Sequence[str]) -> tuple[str, str, int]:
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
    canonical = resource(word, allowed, verb)
    return canonical, values.object_name(name, what=SINGULAR[canonical]), used
