"""What one served resource type is, as an ``APIResourceList`` entry (and a CRD's printer
columns) describe it."""

from __future__ import annotations

from dataclasses import dataclass

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
"""The verbs of a type that serves them all."""


@dataclass(frozen=True, slots=True)
class PrinterColumn:
    """One ``additionalPrinterColumns`` entry of a CustomResourceDefinition version."""

    name: str
    type: str
    """``string``, ``integer``, ``number``, ``boolean`` or ``date``."""
    json_path: str
    description: str = ""
    priority: int = 0
    format: str = ""


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One served resource (``pods``), as an ``APIResourceList`` entry describes it."""

    group: str
    """API group; ``""`` for the core group."""
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS
    subresources: tuple[str, ...] = ()
    """Subresources we serve: ``status``, ``scale``, ``log``."""
    categories: tuple[str, ...] = ()
    field_labels: tuple[str, ...] = ()
    """Field selector labels beyond ``metadata.name``/``metadata.namespace``."""
    has_generation: bool = False
    """Whether ``metadata.generation`` is kept (bumped on spec changes)."""
    annotations_are_spec: bool = False
    """Deployments' registry strategy: an annotation change bumps the generation as a spec change
    does (the controller copies annotations onto ReplicaSets), and a status write may change
    annotations (the controller records its revision so) without a bump."""
    returns_deleted_object: bool = False
    """DELETE answers with the object instead of a ``Status`` (pods, services, namespaces)."""
    printer_columns: tuple[PrinterColumn, ...] | None = None
    """A custom resource's Table columns after Name (from its CRD); None for built-in types."""
    review: bool = False
    """A create-only review (access reviews, SelfSubjectReview): answered, never stored."""

    @property
    def api_version(self) -> str:
        """``v1`` or ``apps/v1``."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> str:
        """``pods`` or ``deployments.apps``: the store index key and error-message name."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def custom(self) -> bool:
        """Whether a CustomResourceDefinition registered this type."""
        return self.printer_columns is not None

    def has_status_subresource(self) -> bool:
        """Whether writes to the main resource ignore ``.status``."""
        return "status" in self.subresources
