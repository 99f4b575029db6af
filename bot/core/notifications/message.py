"""The words of a rollout message, as a platform-neutral ``Reply``, and how often it is edited.

The same reply renders as Block Kit in Slack and as text in the console. A message says what
changed (image old -> new per container, revision, change-cause), how far the new replicas are,
and at the end the outcome and how long it took.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.core.ages import human_duration
from bot.core.notifications.states import Phase, PodProblem, Rollout
from bot.core.reply import Action, Paragraph, Preformatted, Reply, Tone, Visibility

_TONES: Final = {
    Phase.STARTED: Tone.INFO,
    Phase.PROGRESSING: Tone.INFO,
    Phase.COMPLETE: Tone.SUCCESS,
    Phase.FAILED: Tone.ERROR,
    Phase.SUPERSEDED: Tone.WARNING,
}

LOG_TAIL: Final = 20
"""Lines the Logs button asks for."""

_OUTCOMES: Final = {
    Phase.STARTED: "started",
    Phase.PROGRESSING: "in progress",
    Phase.COMPLETE: "complete",
    Phase.FAILED: "failed",
    Phase.SUPERSEDED: "superseded by a newer revision",
}


def changes(current: Rollout) -> list[str]:
    """One line per container whose image changed (or every image when nothing was known)."""
    old = dict(current.old_images)
    lines = []
    for container, image in current.new_images:
        before = old.get(container)
        if before is None:
            lines.append(f"{container}: {image}")
        elif before != image:
            lines.append(f"{container}: {before} → {image}")
    if not lines and current.old_images != current.new_images:
        lines = [f"{container}: {image}" for container, image in current.new_images]
    return lines


def headline(current: Rollout) -> str:
    """The line that stands alone (the Slack notification text, the console's first line)."""
    if current.scale is not None:
        before, after, _ = current.scale
        return (
            f"Deployment {current.namespace}/{current.name} scaled {before} → {after}: "
            f"{_OUTCOMES[current.phase]}"
        )
    return (
        f"Rollout of deployment {current.namespace}/{current.name} revision "
        f"{current.revision}: {_OUTCOMES[current.phase]}"
    )


def message(current: Rollout) -> Reply:
    """The whole message for the rollout's state."""
    parts: list[Paragraph | Preformatted] = []
    changed = changes(current)
    if changed:
        parts.append(Paragraph("Image " + "; ".join(changed)))
    progress = (
        f"{current.updated} updated, {current.ready} ready, {current.available} available "
        f"of {current.desired}"
    )
    parts.append(Paragraph(progress))
    if current.status:
        parts.append(Paragraph(current.status))
    if current.problems:
        parts.append(Paragraph("Failing pods: " + ", ".join(current.problems)))
    if current.ended is not None:
        took = human_duration(max(0.0, (current.ended - current.started).total_seconds()))
        parts.append(Paragraph(f"{_OUTCOMES[current.phase].capitalize()} after {took}."))
    context = [f"revision {current.revision}"]
    if current.scale is not None:
        context = [f"revision {current.revision}, replicas only"]
    if current.change_cause:
        context.append(f"change-cause: {current.change_cause}")
    return Reply(
        headline=headline(current),
        parts=tuple(parts),
        tone=_TONES[current.phase],
        visibility=Visibility.IN_CHANNEL,
        context=tuple(context),
        actions=buttons(current),
    )


def buttons(current: Rollout) -> tuple[Action, ...]:
    """Logs (of the failing pod, else of a new pod, else as ``logs deployment/NAME`` picks),
    Status and Undo: each the command a user would type, run for whoever presses it."""
    where = f"-n {current.namespace}"
    target = f"deployment/{current.name}"
    if current.pod:
        container = f" -c {current.container}" if current.container else ""
        logs = f"logs {current.pod}{container} {where} --tail {LOG_TAIL}"
    else:
        logs = f"logs {target} {where} --tail {LOG_TAIL}"
    return (
        Action("Logs", logs),
        Action("Status", f"rollout status {target} {where}"),
        Action("Undo", f"rollout undo {target} {where}"),
    )


def problem_reply(problem: PodProblem, logs: str = "") -> Reply:
    """A thread reply naming a failing pod, with the tail of its logs when it crashed."""
    parts: list[Paragraph | Preformatted] = []
    if problem.detail:
        parts.append(Paragraph(problem.detail))
    if logs:
        parts.append(Preformatted(logs, filename=f"{problem.pod}.log"))
    return Reply(
        headline=f"Pod {problem.pod}, container {problem.container}: {problem.reason}",
        parts=tuple(parts),
        tone=Tone.ERROR,
        visibility=Visibility.IN_CHANNEL,
    )


@dataclass(frozen=True, slots=True)
class Throttle:
    """At most one edit per ``interval`` seconds, except for the first and the last state."""

    interval: float = 3.0

    def due(
        self, *, posted: Phase | None, now: Phase, last_edit: datetime | None, at: datetime
    ) -> bool:
        """Whether to edit the message now (it was last edited at ``last_edit``)."""
        if posted is None or last_edit is None or now.rank > posted.rank:
            return True
        if posted.ended:
            return False
        return (at - last_edit).total_seconds() >= self.interval


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One rollout as a digest lists it."""

    namespace: str
    name: str
    revision: int
    phase: Phase


def digest(channel_rollouts: Sequence[DigestEntry]) -> Reply:
    """One message for a burst of rollouts in one channel: counts, and the failed ones named."""
    complete = [r for r in channel_rollouts if r.phase is Phase.COMPLETE]
    failed = [r for r in channel_rollouts if r.phase is Phase.FAILED]
    superseded = [r for r in channel_rollouts if r.phase is Phase.SUPERSEDED]
    live = [r for r in channel_rollouts if not r.phase.ended]
    counts = f"{len(complete)} complete, {len(failed)} failed, {len(live)} in progress"
    if superseded:
        counts += f", {len(superseded)} superseded"
    parts: list[Paragraph | Preformatted] = [Paragraph(counts)]
    if failed:
        named = ", ".join(f"{r.namespace}/{r.name} (revision {r.revision})" for r in failed)
        parts.append(Paragraph(f"Failed: {named}"))
    tone = Tone.ERROR if failed else (Tone.SUCCESS if not live else Tone.INFO)
    return Reply(
        headline=f"{len(channel_rollouts)} rollouts: {counts}",
        parts=tuple(parts),
        tone=tone,
        visibility=Visibility.IN_CHANNEL,
    )
