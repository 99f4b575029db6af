"""A rollout and its states, from the Deployment snapshots a watch delivers.

A rollout is one (Deployment uid, revision). It starts when the revision annotation goes up,
progresses as kubectl's ``rollout status`` line changes, and ends complete (kubectl would print
"successfully rolled out"), failed (``ProgressDeadlineExceeded``) or superseded (a newer revision
started first). States only move forward: a late or repeated event never takes a message back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from bot.core import kube, rollout, rollout_status
from bot.core.kube import Obj


class Phase(enum.StrEnum):
    """Where a rollout is; the order of the members is the only order a message may follow."""

    STARTED = "started"
    PROGRESSING = "progressing"
    COMPLETE = "complete"
    FAILED = "failed"
    SUPERSEDED = "superseded"

    @property
    def rank(self) -> int:
        """0 started, 1 progressing, 2 for every ending."""
        return min(list(Phase).index(self), 2)

    @property
    def ended(self) -> bool:
        """Whether nothing can follow this state."""
        return self.rank == 2


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a message needs of one state of a Deployment (not the whole object)."""

    uid: str
    namespace: str
    name: str
    revision: int
    images: tuple[tuple[str, str], ...]
    """(container, image) of the pod template, in order."""
    change_cause: str
    desired: int
    updated: int
    ready: int
    available: int
    status: str
    """kubectl's ``rollout status`` line for this state."""
    done: bool
    deadline_exceeded: bool
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    selector: str = ""
    """The Deployment's pod selector, as a label selector string."""
    generation: int = 0
    """``metadata.generation``: every spec change (a scale too) bumps it."""
    unobserved: bool = False
    """The controller has not seen the latest spec yet (``observedGeneration`` behind): a
    template change here gets its revision next."""


def snapshot(deployment: Obj) -> Snapshot:
    """The few fields of a Deployment that rollout messages use."""
    verdict = rollout_status.status(deployment)
    containers = kube.items(deployment, "spec", "template", "spec", "containers")
    annotations = kube.string_map(deployment, "metadata", "annotations")
    return Snapshot(
        uid=kube.text(deployment, "metadata", "uid"),
        namespace=kube.text(deployment, "metadata", "namespace"),
        name=kube.name_of(deployment),
        revision=rollout.revision(deployment) or 0,
        images=tuple((kube.text(c, "name"), kube.text(c, "image")) for c in containers),
        change_cause=annotations.get(rollout.CHANGE_CAUSE, ""),
        desired=kube.number(deployment, "spec", "replicas", default=1),
        updated=kube.number(deployment, "status", "updatedReplicas"),
        ready=kube.number(deployment, "status", "readyReplicas"),
        available=kube.number(deployment, "status", "availableReplicas"),
        status=verdict.message,
        done=verdict.done,
        deadline_exceeded=verdict.failed,
        labels=tuple(sorted(kube.string_map(deployment, "metadata", "labels").items())),
        annotations=tuple(
            sorted((k, v) for k, v in annotations.items() if k.startswith("k8s-chatops.io/"))
        ),
        selector=kube.selector_string(kube.mapping(deployment, "spec", "selector")),
        generation=kube.number(deployment, "metadata", "generation"),
        unobserved=kube.number(deployment, "status", "observedGeneration")
        < kube.number(deployment, "metadata", "generation"),
    )


@dataclass(frozen=True, slots=True)
class PodProblem:
    """A pod of the new ReplicaSet that is failing, as reported in the message's thread."""

    pod: str
    container: str
    reason: str
    """ImagePullBackOff, ErrImagePull, CrashLoopBackOff or OOMKilled."""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Rollout:
    """One live rollout: what changed, where it is, and when it started."""

    uid: str
    namespace: str
    name: str
    revision: int
    old_images: tuple[tuple[str, str], ...]
    new_images: tuple[tuple[str, str], ...]
    change_cause: str
    started: datetime
    phase: Phase = Phase.STARTED
    status: str = ""
    desired: int = 0
    updated: int = 0
    ready: int = 0
    available: int = 0
    ended: datetime | None = None
    problems: tuple[str, ...] = ()
    """Reasons of failing pods seen so far (each once), e.g. ``ImagePullBackOff``."""
    pod: str = ""
    """A pod of the new ReplicaSet: the first seen failing, else the first seen (the Logs
    button's); empty until one is seen."""
    container: str = ""
    """The failing container of ``pod``, when it failed."""
    scale: tuple[int, int, int] | None = None
    """For a replicas-only change (``scale_changes``): replicas before, after, and the
    Deployment's generation that asked for it; None for a rollout of a revision."""

    @property
    def key(self) -> str:
        """The rollout's identity, a valid ConfigMap key: ``<uid>.<revision>``, and for a scale
        ``<uid>.<revision>.g<generation>``."""
        if self.scale is not None:
            return f"{self.uid}.{self.revision}.g{self.scale[2]}"
        return f"{self.uid}.{self.revision}"


