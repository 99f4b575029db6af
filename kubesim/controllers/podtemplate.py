"""The pod-template-hash: how a Deployment names and recognises its ReplicaSets.

The real controller hashes the pod template with FNV-32a (plus the Deployment's collisionCount)
and encodes the decimal value with ``rand.SafeEncodeString``'s vowel-free alphabet, which is why
ReplicaSets are called ``web-7c5ddbdf54``. We hash canonical JSON instead of Go's spew dump, so
the values differ from a real cluster's but have the same shape and stability.
"""

from __future__ import annotations

import copy
import json
import struct
from typing import Any

from kubesim.storage.storeport import Obj

HASH_LABEL = "pod-template-hash"
ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
"""``k8s.io/apimachinery/pkg/util/rand``: no vowels (no bad words), no 0/1/3 (look-alikes)."""

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193


def safe_encode(text: str) -> str:
    """``rand.SafeEncodeString``: map every byte onto :data:`ALPHANUMS`."""
    return "".join(ALPHANUMS[byte % len(ALPHANUMS)] for byte in text.encode())


def fnv32a(data: bytes, value: int = _FNV_OFFSET) -> int:
    """FNV-1a, 32 bit (``hash/fnv.New32a``)."""
    for byte in data:
        value = ((value ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return value


def template_hash(template: Obj, collision_count: int | None = None) -> str:
    """``controller.ComputeHash``: stable for equal templates, 6-10 characters."""
    canonical = json.dumps(_prune(template), sort_keys=True, separators=(",", ":"))
    value = fnv32a(canonical.encode())
    if collision_count is not None:
        value = fnv32a(struct.pack("<I", collision_count & 0xFFFFFFFF), value)
    return safe_encode(str(value))


def equal_ignore_hash(left: Obj, right: Obj) -> bool:
    """``EqualIgnoreHash``: templates equal apart from the hash label (nil == empty)."""
    return bool(_prune(_without_hash(left)) == _prune(_without_hash(right)))


def _without_hash(template: Obj) -> Obj:
    clone = copy.deepcopy(template)
    labels = clone.get("metadata", {}).get("labels")
    if isinstance(labels, dict):
        labels.pop(HASH_LABEL, None)
    return clone


def _prune(value: Any) -> Any:
    """Drop None and empty maps/lists, as apimachinery's semantic equality ignores them."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v is not None and v not in ({}, [])}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value
