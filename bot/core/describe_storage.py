"""``kubectl describe persistentvolumeclaim|persistentvolume|storageclass`` (v1.32 layouts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from bot.core import kube, quantity, tabwriter
from bot.core.ages import age, rfc1123z
from bot.core.describe import events_section
from bot.core.describe_out import Out, annotations_multiline, labels_multiline
from bot.core.kube import Obj

_MODES: Final = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)
_CLASS_ANNOTATION: Final = "volume.beta.kubernetes.io/storage-class"
_DEFAULT_CLASS: Final = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


def access_modes(modes: Sequence[str]) -> str:
    """``GetAccessModesAsString``: ``RWO,ROX,RWX,RWOP`` in that order."""
    return ",".join(short for mode, short in _MODES if mode in modes)


def storage_class_of(obj: Obj) -> str:
    """The beta annotation, else ``spec.storageClassName``."""
    annotations = kube.string_map(obj, "metadata", "annotations")
    return annotations.get(_CLASS_ANNOTATION) or kube.text(obj, "spec", "storageClassName")


def _go_strings(values: Sequence[str]) -> str:
    return "[" + " ".join(values) + "]"


def _status(obj: Obj, now: datetime) -> str:
    deleted = kube.text(obj, "metadata", "deletionTimestamp")
    if deleted:
        return f"Terminating (lasts {age(deleted, now)})"
    return kube.text(obj, "status", "phase")


def describe_claim(
    claim: Obj, *, users: Sequence[Obj], events: Sequence[Obj] | None, now: datetime
) -> str:
    """``kubectl describe pvc`` (``users``: the pods that mount it or own it)."""
    out = Out()
    meta, spec = kube.mapping(claim, "metadata"), kube.mapping(claim, "spec")
    out.write(0, f"Name:\t{kube.text(meta, 'name')}\n")
    out.write(0, f"Namespace:\t{kube.text(meta, 'namespace')}\n")
    out.write(0, f"StorageClass:\t{storage_class_of(claim)}\n")
    out.write(0, f"Status:\t{_status(claim, now)}\n")
    out.write(0, f"Volume:\t{kube.text(spec, 'volumeName')}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    out.write(0, f"Finalizers:\t{_go_strings(kube.strings(meta, 'finalizers'))}\n")
    capacity = modes = ""
    if kube.text(spec, "volumeName"):
        modes = access_modes(kube.strings(claim, "status", "accessModes"))
        capacity = str(quantity.parse(kube.text(claim, "status", "capacity", "storage") or "0"))
    out.write(0, f"Capacity:\t{capacity}\n")
    out.write(0, f"Access Modes:\t{modes}\n")
    if kube.text(spec, "volumeMode"):
        out.write(0, f"VolumeMode:\t{kube.text(spec, 'volumeMode')}\n")
    if kube.has(spec, "dataSource"):
        source = kube.mapping(spec, "dataSource")
        out.write(0, "DataSource:\n")
        if kube.has(source, "apiGroup"):
            out.write(1, f"APIGroup:\t{kube.text(source, 'apiGroup')}\n")
        out.write(1, f"Kind:\t{kube.text(source, 'kind')}\n")
        out.write(1, f"Name:\t{kube.text(source, 'name')}\n")
    out.write(0, "Used By:\t")
    names = sorted(kube.name_of(p) for p in users)
    if not names:
        out.line("<none>")
    for i, name in enumerate(names):
        out.write(0, ("\t" if i else "") + f"{name}\n")
    conditions = kube.items(claim, "status", "conditions")
    if conditions:
        out.write(0, "Conditions:\n")
        out.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n")
        out.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            out.write(
                1,
                f"{kube.text(c, 'type')} \t{kube.text(c, 'status')} \t"
                f"{rfc1123z(kube.text(c, 'lastProbeTime'))} \t"
                f"{rfc1123z(kube.text(c, 'lastTransitionTime'))} \t"
                f"{kube.text(c, 'reason')} \t{kube.text(c, 'message')}\n",
            )
    events_section(out, events, now)
    return tabwriter.align(out.text())


def claim_users(claim: Obj, pods: Sequence[Obj]) -> list[Obj]:
    """``getPodsForPVC``: pods with a volume of this claim, then owner pods not yet listed."""
    name = kube.name_of(claim)
    users = [
        p
        for p in pods
        for v in kube.items(p, "spec", "volumes")
        if kube.text(v, "persistentVolumeClaim", "claimName") == name
    ]
    seen = {kube.text(p, "metadata", "uid") for p in users}
    for ref in kube.items(claim, "metadata", "ownerReferences"):
        if kube.text(ref, "kind") != "Pod":
            continue
        for p in pods:
            uid = kube.text(p, "metadata", "uid")
            if uid == kube.text(ref, "uid") and uid not in seen:
                users.append(p)
                seen.add(uid)
    return users


def _source(out: Out, spec: Obj) -> None:
    if kube.has(spec, "hostPath"):
        host = kube.mapping(spec, "hostPath")
        out.write(2, "Type:\tHostPath (bare host directory volume)\n")
        out.write(0, f"    Path:\t{kube.text(host, 'path')}\n")
        out.write(0, f"    HostPathType:\t{kube.text(host, 'type') or '<none>'}\n")
    elif kube.has(spec, "local"):
        local = kube.mapping(spec, "local")
        out.write(2, "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n")
        out.write(0, f"    Path:\t{kube.text(local, 'path')}\n")
    elif kube.has(spec, "nfs"):
        nfs = kube.mapping(spec, "nfs")
        out.write(2, "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n")
        out.write(0, f"    Server:\t{kube.text(nfs, 'server')}\n")
        out.write(0, f"    Path:\t{kube.text(nfs, 'path')}\n")
        out.write(0, f"    ReadOnly:\t{'true' if kube.flag(nfs, 'readOnly') else 'false'}\n")
    else:
        out.write(1, "<unknown>\n")


def _node_affinity(out: Out, spec: Obj) -> None:
    """``printVolumeNodeAffinity``: each required term's expressions, operators lower-cased."""
    out.write(0, "Node Affinity:\t")
    if not kube.has(spec, "nodeAffinity", "required"):
        out.line("<none>")
        return
    out.line("")
    out.write(1, "Required Terms:\t")
    terms = kube.items(spec, "nodeAffinity", "required", "nodeSelectorTerms")
    if not terms:
        out.line("<none>")
        return
    out.line("")
    for i, term in enumerate(terms):
        out.write(2, f"Term {i}:\t")
        exprs = kube.items(term, "matchExpressions")
        if not exprs:
            out.line("<none>")
        for j, req in enumerate(exprs):
            if j:
                out.write(2, "\t")
            text = f"{kube.text(req, 'key')} {kube.text(req, 'operator').lower()}"
            if kube.strings(req, "values"):
                text += f" [{', '.join(kube.strings(req, 'values'))}]"
            out.write(0, f"{text}\n")


