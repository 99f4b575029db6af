"""The defaults the real apiserver (v1.32) fills in on create and update.

kubectl output, ``describe`` and the controllers all read these fields (``imagePullPolicy``,
``strategy.rollingUpdate``, ``clusterIP`` ...), so the sandbox must store them exactly as a real
cluster would. Sources: ``pkg/apis/core/v1/defaults.go``, ``pkg/apis/apps/v1/defaults.go``, the
ServiceAccount / Priority / DefaultTolerationSeconds admission plugins (pods only) and the service
REST storage (cluster IP and node port allocation). Every function is idempotent.

The per-kind defaults live beside this table: pods in ``pod_defaults``, workloads in
``workload_defaults``, services in ``service_defaults``, storage in ``storage_defaults``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubesim.admission.pod_defaults import default_pod
from kubesim.admission.service_defaults import (
    NODE_PORT_MAX,
    NODE_PORT_MIN,
    default_service,
    node_port_for,
    preserve_allocations,
    sub_object,
)
from kubesim.admission.storage_defaults import DEFAULTERS as STORAGE_DEFAULTERS
from kubesim.admission.workload_defaults import (
    default_cron_job,
    default_daemon_set,
    default_deployment,
    default_job,
    default_replica_set,
    default_stateful_set,
)

__all__ = [
    "NODE_PORT_MAX",
    "NODE_PORT_MIN",
    "apply_defaults",
    "node_port_for",
    "preserve_allocations",
]

JSON = dict[str, Any]


def apply_defaults(kind: str, obj: JSON, *, allocate_cluster_ip: Callable[[], str]) -> None:
    """Mutate ``obj`` (a ``kind`` object as JSON) with the apiserver's defaults."""
    defaulter = _DEFAULTERS.get(kind)
    if defaulter is not None:
        defaulter(obj, allocate_cluster_ip)


# --- everything else ------------------------------------------------------------------------


def _namespace(obj: JSON, _alloc: Callable[[], str]) -> None:
    meta = sub_object(obj, "metadata")
    name = meta.get("name")
    if isinstance(name, str) and name:
        # Always forced to the name (namespace strategy), even if the user set it otherwise.
        sub_object(meta, "labels")["kubernetes.io/metadata.name"] = name
    sub_object(obj, "spec").setdefault("finalizers", ["kubernetes"])
    sub_object(obj, "status").setdefault("phase", "Active")


def _secret(obj: JSON, _alloc: Callable[[], str]) -> None:
    obj.setdefault("type", "Opaque")


def _endpoints(obj: JSON, _alloc: Callable[[], str]) -> None:
    for subset in obj.get("subsets") or []:
        for port in (subset or {}).get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")


def _binding(obj: JSON, _alloc: Callable[[], str]) -> None:
    # SetDefaults_Subject: users and groups are RBAC subjects, service accounts core ones.
    for subject in obj.get("subjects") or []:
        kind = subject.get("kind") if isinstance(subject, dict) else None
        if kind in ("User", "Group") and not subject.get("apiGroup"):
            subject["apiGroup"] = "rbac.authorization.k8s.io"


def _noop(_obj: JSON, _alloc: Callable[[], str]) -> None:
    return


_DEFAULTERS: dict[str, Callable[[JSON, Callable[[], str]], None]] = {
    "Pod": default_pod,
    "Deployment": default_deployment,
    "ReplicaSet": default_replica_set,
    "StatefulSet": default_stateful_set,
    "DaemonSet": default_daemon_set,
    "Job": default_job,
    "CronJob": default_cron_job,
    "Service": default_service,
    "Namespace": _namespace,
    "Secret": _secret,
    "Endpoints": _endpoints,
    "Event": _noop,
    "ConfigMap": _noop,
    "Lease": _noop,
    "ServiceAccount": _noop,
    "Node": _noop,
    "RoleBinding": _binding,
    "ClusterRoleBinding": _binding,
    **STORAGE_DEFAULTERS,
}
