"""The demo's StatefulSet and DaemonSets, written settled as their controllers would have left
them: ControllerRevisions, revision labels, Running pods and status counts computed with the
controllers' own code, so the controllers adopt them unchanged (its Jobs are in ``jobs``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kubesim.api.resources import by_kind
from kubesim.controllers.workloads.daemonset import daemon_pod
from kubesim.controllers.workloads.history import (
    REVISION_HASH_LABEL,
    REVISIONS,
    controller_ref,
    patch_of,
    revision_hash,
)
from kubesim.controllers.workloads.statefulset import stateful_pod
from kubesim.machinery.clock import rfc3339
from kubesim.scenarios.apps import SERVICE
from kubesim.scenarios.backdating import backdated
from kubesim.scenarios.pods import POD, PodWriter
from kubesim.storage.store import Store
from kubesim.storage.storeport import Obj

DAEMONSET, STATEFULSET = by_kind("DaemonSet"), by_kind("StatefulSet")


def set_status(store: Store, rt_kind: str, obj: Obj, status: Obj) -> Obj:
    meta = obj["metadata"]

    def put(target: Obj) -> None:
        target["status"] = status

    return store.mutate(
        by_kind(rt_kind), meta["namespace"], meta["name"], put, subresource="status"
    )


def _revision(store: Store, owner: Obj, born: datetime) -> Obj:
    """Revision 1 of a StatefulSet or DaemonSet."""
    data = patch_of(owner)
    meta = owner["metadata"]
    labels = dict(owner["spec"]["template"]["metadata"].get("labels") or {})
    with backdated(store, born):
        return store.create(
            REVISIONS,
            {
                "metadata": {
                    "name": f"{meta['name']}-{revision_hash(data)}",
                    "namespace": meta["namespace"],
                    "labels": labels,
                    "ownerReferences": [controller_ref(owner)],
                },
                "data": data,
                "revision": 1,
            },
        )


def daemon_set(
    store: Store,
    make: PodWriter,
    nodes: list[Obj],
    *,
    name: str,
    image: str,
    labels: dict[str, str],
    born: datetime,
    node_selector: dict[str, str] | None = None,
) -> Obj:
    """A kube-system DaemonSet (host network, tolerating everything) with a pod on every node."""
    pod_spec: Obj = {
        "containers": [{"name": labels.get("component", name), "image": image}],
        "hostNetwork": True,
        "priorityClassName": "system-node-critical",
        "tolerations": [{"operator": "Exists"}],
    }
    if node_selector:
        pod_spec["nodeSelector"] = dict(node_selector)
    manifest: Obj = {
        "metadata": {"name": name, "namespace": "kube-system", "labels": dict(labels)},
        "spec": {
            "selector": {"matchLabels": dict(labels)},
            "template": {"metadata": {"labels": dict(labels)}, "spec": pod_spec},
        },
    }
    with backdated(store, born):
        ds = store.create(DAEMONSET, manifest)
    revision = _revision(store, ds, born)
    data_hash = str(revision["metadata"]["name"]).rsplit("-", 1)[-1]
    stamps = (rfc3339(born), rfc3339(born + timedelta(seconds=20)))
    for node in nodes:
        pod = daemon_pod(ds, ds["spec"]["template"], node["metadata"]["name"], data_hash)
        pod["metadata"].pop("generateName")
        pod["metadata"]["name"] = f"{name}-{make.suffix()}"
        pod["spec"]["nodeName"] = node["metadata"]["name"]
        pod["spec"]["priority"] = 2000001000
        pod["status"] = make.running_status(pod["spec"], node, stamps)
        with backdated(store, born):
            store.create(POD, pod)
    count = len(nodes)
    return set_status(
        store,
        "DaemonSet",
        ds,
        {
            "currentNumberScheduled": count,
            "desiredNumberScheduled": count,
            "numberMisscheduled": 0,
            "numberReady": count,
            "observedGeneration": 1,
            "updatedNumberScheduled": count,
            "numberAvailable": count,
        },
    )


def stateful_set(
    store: Store,
    make: PodWriter,
    workers: list[Obj],
    *,
    name: str,
    namespace: str,
    image: str,
    replicas: int,
    port: int,
    age: timedelta,
    storage: str = "",
    mount: str = "/data",
) -> Obj:
    """A database StatefulSet behind its headless Service, every ordinal Running at revision 1;
    with ``storage``, a ``data`` claim template of that size mounted at ``mount``."""
    labels = {"app": name}
    container: Obj = {
        "name": name,
        "image": image,
        "ports": [{"name": "db", "containerPort": port}],
    }
    claims: list[Obj] = []
    if storage:
        container["volumeMounts"] = [{"name": "data", "mountPath": mount}]
        claims.append(
            {
                "metadata": {"name": "data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": storage}},
                },
            }
        )
    born = make.now - age
    with backdated(store, born):
        store.create(
            SERVICE,
            {
                "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
                "spec": {
                    "clusterIP": "None",
                    "selector": dict(labels),
                    "ports": [{"name": "db", "port": port, "targetPort": port}],
                },
            },
        )
        sts = store.create(
            STATEFULSET,
            {
                "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
                "spec": {
                    "serviceName": name,
                    "replicas": replicas,
                    "selector": {"matchLabels": dict(labels)},
                    "template": {
                        "metadata": {"labels": dict(labels)},
                        "spec": {"containers": [container]},
                    },
                    **({"volumeClaimTemplates": claims} if claims else {}),
                },
            },
        )
    revision = _revision(store, sts, born)
    revision_name = revision["metadata"]["name"]
    for ordinal in range(replicas):
        started = born + timedelta(seconds=10 * ordinal)
        node = workers[ordinal % len(workers)]
        pod = stateful_pod(sts, ordinal, sts["spec"]["template"], revision_name)
        pod["spec"]["nodeName"] = node["metadata"]["name"]
        pod["status"] = make.running_status(
            pod["spec"], node, (rfc3339(started), rfc3339(started + timedelta(seconds=4)))
        )
        with backdated(store, started):
            store.create(POD, pod)
    return set_status(
        store,
        "StatefulSet",
        sts,
        {
            "observedGeneration": 1,
            "replicas": replicas,
            "readyReplicas": replicas,
            "currentReplicas": replicas,
            "updatedReplicas": replicas,
            "currentRevision": revision_name,
            "updateRevision": revision_name,
            "collisionCount": 0,
            "availableReplicas": replicas,
        },
    )


__all__ = ["REVISION_HASH_LABEL", "daemon_set", "set_status", "stateful_set"]
