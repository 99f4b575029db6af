"""PodSpec validation shared by Pods and the templates of Deployments and ReplicaSets.

Follows ``pkg/apis/core/validation/validation.go`` (``ValidatePodSpec``, ``validateContainers``,
``ValidatePodUpdate``) for the mistakes a user actually makes: missing or duplicate container
names, an empty image, bad ports or env names, an unknown restart policy, and editing a running
Pod's immutable spec.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from kubesim.admission import field_errors as f
from kubesim.admission import names as n
from kubesim.api.status import Cause

JSON = dict[str, Any]

RESTART_POLICIES = ["Always", "OnFailure", "Never"]
PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
PROTOCOLS = ["SCTP", "TCP", "UDP"]

# pkg/apis/core/validation/validation.go: updatablePodSpecFieldsStrings (v1.32).
UPDATABLE_POD_FIELDS = ",".join(
    [
        "`spec.containers[*].image`",
        "`spec.initContainers[*].image`",
        "`spec.activeDeadlineSeconds`",
        "`spec.tolerations` (only additions to existing tolerations)",
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
        "negative)",
    ]
)


def validate_pod_spec(spec: Any, path: str) -> list[Cause]:
    """``ValidatePodSpec`` for the fields that matter here."""
    if not isinstance(spec, dict):
        return [f.required(path)]
    causes: list[Cause] = []
    volume_names, volume_causes = _volumes(spec.get("volumes"), f"{path}.volumes")
    causes.extend(volume_causes)
    containers = spec.get("containers")
    if not containers:
        causes.append(f.required(f"{path}.containers"))
    names: set[str] = set()
    causes.extend(_containers(containers or [], f"{path}.containers", names, volume_names))
    causes.extend(
        _containers(spec.get("initContainers") or [], f"{path}.initContainers", names, volume_names)
    )
    policy = spec.get("restartPolicy")
    if policy is None or policy == "":
        causes.append(f.required(f"{path}.restartPolicy"))
    elif policy not in RESTART_POLICIES:
        causes.append(f.not_supported(f"{path}.restartPolicy", policy, RESTART_POLICIES))
    grace = spec.get("terminationGracePeriodSeconds")
    causes.extend(n.nonnegative(f"{path}.terminationGracePeriodSeconds", grace))
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and deadline <= 0:
        causes.append(
            f.invalid(
                f"{path}.activeDeadlineSeconds",
                deadline,
                "must be between 1 and 2147483647, inclusive",
            )
        )
    return causes


def _volumes(volumes: Any, path: str) -> tuple[set[str], list[Cause]]:
    names: set[str] = set()
    causes: list[Cause] = []
    for i, volume in enumerate(volumes or []):
        if not isinstance(volume, dict):
            continue
        name = str(volume.get("name") or "")
        here = f"{path}[{i}].name"
        if not name:
            causes.append(f.required(here))
        else:
            causes.extend(f.invalid(here, name, m) for m in n.dns1123_label(name))
            if name in names:
                causes.append(f.duplicate(here, name))
        names.add(name)
    return names, causes


def _containers(
    containers: list[Any], path: str, names: set[str], volume_names: set[str]
) -> list[Cause]:
    causes: list[Cause] = []
    for i, container in enumerate(containers):
        here = f"{path}[{i}]"
        if not isinstance(container, dict):
            causes.append(f.required(here))
            continue
        name = container.get("name")
        if not name:
            causes.append(f.required(f"{here}.name"))
        else:
            causes.extend(f.invalid(f"{here}.name", name, m) for m in n.dns1123_label(str(name)))
            if name in names:
                causes.append(f.duplicate(f"{here}.name", name))
            names.add(str(name))
        image = container.get("image")
        if not image:
            causes.append(f.required(f"{here}.image"))
        elif isinstance(image, str) and image != image.strip():
            causes.append(
                f.invalid(f"{here}.image", image, "must not have leading or trailing whitespace")
            )
        pull = container.get("imagePullPolicy")
        if pull is not None and pull not in PULL_POLICIES:
            causes.append(f.not_supported(f"{here}.imagePullPolicy", pull, PULL_POLICIES))
        causes.extend(_ports(container.get("ports") or [], f"{here}.ports"))
        causes.extend(_env(container.get("env") or [], f"{here}.env"))
        causes.extend(
            _mounts(container.get("volumeMounts") or [], f"{here}.volumeMounts", volume_names)
        )
    return causes


def _ports(ports: list[Any], path: str) -> list[Cause]:
    causes: list[Cause] = []
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        here = f"{path}[{i}]"
        name = port.get("name")
        if name:
            causes.extend(f.invalid(f"{here}.name", name, m) for m in n.port_name(str(name)))
        number = port.get("containerPort")
        if not number:
            causes.append(f.required(f"{here}.containerPort"))
        else:
            causes.extend(f.invalid(f"{here}.containerPort", number, m) for m in n.port_num(number))
        host_port = port.get("hostPort")
        if host_port:
            causes.extend(
                f.invalid(f"{here}.hostPort", host_port, m) for m in n.port_num(host_port)
            )
        protocol = port.get("protocol")
        if not protocol:
            causes.append(f.required(f"{here}.protocol"))
        elif protocol not in PROTOCOLS:
            causes.append(f.not_supported(f"{here}.protocol", protocol, PROTOCOLS))
    return causes


def _env(env: list[Any], path: str) -> list[Cause]:
    causes: list[Cause] = []
    for i, var in enumerate(env):
        if not isinstance(var, dict):
            continue
        name = var.get("name")
        here = f"{path}[{i}].name"
        if not name:
            causes.append(f.required(here))
        else:
            causes.extend(f.invalid(here, name, m) for m in n.env_var_name(str(name)))
    return causes


def _mounts(mounts: list[Any], path: str, volume_names: set[str]) -> list[Cause]:
    causes: list[Cause] = []
    for i, mount in enumerate(mounts):
        if not isinstance(mount, dict):
            continue
        here = f"{path}[{i}]"
        name = mount.get("name")
        if not name:
            causes.append(f.required(f"{here}.name"))
        elif name not in volume_names:
            causes.append(f.not_found(f"{here}.name", name))
        if not mount.get("mountPath"):
            causes.append(f.required(f"{here}.mountPath"))
    return causes


def validate_pod_update(new_spec: Any, old_spec: Any) -> list[Cause]:
    """``ValidatePodUpdate``: only images, deadlines, toleration additions may change."""
    if not isinstance(new_spec, dict) or not isinstance(old_spec, dict):
        return []
    causes: list[Cause] = []
    munged = copy.deepcopy(new_spec)
    old = copy.deepcopy(old_spec)
    for key in ("containers", "initContainers"):
        new_list = munged.get(key) or []
        old_list = old.get(key) or []
        for i, container in enumerate(new_list):
            if isinstance(container, dict) and not container.get("image"):
                causes.append(f.required(f"spec.{key}[{i}].image"))
        if len(new_list) == len(old_list):
            for new_c, old_c in zip(new_list, old_list, strict=True):
                if isinstance(new_c, dict) and isinstance(old_c, dict) and "image" in old_c:
                    new_c["image"] = old_c["image"]
    if causes:
        return causes
    old_deadline = old.get("activeDeadlineSeconds")
    new_deadline = munged.get("activeDeadlineSeconds")
    if new_deadline is not None and (old_deadline is None or new_deadline <= old_deadline):
        munged["activeDeadlineSeconds"] = old_deadline
    old_tolerations = old.get("tolerations") or []
    new_tolerations = munged.get("tolerations") or []
    if all(t in new_tolerations for t in old_tolerations):
        munged["tolerations"] = old.get("tolerations")
        if munged["tolerations"] is None:
            munged.pop("tolerations")
    old_grace = old.get("terminationGracePeriodSeconds")
    if (
        isinstance(old_grace, int)
        and old_grace < 0
        and munged.get("terminationGracePeriodSeconds") == 1
    ):
        munged["terminationGracePeriodSeconds"] = old_grace
    munged_gates = munged.get("schedulingGates") or []
    if all(g in (old.get("schedulingGates") or []) for g in munged_gates):
        munged["schedulingGates"] = old.get("schedulingGates")
        if munged["schedulingGates"] is None:
            munged.pop("schedulingGates")
    if munged == old:
        return []
    diff = _spec_diff(old, munged)
    detail = f"pod updates may not change fields other than {UPDATABLE_POD_FIELDS}\n{diff}"
    return [f.forbidden("spec", detail)]


def _spec_diff(old: JSON, new: JSON) -> str:
    """A short ``cmp.Diff``-like rendering of the changed top-level PodSpec fields."""
    lines = ["  core.PodSpec{"]
    same = 0
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            same += 1
            continue
        field = key[:1].upper() + key[1:]
        if key in old:
            lines.append(f"- \t{field}: {json.dumps(before, sort_keys=True)},")
        if key in new:
            lines.append(f"+ \t{field}: {json.dumps(after, sort_keys=True)},")
    if same:
        lines.insert(1, f"  \t... // {same} identical fields")
    lines.append("  }")
    return "\n".join(lines)
