"""Storage (claims, volumes, classes), namespace quotas and limits, and Ingress: served after the
RBAC and review types, in this order."""

from __future__ import annotations

from kubesim.api.resource_type import ResourceType

STORAGE: tuple[ResourceType, ...] = (
    ResourceType(
        group="",
        version="v1",
        kind="PersistentVolumeClaim",
        plural="persistentvolumeclaims",
        singular="persistentvolumeclaim",
        namespaced=True,
        short_names=("pvc",),
        subresources=("status",),
    ),
    ResourceType(
        group="",
        version="v1",
        kind="PersistentVolume",
        plural="persistentvolumes",
        singular="persistentvolume",
        namespaced=False,
        short_names=("pv",),
        subresources=("status",),
    ),
    ResourceType(
        group="",
        version="v1",
        kind="ResourceQuota",
        plural="resourcequotas",
        singular="resourcequota",
        namespaced=True,
        short_names=("quota",),
        subresources=("status",),
    ),
    ResourceType(
        group="",
        version="v1",
        kind="LimitRange",
        plural="limitranges",
        singular="limitrange",
        namespaced=True,
        short_names=("limits",),
    ),
    ResourceType(
        group="networking.k8s.io",
        version="v1",
        kind="Ingress",
        plural="ingresses",
        singular="ingress",
        namespaced=True,
        short_names=("ing",),
        subresources=("status",),
        has_generation=True,
    ),
    ResourceType(
        group="storage.k8s.io",
        version="v1",
        kind="StorageClass",
        plural="storageclasses",
        singular="storageclass",
        namespaced=False,
        short_names=("sc",),
    ),
)
