"""Table columns of pods, nodes, namespaces, events, role bindings and the small kinds
(``printers.go`` v1.32)."""

from __future__ import annotations

from kubesim.printing.column import AGE, JSON, NAME, NAME_DOC, col

COLUMNS: dict[str, list[JSON]] = {
    "Pod": [
        NAME,
        col("Ready", "The aggregate readiness state of this pod for accepting traffic."),
        col("Status", "The aggregate status of the containers in this pod."),
        col(
            "Restarts",
            "The number of times the containers in this pod have been restarted and when the "
            "last container in this pod has restarted.",
        ),
        AGE,
        col("IP", "podIP address allocated to the pod.", priority=1),
        col("Node", "NodeName indicates in which node this pod is scheduled.", priority=1),
        col(
            "Nominated Node",
            "nominatedNodeName is set only when this pod preempts other pods.",
            priority=1,
        ),
        col(
            "Readiness Gates",
            "If specified, all readiness gates will be evaluated for pod readiness.",
            priority=1,
        ),
    ],
    "Node": [
        NAME,
        col("Status", "The status of the node"),
        col("Roles", "The roles of the node"),
        AGE,
        col("Version", "Kubelet Version reported by the node."),
        col("Internal-IP", "List of addresses reachable to the node.", priority=1),
        col("External-IP", "List of addresses reachable to the node.", priority=1),
        col(
            "OS-Image",
            "OS Image reported by the node from /etc/os-release (e.g. Debian "
            "GNU/Linux 7 (wheezy)).",
            priority=1,
        ),
        col(
            "Kernel-Version",
            "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
            priority=1,
        ),
        col(
            "Container-Runtime",
            "ContainerRuntime Version reported by the node through runtime remote "
            "API (e.g. containerd://1.4.2).",
            priority=1,
        ),
    ],
    "Namespace": [NAME, col("Status", "The status of the namespace"), AGE],
    "Event": [
        col(
            "Last Seen", "The time at which the most recent occurrence of this event was recorded."
        ),
        col("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
        col(
            "Reason",
            "This should be a short, machine understandable string that gives the "
            "reason for the transition into the object's current status.",
        ),
        col("Object", "The object that this event is about."),
        col(
            "Subobject",
            "If referring to a piece of an object instead of an entire object, this "
            "string should contain a valid JSON/Go field access statement.",
            priority=1,
        ),
        col(
            "Source",
            "The component reporting this event. Should be a short machine understandable string.",
            priority=1,
        ),
        col("Message", "A human-readable description of the status of this operation."),
        col(
            "First Seen",
            "The time at which the event was first recorded. (Time of server "
            "receipt is in TypeMeta.)",
            priority=1,
        ),
        col("Count", "The number of times this event has occurred.", priority=1),
        col("Name", NAME_DOC, priority=1),
    ],
    "ConfigMap": [NAME, col("Data", "Data contains the configuration data."), AGE],
    "Secret": [
        NAME,
        col("Type", "Used to facilitate programmatic handling of secret data."),
        col("Data", "Data contains the secret data."),
        AGE,
    ],
    "ServiceAccount": [
        NAME,
        col(
            "Secrets",
            "Secrets is a list of the secrets in the same namespace that pods "
            "running using this ServiceAccount are allowed to use.",
        ),
        AGE,
    ],
    "Lease": [
        NAME,
        col("Holder", "holderIdentity contains the identity of the holder of a current lease."),
        AGE,
    ],
}
# Role and ClusterRole print Name and Created At, as the default convertor (``columns``) does.
COLUMNS["RoleBinding"] = COLUMNS["ClusterRoleBinding"] = [
    NAME,
    col("Role"),
    AGE,
    col("Users", priority=1),
    col("Groups", priority=1),
    col("ServiceAccounts", priority=1),
]