def begin(now: Snapshot, *, previous: Snapshot | None, at: datetime) -> Rollout:
    """The rollout of ``now``'s revision; ``previous`` is the last state seen of the old one."""
    started = Rollout(
        uid=now.uid,
        namespace=now.namespace,
        name=now.name,
        revision=now.revision,
        old_images=previous.images if previous is not None else (),
        new_images=now.images,
        change_cause=now.change_cause,
        started=at,
    )
    return replace(observe(started, now, at=at), phase=Phase.STARTED)


def begin_scale(now: Snapshot, *, previous: Snapshot, at: datetime) -> Rollout:
    """A replicas-only change followed like a rollout: from ``previous.desired`` replicas to
    ``now.desired``, until they are all ready."""
    started = Rollout(
        uid=now.uid,
        namespace=now.namespace,
        name=now.name,
        revision=now.revision,
        old_images=now.images,
        new_images=now.images,
        change_cause="",
        started=at,
        scale=(previous.desired, now.desired, now.generation),
    )
    return replace(observe(started, now, at=at), phase=Phase.STARTED)


def observe(current: Rollout, now: Snapshot, *, at: datetime) -> Rollout:
    """The rollout after one more state of its Deployment; never a step back."""
    if current.phase.ended or now.revision != current.revision:
        return current
    phase = Phase.PROGRESSING
    if now.deadline_exceeded:
        phase = Phase.FAILED
    elif now.done:
        phase = Phase.COMPLETE
    return replace(
        current,
        phase=phase,
        status=now.status,
        desired=now.desired,
        updated=now.updated,
        ready=now.ready,
        available=now.available,
        new_images=now.images or current.new_images,
        change_cause=now.change_cause or current.change_cause,
        ended=at if phase.ended else None,
    )


def supersede(current: Rollout, *, at: datetime) -> Rollout:
    """A newer revision started before this one ended."""
    if current.phase.ended:
        return current
    return replace(current, phase=Phase.SUPERSEDED, ended=at)


def with_problem(current: Rollout, problem: PodProblem) -> Rollout:
    """Remember that a pod failed (each reason once; the first failing pod is the one whose
    logs the Logs button shows)."""
    if not current.container:
        current = replace(current, pod=problem.pod, container=problem.container)
    if problem.reason in current.problems:
        return current
    return replace(current, problems=(*current.problems, problem.reason))


def with_pod(current: Rollout, pod: str) -> Rollout:
    """Remember a pod of the new ReplicaSet, unless one is already known."""
    return current if current.pod else replace(current, pod=pod)


def is_rollout(before: Snapshot, after: Snapshot) -> bool:
    """Whether going from ``before`` to ``after`` starts a rollout: the revision annotation went
    up (template change, undo, restart); a replicas-only change leaves it alone."""
    return after.revision > before.revision


def is_scale(before: Snapshot, after: Snapshot) -> bool:
    """Whether ``after`` only changed the number of replicas (same revision, same template)."""
    return (
        after.revision == before.revision
        and after.desired != before.desired
        and after.images == before.images
    )


FAILING_REASONS = frozenset({"ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff", "OOMKilled"})
"""Container states that mean the new pods will not come up without a change."""


def pod_problems(pod: Obj) -> list[PodProblem]:
    """The failing containers of one pod: waiting in a back-off, or last killed for memory."""
    found: list[PodProblem] = []
    for status in kube.items(pod, "status", "containerStatuses"):
        container = kube.text(status, "name")
        waiting = kube.mapping(status, "state", "waiting")
        reason = kube.text(waiting, "reason")
        terminated = kube.text(status, "lastState", "terminated", "reason")
        if reason in FAILING_REASONS:
            found.append(
                PodProblem(kube.name_of(pod), container, reason, kube.text(waiting, "message"))
            )
        elif terminated == "OOMKilled":
            found.append(PodProblem(kube.name_of(pod), container, terminated))
    return found
