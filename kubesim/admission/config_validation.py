"""Validation of ConfigMaps and Secrets: their data keys, and what ``immutable`` freezes."""

from __future__ import annotations

from typing import Any

from kubesim.admission import field_errors as f
from kubesim.admission import names as n
from kubesim.api.status import Cause

JSON = dict[str, Any]


def _data_keys(obj: JSON, keys: tuple[str, ...]) -> list[Cause]:
    causes: list[Cause] = []
    for key in keys:
        for name in obj.get(key) or {}:
            causes.extend(f.invalid(f"{key}[{name}]", name, m) for m in n.config_key(str(name)))
    return causes


def _immutable_data(obj: JSON, old: JSON | None, keys: tuple[str, ...]) -> list[Cause]:
    if old is None or not old.get("immutable"):
        return []
    causes: list[Cause] = []
    if not obj.get("immutable"):
        causes.append(f.forbidden("immutable", "field is immutable when `immutable` is set"))
    for key in keys:
        if obj.get(key) != old.get(key):
            causes.append(f.forbidden(key, "field is immutable when `immutable` is set"))
    return causes


def validate_config_map(obj: JSON, old: JSON | None) -> list[Cause]:
    keys = ("data", "binaryData")
    return _data_keys(obj, keys) + _immutable_data(obj, old, keys)


def validate_secret(obj: JSON, old: JSON | None) -> list[Cause]:
    keys = ("data",)
    causes = _data_keys(obj, keys) + _immutable_data(obj, old, keys)
    if old is not None and obj.get("type") != old.get("type"):
        causes.append(f.invalid("type", obj.get("type"), "field is immutable"))
    return causes
