"""The phrases several replies share, worded once so that the bot says a thing one way.

A namespace, a typed command, a span of minutes and the "run it again" advice appear in result
headlines, prompts, announcements and errors; each is built here and nowhere else.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from bot.core.lexicon import CLUSTER_SCOPED

RUN_AGAIN: Final = "run the command again"
"""What to do when a confirmation can no longer be used."""
_ROWS_BOUND: Final = "showing the first {count} items; use -l or -n to narrow the query"


def rows_bound(count: int) -> str:
    """The note of a ``get`` that stopped at its row bound; replies state it at the top."""
    return _ROWS_BOUND.format(count=count)


def is_rows_bound(note: str) -> bool:
    """True for a note made by ``rows_bound``."""
    head, _, tail = _ROWS_BOUND.partition("{count}")
    count = note.removeprefix(head).removesuffix(tail)
    return len(note) > len(count) and count.isdigit()


def in_namespace(namespace: str | None, *, resource: str = "") -> str:
    """`` in namespace prod`` after a noun; empty without a namespace, or when ``resource`` is
    cluster-scoped (nodes, namespaces …)."""
    if not namespace or resource.lower().partition(".")[0] in CLUSTER_SCOPED:
        return ""
    return f" in namespace {namespace}"


def replicas(count: int) -> str:
    """``replica`` or ``replicas``."""
    return "replica" if count == 1 else "replicas"


def where(namespace: str | None) -> str:
    """``in namespace prod``; ``in the default namespace`` while it is not resolved yet."""
    return "in the default namespace" if namespace is None else f"in namespace {namespace}"


def typed(prefix: str, text: str) -> str:
    """The command as the user typed it: ``/k8s get pods -n prod``."""
    return f"{prefix} {text.strip()}".strip()


def minutes(span: timedelta) -> str:
    """``5 minutes``, ``0.5 minutes``: a confirmation's lifetime as the settings give it."""
    return f"{span.total_seconds() / 60:g} minutes"


def confirmation_unknown() -> str:
    """The token of a Confirm or Cancel button names nothing pending."""
    return (
        "This confirmation is no longer pending (already answered, or the bot restarted); "
        f"{RUN_AGAIN}."
    )


def confirmation_expired(span: timedelta) -> str:
    """The button was clicked after the confirmation's lifetime."""
    return f"This confirmation expired after {minutes(span)}; {RUN_AGAIN}."


def only_the_author(author: str) -> str:
    """Someone else clicked a prompt's button; ``author`` is how replies name its author."""
    return f"Only {author}, who ran this command, can confirm or cancel it."
