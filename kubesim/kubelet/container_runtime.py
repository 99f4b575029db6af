"""One container's life on the simulated node: pull, create, start, crash, back off, restart.

Each transition is a timer on the sandbox clock; nothing polls. Image names carry the failure
markers of :class:`~kubesim.kubelet.images.KubeletRules` so a demo can show a real-looking failed
rollout (ErrImagePull/ImagePullBackOff, CrashLoopBackOff with a growing back-off), with the
kubelet's own event wording.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from kubesim.kubelet import registry
from kubesim.kubelet.images import (
    KubeletRules,
    command_outcome,
    image_id,
    image_size,
    resolved,
)
from kubesim.kubelet.pod_status import ContainerRun, PodRun, terminated_record
from kubesim.machinery.clock import Clock, rfc3339
from kubesim.machinery.recorder import EventType

Later = Callable[[PodRun, float, Callable[[], None]], None]
Emit = Callable[[PodRun, ContainerRun, EventType, str, str], None]
Changed = Callable[[PodRun], None]

_SHOW_EXIT_SECONDS = 0.5
"""How long a crashed container shows ``terminated`` before CrashLoopBackOff (STATUS Error)."""


def go_duration(seconds: float) -> str:
    """Go's ``time.Duration.String`` for whole seconds: 10s, 1m20s, 5m0s."""
    total = int(seconds)
    minutes, secs = divmod(total, 60)
    return f"{minutes}m{secs}s" if minutes else f"{secs}s"


def pull_policy(c: ContainerRun) -> str:
    """``imagePullPolicy``, defaulted like the apiserver (Always for :latest or no tag)."""
    policy = c.spec.get("imagePullPolicy")
    if policy:
        return str(policy)
    tag = c.image.rsplit("/", 1)[-1]
    return "Always" if ":" not in tag or tag.endswith(":latest") else "IfNotPresent"


