"""The API server's defaults for claims, volumes and storage classes (``pkg/apis/core/v1``,
``pkg/apis/storage/v1`` ``SetDefaults_*``): the fields ``kubectl get``/``describe`` print as set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

JSON = dict[str, Any]


def persistent_volume_claim(obj: JSON, _alloc: Callable[[], str]) -> None:
    """``SetDefaults_PersistentVolumeClaim``: Filesystem mode, ``Pending`` until bound."""
    obj.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")
    obj.setdefault("status", {}).setdefault("phase", "Pending")


def persistent_volume(obj: JSON, _alloc: Callable[[], str]) -> None:
    """``SetDefaults_PersistentVolume``: Retain, Filesystem, ``Pending`` until available."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    spec.setdefault("volumeMode", "Filesystem")
    obj.setdefault("status", {}).setdefault("phase", "Pending")


def storage_class(obj: JSON, _alloc: Callable[[], str]) -> None:
    """``SetDefaults_StorageClass``: Delete and Immediate."""
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")


DEFAULTERS: dict[str, Callable[[JSON, Callable[[], str]], None]] = {
    "PersistentVolumeClaim": persistent_volume_claim,
    "PersistentVolume": persistent_volume,
    "StorageClass": storage_class,
}
