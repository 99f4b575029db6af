"""CustomResourceDefinitions: the types a cluster's CRDs register, next to the built-in registry.

The stored CRD objects are the only state: ``CustomTypes`` derives the served custom types from
them on each lookup, so creating or deleting a CRD is visible to routing and discovery at once.
Like apiextensions-apiserver, a CRD is Established and NamesAccepted as soon as it is created.
"""

from __future__ import annotations

from typing import Any

from kubesim.api import status
from kubesim.api.resource_type import PrinterColumn, ResourceType
from kubesim.api.resources import REGISTRY, by_kind, by_path
from kubesim.storage.storeport import Obj, StorePort

CRD = by_kind("CustomResourceDefinition")
_CR_VERBS = ("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch")
_AGE_DESCRIPTION = (
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)
_DEFAULT_COLUMNS = (
    PrinterColumn("Age", "date", ".metadata.creationTimestamp", description=_AGE_DESCRIPTION),
)
"""``serveDefaultColumnsIfEmpty``: a version without printer columns prints NAME and AGE."""


def _mapping(obj: Any, key: str) -> dict[str, Any]:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _columns(version: dict[str, Any]) -> tuple[PrinterColumn, ...]:
    columns = tuple(
        PrinterColumn(
            name=str(c.get("name", "")),
            type=str(c.get("type", "string")),
            json_path=str(c.get("jsonPath", "")),
            description=str(c.get("description", "")),
            priority=int(c.get("priority") or 0),
            format=str(c.get("format", "")),
        )
        for c in version.get("additionalPrinterColumns") or []
        if isinstance(c, dict)
    )
    return columns or _DEFAULT_COLUMNS


def types_of(crd: Obj) -> tuple[ResourceType, ...]:
    """One type per served version of ``crd``."""
    spec = _mapping(crd, "spec")
    names = _mapping(spec, "names")
    found = []
    for version in spec.get("versions") or []:
        if not isinstance(version, dict) or not version.get("served", True):
            continue
        has_status = "status" in _mapping(version, "subresources")
        found.append(
            ResourceType(
                group=str(spec.get("group", "")),
                version=str(version.get("name", "")),
                kind=str(names.get("kind", "")),
                plural=str(names.get("plural", "")),
                singular=str(names.get("singular") or str(names.get("kind", "")).lower()),
                namespaced=spec.get("scope") == "Namespaced",
                short_names=_strings(names.get("shortNames")),
                verbs=_CR_VERBS,
                subresources=("status",) if has_status else (),
                categories=_strings(names.get("categories")),
                has_generation=True,
                printer_columns=_columns(version),
            )
        )
    return tuple(found)


class CustomTypes:
    """Built-in plus CRD-registered types of one cluster, for routing and discovery."""

    def __init__(self, store: StorePort) -> None:
        self._store = store
        self._interned: dict[tuple[str, str, str], ResourceType] = {}

    def custom(self) -> tuple[ResourceType, ...]:
        """Every type the stored CRDs serve, in CRD name order.

        The same definition yields the same instance, since watches match types by identity.
        """
        found = []
        for crd in self._store.scan(CRD):
            for rt in types_of(crd):
                key = (rt.group, rt.version, rt.plural)
                if by_path(*key) is not None:
                    continue  # a CRD cannot shadow a built-in type
                known = self._interned.get(key)
                if known != rt:
                    self._interned[key] = known = rt
                found.append(known)
        return tuple(found)

    def served(self) -> tuple[ResourceType, ...]:
        """Built-in types first, then the custom ones (as the real discovery orders groups)."""
        return REGISTRY + self.custom()

    def by_path(self, group: str, version: str, plural: str) -> ResourceType | None:
        """The type served at ``/apis/{group}/{version}/{plural}``, or None."""
        builtin = by_path(group, version, plural)
        if builtin is not None:
            return builtin
        for rt in self.custom():
            if (rt.group, rt.version, rt.plural) == (group, version, plural):
                return rt
        return None


def established(crd: Obj, *, at: str) -> dict[str, Any]:
    """The status the apiextensions controllers give a new CRD at ``at``: names accepted,
    established (the real ones do it within milliseconds of the create)."""
    names = _mapping(_mapping(crd, "spec"), "names")
    accepted = dict(names)
    accepted.setdefault("singular", str(names.get("kind", "")).lower())
    accepted.setdefault("listKind", f"{names.get('kind', '')}List")
    storage = [
        str(v.get("name"))
        for v in _mapping(crd, "spec").get("versions") or []
        if isinstance(v, dict) and v.get("storage")
    ]
    return {
        "acceptedNames": accepted,
        "conditions": [
            {
                "type": "NamesAccepted",
                "status": "True",
                "lastTransitionTime": at,
                "reason": "NoConflicts",
                "message": "no conflicts found",
            },
            {
                "type": "Established",
                "status": "True",
                "lastTransitionTime": at,
                "reason": "InitialNamesAccepted",
                "message": "the initial names have been accepted",
            },
        ],
        "storedVersions": storage,
    }


def check_name(crd: Obj) -> None:
    """422 unless the CRD is named ``{plural}.{group}``, as apiextensions validation requires."""
    spec = _mapping(crd, "spec")
    name = str(_mapping(crd, "metadata").get("name", ""))
    expected = f"{_mapping(spec, 'names').get('plural', '')}.{spec.get('group', '')}"
    if name != expected:
        cause = status.Cause(
            "metadata.name", f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group'
        )
        raise status.invalid(CRD.kind, CRD.group, name, [cause])
