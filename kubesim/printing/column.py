"""One column definition of a server-side Table, and the columns many kinds share (Name, Age,
the Containers, Images and Selector of workloads)."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

NAME_DOC = (
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
AGE_DOC = (
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)


def col(name: str, description: str = "", *, priority: int = 0, kind: str = "string") -> JSON:
    """A ``columnDefinitions`` entry; ``kind`` is its ``type``."""
    fmt = "name" if name == "Name" else ""
    return {
        "name": name,
        "type": kind,
        "format": fmt,
        "description": description,
        "priority": priority,
    }


NAME = col("Name", NAME_DOC)
AGE = col("Age", AGE_DOC)
CONTAINERS = col("Containers", "Names of each container in the template.", priority=1)
IMAGES = col("Images", "Images referenced by each container in the template.", priority=1)


def selector_col(doc: str) -> JSON:
    """The wide Selector column, with the field doc of the kind's selector."""
    return col("Selector", doc, priority=1)
