"""Patch metadata (``patchStrategy`` / ``patchMergeKey`` struct tags) for the sandbox's kinds.

Strategic merge needs to know, at every JSON path, whether a list is merged by a key, merged as a
set of scalars or replaced whole. The real server reads Go struct tags; this is the same table
for the fields our kinds have (``k8s.io/api/core/v1/types.go``, ``apps/v1/types.go``,
``apimachinery/.../meta/v1/types.go``). Unknown fields fall back to "maps merge, lists replace".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Meta:
    """Patch metadata of one field; for a list, ``fields`` describes its elements."""

    merge_key: str = ""
    """Lists of objects merged by this key (``patchMergeKey``)."""
    merge: bool = False
    """``patchStrategy:"merge"``: merge the list (by key, or as a set of scalars)."""
    replace: bool = False
    """``patchStrategy:"replace"``: a map patch replaces the map."""
    fields: Mapping[str, Meta] = field(default_factory=lambda: MappingProxyType({}))

    def child(self, name: str) -> Meta:
        """Metadata of a sub-field (default: unknown field)."""
        return self.fields.get(name, UNKNOWN)


UNKNOWN = Meta()


def _obj(**fields: Meta) -> Meta:
    return Meta(fields=MappingProxyType(fields))


def _by(key: str, element: Meta = UNKNOWN) -> Meta:
    return Meta(merge_key=key, merge=True, fields=element.fields)


_SET = Meta(merge=True)

OBJECT_META = _obj(finalizers=_SET, ownerReferences=_by("uid"))

CONTAINER = _obj(
    ports=_by("containerPort"),
    env=_by("name"),
    volumeMounts=_by("mountPath"),
    volumeDevices=_by("devicePath"),
)

POD_SPEC = _obj(
    containers=_by("name", CONTAINER),
    initContainers=_by("name", CONTAINER),
    ephemeralContainers=_by("name", CONTAINER),
    volumes=_by("name"),
    imagePullSecrets=_by("name"),
    hostAliases=_by("ip"),
    schedulingGates=_by("name"),
    resourceClaims=_by("name"),
    topologySpreadConstraints=_by("topologyKey"),
)

_CONDITIONS = _by("type")

POD = _obj(
    metadata=OBJECT_META,
    spec=POD_SPEC,
    status=_obj(conditions=_CONDITIONS, podIPs=_by("ip"), hostIPs=_by("ip")),
)

_TEMPLATE = _obj(metadata=OBJECT_META, spec=POD_SPEC)

WORKLOAD = _obj(
    metadata=OBJECT_META,
    spec=_obj(template=_TEMPLATE),
    status=_obj(conditions=_CONDITIONS),
)

SERVICE = _obj(
    metadata=OBJECT_META,
    spec=_obj(ports=_by("port")),
    status=_obj(conditions=_CONDITIONS),
)

NODE = _obj(
    metadata=OBJECT_META,
    spec=_obj(podCIDRs=_SET),
    status=_obj(conditions=_CONDITIONS, addresses=_by("type")),
)

NAMESPACE = _obj(metadata=OBJECT_META, status=_obj(conditions=_CONDITIONS))

CRONJOB = _obj(
    metadata=OBJECT_META,
    spec=_obj(jobTemplate=_obj(metadata=OBJECT_META, spec=_obj(template=_TEMPLATE))),
)

DEFAULT = _obj(metadata=OBJECT_META)

SCHEMAS: Mapping[str, Meta] = MappingProxyType(
    {
        "Pod": POD,
        "Deployment": WORKLOAD,
        "ReplicaSet": WORKLOAD,
        "StatefulSet": WORKLOAD,
        "DaemonSet": WORKLOAD,
        "Job": WORKLOAD,
        "CronJob": CRONJOB,
        "Service": SERVICE,
        "Node": NODE,
        "Namespace": NAMESPACE,
    }
)


def schema_for(kind: str) -> Meta:
    """Root patch metadata for ``kind`` (metadata rules only for kinds without list fields)."""
    return SCHEMAS.get(kind, DEFAULT)
