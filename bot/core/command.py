"""The base of every command record: each verb's record lives in its module (``bot.core.verbs``).

A namespace of ``None`` means "the configured default namespace"; the service resolves it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TypeVar


@dataclass(frozen=True, slots=True)
class Command:
    """Any parsed command; the parser builds them, nothing else does."""

    @property
    def verb(self) -> str:
        """The verb's name in the registry and the policy (``scale``, ``rollout-undo``)."""
        raise NotImplementedError(type(self).__name__)


C = TypeVar("C", bound=Command)


def with_default_namespace(command: C, default: str) -> C:
    """``command`` with ``default`` as its namespace when it names none.

    Commands without a namespace (``version``, ``cordon``) and ``get -A`` are left alone.
    """
    if getattr(command, "namespace", "") is not None or getattr(command, "all_namespaces", False):
        return command
    return dataclasses.replace(command, namespace=default)  # type: ignore[call-arg]
