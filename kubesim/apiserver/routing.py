"""URL paths to what they address: a discovery document or a resource target.

Mirrors the apiserver's RequestInfo parsing: ``/api/v1/namespaces/NS/pods/NAME/log``,
``/apis/apps/v1/deployments`` (all namespaces), the legacy ``/api/v1/watch/...`` prefix, and the
namespace object itself (``/api/v1/namespaces/NAME[/status]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kubesim.api.resource_type import ResourceType
from kubesim.api.resources import by_path

Lookup = Callable[[str, str, str], ResourceType | None]
"""``(group, version, plural)`` to the served type, like ``resources.by_path``."""


@dataclass(frozen=True, slots=True)
class Target:
    """A resource URL, parsed."""

    rt: ResourceType
    namespace: str | None
    """None: cluster-scoped, or all namespaces for a namespaced collection."""
    name: str | None
    subresource: str | None
    legacy_watch: bool = False


@dataclass(frozen=True, slots=True)
class Discovery:
    """A discovery URL: ``kind`` is version, api, apis, group, resources."""

    kind: str
    group: str = ""
    version: str = ""


def parse(path: str, lookup: Lookup = by_path) -> Target | Discovery | None:
    """What ``path`` addresses (types found by ``lookup``); None for a 404."""
    segments = [s for s in path.split("/") if s]
    if segments in (["version"], ["api"], ["apis"]):
        return Discovery(segments[0])
    if not segments:
        return None
    if segments[0] == "api":
        if len(segments) < 2:
            return None
        group, version, rest = "", segments[1], segments[2:]
    elif segments[0] == "apis":
        if len(segments) == 2:
            return Discovery("group", segments[1])
        if len(segments) < 3:
            return None
        group, version, rest = segments[1], segments[2], segments[3:]
    else:
        return None
    if not rest:
        return Discovery("resources", group, version)
    return _resource(group, version, rest, lookup)


def _resource(group: str, version: str, rest: list[str], lookup: Lookup) -> Target | None:
    legacy_watch = rest[0] == "watch"
    if legacy_watch:
        rest = rest[1:]
        if not rest:
            return None
    namespace: str | None = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        candidate = lookup(group, version, rest[2])
        if candidate is not None and candidate.namespaced:
            namespace, rest = rest[1], rest[2:]
    rt = lookup(group, version, rest[0])
    if rt is None or len(rest) > 3:
        return None
    if not rt.namespaced and namespace is not None:
        return None
    name = rest[1] if len(rest) > 1 else None
    subresource = rest[2] if len(rest) > 2 else None
    if rt.namespaced and namespace is None and name is not None:
        return None
    if subresource is not None and subresource not in rt.subresources:
        return None
    if legacy_watch and subresource is not None:
        return None
    return Target(rt, namespace, name, subresource, legacy_watch)
