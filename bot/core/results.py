"""What executing a command produced, before any rendering: the gateway returns these.

They hold kubectl's output as data (a table's cells, a document's text, a change's one-line
summary) so that the console and Slack render the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Table:
    """A kubectl-style table: upper-case headers, one tuple of cells per row."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty_message: str = "No resources found."
    """kubectl's line when there are no rows, e.g. ``No resources found in prod namespace.``"""
    notes: tuple[str, ...] = ()
    """Lines kubectl would print on stderr (warnings, "Defaulted container ...")."""
    headers: bool = True
    """False for ``--no-headers``: the rows alone, laid out as with the headers."""


@dataclass(frozen=True, slots=True)
class Document:
    """Preformatted text: yaml/json output, describe, logs, rollout history, version."""

    text: str
    syntax: str = ""
    """``yaml``, ``json``, ``log`` or empty; a hint for the renderer and for file names."""
    notes: tuple[str, ...] = ()
    failed: bool = False
    """True when the text reports a failure kubectl would exit non-zero on (rollout status)."""


@dataclass(frozen=True, slots=True)
class Change:
    """A change made to the cluster, with kubectl's summary line."""

    summary: str
    """e.g. ``deployment.apps/web scaled``."""
    details: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    changed: bool = True
    """False when kubectl reports that nothing changed (``unchanged``, ``already cordoned``, a
    skipped rollback): nothing happened, so nothing is announced."""


Result = Table | Document | Change
