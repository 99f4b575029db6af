"""The ``Volumes:`` section of ``kubectl describe`` for pods and pod templates.

One printer per common volume source, with kubectl's wording; the rarer cloud volume types
print ``<unknown>`` rather than half-remembered fields.
"""

from __future__ import annotations

from bot.core import kube
from bot.core.describe_out import Out
from bot.core.kube import Obj


def _bool(value: object) -> str:
    return "true" if value else "false"


def volumes(out: Out, vols: list[Obj], space: str) -> None:
    """``describeVolumes`` for the common volume sources (others print ``<unknown>``)."""
    if not vols:
        out.write(0, f"{space}Volumes:\t<none>\n")
        return
    out.write(0, f"{space}Volumes:\n")
    for vol in vols:
        out.write(1, f"{' ' if space else ''}{kube.text(vol, 'name')}:\n")
        _volume_source(out, vol)


def _volume_source(out: Out, vol: Obj) -> None:
    if "hostPath" in vol:
        src = kube.mapping(vol, "hostPath")
        out.write(
            2,
            "Type:\tHostPath (bare host directory volume)\n"
            f"    Path:\t{kube.text(src, 'path')}\n"
            f"    HostPathType:\t{kube.text(src, 'type') or '<none>'}\n",
        )
    elif "emptyDir" in vol:
        src = kube.mapping(vol, "emptyDir")
        limit = kube.text(src, "sizeLimit")
        out.write(
            2,
            "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
            f"    Medium:\t{kube.text(src, 'medium')}\n"
            f"    SizeLimit:\t{limit if limit and limit != '0' else '<unset>'}\n",
        )
    elif "secret" in vol:
        src = kube.mapping(vol, "secret")
        out.write(
            2,
            "Type:\tSecret (a volume populated by a Secret)\n"
            f"    SecretName:\t{kube.text(src, 'secretName')}\n"
            f"    Optional:\t{_bool(kube.flag(src, 'optional'))}\n",
        )
    elif "configMap" in vol:
        src = kube.mapping(vol, "configMap")
        out.write(
            2,
            "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
            f"    Name:\t{kube.text(src, 'name')}\n"
            f"    Optional:\t{_bool(kube.flag(src, 'optional'))}\n",
        )
    elif "persistentVolumeClaim" in vol:
        src = kube.mapping(vol, "persistentVolumeClaim")
        out.write(
            2,
            "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same "
            "namespace)\n"
            f"    ClaimName:\t{kube.text(src, 'claimName')}\n"
            f"    ReadOnly:\t{_bool(kube.flag(src, 'readOnly'))}\n",
        )
    elif "projected" in vol:
        out.write(
            2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n"
        )
        for source in kube.items(vol, "projected", "sources"):
            _projection(out, source)
    elif "downwardAPI" in vol:
        out.write(
            2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n"
        )
        for item in kube.items(vol, "downwardAPI", "items"):
            path = kube.text(item, "path")
            if "fieldRef" in item:
                out.write(3, f"{kube.text(item, 'fieldRef', 'fieldPath')} -> {path}\n")
            if "resourceFieldRef" in item:
                out.write(3, f"{kube.text(item, 'resourceFieldRef', 'resource')} -> {path}\n")
    else:
        out.write(1, "<unknown>\n")


def _optional(source: Obj, field: str) -> str:
    """kubectl 1.32 prints the ``*bool`` itself: ``<nil>`` when unset."""
    if not kube.has(source, field, "optional"):
        return "<nil>"
    return _bool(kube.flag(source, field, "optional"))


def _projection(out: Out, source: Obj) -> None:
    if "secret" in source:
        name = kube.text(source, "secret", "name")
        optional = _optional(source, "secret")
        out.write(2, f"SecretName:\t{name}\n    SecretOptionalName:\t{optional}\n")
    elif "downwardAPI" in source:
        out.write(2, "DownwardAPI:\ttrue\n")
    elif "configMap" in source:
        name = kube.text(source, "configMap", "name")
        optional = _optional(source, "configMap")
        out.write(2, f"ConfigMapName:\t{name}\n    ConfigMapOptional:\t{optional}\n")
    elif "serviceAccountToken" in source:
        seconds = kube.number(source, "serviceAccountToken", "expirationSeconds")
        out.write(2, f"TokenExpirationSeconds:\t{seconds}\n")
