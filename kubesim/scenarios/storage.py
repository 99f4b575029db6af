"""The demo's storage, quota, limits and Ingress, settled as their controllers would leave them.

A default StorageClass (kind's local-path provisioner), a claim for staging's redis bound to the
volume provisioned for it, a ResourceQuota and a LimitRange in staging (``describe namespace``
shows both sections), and an Ingress in front of prod's ``web`` Service with the address the
ingress controller reported. Usage is computed from the namespace's objects as the quota
controller computes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from kubesim.api.resources import by_kind
from kubesim.controllers.quota import QUOTA, settled_status
from kubesim.controllers.workloads.statefulset import ordinal_of, stateful_claims
from kubesim.machinery.clock import parse_rfc3339
from kubesim.scenarios.backdating import backdated
from kubesim.storage.store import Store
from kubesim.storage.storeport import Obj

PROVISIONER: Final = "rancher.io/local-path"
_CLAIM, _VOLUME = by_kind("PersistentVolumeClaim"), by_kind("PersistentVolume")
_STATEFULSET, _POD = by_kind("StatefulSet"), by_kind("Pod")


def _status(store: Store, kind: str, obj: Obj, status: Obj) -> Obj:
    meta = obj["metadata"]

    def put(target: Obj) -> None:
        target["status"] = status

    return store.mutate(
        by_kind(kind), meta.get("namespace"), meta["name"], put, subresource="status"
    )


def _storage_class(store: Store) -> None:
    store.create(
        by_kind("StorageClass"),
        {
            "metadata": {
                "name": "standard",
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            "provisioner": PROVISIONER,
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer",
        },
    )


def _claim(store: Store, now: datetime) -> None:
    """``staging/redis-data`` and its provisioned volume, bound both ways."""
    claim: Obj = {
        "metadata": {"name": "redis-data", "namespace": "staging", "labels": {"app": "redis"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    bound_claim(store, claim, node="sandbox-worker", born=now - timedelta(days=8))


def _stateful_claims(store: Store) -> None:
    """Each StatefulSet pod's claims from its set's templates, as the StatefulSet controller
    created them just before the pod, bound to volumes provisioned on the pod's node."""
    for sts in store.list(_STATEFULSET):
        for pod in store.list(_POD, sts["metadata"]["namespace"]):
            ordinal = ordinal_of(sts["metadata"]["name"], pod)
            if ordinal is None:
                continue
            born = parse_rfc3339(pod["metadata"]["creationTimestamp"])
            for claim in stateful_claims(sts, ordinal):
                bound_claim(store, claim, node=pod["spec"].get("nodeName", ""), born=born)


def bound_claim(store: Store, claim: Obj, *, node: str, born: datetime) -> Obj:
    """``claim`` (of the default class) created at ``born`` with the volume the local-path
    provisioner made for it on ``node``, bound both ways as the volume controller leaves them."""
    meta = claim["metadata"]
    name, namespace = meta["name"], meta["namespace"]
    meta["annotations"] = {
        **(meta.get("annotations") or {}),
        "volume.beta.kubernetes.io/storage-provisioner": PROVISIONER,
        "volume.kubernetes.io/storage-provisioner": PROVISIONER,
        "volume.kubernetes.io/selected-node": node,
    }
    meta["finalizers"] = ["kubernetes.io/pvc-protection"]
    claim["spec"]["storageClassName"] = "standard"
    modes = list(claim["spec"].get("accessModes") or ["ReadWriteOnce"])
    size = claim["spec"]["resources"]["requests"]["storage"]
    with backdated(store, born):
        created = store.create(_CLAIM, claim)
        volume_name = f"pvc-{created['metadata']['uid']}"
        volume = store.create(
            _VOLUME,
            {
                "metadata": {
                    "name": volume_name,
                    "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER},
                    "finalizers": ["kubernetes.io/pv-protection"],
                },
                "spec": {
                    "accessModes": modes,
                    "capacity": {"storage": size},
                    "claimRef": {
                        "apiVersion": "v1",
                        "kind": "PersistentVolumeClaim",
                        "name": name,
                        "namespace": namespace,
                        "uid": created["metadata"]["uid"],
                    },
                    "hostPath": {
                        "path": f"/var/local-path-provisioner/{volume_name}_{namespace}_{name}",
                        "type": "DirectoryOrCreate",
                    },
                    "persistentVolumeReclaimPolicy": "Delete",
                    "storageClassName": "standard",
                    "volumeMode": "Filesystem",
                },
            },
        )
        _status(store, "PersistentVolume", volume, {"phase": "Bound"})

        def bind(target: Obj) -> None:
            target["spec"]["volumeName"] = volume_name
            target["metadata"]["annotations"].update(
                {
                    "pv.kubernetes.io/bind-completed": "yes",
                    "pv.kubernetes.io/bound-by-controller": "yes",
                }
            )

        bound = store.mutate(_CLAIM, namespace, name, bind)
        return _status(
            store,
            "PersistentVolumeClaim",
            bound,
            {"phase": "Bound", "accessModes": modes, "capacity": {"storage": size}},
        )


def _limits(store: Store, now: datetime) -> None:
    with backdated(store, now - timedelta(days=9)):
        store.create(
            by_kind("LimitRange"),
            {
                "metadata": {"name": "defaults", "namespace": "staging"},
                "spec": {
                    "limits": [
                        {
                            "type": "Container",
                            "default": {"cpu": "500m", "memory": "256Mi"},
                            "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                            "max": {"cpu": "2", "memory": "1Gi"},
                        }
                    ]
                },
            },
        )
        quota = store.create(
            QUOTA,
            {
                "metadata": {"name": "compute", "namespace": "staging"},
                "spec": {
                    "hard": {
                        "pods": "20",
                        "requests.cpu": "4",
                        "requests.memory": "8Gi",
                        "limits.cpu": "8",
                        "limits.memory": "16Gi",
                        "count/configmaps": "10",
                        "persistentvolumeclaims": "5",
                    }
                },
            },
        )
    _status(store, "ResourceQuota", quota, settled_status(store, quota))


def _ingress(store: Store, now: datetime) -> None:
    with backdated(store, now - timedelta(days=6)):
        ingress = store.create(
            by_kind("Ingress"),
            {
                "metadata": {
                    "name": "web",
                    "namespace": "prod",
                    "annotations": {"nginx.ingress.kubernetes.io/ssl-redirect": "false"},
                },
                "spec": {
                    "ingressClassName": "nginx",
                    "rules": [
                        {
                            "host": "web.example.com",
                            "http": {
                                "paths": [
                                    {
                                        "path": "/",
                                        "pathType": "Prefix",
                                        "backend": {
                                            "service": {"name": "web", "port": {"number": 80}}
                                        },
                                    }
                                ]
                            },
                        }
                    ],
                },
            },
        )
    _status(store, "Ingress", ingress, {"loadBalancer": {"ingress": [{"ip": "172.18.0.2"}]}})


def load_storage(store: Store, now: datetime) -> None:
    """Add the demo's storage class, claim and volume, quota, limits and Ingress."""
    with backdated(store, now - timedelta(days=12)):
        _storage_class(store)
    _claim(store, now)
    _stateful_claims(store)
    _ingress(store, now)
    _limits(store, now)
