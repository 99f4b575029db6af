"""Table columns of Deployments, ReplicaSets, StatefulSets, DaemonSets, ControllerRevisions,
Jobs and CronJobs (``printers.go`` v1.32)."""

from __future__ import annotations

from kubesim.printing.column import AGE, CONTAINERS, IMAGES, JSON, NAME, col, selector_col

COLUMNS: dict[str, list[JSON]] = {
    "Deployment": [
        NAME,
        col("Ready", "Number of the pod with ready state"),
        col(
            "Up-to-date",
            "Total number of non-terminated pods targeted by this deployment that "
            "have the desired template spec.",
        ),
        col(
            "Available",
            "Total number of available pods (ready for at least minReadySeconds) "
            "targeted by this deployment.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        selector_col(
            "Label selector for pods. Existing ReplicaSets whose pods are selected "
            "by this will be the ones affected by this deployment."
        ),
    ],
    "ReplicaSet": [
        NAME,
        col("Desired", "Replicas is the number of desired replicas.", kind="integer"),
        col(
            "Current", "Replicas is the most recently observed number of replicas.", kind="integer"
        ),
        col("Ready", "The number of ready replicas for this replica set.", kind="integer"),
        AGE,
        CONTAINERS,
        IMAGES,
        selector_col("Selector is a label query over pods that should match the replica count."),
    ],
    "StatefulSet": [
        NAME,
        col("Ready", "Number of the pod with ready state"),
        AGE,
        CONTAINERS,
        IMAGES,
    ],
    "DaemonSet": [
        NAME,
        col(
            "Desired",
            "The total number of nodes that should be running the daemon pod (including nodes "
            "correctly running the daemon pod).",
            kind="integer",
        ),
        col(
            "Current",
            "The number of nodes that are running at least 1 daemon pod and are supposed to "
            "run the daemon pod.",
            kind="integer",
        ),
        col(
            "Ready",
            "numberReady is the number of nodes that should be running the daemon pod and have "
            "one or more of the daemon pod running with a Ready Condition.",
            kind="integer",
        ),
        col(
            "Up-to-date",
            "The total number of nodes that are running updated daemon pod",
            kind="integer",
        ),
        col(
            "Available",
            "The number of nodes that should be running the daemon pod and have one or more of "
            "the daemon pod running and available (ready for at least spec.minReadySeconds)",
            kind="integer",
        ),
        col(
            "Node Selector",
            "NodeSelector is a selector which must be true for the pod to fit on a node. "
            "Selector which must match a node's labels for the pod to be scheduled on that "
            "node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        selector_col(
            "A label query over pods that are managed by the daemon set. Must match in order "
            "to be controlled. It must match the pod template's labels. More info: "
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"
        ),
    ],
    "ControllerRevision": [
        NAME,
        col("Controller", "Controller of the object"),
        col("Revision", "Revision indicates the revision of the state represented by Data."),
        AGE,
    ],
    "Job": [
        NAME,
        col("Status", "Status of the job."),
        col(
            "Completions",
            "The desired number of successfully finished pods the job should be run with.",
        ),
        col("Duration", "Time required to complete the job."),
        AGE,
        CONTAINERS,
        IMAGES,
        selector_col("A label query over pods that should match the pod count."),
    ],
    "CronJob": [
        NAME,
        col("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        col(
            "Timezone",
            "The time zone name for the given schedule, see "
            "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
        ),
        col(
            "Suspend",
            "This flag tells the controller to suspend subsequent executions, it does not "
            "apply to already started executions.  Defaults to false.",
            kind="boolean",
        ),
        col("Active", "A list of pointers to currently running jobs.", kind="integer"),
        col(
            "Last Schedule",
            "Information when was the last time the job was successfully scheduled.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        selector_col("A label query over pods that should match the pod count."),
    ],
}