class ContainerRuntime:
    """Advances :class:`ContainerRun` records; the kubelet supplies timers, events and writes."""

    def __init__(
        self,
        rules: KubeletRules,
        clock: Clock,
        rng: random.Random,
        *,
        later: Later,
        emit: Emit,
        changed: Changed,
    ) -> None:
        self._rules = rules
        self._clock = clock
        self._rng = rng
        self._later = later
        self._emit = emit
        self._changed = changed
        self._images: dict[str, set[str]] = {}

    def launch(self, run: PodRun, c: ContainerRun, done: Callable[[], None] | None = None) -> None:
        """Pull if needed, create and start ``c``; ``done`` runs when an init container exits 0."""
        c.epoch += 1
        epoch = c.epoch
        cached = c.image in self._images.get(run.node, set())
        if cached and pull_policy(c) != "Always":
            self._emit(
                run,
                c,
                EventType.NORMAL,
                "Pulled",
                f'Container image "{c.image}" already present on machine',
            )
            self._later(
                run,
                self._rules.start_seconds,
                self._guard(c, epoch, lambda: self._start(run, c, done)),
            )
            return
        self._emit(run, c, EventType.NORMAL, "Pulling", f'Pulling image "{c.image}"')
        self._later(
            run, self._rules.pull_seconds, self._guard(c, epoch, lambda: self._pulled(run, c, done))
        )

    def kill(self, c: ContainerRun) -> None:
        """Forget pending transitions of ``c`` (its pod is going away or being replaced)."""
        c.epoch += 1

    def remember_image(self, node: str, image: str) -> None:
        """The node has this image (adopted pods, scenarios)."""
        self._images.setdefault(node, set()).add(image)

    def _guard(self, c: ContainerRun, epoch: int, fn: Callable[[], None]) -> Callable[[], None]:
        def guarded() -> None:
            if c.epoch == epoch:
                fn()

        return guarded

    def _pulled(self, run: PodRun, c: ContainerRun, done: Callable[[], None] | None) -> None:
        rules = self._rules
        marked = bool(rules.pull_failure_marker) and rules.pull_failure_marker in c.image
        crashes = bool(rules.crash_marker) and rules.crash_marker in c.image  # pulls, to crash
        if marked or (rules.registry and not crashes and not registry.exists(c.image)):
            c.pull_failures += 1
            ref = resolved(c.image)
            error = (
                f'failed to pull and unpack image "{ref}": failed to resolve reference "{ref}": '
                f"{ref}: not found"
            )
            c.state, c.reason = "waiting", "ErrImagePull"
            c.message = f"rpc error: code = NotFound desc = {error}"
            self._emit(
                run,
                c,
                EventType.WARNING,
                "Failed",
                f'Failed to pull image "{c.image}": {c.message}',
            )
            self._emit(run, c, EventType.WARNING, "Failed", "Error: ErrImagePull")
            self._changed(run)
            epoch = c.epoch
            self._later(run, 1.0, self._guard(c, epoch, lambda: self._pull_backoff(run, c, done)))
            return
        c.pull_failures = 0
        self._images.setdefault(run.node, set()).add(c.image)
        took = rules.pull_seconds + self._rng.random() * 0.2
        self._emit(
            run,
            c,
            EventType.NORMAL,
            "Pulled",
            f'Successfully pulled image "{c.image}" in {took:.3f}s ({took:.3f}s including waiting).'
            f" Image size: {image_size(c.image)} bytes.",
        )
        epoch = c.epoch
        self._later(
            run, rules.start_seconds, self._guard(c, epoch, lambda: self._start(run, c, done))
        )

    def _pull_backoff(self, run: PodRun, c: ContainerRun, done: Callable[[], None] | None) -> None:
        c.reason = "ImagePullBackOff"
        c.message = f'Back-off pulling image "{c.image}"'
        self._emit(run, c, EventType.NORMAL, "BackOff", c.message)
        self._emit(run, c, EventType.WARNING, "Failed", "Error: ImagePullBackOff")
        self._changed(run)
        delay = self._rules.backoff(c.pull_failures)
        self._later(run, delay, self._guard(c, c.epoch, lambda: self.launch(run, c, done)))

    def _start(self, run: PodRun, c: ContainerRun, done: Callable[[], None] | None) -> None:
        if c.created:
            c.restarts += 1
        c.created = True
        c.state, c.reason, c.message, c.exit_code = "running", "", "", 0
        c.started_at = rfc3339(self._clock.now())
        c.container_id = f"containerd://{self._rng.getrandbits(256):064x}"
        c.image_id = image_id(c.image)
        self._emit(run, c, EventType.NORMAL, "Created", f"Created container: {c.name}")
        self._emit(run, c, EventType.NORMAL, "Started", f"Started container {c.name}")
        epoch = c.epoch
        probe = c.spec.get("readinessProbe")
        c.ready = probe is None and not c.init
        if probe is not None and not c.init:
            delay = float(probe.get("initialDelaySeconds") or 0)
            self._later(run, delay, self._guard(c, epoch, lambda: self._become_ready(run, c)))
        if self._rules.crash_marker and self._rules.crash_marker in c.image:
            self._later(
                run,
                self._rules.crash_after_seconds,
                self._guard(c, epoch, lambda: self._exit(run, c, 1, done)),
            )
        elif c.init:
            self._later(
                run,
                self._rules.init_run_seconds,
                self._guard(c, epoch, lambda: self._exit(run, c, 0, done)),
            )
        elif run.restart_policy != "Always" and (
            run.job or c.spec.get("command") or c.spec.get("args")
        ):
            seconds, code = command_outcome(c.spec, self._rules.run_to_completion_seconds)
            self._later(run, seconds, self._guard(c, epoch, lambda: self._exit(run, c, code, done)))
        self._changed(run)

    def _become_ready(self, run: PodRun, c: ContainerRun) -> None:
        if c.state == "running":
            c.ready = True
            self._changed(run)

    def _exit(
        self, run: PodRun, c: ContainerRun, code: int, done: Callable[[], None] | None
    ) -> None:
        c.state, c.exit_code = "terminated", code
        c.reason = "Completed" if code == 0 else "Error"
        c.finished_at = rfc3339(self._clock.now())
        c.ready = c.init and code == 0
        self._changed(run)
        if code == 0 and c.init:
            if done is not None:
                done()
            return
        if run.restart_policy == "Never" or (code == 0 and run.restart_policy == "OnFailure"):
            return
        c.crashes += 1
        epoch = c.epoch
        self._later(
            run, _SHOW_EXIT_SECONDS, self._guard(c, epoch, lambda: self._back_off(run, c, done))
        )

    def _back_off(self, run: PodRun, c: ContainerRun, done: Callable[[], None] | None) -> None:
        c.last = terminated_record(c)
        delay = 0.0 if c.crashes <= 1 else self._rules.backoff(c.crashes - 1)
        if delay <= _SHOW_EXIT_SECONDS:
            self.launch(run, c, done)
            return
        c.state, c.reason = "waiting", "CrashLoopBackOff"
        c.message = (
            f"back-off {go_duration(delay)} restarting failed container={c.name} "
            f"pod={run.name}_{run.namespace}({run.uid})"
        )
        self._emit(
            run,
            c,
            EventType.WARNING,
            "BackOff",
            f"Back-off restarting failed container {c.name} in pod "
            f"{run.name}_{run.namespace}({run.uid})",
        )
        self._changed(run)
        epoch = c.epoch
        self._later(
            run,
            delay - _SHOW_EXIT_SECONDS,
            self._guard(c, epoch, lambda: self.launch(run, c, done)),
        )
