"""Which channel a Deployment's rollout messages go to: its annotation, else the first route."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

CHANNEL_ANNOTATION: Final = "k8s-chatops.io/channel"
"""A Deployment annotation naming the channel id its notifications go to (beats the routes)."""
NOTIFY_ANNOTATION: Final = "k8s-chatops.io/notify"
"""``"false"`` on a Deployment silences its notifications."""


@dataclass(frozen=True, slots=True)
class Route:
    """Deployments in ``namespaces`` (globs) whose labels match ``selector`` go to ``channel``."""

    namespaces: tuple[str, ...]
    channel: str
    selector: str = ""


def matches_any(name: str, globs: Sequence[str]) -> bool:
    """Whether a namespace name matches one of the globs (``*``, ``prod-*``)."""
    return any(fnmatch.fnmatchcase(name, glob) for glob in globs)


def selector_matches(selector: str, labels: Mapping[str, str]) -> bool:
    """An equality-based label selector (``a=b,c!=d,e``) against a label map."""
    for raw in selector.split(","):
        term = raw.strip()
        if not term:
            continue
        if "!=" in term:
            key, value = (part.strip() for part in term.split("!=", 1))
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = (part.strip() for part in term.replace("==", "=").split("=", 1))
            if labels.get(key) != value:
                return False
        elif term.startswith("!"):
            if term[1:].strip() in labels:
                return False
        elif term not in labels:
            return False
    return True


def channel_for(
    routes: Sequence[Route],
    *,
    namespace: str,
    labels: Mapping[str, str],
    annotations: Mapping[str, str],
) -> str | None:
    """The channel for one Deployment, or None: silenced, or no route matches."""
    if annotations.get(NOTIFY_ANNOTATION, "").strip().lower() == "false":
        return None
    override = annotations.get(CHANNEL_ANNOTATION, "").strip()
    if override:
        return override
    for route in routes:
        if matches_any(namespace, route.namespaces) and selector_matches(route.selector, labels):
            return route.channel
    return None
