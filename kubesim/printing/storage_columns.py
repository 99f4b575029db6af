"""Table columns of volumes, claims, storage classes, quotas and Ingresses (``printers.go``
v1.32)."""

from __future__ import annotations

from kubesim.printing.column import AGE, JSON, NAME, col

_CLAIM_DOC = "VolumeAttributesClass the volume is using, if any"

COLUMNS: dict[str, list[JSON]] = {}
COLUMNS["PersistentVolume"] = [
    NAME,
    col(
        "Capacity", "capacity is the description of the persistent volume's resources and capacity."
    ),
    col("Access Modes", "accessModes contains all ways the volume can be mounted."),
    col(
        "Reclaim Policy",
        "persistentVolumeReclaimPolicy defines what happens to a persistent volume when "
        "released from its claim.",
    ),
    col(
        "Status",
        "phase indicates if a volume is available, bound to a claim, or released by a claim.",
    ),
    col(
        "Claim",
        "claimRef is part of a bi-directional binding between PersistentVolume and "
        "PersistentVolumeClaim.",
    ),
    col("StorageClass", "StorageClass of the pv"),
    col("VolumeAttributesClass", _CLAIM_DOC),
    col(
        "Reason",
        "reason is a brief CamelCase string that describes any failure and is meant for machine "
        "parsing and tidy display in the CLI.",
    ),
    AGE,
    col(
        "VolumeMode",
        "volumeMode defines if a volume is intended to be used with a formatted filesystem or "
        "to remain in raw block state.",
        priority=1,
    ),
]
COLUMNS["PersistentVolumeClaim"] = [
    NAME,
    col("Status", "phase represents the current phase of PersistentVolumeClaim."),
    col(
        "Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."
    ),
    col("Capacity", "capacity represents the actual resources of the underlying volume."),
    col("Access Modes", "accessModes contains the desired access modes the volume should have."),
    col("StorageClass", "StorageClass of the pvc"),
    col("VolumeAttributesClass", _CLAIM_DOC),
    AGE,
    col(
        "VolumeMode", "volumeMode defines what type of volume is required by the claim.", priority=1
    ),
]
COLUMNS["ResourceQuota"] = [
    NAME,
    AGE,
    col(
        "Request", "Request represents a minimum amount of cpu/memory that a container may consume."
    ),
    col(
        "Limit",
        "Limits control the maximum amount of cpu/memory that a container may use independent "
        "of contention on the node.",
    ),
]
COLUMNS["Ingress"] = [
    NAME,
    col("Class", "The name of the IngressClass resource that should be used for ingress."),
    col("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
    col("Address", "Address is a list containing ingress points for the load-balancer"),
    col("Ports", "Ports of TLS configurations that open"),
    AGE,
]
COLUMNS["StorageClass"] = [
    NAME,
    col("Provisioner", "Indicates the type of the provisioner."),
    col(
        "ReclaimPolicy",
        "Dynamically provisioned PersistentVolumes of this storage class are created with this "
        "reclaimPolicy. Defaults to Delete.",
    ),
    col(
        "VolumeBindingMode",
        "VolumeBindingMode indicates how PersistentVolumeClaims should be provisioned and "
        "bound. When unset, VolumeBindingImmediate is used.",
    ),
    col(
        "AllowVolumeExpansion",
        "AllowVolumeExpansion shows whether the storage class allow volume expand.",
    ),
    AGE,
]
