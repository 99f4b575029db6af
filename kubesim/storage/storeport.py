"""The slice of the sandbox Store that the controllers and scenarios use, as a Protocol.

The controllers own this seam (the Store itself lives in store.py): it keeps them testable against
anything that writes like the Store and documents exactly which calls they rely on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

from kubesim.api.resource_type import ResourceType
from kubesim.selectors.requirements import LabelSelector

Obj = dict[str, Any]
"""A Kubernetes object as plain JSON (the sandbox never uses typed models)."""

Listener = Callable[[str, ResourceType, Obj], None]


class StorePort(Protocol):
    """What the controllers call on the Store (see the team contract for the semantics)."""

    def create(self, rt: ResourceType, obj: Obj, *, dry_run: bool = False) -> Obj: ...

    def find(self, rt: ResourceType, namespace: str | None, name: str) -> Obj | None: ...

    def scan(
        self,
        rt: ResourceType,
        namespace: str | None = None,
        *,
        labels: LabelSelector | None = None,
    ) -> Iterator[Obj]:
        """The stored objects themselves, read-only (they are replaced, never mutated)."""
        ...

    def list(
        self,
        rt: ResourceType,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[Obj]: ...

    def mutate(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        fn: Callable[[Obj], None],
        *,
        subresource: str | None = None,
    ) -> Obj: ...

    def delete(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        *,
        grace_period_seconds: int | None = None,
        propagation: str = "Background",
    ) -> Obj: ...

    def subscribe(self, fn: Listener) -> Callable[[], None]: ...
