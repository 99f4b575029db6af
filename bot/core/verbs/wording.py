"""Phrases the verbs' prompts and announcements share, so that they name places alike."""

from __future__ import annotations


def in_namespace(namespace: str | None) -> str:
    """`` in prod`` for announcements; nothing when the namespace is unknown."""
    return f" in {namespace}" if namespace else ""


def where(namespace: str | None) -> str:
    """``in namespace prod`` for prompts; ``in the default namespace`` before it is resolved."""
    return "in the default namespace" if namespace is None else f"in namespace {namespace}"


def replicas(count: int) -> str:
    """``replica`` or ``replicas``."""
    return "replica" if count == 1 else "replicas"
