"""The commands the bot understands, as frozen records; the parser builds them, nothing else does.

A namespace of ``None`` means "the configured default namespace"; the service resolves it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class OutputFormat(enum.StrEnum):
    """``-o`` values we accept for ``get``."""

    TABLE = "table"
    WIDE = "wide"
    YAML = "yaml"
    JSON = "json"
    NAME = "name"


class RolloutAction(enum.StrEnum):
    """The ``rollout`` sub-verbs we accept."""

    STATUS = "status"
    HISTORY = "history"
    UNDO = "undo"
    RESTART = "restart"


@dataclass(frozen=True, slots=True)
class Version:
    """``version``: client (bot) and server versions."""


@dataclass(frozen=True, slots=True)
class Help:
    """``help [VERB]``."""

    topic: str | None = None
    """The verb asked about, or None for the overview."""


@dataclass(frozen=True, slots=True)
class Get:
    """``get TYPE [NAME] [-n NS | -A] [-l SELECTOR] [-o FORMAT]``."""

    resource: str
    """The type as typed (``po``, ``pods``, ``deployment.apps``, a CRD plural ...)."""
    name: str | None = None
    namespace: str | None = None
    all_namespaces: bool = False
    selector: str | None = None
    output: OutputFormat = OutputFormat.TABLE


@dataclass(frozen=True, slots=True)
class Describe:
    """``describe TYPE [NAME] [-l SELECTOR]`` for pods, deployments, services and nodes."""

    resource: str
    """Canonical plural: ``pods``, ``deployments``, ``services`` or ``nodes``."""
    name: str | None
    """None describes every object of the type (or those ``selector`` matches), as kubectl
    does for ``describe pods`` -- the Kubernetes Basics tutorial relies on it."""
    namespace: str | None = None
    selector: str | None = None


@dataclass(frozen=True, slots=True)
class Logs:
    """``logs POD|TYPE/NAME [-c C] [--tail N] [--since D] [-p] [--timestamps] [-l SEL]``."""

    name: str | None
    """Pod name, or None when ``selector`` picks the pods."""
    kind: str = "pod"
    """``pod`` or ``deployment`` (from ``deployment/NAME``)."""
    namespace: str | None = None
    container: str | None = None
    tail: int | None = None
    """``--tail``; None means kubectl's default (all, or 10 with ``-l``), bounded by the bot."""
    since_seconds: int | None = None
    previous: bool = False
    timestamps: bool = False
    selector: str | None = None


@dataclass(frozen=True, slots=True)
class Scale:
    """``scale deployment/NAME --replicas=N [--current-replicas=C]``."""

    name: str
    replicas: int
    kind: str = "deployment"
    namespace: str | None = None
    current_replicas: int | None = None


@dataclass(frozen=True, slots=True)
class SetImage:
    """``set image deployment/NAME CONTAINER=IMAGE [...]``."""

    name: str
    images: tuple[tuple[str, str], ...]
    """(container, image) pairs in the order typed; container ``*`` means all."""
    kind: str = "deployment"
    namespace: str | None = None


@dataclass(frozen=True, slots=True)
class Rollout:
    """``rollout status|history|undo|restart deployment/NAME [--to-revision=N]``."""

    action: RolloutAction
    name: str
    kind: str = "deployment"
    namespace: str | None = None
    to_revision: int | None = None
    """``--to-revision`` for undo, ``--revision`` for history."""


@dataclass(frozen=True, slots=True)
class Delete:
    """``delete pod NAME`` / ``delete service NAME|-l SELECTOR``."""

    resource: str
    """Canonical plural: ``pods`` or ``services``."""
    name: str | None = None
    selector: str | None = None
    namespace: str | None = None


Command = Version | Help | Get | Describe | Logs | Scale | SetImage | Rollout | Delete
"""Any parsed command."""

READ_ONLY: tuple[type, ...] = (Version, Help, Get, Describe, Logs)
"""Command types that never change the cluster."""


def is_mutating(command: Command) -> bool:
    """True when running the command changes the cluster."""
    if isinstance(command, Rollout):
        return command.action not in (RolloutAction.STATUS, RolloutAction.HISTORY)
    return not isinstance(command, READ_ONLY)
