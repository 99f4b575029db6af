"""Usage lines and help texts, read from the verbs' specs: what a user sees after a mistake, and
what ``help`` prints.

Usage errors carry the verb's one-line usage so that the reply can show the right form next to
the mistake; ``help_text`` builds the longer ``help [VERB]`` answers from the same specs.
"""

from __future__ import annotations

import difflib
from typing import Any

from bot.core.lexicon import REFUSED_VERBS
from bot.core.verbs import registry
from bot.core.verbs.spec import VerbSpec
from bot.errors import UsageError


def usage(topic: str) -> str | None:
    """The usage of a command (``scale``, ``rollout undo``) or of a verb with sub-commands
    (``rollout``: its sub-commands in one line); None for other words."""
    spec = _spec(topic)
    if spec is not None:
        return spec.usage
    specs = registry.family(topic)
    if not specs:
        return None
    if len(specs) == 1:
        return specs[0].usage
    subs = "|".join(spec.words[1] for spec in specs)
    return f"{topic} {subs} ... (see help {topic})"


def help_topic(typed: str) -> str:
    """The topic ``help`` answers for the words typed after it, or ``UsageError``.

    ``help rollout undo`` names a sub-command; other verbs take one word.
    """
    words = typed.split()
    first = words[0]
    if first not in registry.ALL_WORDS:
        close = difflib.get_close_matches(first, registry.WORDS, n=1, cutoff=0.6)
        hint = f'did you mean "help {close[0]}"?' if close else None
        raise UsageError(f'no help for "{first}": not a command', hint=hint)
    specs = registry.family(first)
    if len(words) > 1 and any(len(spec.words) > 1 for spec in specs):
        return " ".join(words[:2]) if _spec(" ".join(words[:2])) else first
    if len(words) > 1:
        raise UsageError(f'unexpected "{" ".join(words[1:])}": help takes one verb')
    return first


def help_text(topic: str | None = None) -> str:
    """The text of ``help`` (an overview) or ``help VERB`` (usage, summary and examples).

    A refused verb's help explains the refusal, so that ``help exec`` answers the question the
    user actually has.
    """
    if topic is None:
        width = max(len(spec.command) for spec in registry.SPECS)
        lines = ["Commands (type them as you would after kubectl):"]
        lines += [f"  {spec.command.ljust(width)}   {spec.summary}" for spec in registry.SPECS]
        lines.append("")
        lines.append('Type "help VERB" for a verb\'s flags and examples.')
        return "\n".join(lines)
    if topic in REFUSED_VERBS:
        return REFUSED_VERBS[topic][0].upper() + REFUSED_VERBS[topic][1:] + "."
    spec = _spec(topic)
    specs = (spec,) if spec is not None else registry.family(topic)
    return "\n\n".join(_one(spec) for spec in specs)


def _one(spec: VerbSpec[Any]) -> str:
    lines = [
        f"Usage: {spec.usage}",
        "",
        spec.summary[:1].upper() + spec.summary[1:] + ".",
        "",
        "Examples:",
    ]
    lines += [f"  {example}" for example in spec.examples]
    return "\n".join(lines)


def _spec(command: str) -> VerbSpec[Any] | None:
    """The spec typed exactly as ``command`` (``scale``, ``rollout undo``)."""
    words = tuple(command.split())
    return next((spec for spec in registry.SPECS if spec.words == words), None)
