"""``VerbSpec``: everything the bot knows about one verb, declared once in the verb's module.

The grammar, ``help``, the policy, the confirmation prompt and the channel announcement all look
the verb up in ``bot.core.verbs.registry`` instead of keeping tables of their own, so a new verb
is one module (plus its gateway handler) and one line in each registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.core.argv import Args
from bot.core.command import Command
from bot.core.lexicon import Flag

C = TypeVar("C", bound=Command)


@dataclass(frozen=True, slots=True)
class VerbSpec(Generic[C]):
    """One verb: how it is typed, what it builds, how it is explained, who may run it."""

    name: str
    """The verb's name in the policy and the audit trail: ``scale``, ``set-image``,
    ``rollout-undo``; the record's ``verb`` returns it."""
    words: tuple[str, ...]
    """How it is typed: ``("scale",)``, ``("set", "image")``, ``("rollout", "undo")``."""
    record: type[C]
    """The command record it builds."""
    flags: tuple[Flag, ...]
    """The flags it accepts (``--help`` is accepted everywhere without being listed)."""
    build: Callable[[Args], C]
    """Positionals (after ``words``) and flags in, a validated command out, or ``UsageError``."""
    usage: str
    """One line, without the leading ``/k8s``; it names every flag of ``flags``."""
    summary: str
    """What it does, in a few words, for ``help``."""
    examples: tuple[str, ...]
    """Lines that parse to ``record``; ``help VERB`` shows them."""
    mutating: bool
    """True when running it changes the cluster (admins only, announced in the channel)."""
    action: Callable[[C], str] | None = None
    """What a mutating command does, as a verb phrase for a denial: "scale deployments"."""
    announce: Callable[[C], str] | None = None
    """A mutating command's announcement after the author's name: "scaled deployment/web in
    prod to 4 replicas"."""
    confirm: Callable[[C], str | None] | None = None
    """The question to ask before a damaging command runs, or None when this one needs none."""
    names: str = "object"
    """What a bare name in its line stands for (``pod`` for ``logs``), so that a shell variable
    there is answered with "type the pod's name"."""
    on_cluster: bool = True
    """False for ``help``, which the bot answers itself: it has no gateway handler."""

    @property
    def command(self) -> str:
        """The words as typed: ``rollout undo``."""
        return " ".join(self.words)
