"""The resource types the sandbox serves, with what discovery says about each.

One table drives discovery documents, URL routing, the store's indexes and field selectors, so a
type added here is served everywhere at once. Values follow a real v1.32 apiserver's discovery.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

_ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
_NO_COLLECTION_DELETE = ("create", "delete", "get", "list", "patch", "update", "watch")


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
    verbs: tuple[str, ...] = _ALL_VERBS
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


_EVENT_FIELDS = (
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
)

REGISTRY: tuple[ResourceType, ...] = (
    ResourceType(
        group="",
        version="v1",
        kind="Namespace",
        plural="namespaces",
        singular="namespace",
        namespaced=False,
        short_names=("ns",),
        verbs=_NO_COLLECTION_DELETE,
        subresources=("status",),
        field_labels=("status.phase",),
        returns_deleted_object=True,
    ),
    ResourceType(
        group="",
        version="v1",
        kind="Node",
        plural="nodes",
        singular="node",
        namespaced=False,
        short_names=("no",),
        subresources=("status",),
        field_labels=("spec.unschedulable",),
    ),
    ResourceType(
        group="",
        version="v1",
        kind="Pod",
        plural="pods",
        singular="pod",
        namespaced=True,
        short_names=("po",),
        subresources=("log", "status"),
        categories=("all",),
        field_labels=(
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
        ),
        returns_deleted_object=True,
    ),
    ResourceType(
        group="",
        version="v1",
        kind="Service",
        plural="services",
        singular="service",
        namespaced=True,
        short_names=("svc",),
        subresources=("status",),
        categories=("all",),
        field_labels=("spec.clusterIP", "spec.type"),
        returns_deleted_object=True,
    ),
    ResourceType(
        group="",
        version="v1",
        kind="Endpoints",
        plural="endpoints",
        singular="endpoints",
        namespaced=True,
        short_names=("ep",),
    ),
    ResourceType(
        group="",
        version="v1",
        kind="Event",
        plural="events",
        singular="event",
        namespaced=True,
        short_names=("ev",),
        field_labels=_EVENT_FIELDS,
    ),
    ResourceType(
        group="",
        version="v1",
        kind="ConfigMap",
        plural="configmaps",
        singular="configmap",
        namespaced=True,
        short_names=("cm",),
    ),
    ResourceType(
        group="",
        version="v1",
        kind="Secret",
        plural="secrets",
        singular="secret",
        namespaced=True,
        field_labels=("type",),
    ),
    ResourceType(
        group="",
        version="v1",
        kind="ServiceAccount",
        plural="serviceaccounts",
        singular="serviceaccount",
        namespaced=True,
        short_names=("sa",),
        subresources=("token",),
    ),
    ResourceType(
        group="apps",
        version="v1",
        kind="ControllerRevision",
        plural="controllerrevisions",
        singular="controllerrevision",
        namespaced=True,
    ),
    ResourceType(
        group="apps",
        version="v1",
        kind="DaemonSet",
        plural="daemonsets",
        singular="daemonset",
        namespaced=True,
        short_names=("ds",),
        subresources=("status",),
        categories=("all",),
        has_generation=True,
    ),
    ResourceType(
        group="apps",
        version="v1",
        kind="Deployment",
        plural="deployments",
        singular="deployment",
        namespaced=True,
        short_names=("deploy",),
        subresources=("scale", "status"),
        categories=("all",),
        has_generation=True,
        annotations_are_spec=True,
    ),
    ResourceType(
        group="apps",
        version="v1",
        kind="ReplicaSet",
        plural="replicasets",
        singular="replicaset",
        namespaced=True,
        short_names=("rs",),
        subresources=("scale", "status"),
        categories=("all",),
        field_labels=("status.replicas",),
        has_generation=True,
    ),
    ResourceType(
        group="apps",
        version="v1",
        kind="StatefulSet",
        plural="statefulsets",
        singular="statefulset",
        namespaced=True,
        short_names=("sts",),
        subresources=("scale", "status"),
        categories=("all",),
        has_generation=True,
    ),
    ResourceType(
        group="batch",
        version="v1",
        kind="CronJob",
        plural="cronjobs",
        singular="cronjob",
        namespaced=True,
        short_names=("cj",),
        subresources=("status",),
        categories=("all",),
        has_generation=True,
    ),
    ResourceType(
        group="batch",
        version="v1",
        kind="Job",
        plural="jobs",
        singular="job",
        namespaced=True,
        subresources=("status",),
        categories=("all",),
        field_labels=("status.successful",),
        has_generation=True,
    ),
    ResourceType(
        group="coordination.k8s.io",
        version="v1",
        kind="Lease",
        plural="leases",
        singular="lease",
        namespaced=True,
    ),
    ResourceType(
        group="discovery.k8s.io",
        version="v1",
        kind="EndpointSlice",
        plural="endpointslices",
        singular="endpointslice",
        namespaced=True,
    ),
    ResourceType(
        group="apiextensions.k8s.io",
        version="v1",
        kind="CustomResourceDefinition",
        plural="customresourcedefinitions",
        singular="customresourcedefinition",
        namespaced=False,
        short_names=("crd", "crds"),
        subresources=("status",),
        categories=("api-extensions",),
    ),
)

REGISTRY += (
    *(
        ResourceType(
            group="rbac.authorization.k8s.io",
            version="v1",
            kind=kind,
            plural=f"{kind.lower()}s",
            singular=kind.lower(),
            namespaced=not kind.startswith("Cluster"),
        )
        for kind in ("ClusterRoleBinding", "ClusterRole", "RoleBinding", "Role")
    ),
    *(
        ResourceType(
            group=group,
            version="v1",
            kind=kind,
            plural=f"{kind.lower()}s",
            singular=kind.lower(),
            namespaced=kind.startswith("Local"),
            verbs=("create",),
            review=True,
        )
        for group, kind in (
            ("authentication.k8s.io", "SelfSubjectReview"),
            ("authorization.k8s.io", "LocalSubjectAccessReview"),
            ("authorization.k8s.io", "SelfSubjectAccessReview"),
            ("authorization.k8s.io", "SelfSubjectRulesReview"),
            ("authorization.k8s.io", "SubjectAccessReview"),
        )
    ),
)
"""RBAC objects, then the create-only reviews of the authentication and authorization groups."""

REGISTRY += (
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
"""Storage (claims, volumes, classes), namespace quotas and limits, and Ingress."""

_BY_KIND = {rt.kind: rt for rt in REGISTRY}
_BY_PATH = {(rt.group, rt.version, rt.plural): rt for rt in REGISTRY}


def group_versions(served: Sequence[ResourceType]) -> tuple[tuple[str, str], ...]:
    """The (group, version) pairs of ``served`` in discovery order, core first."""
    return tuple(dict.fromkeys((rt.group, rt.version) for rt in served))


GROUP_VERSIONS = group_versions(REGISTRY)
"""Built-in (group, version) pairs in discovery order, core first."""


def by_kind(kind: str) -> ResourceType:
    """The type serving ``kind`` (``Pod``, ``Deployment``); KeyError when not served."""
    return _BY_KIND[kind]


def by_path(group: str, version: str, plural: str) -> ResourceType | None:
    """The type served at ``/apis/{group}/{version}/{plural}``, or None."""
    return _BY_PATH.get((group, version, plural))


def in_group_version(
    group: str, version: str, served: Sequence[ResourceType] = REGISTRY
) -> tuple[ResourceType, ...]:
    """Every type of one group/version, in registry order."""
    return tuple(rt for rt in served if rt.group == group and rt.version == version)
