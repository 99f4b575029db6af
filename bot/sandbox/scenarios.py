"""Ready-made clusters: ``empty``, ``demo`` (a small team's cluster) and ``scale`` (N pods).

Everything is back-dated and settled (pods Running, Deployments complete) so ``kubectl get``
shows plausible ages at once, and the prod ``api`` Deployment carries three revisions with
change-causes for ``rollout history``/``undo``. The scale scenario writes pods directly in their
final state instead of simulating thousands of starts.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from bot.sandbox.resources import by_kind
from bot.sandbox.scenario_objects import (
    NAMESPACE,
    NODE,
    SERVICE,
    App,
    Materializer,
    Revision,
    backdated,
)
from bot.sandbox.store import Store
from bot.sandbox.storeport import Obj

NAMES = ("empty", "demo", "scale")
SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
CLUSTER_AGE = timedelta(days=12)
PODS_PER_NODE = 100


def load(store: Store, name: str, *, pods: int = 0, deployments: int = 0) -> None:
    """Fill an empty ``store`` with the named scenario; ValueError for an unknown name."""
    if name not in NAMES:
        msg = f"unknown scenario {name!r} (expected one of: {', '.join(NAMES)})"
        raise ValueError(msg)
    now = store.clock.now()
    with _no_cyclic_gc():
        if name == "scale":
            workers = max(2, -(-max(pods, 0) // PODS_PER_NODE))
            nodes = _base(store, now, workers=workers)
            _scale(store, now, nodes, pods=pods, deployments=deployments)
            return
        nodes = _base(store, now, workers=2 if name == "demo" else 1)
        if name == "demo":
            _demo(store, now, nodes, extra_namespaces=("staging", "prod"))


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Bulk loading allocates ~100 dicts per pod that all survive: the generational collector
    would re-scan them over and over (half of a 10,000-pod load). JSON has no cycles to find."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _base(store: Store, now: datetime, *, workers: int) -> list[Obj]:
    """Namespaces, nodes, the ``kubernetes`` Service and each namespace's default objects."""
    born = now - CLUSTER_AGE
    with backdated(store, born):
        for namespace in SYSTEM_NAMESPACES:
            _namespace(store, namespace)
        nodes = [store.create(NODE, node_manifest("sandbox-control-plane", 0, born))]
        for index in range(1, workers + 1):
            name = "sandbox-worker" if index == 1 else f"sandbox-worker{index}"
            nodes.append(store.create(NODE, node_manifest(name, index, born)))
        store.create(
            SERVICE,
            {
                "metadata": {
                    "name": "kubernetes",
                    "namespace": "default",
                    "labels": {"component": "apiserver", "provider": "kubernetes"},
                },
                "spec": {
                    "clusterIP": "10.96.0.1",
                    "ports": [{"name": "https", "port": 443, "targetPort": 6443}],
                },
            },
        )
    return nodes


def _namespace(store: Store, name: str) -> None:
    store.create(
        NAMESPACE, {"metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}}}
    )
    store.create(by_kind("ServiceAccount"), {"metadata": {"name": "default", "namespace": name}})
    store.create(
        by_kind("ConfigMap"),
        {
            "metadata": {"name": "kube-root-ca.crt", "namespace": name},
            "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nsandbox\n-----END CERTIFICATE-----\n"},
        },
    )


