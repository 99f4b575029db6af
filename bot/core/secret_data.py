"""Secret values never leave the bot: every object of kind Secret in a document the bot shows
(``get secret -o yaml|json``, a ``List`` of them, any list holding one) has its values replaced
by ``(redacted: N bytes)``, keys kept so that people can still see what a Secret holds.

A value posted in a channel cannot be taken back, so this is applied to the objects before they
are printed, whoever asks and whatever their role. ``last-applied-configuration`` repeats the
data in plain text, so it goes too.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any, Final

from bot.core.kube import Obj

NOTE: Final = "Secret values are redacted: the bot never shows them, only their keys and sizes."
_LAST_APPLIED: Final = "kubectl.kubernetes.io/last-applied-configuration"


def redacted(document: object) -> tuple[object, bool]:
    """``document`` with every Secret's values replaced, and whether any was."""
    if isinstance(document, list):
        pairs = [redacted(item) for item in document]
        return [item for item, _ in pairs], any(found for _, found in pairs)
    if not isinstance(document, Mapping):
        return document, False
    if document.get("kind") == "Secret":
        return _secret(document), True
    found = False
    out: dict[str, Any] = {}
    for key, value in document.items():
        out[key], inner = redacted(value)
        found = found or inner
    return out, found


def size_of(value: object, *, encoded: bool) -> int:
    """The size in bytes of a value of ``data`` (base64) or ``stringData`` (text)."""
    text = value if isinstance(value, str) else ""
    if not encoded:
        return len(text.encode("utf-8"))
    try:
        return len(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        return len(text)


def _secret(secret: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(secret)
    for key, encoded in (("data", True), ("stringData", False)):
        values = out.get(key)
        if isinstance(values, Mapping):
            out[key] = {
                k: f"(redacted: {size_of(v, encoded=encoded)} bytes)" for k, v in values.items()
            }
    metadata = out.get("metadata")
    if isinstance(metadata, Mapping) and isinstance(metadata.get("annotations"), Mapping):
        annotations = dict(metadata["annotations"])
        if _LAST_APPLIED in annotations:
            annotations[_LAST_APPLIED] = "(redacted)"
        out["metadata"] = {**metadata, "annotations": annotations}
    return out


def redacted_items(items: list[Obj]) -> tuple[list[Obj], bool]:
    """Each object of ``items`` redacted, and whether any Secret was found."""
    pairs = [redacted(item) for item in items]
    return [item for item, _ in pairs if isinstance(item, dict)], any(f for _, f in pairs)
