"""Ready-made clusters: ``empty``, ``demo`` (a small team's cluster) and ``scale`` (N pods).

Everything is back-dated and settled (pods Running, Deployments complete) so ``kubectl get``
shows plausible ages at once, and the prod ``api`` Deployment carries three revisions with
change-causes for ``rollout history``/``undo``; the demo also has cert-manager's Certificate CRD
(crds.py here). The scale scenario writes pods directly in their
final state instead of simulating thousands of starts.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from kubesim.api.resources import by_kind
from kubesim.controllers import endpoints
from kubesim.machinery.clock import parse_rfc3339
from kubesim.scenarios.apps import SERVICE, App, Materializer, Revision
from kubesim.scenarios.backdating import backdated
from kubesim.scenarios.crds import load_certificates
from kubesim.scenarios.jobs import cron_job, finished_job
from kubesim.scenarios.nodes import node_manifest, system_pods
from kubesim.scenarios.pods import PodWriter
from kubesim.scenarios.storage import load_storage
from kubesim.scenarios.workloads import stateful_set
from kubesim.storage.store import Store
from kubesim.storage.storeport import Obj

__all__ = ["NAMES", "load", "node_manifest"]

NAMES = ("empty", "demo", "scale")
NAMESPACE, NODE = by_kind("Namespace"), by_kind("Node")
SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
CLUSTER_AGE = timedelta(days=12)
PODS_PER_NODE = 100
_KUBE_DNS: Obj = {
    "metadata": {
        "name": "kube-dns",
        "namespace": "kube-system",
        "labels": {
            "k8s-app": "kube-dns",
            "kubernetes.io/cluster-service": "true",  # kubectl cluster-info lists it by this
            "kubernetes.io/name": "CoreDNS",
        },
        "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"},
    },
    "spec": {
        "clusterIP": "10.96.0.10",
        "selector": {"k8s-app": "kube-dns"},
        "ports": [
            {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
            {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
            {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
        ],
    },
}


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
        else:
            nodes = _base(store, now, workers=2 if name == "demo" else 1)
            if name == "demo":
                _demo(store, now, nodes, extra_namespaces=("staging", "prod"))
                load_certificates(store, now)
                load_storage(store, now)
        _settle_endpoints(store)


def _settle_endpoints(store: Store) -> None:
    """Every Service with the Endpoints and EndpointSlice it has had since it was created."""
    for service in store.list(SERVICE):
        born = service["metadata"]["creationTimestamp"]
        with backdated(store, parse_rfc3339(born)):
            endpoints.settle(store, service, born)


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
        for node in nodes:
            _node_lease(store, node, born)
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


def _node_lease(store: Store, node: Obj, born: datetime) -> None:
    """The kubelet's heartbeat Lease (``kubectl describe node`` shows it under ``Lease:``)."""
    name = node["metadata"]["name"]
    store.create(
        by_kind("Lease"),
        {
            "metadata": {
                "name": name,
                "namespace": "kube-node-lease",
                "ownerReferences": [
                    {
                        "apiVersion": "v1",
                        "kind": "Node",
                        "name": name,
                        "uid": node["metadata"]["uid"],
                    }
                ],
            },
            "spec": {
                "holderIdentity": name,
                "leaseDurationSeconds": 40,
                "renewTime": born.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            },
        },
    )


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


def _demo(
    store: Store, now: datetime, nodes: list[Obj], *, extra_namespaces: tuple[str, ...]
) -> None:
    with backdated(store, now - timedelta(days=9)):
        for namespace in extra_namespaces:
            _namespace(store, namespace)
    day, hour = timedelta(days=1), timedelta(hours=1)
    pods = PodWriter(store, now=now, nodes=nodes)
    make = Materializer(store, pods)
    system_pods(store, pods, nodes, now - CLUSTER_AGE)
    with backdated(store, now - CLUSTER_AGE):
        store.create(SERVICE, _KUBE_DNS)
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
    _demo_workloads(store, pods, [n for n in nodes if not n["spec"].get("taints")] or nodes)


def _demo_workloads(store: Store, make: PodWriter, workers: list[Obj]) -> None:
    """prod's database StatefulSet, its nightly backup CronJob and the last migration Job."""
    day, hour = timedelta(days=1), timedelta(hours=1)
    stateful_set(
        store,
        make,
        workers,
        name="postgres",
        namespace="prod",
        image="postgres:16.4",
        replicas=3,
        port=5432,
        age=8 * day,
        storage="10Gi",
        mount="/var/lib/postgresql/data",
    )
    cron_job(
        store,
        make,
        workers[0],
        name="db-backup",
        namespace="prod",
        schedule="0 2 * * *",
        container={
            "name": "backup",
            "image": "postgres:16.4",
            "command": ["sh", "-c", "pg_dump -h postgres app > /backup/app.sql"],
        },
        age=8 * day,
    )
    migrate: Obj = {
        "metadata": {"name": "db-migrate", "namespace": "prod", "labels": {"app": "api"}},
        "spec": {
            "backoffLimit": 2,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [
                        {
                            "name": "migrate",
                            "image": "ghcr.io/acme/api:1.3.1",
                            "command": ["./migrate", "up"],
                        }
                    ],
                }
            },
        },
    }
    finished_job(
        store, make, workers[-1], migrate, started=make.now - 5 * hour, took=timedelta(seconds=23)
    )


def _scale(store: Store, now: datetime, nodes: list[Obj], *, pods: int, deployments: int) -> None:
    """``deployments`` Deployments sharing ``pods`` pods evenly, all settled and Running."""
    count = max(deployments, 1 if pods else 0)
    make = Materializer(store, PodWriter(store, now=now, nodes=nodes))
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