def describe_volume(volume: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe pv`` (hostPath, local and NFS sources in full; others ``<unknown>``)."""
    out = Out()
    meta, spec = kube.mapping(volume, "metadata"), kube.mapping(volume, "spec")
    out.write(0, f"Name:\t{kube.text(meta, 'name')}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    out.write(0, f"Finalizers:\t{_go_strings(kube.strings(meta, 'finalizers'))}\n")
    out.write(0, f"StorageClass:\t{storage_class_of(volume)}\n")
    out.write(0, f"Status:\t{_status(volume, now)}\n")
    ref = kube.mapping(spec, "claimRef")
    claim = f"{kube.text(ref, 'namespace')}/{kube.text(ref, 'name')}" if ref else ""
    out.write(0, f"Claim:\t{claim}\n")
    out.write(0, f"Reclaim Policy:\t{kube.text(spec, 'persistentVolumeReclaimPolicy')}\n")
    out.write(0, f"Access Modes:\t{access_modes(kube.strings(spec, 'accessModes'))}\n")
    if kube.text(spec, "volumeMode"):
        out.write(0, f"VolumeMode:\t{kube.text(spec, 'volumeMode')}\n")
    out.write(0, f"Capacity:\t{quantity.parse(kube.text(spec, 'capacity', 'storage') or '0')}\n")
    _node_affinity(out, spec)
    out.write(0, f"Message:\t{kube.text(volume, 'status', 'message')}\n")
    out.write(0, "Source:\n")
    _source(out, spec)
    events_section(out, events, now)
    return tabwriter.align(out.text())


def describe_storage_class(storage_class: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe storageclass``."""
    out = Out()
    meta = kube.mapping(storage_class, "metadata")
    annotations = kube.string_map(meta, "annotations")
    default = "No"
    if any(annotations.get(k) == "true" for k in _DEFAULT_CLASS):
        default = "Yes"
    out.write(0, f"Name:\t{kube.text(meta, 'name')}\n")
    out.write(0, f"IsDefaultClass:\t{default}\n")
    out.write(0, f"Annotations:\t{kube.format_labels(annotations)}\n")
    out.write(0, f"Provisioner:\t{kube.text(storage_class, 'provisioner')}\n")
    out.write(
        0, f"Parameters:\t{kube.format_labels(kube.string_map(storage_class, 'parameters'))}\n"
    )
    expansion = "<unset>"
    if kube.has(storage_class, "allowVolumeExpansion"):
        expansion = "True" if kube.flag(storage_class, "allowVolumeExpansion") else "False"
    out.write(0, f"AllowVolumeExpansion:\t{expansion}\n")
    options = kube.strings(storage_class, "mountOptions")
    if not options:
        out.write(0, "MountOptions:\t<none>\n")
    else:
        out.write(0, "MountOptions:\n")
        for option in options:
            out.write(1, f"{option}\n")
    if kube.text(storage_class, "reclaimPolicy"):
        out.write(0, f"ReclaimPolicy:\t{kube.text(storage_class, 'reclaimPolicy')}\n")
    if kube.text(storage_class, "volumeBindingMode"):
        out.write(0, f"VolumeBindingMode:\t{kube.text(storage_class, 'volumeBindingMode')}\n")
    events_section(out, events, now)
    return tabwriter.align(out.text())
