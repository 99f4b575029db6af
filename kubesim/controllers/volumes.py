"""The persistent volume controller with a local-path provisioner: claims bound to volumes.

A Pending claim binds to an Available volume of its class that is large enough and offers its
access modes (static binding), else its class provisions one: at once for ``Immediate`` classes,
and for ``WaitForFirstConsumer`` ones (kind's ``standard``) only once a scheduled pod mounts the
claim, the claim meanwhile carrying the ``WaitForFirstConsumer`` event as on a real cluster. A
claim without a class gets the default class first (the DefaultStorageClass admission plugin).
Provisioned volumes are ``hostPath`` directories named ``pvc-<claim uid>``; a volume created
unbound becomes ``Available``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from kubesim.api import quantity
from kubesim.api.resources import by_kind
from kubesim.api.status import ApiError
from kubesim.machinery.clock import Clock
from kubesim.machinery.informer import Key
from kubesim.machinery.recorder import EventRecorder, EventType, Source
from kubesim.machinery.workqueue import WorkQueue
from kubesim.storage.storeport import Obj, StorePort

CLAIM: Final = by_kind("PersistentVolumeClaim")
VOLUME: Final = by_kind("PersistentVolume")
CLASS: Final = by_kind("StorageClass")
POD: Final = by_kind("Pod")
_CONTROLLER: Final = Source("persistentvolume-controller")
_DEFAULT: Final = "storageclass.kubernetes.io/is-default-class"
_ROOT: Final = "/var/local-path-provisioner"


def _size(resources: object) -> Decimal:
    value = resources.get("storage") if isinstance(resources, dict) else None
    return quantity.parse(value).value


def _fits(volume: Obj, claim: Obj, class_name: str) -> bool:
    spec, wanted = volume.get("spec") or {}, claim.get("spec") or {}
    return (
        (volume.get("status") or {}).get("phase") == "Available"
        and not spec.get("claimRef")
        and (spec.get("storageClassName") or "") == class_name
        and set(wanted.get("accessModes") or ()) <= set(spec.get("accessModes") or ())
        and _size(spec.get("capacity")) >= _size((wanted.get("resources") or {}).get("requests"))
    )


class VolumeController:
    """Binds and provisions claims; work is keyed by claim."""

    def __init__(self, store: StorePort, clock: Clock, recorder: EventRecorder) -> None:
        self._store = store
        self._recorder = recorder
        self.queue: WorkQueue[Key] = WorkQueue("persistentvolume", self._sync, clock)
        self.volume_queue: WorkQueue[str] = WorkQueue("persistentvolume-phase", self._phase, clock)

    def on_volume(self, volume: Obj) -> None:
        self.volume_queue.add(str((volume.get("metadata") or {}).get("name", "")))

    def _phase(self, name: str) -> None:
        """A new volume is Available; the claims still waiting may bind to it."""
        volume = self._store.find(VOLUME, None, name)
        if volume is None or (volume.get("status") or {}).get("phase") not in (None, "Pending"):
            return
        if (volume.get("spec") or {}).get("claimRef"):
            return
        self._store.mutate(
            VOLUME,
            None,
            name,
            lambda v: v.update(status={"phase": "Available"}),
            subresource="status",
        )
        for claim in self._store.list(CLAIM):
            if (claim.get("status") or {}).get("phase") == "Pending":
                self.on_claim(claim)

    def on_claim(self, claim: Obj) -> None:
        meta = claim.get("metadata") or {}
        self.queue.add((str(meta.get("namespace", "")), str(meta.get("name", ""))))

    def on_pod(self, pod: Obj) -> None:
        """A scheduled pod may be the first consumer a waiting claim needs."""
        namespace = str((pod.get("metadata") or {}).get("namespace", ""))
        for volume in (pod.get("spec") or {}).get("volumes") or ():
            name = ((volume or {}).get("persistentVolumeClaim") or {}).get("claimName")
            if name:
                self.queue.add((namespace, str(name)))

    def _sync(self, key: Key) -> None:
        namespace, name = key
        claim = self._store.find(CLAIM, namespace, name)
        if claim is None or (claim.get("spec") or {}).get("volumeName"):
            return
        if (claim.get("metadata") or {}).get("deletionTimestamp"):
            return
        class_name = (claim.get("spec") or {}).get("storageClassName")
        if class_name is None:
            class_name = self._default_class()
            if class_name:
                claim = self._store.mutate(
                    CLAIM, namespace, name, lambda c: c["spec"].update(storageClassName=class_name)
                )
        class_name = class_name or ""
        for volume in self._store.list(VOLUME):
            if _fits(volume, claim, class_name):
                self._bind(claim, volume, by_controller=True)
                return
        storage_class = self._store.find(CLASS, None, class_name) if class_name else None
        if storage_class is None:
            message = (
                "no persistent volumes available for this claim and no storage class is set"
                if not class_name
                else f'storageclass.storage.k8s.io "{class_name}" not found'
            )
            self._recorder.record(
                claim,
                kind=EventType.WARNING if class_name else EventType.NORMAL,
                reason="ProvisioningFailed" if class_name else "FailedBinding",
                message=message,
                source=_CONTROLLER,
            )
            return
        node = self._consumer_node(claim)
        if storage_class.get("volumeBindingMode") == "WaitForFirstConsumer" and node is None:
            self._recorder.record(
                claim,
                kind=EventType.NORMAL,
                reason="WaitForFirstConsumer",
                message="waiting for first consumer to be created before binding",
                source=_CONTROLLER,
            )
            return
        self._provision(claim, storage_class, node)

    def _default_class(self) -> str:
        for storage_class in self._store.list(CLASS):
            if (storage_class["metadata"].get("annotations") or {}).get(_DEFAULT) == "true":
                return str(storage_class["metadata"]["name"])
        return ""

    def _consumer_node(self, claim: Obj) -> str | None:
        name = claim["metadata"]["name"]
        for pod in self._store.list(POD, claim["metadata"].get("namespace")):
            spec = pod.get("spec") or {}
            uses = any(
                ((v or {}).get("persistentVolumeClaim") or {}).get("claimName") == name
                for v in spec.get("volumes") or ()
            )
            if uses and spec.get("nodeName"):
                return str(spec["nodeName"])
        return None

    def _provision(self, claim: Obj, storage_class: Obj, node: str | None) -> None:
        meta, spec = claim["metadata"], claim.get("spec") or {}
        provisioner = str(storage_class.get("provisioner", ""))
        name = f"pvc-{meta['uid']}"
        requested = (spec.get("resources") or {}).get("requests") or {}
        volume: Obj = {
            "metadata": {
                "name": name,
                "annotations": {"pv.kubernetes.io/provisioned-by": provisioner},
                "finalizers": ["kubernetes.io/pv-protection"],
            },
            "spec": {
                "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
                "capacity": {"storage": str(requested.get("storage", "1Gi"))},
                "hostPath": {
                    "path": f"{_ROOT}/{name}_{meta['namespace']}_{meta['name']}",
                    "type": "DirectoryOrCreate",
                },
                "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy") or "Delete",
                "storageClassName": storage_class["metadata"]["name"],
                "volumeMode": spec.get("volumeMode") or "Filesystem",
            },
        }
        if node:
            annotations = {"volume.kubernetes.io/selected-node": node}
            claim = self._store.mutate(
                CLAIM,
                meta["namespace"],
                meta["name"],
                lambda c: c["metadata"].setdefault("annotations", {}).update(annotations),
            )
        try:
            created = self._store.create(VOLUME, volume)
        except ApiError:
            return  # provisioned already; the next sync binds it
        self._recorder.record(
            claim,
            kind=EventType.NORMAL,
            reason="ProvisioningSucceeded",
            message=f"Successfully provisioned volume {name}",
            source=Source(provisioner),
        )
        self._bind(claim, created, by_controller=False)

    def _bind(self, claim: Obj, volume: Obj, *, by_controller: bool) -> None:
        meta = claim["metadata"]
        ref = {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "name": meta["name"],
            "namespace": meta["namespace"],
            "uid": meta["uid"],
        }
        volume_name = volume["metadata"]["name"]
        self._store.mutate(VOLUME, None, volume_name, lambda v: v["spec"].update(claimRef=ref))
        self._store.mutate(
            VOLUME,
            None,
            volume_name,
            lambda v: v.update(status={"phase": "Bound"}),
            subresource="status",
        )
        marks = {"pv.kubernetes.io/bind-completed": "yes"}
        if by_controller:
            marks["pv.kubernetes.io/bound-by-controller"] = "yes"

        def bind(target: Obj) -> None:
            target["spec"]["volumeName"] = volume_name
            target["metadata"].setdefault("annotations", {}).update(marks)

        self._store.mutate(CLAIM, meta["namespace"], meta["name"], bind)
        status = {
            "phase": "Bound",
            "accessModes": list((volume.get("spec") or {}).get("accessModes") or ()),
            "capacity": dict((volume.get("spec") or {}).get("capacity") or {}),
        }
        self._store.mutate(
            CLAIM,
            meta["namespace"],
            meta["name"],
            lambda c: c.update(status=status),
            subresource="status",
        )