def node_manifest(name: str, index: int, born: datetime) -> Obj:
    """A kind-like node: labels, podCIDR, addresses, capacity, nodeInfo, conditions."""
    stamp = born.strftime("%Y-%m-%dT%H:%M:%SZ")
    control = index == 0
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    }
    if control:
        labels["node-role.kubernetes.io/control-plane"] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    cidr = f"10.244.{index}.0/24"
    spec: Obj = {"podCIDR": cidr, "podCIDRs": [cidr], "providerID": f"kind://docker/sandbox/{name}"}
    if control:
        spec["taints"] = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
    resources = {
        "cpu": "8",
        "ephemeral-storage": "102626232Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": "16283676Ki",
        "pods": "110",
    }

    def condition(kind: str, status: str, reason: str, message: str) -> Obj:
        return {
            "type": kind,
            "status": status,
            "lastHeartbeatTime": stamp,
            "lastTransitionTime": stamp,
            "reason": reason,
            "message": message,
        }

    return {
        "metadata": {
            "name": name,
            "labels": labels,
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": spec,
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": f"172.18.{index // 250}.{index % 250 + 2}"},
                {"type": "Hostname", "address": name},
            ],
            "allocatable": dict(resources),
            "capacity": dict(resources),
            "conditions": [
                condition(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                condition(
                    "DiskPressure",
                    "False",
                    "KubeletHasNoDiskPressure",
                    "kubelet has no disk pressure",
                ),
                condition(
                    "PIDPressure",
                    "False",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                ),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": f"5f0c{index:04d}-8c1d-4c55-9a43-1b2a3c4d5e6f",
                "containerRuntimeVersion": "containerd://1.7.24",
                "kernelVersion": "6.8.0-51-generic",
                "kubeProxyVersion": "v1.32.2",
                "kubeletVersion": "v1.32.2",
                "machineID": f"{index:032x}",
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": f"2b1e{index:04d}-3f4a-4b5c-8d6e-7f8091a2b3c4",
            },
        },
    }


def _demo(
    store: Store, now: datetime, nodes: list[Obj], *, extra_namespaces: tuple[str, ...]
) -> None:
    with backdated(store, now - timedelta(days=9)):
        for namespace in extra_namespaces:
            _namespace(store, namespace)
    day, hour = timedelta(days=1), timedelta(hours=1)
    make = Materializer(store, now=now, nodes=nodes)
    for app in (
        App(
            "coredns",
            "kube-system",
            (Revision("registry.k8s.io/coredns/coredns:v1.11.3", CLUSTER_AGE),),
            replicas=2,
            port=None,
            labels={"k8s-app": "kube-dns"},
            tolerate_control_plane=True,
        ),
        App(
            "kubernetes-bootcamp",
            "default",
            (Revision("gcr.io/google-samples/kubernetes-bootcamp:v1", 6 * day),),
            port=8080,
            service_type="NodePort",
        ),
        App("web", "default", (Revision("nginx:1.27", 5 * day),), replicas=3),
        App("web", "staging", (Revision("nginx:1.27", 4 * day),), replicas=2),
        App(
            "api",
            "staging",
            (Revision("ghcr.io/acme/api:1.4.0", 20 * hour),),
            replicas=2,
            port=8080,
        ),
        App("redis", "staging", (Revision("redis:7.4", 8 * day),), port=6379),
        App(
            "api",
            "prod",
            (
                Revision("ghcr.io/acme/api:1.2.0", 7 * day, "slack:@alice deploy api 1.2.0"),
                Revision(
                    "ghcr.io/acme/api:1.3.0",
                    3 * day,
                    "slack:@bob set image api=ghcr.io/acme/api:1.3.0",
                ),
                Revision(
                    "ghcr.io/acme/api:1.3.1",
                    5 * hour,
                    "slack:@alice set image api=ghcr.io/acme/api:1.3.1",
                ),
            ),
            replicas=3,
            port=8080,
        ),
        App(
            "web",
            "prod",
            (
                Revision("nginx:1.26", 7 * day, "initial release"),
                Revision("nginx:1.27", 2 * day, "slack:@bob set image web=nginx:1.27"),
            ),
            replicas=3,
        ),
        App(
            "worker",
            "prod",
            (Revision("ghcr.io/acme/worker:2.0.3", 7 * day),),
            replicas=2,
            port=None,
        ),
    ):
        make.app(app)


def _scale(store: Store, now: datetime, nodes: list[Obj], *, pods: int, deployments: int) -> None:
    """``deployments`` Deployments sharing ``pods`` pods evenly, all settled and Running."""
    count = max(deployments, 1 if pods else 0)
    make = Materializer(store, now=now, nodes=nodes)
    base, extra = divmod(max(pods, 0), count) if count else (0, 0)
    width = len(str(count))
    for index in range(count):
        make.app(
            App(
                f"app-{index + 1:0{width}d}",
                "default",
                (Revision("nginx:1.27", timedelta(days=2)),),
                replicas=base + (1 if index < extra else 0),
                port=None,
            )
        )
