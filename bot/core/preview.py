"""Previews of a change before it runs, from the objects as read: pure, no I/O.

The gateway reads the target (the Deployment and its ReplicaSets, the objects a delete would
remove); these functions say what exactly would change (``3 → 0 replicas``, ``web: nginx:1.27 →
nginx:1.28``, revision 5 → revision 4) and record the facts the change depends on (``state``),
so that at the click the target can be read again and a change made meanwhile by someone else
refuses the request, naming what changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from bot.core import kube, rollback, rollout, wording
from bot.core.kube import Obj
from bot.core.setimage import image_patch
from bot.errors import NotFound

State = tuple[tuple[str, str], ...]
"""What a change depends on, as (fact, value) pairs: ``("replicas", "3")``."""

ARGO_INSTANCE: Final = "argocd.argoproj.io/instance"
ARGO_TRACKING: Final = "argocd.argoproj.io/tracking-id"
FLUX_KUSTOMIZE: Final = "kustomize.toolkit.fluxcd.io/name"
FLUX_HELM: Final = "helm.toolkit.fluxcd.io/name"
ARROW: Final = "→"


@dataclass(frozen=True, slots=True)
class Preview:
    """The exact change a command would make, as read from the cluster just now."""

    lines: tuple[str, ...]
    """One line per change, for people: ``deployment web in namespace prod: 3 → 0 replicas``."""
    state: State = ()
    """The facts read, compared with a fresh read at the click; empty when nothing is compared."""
    warning: str = ""
    """A GitOps tool manages the target: the next sync will revert a manual change."""


def generic(prompt: str) -> Preview:
    """For a verb without a reader of its own: the question is the preview."""
    return Preview((prompt,))


def gitops_warning(objects: Sequence[Obj]) -> str:
    """Which GitOps tool manages the first of ``objects`` that carries its markers, or ""."""
    for obj in objects:
        manager = _manager(obj)
        if manager:
            what = f"{kube.text(obj, 'kind').lower() or 'object'} {kube.name_of(obj)}"
            return (
                f"{what} is managed by {manager}: its next sync will revert a manual change; "
                "change it in Git instead, or pause the sync first"
            )
    return ""


def _manager(obj: Obj) -> str:
    labels = kube.string_map(obj, "metadata", "labels")
    annotations = kube.string_map(obj, "metadata", "annotations")
    if ARGO_INSTANCE in labels:
        return f"Argo CD (application {labels[ARGO_INSTANCE]})"
    if ARGO_TRACKING in annotations:
        app = annotations[ARGO_TRACKING].partition(":")[0]
        return f"Argo CD (application {app})"
    if FLUX_KUSTOMIZE in labels:
        return f"Flux (Kustomization {labels[FLUX_KUSTOMIZE]})"
    if FLUX_HELM in labels:
        return f"Flux (HelmRelease {labels[FLUX_HELM]})"
    return ""


def deployment_state(deployment: Obj) -> State:
    """What a Deployment change depends on: replicas, each image, revision, pause, restart."""
    template = kube.mapping(deployment, "spec", "template")
    facts = [
        ("replicas", str(kube.number(deployment, "spec", "replicas", default=1))),
        ("revision", str(rollout.revision(deployment))),
        ("paused", "yes" if kube.flag(deployment, "spec", "paused") else "no"),
        (
            "restarted at",
            kube.string_map(template, "metadata", "annotations").get(rollout.RESTARTED_AT, ""),
        ),
    ]
    facts.extend((f"image of {name}", image) for name, image in _images(template))
    return tuple(facts)


def _images(template: Obj) -> list[tuple[str, str]]:
    spec = kube.mapping(template, "spec")
    return [
        (kube.text(c, "name"), kube.text(c, "image"))
        for field in ("initContainers", "containers")
        for c in kube.items(spec, field)
    ]


def _deployment(deployment: Obj) -> str:
    """``deployment web in namespace prod`` (or the statefulset, daemonset read)."""
    where = wording.in_namespace(kube.text(deployment, "metadata", "namespace"))
    kind = kube.text(deployment, "kind").lower() or "deployment"
    return f"{kind} {kube.name_of(deployment)}{where}"


def scale(deployment: Obj, replicas: int) -> Preview:
    """``deployment web in namespace prod: 3 → 0 replicas``."""
    current = kube.number(deployment, "spec", "replicas", default=1)
    line = f"{_deployment(deployment)}: {current} {ARROW} {replicas} {wording.replicas(replicas)}"
    lines = [line]
    if replicas == 0 and current:
        lines.append(f"all {current} of its pods will stop")
    return _of(deployment, lines)


def set_image(deployment: Obj, images: Sequence[tuple[str, str]]) -> Preview:
    """``web: nginx:1.27 → nginx:1.28`` per container; an unknown container is a UsageError."""
    image_patch(deployment, images, change_cause="")  # names the real containers when one is wrong
    lines = [f"{_deployment(deployment)}:"]
    for name, image in _images(kube.mapping(deployment, "spec", "template")):
        wanted = image
        for container, new in images:
            if container in ("*", name):
                wanted = new
        if wanted != image:
            lines.append(f"  {name}: {image} {ARROW} {wanted}")
        elif any(container in ("*", name) for container, _ in images):
            lines.append(f"  {name}: {image} (unchanged)")
    return _of(deployment, lines)


def undo(deployment: Obj, owned: Sequence[Obj], *, to_revision: int = 0) -> Preview:
    """Revision N (images, change-cause) → revision M, or "skipped: … already matches".

    Raises kubectl's errors (no history, unknown revision, paused) as ``plan_undo`` does.
    """
    plan = rollback.plan_undo(deployment, owned, to_revision=to_revision)
    target = _undo_target(owned, to_revision)
    number = rollout.revision(target) or 0
    if not plan.patch:
        line = f"{_deployment(deployment)}: skipped: the current template already matches"
        return _of(deployment, [f"{line} revision {number}"])
    current = rollout.new_replica_set(deployment, owned)
    now = rollout.revision(deployment) or 0
    before = _revision(kube.mapping(deployment, "spec", "template"), current)
    after = _revision(kube.mapping(target, "spec", "template"), target)
    lines = [
        f"{_deployment(deployment)}: rollback",
        f"  from revision {now}: {before}",
        f"  to revision {number}: {after}",
    ]
    return _of(deployment, lines)


def _undo_target(owned: Sequence[Obj], to_revision: int) -> Obj:
    """The ReplicaSet ``rollout undo`` goes back to: the given revision, else the previous."""
    numbered = sorted(
        ((r, rs) for rs in owned if (r := rollout.revision(rs)) is not None),
        key=lambda pair: pair[0],
    )
    if to_revision > 0:
        for number, rs in numbered:
            if number == to_revision:
                return rs
    elif len(numbered) >= 2:  # the latest and the one before it
        return numbered[-2][1]
    raise NotFound("unable to find the revision to roll back to")


def _revision(template: Obj, replica_set: Obj | None) -> str:
    images = ", ".join(f"{name}={image}" for name, image in _images(template)) or "no containers"
    annotations = kube.string_map(replica_set, "metadata", "annotations") if replica_set else {}
    cause = annotations.get(rollout.CHANGE_CAUSE) or "<none>"
    return f"{images} (change-cause: {cause})"


def restart(deployment: Obj) -> Preview:
    """What restarts: every pod of the Deployment, replaced as its strategy rolls."""
    replicas = kube.number(deployment, "spec", "replicas", default=1)
    if kube.text(deployment, "kind") == "DaemonSet":  # one pod per node, no replicas field
        replicas = kube.number(deployment, "status", "desiredNumberScheduled", default=0)
    strategy = (
        kube.text(deployment, "spec", "strategy", "type")
        or kube.text(deployment, "spec", "updateStrategy", "type")
        or "RollingUpdate"
    )
    how = (
        "each pod is replaced only when it is deleted"
        if strategy == "OnDelete"
        else "new pods replace the old ones"
    )
    line = (
        f"{_deployment(deployment)}: all {replicas} {wording.replicas(replicas)} "
        f"restart ({strategy}: {how})"
    )
    return _of(deployment, [line])


def delete(
    kind: str, objects: Sequence[Obj], *, selector: str | None = None, namespace: str = ""
) -> Preview:
    """The objects that will go, by name, with a count; none is ``NotFound`` (naming
    ``namespace``, the one asked about)."""
    namespace = kube.text(objects[0], "metadata", "namespace") if objects else namespace
    if not objects:
        where = f" in {namespace} namespace" if namespace else ""
        raise NotFound(f"No resources found{where}.")
    names = sorted(kube.name_of(o) for o in objects)
    where = wording.in_namespace(namespace)
    matching = f" matching {selector}" if selector else ""
    count = f"{len(names)} {kind}{'' if len(names) == 1 else 's'}"
    lines = [f"{count}{matching}{where} will be deleted:", *(f"  {n}" for n in names)]
    state = tuple(
        (f"{kind} {kube.name_of(o)}", kube.text(o, "metadata", "uid"))
        for o in sorted(objects, key=kube.name_of)
    )
    return Preview(tuple(lines), state, gitops_warning(objects))


def _of(deployment: Obj, lines: list[str]) -> Preview:
    return Preview(tuple(lines), deployment_state(deployment), gitops_warning([deployment]))


def changes(before: State, after: State) -> list[str]:
    """What differs between two reads, one phrase per fact: ``replicas 3 → 5``."""
    old: Mapping[str, str] = dict(before)
    new: Mapping[str, str] = dict(after)
    found: list[str] = []
    for key in dict.fromkeys([*old, *new]):
        was, now = old.get(key), new.get(key)
        if was == now:
            continue
        if now is None:
            found.append(f"{key} is gone")
        elif was is None:
            found.append(f"{key} is new")
        elif _is_uid(was) and _is_uid(now):
            found.append(f"{key} was replaced")
        else:
            found.append(f"{key} {was or '<none>'} {ARROW} {now or '<none>'}")
    return found


def _is_uid(value: str) -> bool:
    return len(value) == 36 and value.count("-") == 4  # a UUID's shape
