"""The command grammar: chat text in, one frozen ``Command`` out, or a ``UsageError`` that says
what was wrong, the verb's usage line, and a "did you mean" when one is close.

``parse`` is pure: it takes only text (no gateway, no settings), so nothing typed into chat can
reach the cluster before it has been turned into a validated record. Types for ``get`` stay as
typed (the gateway resolves them through discovery, CRDs included). Finding the verb, refusing
what the bot never does and undoing Slack's formatting happen here; each verb's own rules live in
``bot.core.verbs``.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Sequence
from typing import Final

from bot.core.argv import check_identity, check_shell, find_verb, normalise, split_flags, words
from bot.core.command import Command
from bot.core.lexicon import (
    REFUSED_VERBS,
    RESOURCE_WORDS,
    SINGULAR,
    SUPPORTED_VERBS,
    VERB_FLAGS,
)
from bot.core.usage import USAGE
from bot.core.verbs.help import Help
from bot.core.verbs.registry import BUILDERS
from bot.errors import UsageError

MAX_COMMAND_BYTES: Final = 4096
"""Longest command text accepted, in UTF-8 bytes: a real command is a line, and refusing a flood
before any parsing keeps every later step's cost bounded."""
_PREFIXES: Final = frozenset({"kubectl", "/k8s", "k8s", "/kubectl", "k"})
_VALUE_FLAGS_BEFORE_VERB: Final = frozenset(
    {"-n", "--namespace", "-l", "--selector", "-o", "--output", "-c", "--container"}
)


def parse(text: str) -> Command:
    """Turn one line of chat into a command; raise ``UsageError`` for anything else.

    Empty text (a bare ``/k8s``) asks for help.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_COMMAND_BYTES:
        raise UsageError(
            f"the command is {size:,} bytes long, more than the {MAX_COMMAND_BYTES:,} a command "
            "may have; name the objects or use -l SELECTOR instead of listing them"
        )
    tokens = words(normalise(text))
    if len(tokens) == 1 and any(char.isspace() for char in tokens[0]):
        tokens = words(tokens[0])  # the whole command was quoted
    while tokens and tokens[0].lower() in _PREFIXES:
        tokens = tokens[1:]
    if not tokens:
        return Help()
    check_identity(tokens)
    index = find_verb(tokens, _VALUE_FLAGS_BEFORE_VERB)
    if index is None:
        if "--help" in tokens or "-h" in tokens:
            return Help()
        raise UsageError("no command given", hint='try "help" for the list of commands')
    verb = tokens[index].lower()
    rest = [*tokens[:index], *tokens[index + 1 :]]
    if verb in REFUSED_VERBS:
        raise UsageError(REFUSED_VERBS[verb])
    builder = BUILDERS.get(verb)
    if builder is None:
        raise _unknown_verb(tokens[index], rest)
    try:
        check_shell(rest, thing=_probable_type(verb, rest))
        args = split_flags(verb, rest, VERB_FLAGS[verb])
        if args.enabled("help"):
            return Help(verb)
        return builder(args)
    except UsageError as error:
        if error.usage is None:
            error.usage = USAGE[verb]
        raise


def _probable_type(verb: str, rest: Sequence[str]) -> str:
    """The type a shell variable in the line most likely named, for the error message."""
    if verb == "logs":
        return "pod"
    for word in rest:
        canonical = RESOURCE_WORDS.get(word.partition("/")[0].lower())
        if canonical is not None:
            return SINGULAR[canonical]
    return "pod" if verb in {"describe", "delete"} else "object"


def _unknown_verb(word: str, rest: Sequence[str]) -> UsageError:
    tail = f" {shlex.join(rest)}" if rest else ""
    if word.lower() in RESOURCE_WORDS:
        return UsageError(f'unknown command "{word}"', hint=f'did you mean "get {word}{tail}"?')
    close = difflib.get_close_matches(word.lower(), SUPPORTED_VERBS, n=1, cutoff=0.6)
    hint = f'did you mean "{close[0]}{tail}"?' if close else 'try "help" for the list of commands'
    return UsageError(f'unknown command "{word}"', hint=hint)
