"""Container image names as containerd reports them, and the kubelet's simulation rules.

The kubelet status shows the *resolved* reference (``docker.io/library/nginx:1.27``) and a digest
``imageID``; kubectl describe prints both. The digests and sizes here are derived from the name so
they are stable across runs without pretending to be real.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KubeletRules:
    """How the simulated kubelet behaves; times are simulated seconds (divided by clock speed)."""

    sandbox_seconds: float = 0.5
    """Pod sandbox and network set-up before the first container is pulled."""
    pull_seconds: float = 1.0
    """An image pull that is not cached on the node yet."""
    start_seconds: float = 0.3
    """Create plus start of one container."""
    init_run_seconds: float = 1.0
    """How long an init container runs before it exits 0 (Completed)."""
    crash_after_seconds: float = 2.0
    """How long a crashing container runs before it exits 1 (Error)."""
    stop_seconds: float = 1.0
    """Upper bound of a deleted pod's shutdown (the grace period bounds it too)."""
    backoff_initial_seconds: float = 10.0
    """First crash-loop / image-pull back-off; doubles per failure."""
    backoff_max_seconds: float = 300.0
    """Back-off cap (the kubelet's MaxContainerBackOff)."""
    pull_failure_marker: str = "doesnotexist"
    """Images containing this fail to pull (ErrImagePull, then ImagePullBackOff)."""
    crash_marker: str = "crash"
    """Images containing this exit 1 after ``crash_after_seconds`` (CrashLoopBackOff)."""
    run_to_completion_seconds: float = 2.0
    """How long a container of a pod with restartPolicy Never or OnFailure runs before it
    exits, unless its command says ``sleep N`` (see :func:`command_outcome`). A Job's containers
    all run to completion; a bare pod's only when it gives a command (a server image without
    one, ``kubectl run --restart=Never nginx``, keeps running as it would)."""
    registry: bool = True
    """Pull only the tags that exist of the repositories the sandbox knows
    (``kubesim.kubelet.registry``): ``kubernetes-bootcamp:v10`` fails as it does for real."""

    def backoff(self, failures: int) -> float:
        """The delay after the ``failures``-th failure (1-based): 10s, 20s, 40s ... 300s."""
        return min(
            self.backoff_initial_seconds * 2.0 ** max(failures - 1, 0), self.backoff_max_seconds
        )


_SLEEP = re.compile(r"\bsleep\s+([0-9]+(?:\.[0-9]+)?)")
_EXIT = re.compile(r"\bexit\s+([0-9]+)")


def command_outcome(container: dict[str, object], default_seconds: float) -> tuple[float, int]:
    """How a run-to-completion container ends: (seconds, exit code), read from its command.

    ``sleep N`` runs N seconds; ``exit N`` (or a command that is ``false``) exits non-zero;
    anything else exits 0 after ``default_seconds``. Deterministic, so a test or a demo says in
    the manifest whether its Job succeeds: ``["sh", "-c", "sleep 5; exit 1"]``.
    """
    words = [str(w) for key in ("command", "args") for w in container.get(key) or ()]  # type: ignore[attr-defined]
    text = " ".join(words)
    seconds = sum(float(m) for m in _SLEEP.findall(text)) or default_seconds
    codes = _EXIT.findall(text)
    code = int(codes[-1]) if codes else 0
    if words and words[0].rsplit("/", 1)[-1] == "false":
        code = 1
    return seconds, code


@functools.lru_cache(maxsize=1024)
def resolved(image: str) -> str:
    """``nginx`` -> ``docker.io/library/nginx:latest`` (containerd's normalised reference)."""
    name, digest = [*image.split("@", 1), ""][:2]
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    if digest:
        return f"{name}@{digest}"
    if ":" not in name.rsplit("/", 1)[-1]:
        name = f"{name}:latest"
    return name


def repository(image: str) -> str:
    """The resolved reference without tag or digest."""
    ref = resolved(image).split("@", 1)[0]
    head, _, last = ref.rpartition("/")
    return f"{head}/{last.split(':', 1)[0]}"


@functools.lru_cache(maxsize=1024)
def image_id(image: str) -> str:
    """``docker.io/library/nginx@sha256:...`` (stable per name)."""
    if "@sha256:" in image:
        return resolved(image)
    digest = hashlib.sha256(resolved(image).encode()).hexdigest()
    return f"{repository(image)}@sha256:{digest}"


def image_size(image: str) -> int:
    """A plausible, stable compressed size in bytes (5-150 MB)."""
    seed = int(hashlib.sha256(image.encode()).hexdigest()[:8], 16)
    return 5_000_000 + seed % 145_000_000
