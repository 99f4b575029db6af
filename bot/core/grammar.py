"""The command grammar: chat text in, one frozen ``Command`` out, or a ``UsageError`` that says
what was wrong, the verb's usage line, and a "did you mean" when one is close.

``parse`` is pure: it takes only text (no gateway, no settings), so nothing typed into chat can
reach the cluster before it has been turned into a validated record. Types for ``get`` stay as
typed (the gateway resolves them through discovery, CRDs included). Finding the verb, refusing
what the bot never does and undoing Slack's formatting happen here; each verb's own rules live in
its module of ``bot.core.verbs``, found through the registry.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.core.argv import (
    Args,
    check_identity,
    check_shell,
    find_verb,
    normalise,
    split_flags,
    words,
)
from bot.core.command import Command
from bot.core.lexicon import HELP, REFUSED_VERBS, RESOURCE_WORDS, SINGULAR, Flag
from bot.core.usage import help_topic, usage
from bot.core.verbs import registry
from bot.core.verbs.help import Help
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError

MAX_COMMAND_BYTES: Final = 4096
"""Longest command text accepted, in UTF-8 bytes: a real command is a line, and refusing a flood
before any parsing keeps every later step's cost bounded."""
_PREFIXES: Final = frozenset({"kubectl", "/k8s", "k8s", "/kubectl", "k"})
_VALUE_FLAGS_BEFORE_VERB: Final = frozenset(
    {"-n", "--namespace", "-l", "--selector", "-o", "--output", "-c", "--container"}
)


def too_long(size: int) -> UsageError:
    """The refusal of a command text of ``size`` bytes, over ``MAX_COMMAND_BYTES``."""
    return UsageError(
        f"the command is {size:,} bytes long, more than the {MAX_COMMAND_BYTES:,} a command "
        "may have; name the objects or use -l SELECTOR instead of listing them"
    )


def parse(text: str) -> Command:
    """Turn one line of chat into a command; raise ``UsageError`` for anything else.

    Empty text (a bare ``/k8s``) asks for help.
    """
    found = outline(text)
    return found if isinstance(found, Help) else found.build()


@dataclass(frozen=True, slots=True)
class Outline:
    """A line split into its verb and its words and flags, before the verb's builder has
    validated any value: what the service authorizes before paying for validation."""

    spec: VerbSpec[Any]
    args: Args

    def build(self) -> Command:
        """The validated command (``parse``'s second half); ``UsageError`` otherwise."""
        try:
            command: Command = self.spec.build(self.args)
        except UsageError as error:
            if error.usage is None:
                error.usage = usage(self.spec.command)
            raise
        if isinstance(command, Help) and command.topic is not None:
            return Help(help_topic(command.topic))
        return command


def outline(text: str) -> Outline | Help:
    """The verb and the split arguments of ``text`` (or the help it asks for), in time linear
    in its length and without validating values; ``UsageError`` as ``parse`` raises it."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_COMMAND_BYTES:
        raise too_long(size)
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
    specs = registry.family(verb)
    if not specs:
        raise _unknown_verb(tokens[index], rest)
    topic = verb
    try:
        check_shell(rest, thing=_probable_type(specs[0], rest))
        spec, args = _read(verb, specs, rest)
        if spec is None:  # "rollout --help": the verb's sub-commands
            return Help(verb)
        topic = spec.command
        if args.enabled("help"):
            return Help(topic)
    except UsageError as error:
        if error.usage is None:
            error.usage = usage(topic)
        raise
    return Outline(spec, args)


def _read(
    verb: str, specs: Sequence[VerbSpec[Any]], rest: Sequence[str]
) -> tuple[VerbSpec[Any] | None, Args]:
    """The spec typed and its arguments; a verb with sub-commands (``rollout``, ``set``) reads
    the flags of all of them, then the sub-command's name, then refuses the others' flags.

    The spec is None only for a verb with sub-commands asked for ``--help`` without one.
    """
    if len(specs) == 1 and len(specs[0].words) == 1:
        return specs[0], split_flags(verb, rest, (*specs[0].flags, HELP))
    every: dict[str, Flag] = {flag.name: flag for spec in specs for flag in spec.flags}
    args = split_flags(verb, rest, (*every.values(), HELP))
    if not args.positionals:
        if args.enabled("help"):
            return None, args
        subs = [spec.words[1] for spec in specs]
        raise UsageError(f"{verb} needs a sub-command: {_either(subs)}")
    sub = args.positionals[0].lower()
    spec = next((s for s in specs if s.words[1] == sub), None)
    if spec is None:
        choices = [spec.command for spec in specs]
        close = difflib.get_close_matches(f"{verb} {sub}", choices, n=1, cutoff=0.6)
        hint = f'did you mean "{close[0]}"?' if close else None
        only = ", ".join(f'"{choice}"' for choice in choices)
        verb_form = "is" if len(choices) == 1 else "are"
        raise UsageError(f"{verb} {sub} is not available; only {only} {verb_form}", hint=hint)
    for name in args.flags:
        if name != HELP.name and all(flag.name != name for flag in spec.flags):
            owners = " or ".join(s.command for s in specs if any(f.name == name for f in s.flags))
            raise UsageError(f"--{name} is only for {owners}", usage=spec.usage)
    return spec, Args(args.positionals[1:], args.flags)


def _either(words: Sequence[str]) -> str:
    """``status, history or undo``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _probable_type(spec: VerbSpec[Any], rest: Sequence[str]) -> str:
    """The type a shell variable in the line most likely named, for the error message."""
    for word in rest:
        canonical = RESOURCE_WORDS.get(word.partition("/")[0].lower())
        if canonical is not None:
            return SINGULAR[canonical]
    return spec.names


def _unknown_verb(word: str, rest: Sequence[str]) -> UsageError:
    tail = f" {shlex.join(rest)}" if rest else ""
    if word.lower() in RESOURCE_WORDS:
        return UsageError(f'unknown command "{word}"', hint=f'did you mean "get {word}{tail}"?')
    close = difflib.get_close_matches(word.lower(), registry.WORDS, n=1, cutoff=0.6)
    hint = f'did you mean "{close[0]}{tail}"?' if close else 'try "help" for the list of commands'
    return UsageError(f'unknown command "{word}"', hint=hint)
