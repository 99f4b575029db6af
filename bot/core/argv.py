"""From chat text to words and flags: Slack's formatting undone, shell quoting, pflag-style flags.

Slack does not send what the user typed: it turns quotes into typographic ones, ``--`` into a
dash, escapes ``&``, ``<`` and ``>``, and wraps anything that looks like a link or an address in
``<url|label>``. ``normalise`` undoes that; ``words`` splits like a POSIX shell (so ``"$POD_NAME"``
and ``'a b'`` behave as in a terminal) and ``split_flags`` reads flags the way kubectl's pflag does
(``--flag=value``, ``--flag value``, ``-n prod``, ``-nprod``, ``-n=prod``, bundled booleans).
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from bot.core.lexicon import IDENTITY_FLAGS, IDENTITY_REASON, UNSUPPORTED_FLAGS, Flag
from bot.errors import UsageError

_SLACK_ENTITY: Final = re.compile(r"<([^<>\s]*)>")
_QUOTES: Final = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
_DASHES: Final = re.compile(r"(?<!\S)[\u2014\u2013\u2212]+(?=([^\s=]*))")
_VARIABLE: Final = re.compile(r"\$[A-Za-z_{(]|`")
_SHELL_OPERATORS: Final = frozenset({"|", "||", "&&", "&", ";", ">", ">>", "<", "<<", "2>&1"})
_NEGATIVE_NUMBER: Final = re.compile(r"-[0-9]")
_BOOLEANS: Final = MappingProxyType(
    {
        "true": "true",
        "t": "true",
        "1": "true",
        "false": "false",
        "f": "false",
        "0": "false",
    }
)


def normalise(text: str) -> str:
    """Undo Slack's formatting: links and addresses, HTML escapes, smart quotes and dashes."""
    text = _SLACK_ENTITY.sub(_entity_text, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = text.translate(_QUOTES)
    text = text.replace("\\\r\n", " ").replace("\\\n", " ")  # shell line continuations
    return _DASHES.sub(_dash, text)


def _dash(match: re.Match[str]) -> str:
    """A typographic dash before a flag: an em dash and ``replicas`` give ``--replicas``, an
    en dash and ``n`` give ``-n`` (phones and macOS replace ``--`` and ``-`` as you type)."""
    return "-" if len(match[1]) == 1 else "--"


def _entity_text(match: re.Match[str]) -> str:
    """``<http://x|x>`` -> ``x``; ``<mailto:a@b>`` -> ``a@b``; ``<http://x>`` -> ``http://x``."""
    inner = match[1]
    target, bar, label = inner.partition("|")
    if bar:
        return label
    return target.removeprefix("mailto:")


def words(text: str) -> list[str]:
    """Split normalised text like a POSIX shell; quotes group, backslashes escape."""
    try:
        return shlex.split(text, posix=True)
    except ValueError as error:
        raise UsageError(
            "unbalanced quotes: a quote (\" or ') is opened but not closed",
            hint="quote a value as a whole, e.g. -l 'env in (prod,dev)'",
        ) from error


def check_shell(tokens: Iterable[str], *, thing: str = "object") -> None:
    """Refuse shell syntax: there is no shell here, and silently passing it on would mislead.

    ``thing`` names what the variable probably stood for (``pod``), for the message.
    """
    for token in tokens:
        if _VARIABLE.search(token):
            raise UsageError(
                f"{token} is a shell variable or command, and the bot does not expand those: "
                f"type the {thing}'s name instead (find it with get {thing}s)"
            )
        if token in _SHELL_OPERATORS or token.startswith(("|", ">", "2>")):
            raise UsageError(
                f'"{token}": pipes, redirections and command lists are not available in chat'
            )


def check_identity(tokens: Iterable[str]) -> None:
    """Refuse kubectl's identity and cluster flags wherever they appear."""
    for token in tokens:
        if token == "--":
            return
        name = token.partition("=")[0]
        if name in IDENTITY_FLAGS:
            raise UsageError(f"{name} is not available: {IDENTITY_REASON}")


def find_verb(tokens: Sequence[str], value_flags: frozenset[str]) -> int | None:
    """Index of the verb: the first word that is neither a flag nor a flag's value.

    kubectl accepts flags before the verb (``kubectl -n prod get pods``), so the verb is not
    always the first word.
    """
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == "--":
            return index + 1 if index + 1 < len(tokens) else None
        if not token.startswith("-") or token == "-":
            return index
        index += 2 if token in value_flags else 1
    return None


@dataclass(frozen=True, slots=True)
class Args:
    """A verb's words after flags were taken out."""

    positionals: tuple[str, ...]
    flags: Mapping[str, str] = field(default_factory=dict)
    """Long flag name -> value as typed; booleans hold ``"true"`` or ``"false"``."""

    def flag(self, name: str) -> str | None:
        """The value given for a flag, or None when it was not given."""
        return self.flags.get(name)

    def enabled(self, name: str) -> bool:
        """True when a boolean flag was given (and not as ``=false``)."""
        return self.flags.get(name) == "true"


def split_flags(verb: str, tokens: Sequence[str], allowed: Sequence[Flag]) -> Args:
    """Separate positionals from the flags the verb accepts, reading flags like pflag."""
    reader = _FlagReader(verb, allowed)
    positionals: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        following = tokens[index] if index < len(tokens) else None
        if token == "--":
            positionals.extend(tokens[index:])
            break
        if token.startswith("--") and len(token) > 2:
            index += reader.long(token, following)
        elif token.startswith("-") and len(token) > 1 and not _NEGATIVE_NUMBER.match(token):
            index += reader.short(token, following)
        else:
            positionals.append(token)
    return Args(tuple(positionals), MappingProxyType(dict(reader.values)))


class _FlagReader:
    """Reads one flag token at a time; returns how many following tokens it consumed."""

    def __init__(self, verb: str, allowed: Sequence[Flag]) -> None:
        self.verb = verb
        self.allowed = tuple(allowed)
        self.by_long = {flag.name: flag for flag in allowed}
        self.by_short = {flag.short: flag for flag in allowed if flag.short}
        self.values: dict[str, str] = {}

    def long(self, token: str, following: str | None) -> int:
        name, eq, value = token[2:].partition("=")
        flag = self.by_long.get(name)
        if flag is None:
            raise self.unknown(f"--{name}")
        if not flag.takes_value:
            self.store(flag, self.boolean(flag, value) if eq else "true")
            return 0
        if eq:
            self.store(flag, value)
            return 0
        self.store(flag, self.required(flag, following))
        return 1

    def short(self, token: str, following: str | None) -> int:
        word = token[1:].partition("=")[0]
        if len(word) > 1 and word in self.by_long:
            raise UsageError(
                f'unknown flag "{token}" for {self.verb}', hint=f'did you mean "-{token}"?'
            )
        position = 1
        while position < len(token):
            letter = token[position]
            flag = self.by_short.get(letter)
            if flag is None:
                raise self.unknown(f"-{letter}", token=token)
            position += 1
            rest = token[position:]
            if flag.takes_value:
                rest = rest.removeprefix("=")
                if rest:
                    self.store(flag, rest)
                    return 0
                self.store(flag, self.required(flag, following))
                return 1
            if rest.startswith("="):
                self.store(flag, self.boolean(flag, rest[1:]))
                return 0
            self.store(flag, "true")
        return 0

    def required(self, flag: Flag, following: str | None) -> str:
        if following is None:
            raise UsageError(f"{flag.spelling} needs a value")
        return following

    def boolean(self, flag: Flag, value: str) -> str:
        try:
            return _BOOLEANS[value.lower()]
        except KeyError:
            raise UsageError(f'{flag.spelling} takes true or false, not "{value}"') from None

    def store(self, flag: Flag, value: str) -> None:
        previous = self.values.get(flag.name)
        if previous is not None and previous != value:
            raise UsageError(f"{flag.spelling} is given twice with different values")
        self.values[flag.name] = value

    def unknown(self, spelling: str, *, token: str | None = None) -> UsageError:
        """The error for a flag the verb does not take, with the reason or a suggestion."""
        shown = (token or spelling).partition("=")[0]
        if self.verb == "logs" and spelling == "-f":
            spelling = "--follow"  # -f is --follow for logs, --filename elsewhere
        reason = UNSUPPORTED_FLAGS.get(spelling) or UNSUPPORTED_FLAGS.get(shown)
        if reason:
            return UsageError(f"{shown} is not available for {self.verb}: {reason}")
        spellings = [f"--{flag.name}" for flag in self.allowed]
        spellings += [f"-{flag.short}" for flag in self.allowed if flag.short]
        close = difflib.get_close_matches(shown, spellings, n=1, cutoff=0.6)
        hint = f'did you mean "{close[0]}"?' if close else None
        return UsageError(f'unknown flag "{shown}" for {self.verb}', hint=hint)
