"""The resource types the sandbox serves, with what discovery says about each.

One table, assembled here from the ``*_types`` modules, drives discovery documents, URL routing,
the store's indexes and field selectors, so a type added to it is served everywhere at once.
Values follow a real v1.32 apiserver's discovery.
"""

from __future__ import annotations

from collections.abc import Sequence

from kubesim.api.access_types import ACCESS
from kubesim.api.core_types import CORE
from kubesim.api.resource_type import ResourceType
from kubesim.api.storage_types import STORAGE
from kubesim.api.workload_types import WORKLOADS

REGISTRY: tuple[ResourceType, ...] = (
    *CORE,
    *WORKLOADS,
    ResourceType(
        group="coordination.k8s.io",
        version="v1",
        kind="Lease",
        plural="leases",
        singular="lease",
        namespaced=True,
    ),
    ResourceType(
        group="discovery.k8s.io",
        version="v1",
        kind="EndpointSlice",
        plural="endpointslices",
        singular="endpointslice",
        namespaced=True,
    ),
    ResourceType(
        group="apiextensions.k8s.io",
        version="v1",
        kind="CustomResourceDefinition",
        plural="customresourcedefinitions",
        singular="customresourcedefinition",
        namespaced=False,
        short_names=("crd", "crds"),
        subresources=("status",),
        categories=("api-extensions",),
    ),
    *ACCESS,
    *STORAGE,
)
"""Every built-in type, in discovery order: core, workloads, the small groups, access, storage."""

_BY_KIND = {rt.kind: rt for rt in REGISTRY}
_BY_PATH = {(rt.group, rt.version, rt.plural): rt for rt in REGISTRY}


def group_versions(served: Sequence[ResourceType]) -> tuple[tuple[str, str], ...]:
    """The (group, version) pairs of ``served`` in discovery order, core first."""
    return tuple(dict.fromkeys((rt.group, rt.version) for rt in served))


GROUP_VERSIONS = group_versions(REGISTRY)
"""Built-in (group, version) pairs in discovery order, core first."""


def by_kind(kind: str) -> ResourceType:
    """The type serving ``kind`` (``Pod``, ``Deployment``); KeyError when not served."""
    return _BY_KIND[kind]


def by_path(group: str, version: str, plural: str) -> ResourceType | None:
    """The type served at ``/apis/{group}/{version}/{plural}``, or None."""
    return _BY_PATH.get((group, version, plural))


def in_group_version(
    group: str, version: str, served: Sequence[ResourceType] = REGISTRY
) -> tuple[ResourceType, ...]:
    """Every type of one group/version, in registry order."""
    return tuple(rt for rt in served if rt.group == group and rt.version == version)
