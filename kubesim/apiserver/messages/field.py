"""One field of a protobuf message as the decoder reads it: its JSON name and its encoding."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a message: its JSON name and how its value is encoded."""

    name: str
    kind: str
    """string, int, bool, bytes, time, intstr, quantity, map (string->string), bytesmap,
    quantitymap, or the name of a message in ``MESSAGES`` (with no ``name``: an embedded struct,
    whose fields JSON inlines)."""
    repeated: bool = False
    pointer: bool = False
    """A Go pointer field: present on the wire only when set, so a zero value is kept."""


def field(
    name: str, kind: str = "string", *, repeated: bool = False, pointer: bool = False
) -> Field:
    """A field, as the message tables spell it."""
    return Field(name, kind, repeated=repeated, pointer=pointer)
