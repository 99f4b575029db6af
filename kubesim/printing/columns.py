"""Column definitions of the server-side Tables, per kind (``printers.go`` v1.32).

Names, types and priorities are what kubectl reads (priority > 0 shows only with ``-o wide``);
descriptions are the API's field docs, kept for clients that show them.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

_NAME_DOC = (
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
_AGE_DOC = (
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)


def _col(name: str, description: str = "", *, priority: int = 0, kind: str = "string") -> JSON:
    fmt = "name" if name == "Name" else ""
    return {
        "name": name,
        "type": kind,
        "format": fmt,
        "description": description,
        "priority": priority,
    }


_NAME = _col("Name", _NAME_DOC)
_AGE = _col("Age", _AGE_DOC)
_CONTAINERS = _col("Containers", "Names of each container in the template.", priority=1)
_IMAGES = _col("Images", "Images referenced by each container in the template.", priority=1)


def _selector_col(doc: str) -> JSON:
    return _col("Selector", doc, priority=1)


_COLUMNS: dict[str, list[JSON]] = {
    "Pod": [
        _NAME,
        _col("Ready", "The aggregate readiness state of this pod for accepting traffic."),
        _col("Status", "The aggregate status of the containers in this pod."),
        _col(
            "Restarts",
            "The number of times the containers in this pod have been restarted and when the "
            "last container in this pod has restarted.",
        ),
        _AGE,
        _col("IP", "podIP address allocated to the pod.", priority=1),
        _col("Node", "NodeName indicates in which node this pod is scheduled.", priority=1),
        _col(
            "Nominated Node",
            "nominatedNodeName is set only when this pod preempts other pods.",
            priority=1,
        ),
        _col(
            "Readiness Gates",
            "If specified, all readiness gates will be evaluated for pod readiness.",
            priority=1,
        ),
    ],
    "Deployment": [
        _NAME,
        _col("Ready", "Number of the pod with ready state"),
        _col(
            "Up-to-date",
            "Total number of non-terminated pods targeted by this deployment that "
            "have the desired template spec.",
        ),
        _col(
            "Available",
            "Total number of available pods (ready for at least minReadySeconds) "
            "targeted by this deployment.",
        ),
        _AGE,
        _CONTAINERS,
        _IMAGES,
        _selector_col(
            "Label selector for pods. Existing ReplicaSets whose pods are selected "
            "by this will be the ones affected by this deployment."
        ),
    ],
    "ReplicaSet": [
        _NAME,
        _col("Desired", "Replicas is the number of desired replicas.", kind="integer"),
        _col(
            "Current", "Replicas is the most recently observed number of replicas.", kind="integer"
        ),
        _col("Ready", "The number of ready replicas for this replica set.", kind="integer"),
        _AGE,
        _CONTAINERS,
        _IMAGES,
        _selector_col("Selector is a label query over pods that should match the replica count."),
    ],
    "StatefulSet": [
        _NAME,
        _col("Ready", "Number of the pod with ready state"),
        _AGE,
        _CONTAINERS,
        _IMAGES,
    ],
    "DaemonSet": [
        _NAME,
        _col(
            "Desired",
            "The total number of nodes that should be running the daemon pod (including nodes "
            "correctly running the daemon pod).",
            kind="integer",
        ),
        _col(
            "Current",
            "The number of nodes that are running at least 1 daemon pod and are supposed to "
            "run the daemon pod.",
            kind="integer",
        ),
        _col(
            "Ready",
            "numberReady is the number of nodes that should be running the daemon pod and have "
            "one or more of the daemon pod running with a Ready Condition.",
            kind="integer",
        ),
        _col(
            "Up-to-date",
            "The total number of nodes that are running updated daemon pod",
            kind="integer",
        ),
        _col(
            "Available",
            "The number of nodes that should be running the daemon pod and have one or more of "
            "the daemon pod running and available (ready for at least spec.minReadySeconds)",
            kind="integer",
        ),
        _col(
            "Node Selector",
            "NodeSelector is a selector which must be true for the pod to fit on a node. "
            "Selector which must match a node's labels for the pod to be scheduled on that "
            "node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
        ),
        _AGE,
        _CONTAINERS,
        _IMAGES,
        _selector_col(
            "A label query over pods that are managed by the daemon set. Must match in order "
            "to be controlled. It must match the pod template's labels. More info: "
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"
        ),
    ],
    "ControllerRevision": [
        _NAME,
        _col("Controller", "Controller of the object"),
        _col("Revision", "Revision indicates the revision of the state represented by Data."),
        _AGE,
    ],
    "Job": [
        _NAME,
        _col("Status", "Status of the job."),
        _col(
            "Completions",
            "The desired number of successfully finished pods the job should be run with.",
        ),
        _col("Duration", "Time required to complete the job."),
        _AGE,
        _CONTAINERS,
        _IMAGES,
        _selector_col("A label query over pods that should match the pod count."),
    ],
    "CronJob": [
        _NAME,
        _col("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        _col(
            "Timezone",
            "The time zone name for the given schedule, see "
            "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
        ),
        _col(
            "Suspend",
            "This flag tells the controller to suspend subsequent executions, it does not "
            "apply to already started executions.  Defaults to false.",
            kind="boolean",
        ),
        _col("Active", "A list of pointers to currently running jobs.", kind="integer"),
        _col(
            "Last Schedule",
            "Information when was the last time the job was successfully scheduled.",
        ),
        _AGE,
        _CONTAINERS,
        _IMAGES,
        _selector_col("A label query over pods that should match the pod count."),
    ],
    "Service": [
        _NAME,
        _col("Type", "type determines how the Service is exposed."),
        _col(
            "Cluster-IP",
            "clusterIP is the IP address of the service and is usually assigned randomly.",
        ),
        _col(
            "External-IP",
            "externalIPs is a list of IP addresses for which nodes in the cluster "
            "will also accept traffic for this service.",
        ),
        _col("Port(s)", "The list of ports that are exposed by this service."),
        _AGE,
        _selector_col(
            "Route service traffic to pods with label keys and values matching this selector."
        ),
    ],
    "Node": [
        _NAME,
        _col("Status", "The status of the node"),
        _col("Roles", "The roles of the node"),
        _AGE,
        _col("Version", "Kubelet Version reported by the node."),
        _col("Internal-IP", "List of addresses reachable to the node.", priority=1),
        _col("External-IP", "List of addresses reachable to the node.", priority=1),
        _col(
            "OS-Image",
            "OS Image reported by the node from /etc/os-release (e.g. Debian "
            "GNU/Linux 7 (wheezy)).",
            priority=1,
        ),
        _col(
            "Kernel-Version",
            "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
            priority=1,
        ),
        _col(
            "Container-Runtime",
            "ContainerRuntime Version reported by the node through runtime remote "
            "API (e.g. containerd://1.4.2).",
            priority=1,
        ),
    ],
    "Namespace": [_NAME, _col("Status", "The status of the namespace"), _AGE],
    "Event": [
        _col(
            "Last Seen", "The time at which the most recent occurrence of this event was recorded."
        ),
        _col(
            "Type", "Type of this event (Normal, Warning), new types could be added in the future"
        ),
        _col(
            "Reason",
            "This should be a short, machine understandable string that gives the "
            "reason for the transition into the object's current status.",
        ),
        _col("Object", "The object that this event is about."),
        _col(
            "Subobject",
            "If referring to a piece of an object instead of an entire object, this "
            "string should contain a valid JSON/Go field access statement.",
            priority=1,
        ),
        _col(
            "Source",
            "The component reporting this event. Should be a short machine understandable string.",
            priority=1,
        ),
        _col("Message", "A human-readable description of the status of this operation."),
        _col(
            "First Seen",
            "The time at which the event was first recorded. (Time of server "
            "receipt is in TypeMeta.)",
            priority=1,
        ),
        _col("Count", "The number of times this event has occurred.", priority=1),
        _col("Name", _NAME_DOC, priority=1),
    ],
    "Endpoints": [
        _NAME,
        _col("Endpoints", "The set of all endpoints is the union of all subsets."),
        _AGE,
    ],
    "EndpointSlice": [
        _NAME,
        _col("AddressType", "addressType specifies the type of address carried by this slice."),
        _col("Ports", "ports specifies the list of network ports exposed by each endpoint."),
        _col("Endpoints", "endpoints is a list of unique endpoints in this slice."),
        _AGE,
    ],
    "ConfigMap": [_NAME, _col("Data", "Data contains the configuration data."), _AGE],
    "Secret": [
        _NAME,
        _col("Type", "Used to facilitate programmatic handling of secret data."),
        _col("Data", "Data contains the secret data."),
        _AGE,
    ],
    "ServiceAccount": [
        _NAME,
        _col(
            "Secrets",
            "Secrets is a list of the secrets in the same namespace that pods "
            "running using this ServiceAccount are allowed to use.",
        ),
        _AGE,
    ],
    "Lease": [
        _NAME,
        _col("Holder", "holderIdentity contains the identity of the holder of a current lease."),
        _AGE,
    ],
}
# Role and ClusterRole print Name and Created At, as the default convertor below does.
_COLUMNS["RoleBinding"] = _COLUMNS["ClusterRoleBinding"] = [
    _NAME,
    _col("Role"),
    _AGE,
    _col("Users", priority=1),
    _col("Groups", priority=1),
    _col("ServiceAccounts", priority=1),
]

_CLAIM_DOC = "VolumeAttributesClass the volume is using, if any"
_COLUMNS["PersistentVolume"] = [
    _NAME,
    _col(
        "Capacity", "capacity is the description of the persistent volume's resources and capacity."
    ),
    _col("Access Modes", "accessModes contains all ways the volume can be mounted."),
    _col(
        "Reclaim Policy",
        "persistentVolumeReclaimPolicy defines what happens to a persistent volume when "
        "released from its claim.",
    ),
    _col(
        "Status",
        "phase indicates if a volume is available, bound to a claim, or released by a claim.",
    ),
    _col(
        "Claim",
        "claimRef is part of a bi-directional binding between PersistentVolume and "
        "PersistentVolumeClaim.",
    ),
    _col("StorageClass", "StorageClass of the pv"),
    _col("VolumeAttributesClass", _CLAIM_DOC),
    _col(
        "Reason",
        "reason is a brief CamelCase string that describes any failure and is meant for machine "
        "parsing and tidy display in the CLI.",
    ),
    _AGE,
    _col(
        "VolumeMode",
        "volumeMode defines if a volume is intended to be used with a formatted filesystem or "
        "to remain in raw block state.",
        priority=1,
    ),
]
_COLUMNS["PersistentVolumeClaim"] = [
    _NAME,
    _col("Status", "phase represents the current phase of PersistentVolumeClaim."),
    _col(
        "Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."
    ),
    _col("Capacity", "capacity represents the actual resources of the underlying volume."),
    _col("Access Modes", "accessModes contains the desired access modes the volume should have."),
    _col("StorageClass", "StorageClass of the pvc"),
    _col("VolumeAttributesClass", _CLAIM_DOC),
    _AGE,
    _col(
        "VolumeMode", "volumeMode defines what type of volume is required by the claim.", priority=1
    ),
]
_COLUMNS["ResourceQuota"] = [
    _NAME,
    _AGE,
    _col(
        "Request", "Request represents a minimum amount of cpu/memory that a container may consume."
    ),
    _col(
        "Limit",
        "Limits control the maximum amount of cpu/memory that a container may use independent "
        "of contention on the node.",
    ),
]
_COLUMNS["Ingress"] = [
    _NAME,
    _col("Class", "The name of the IngressClass resource that should be used for ingress."),
    _col("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
    _col("Address", "Address is a list containing ingress points for the load-balancer"),
    _col("Ports", "Ports of TLS configurations that open"),
    _AGE,
]
_COLUMNS["StorageClass"] = [
    _NAME,
    _col("Provisioner", "Indicates the type of the provisioner."),
    _col(
        "ReclaimPolicy",
        "Dynamically provisioned PersistentVolumes of this storage class are created with this "
        "reclaimPolicy. Defaults to Delete.",
    ),
    _col(
        "VolumeBindingMode",
        "VolumeBindingMode indicates how PersistentVolumeClaims should be provisioned and "
        "bound. When unset, VolumeBindingImmediate is used.",
    ),
    _col(
        "AllowVolumeExpansion",
        "AllowVolumeExpansion shows whether the storage class allow volume expand.",
    ),
    _AGE,
]
# LimitRange prints Name and Created At, as the default convertor below does.

# rest.NewDefaultTableConvertor, for kinds without a printer.
_DEFAULT_COLUMNS = [_NAME, _col("Created At", _AGE_DOC, kind="date")]


def column_definitions(kind: str) -> list[JSON]:
    """The ``columnDefinitions`` the server sends for ``kind``."""
    return [dict(c) for c in _COLUMNS.get(kind, _DEFAULT_COLUMNS)]
