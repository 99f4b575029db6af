"""The real ``kubectl`` as the judge of the sandbox: run it against one, capture what it prints.

Every run gets ``--kubeconfig`` for the sandbox, a private ``HOME`` (kubectl caches discovery
under ``$HOME/.kube/cache``) and a clean environment, so nothing from the machine leaks in.
Without the binary the tests skip locally, but fail on CI: the judge must not be
silently absent from CI (``tests.ci.require_kubectl``).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from kubesim.api.resources import by_kind
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.ci import require_kubectl

T = TypeVar("T")
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Run:
    """One finished kubectl invocation."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return (
            f"kubectl {' '.join(self.args)} -> exit {self.code}\n"
            f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )

    def lines(self) -> list[str]:
        """Non-empty stdout lines."""
        return [line for line in self.stdout.splitlines() if line.strip()]

    def header(self) -> list[str]:
        """The column names of a kubectl table on stdout."""
        lines = self.lines()
        return re.findall(r"\S+(?: \S+)*", lines[0]) if lines else []

    def table(self) -> list[dict[str, str]]:
        """Stdout parsed as kubectl's column layout (header offsets), one dict per row."""
        return parse_table(self.stdout)


def parse_table(text: str) -> list[dict[str, str]]:
    """Rows of a kubectl table keyed by header; cells are sliced at the header's offsets."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    columns = list(re.finditer(r"\S+(?: \S+)*", lines[0]))
    names = [column.group() for column in columns]
    starts = [column.start() for column in columns]
    rows = []
    for line in lines[1:]:
        cells = {}
        for number, (name, start) in enumerate(zip(names, starts, strict=True)):
            stop = starts[number + 1] if number + 1 < len(starts) else len(line)
            cells[name] = line[start:stop].strip()
        rows.append(cells)
    return rows


class Kubectl:
    """Runs kubectl against one sandbox."""

    def __init__(self, binary: str, kubeconfig: Path, home: Path) -> None:
        self._binary = binary
        self._kubeconfig = kubeconfig
        self._env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}

    def run(self, *args: str, stdin: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> Run:
        """Run ``kubectl ARGS`` whatever its exit code."""
        argv = [self._binary, "--kubeconfig", str(self._kubeconfig), *args]
        try:
            done = subprocess.run(
                argv,
                input=stdin,
                capture_output=True,
                text=True,
                env=self._env,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"kubectl {' '.join(args)} did not finish within {timeout}s")
        return Run(tuple(args), done.returncode, done.stdout, done.stderr)

    def __call__(
        self, *args: str, stdin: str | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> Run:
        """Run ``kubectl ARGS`` and require success."""
        run = self.run(*args, stdin=stdin, timeout=timeout)
        assert run.code == 0, str(run)
        return run

    def fails(self, *args: str, timeout: float = DEFAULT_TIMEOUT) -> Run:
        """Run ``kubectl ARGS`` and require failure (exit code 1, kubectl's error code)."""
        run = self.run(*args, timeout=timeout)
        assert run.code == 1, str(run)
        return run

    @contextmanager
    def streaming(self, *args: str) -> Iterator[list[str]]:
        """Run a never-ending ``kubectl ARGS`` (``get -w``, ``logs -f``); yields the stdout lines
        so far (a list a reader thread keeps appending to) and stops kubectl on exit."""
        argv = [self._binary, "--kubeconfig", str(self._kubeconfig), *args]
        lines: list[str] = []
        with subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=self._env
        ) as process:
            assert process.stdout is not None
            stdout = process.stdout
            reader = threading.Thread(target=lambda: lines.extend(stdout), daemon=True)
            reader.start()
            try:
                yield lines
            finally:
                process.terminate()
                process.wait(10)
                reader.join(10)

    def create(self, manifest: str) -> Run:
        """``kubectl create -f -``, validating as kubectl does by default (reads /openapi/v3)."""
        return self("create", "-f", "-", stdin=manifest)


@dataclass(frozen=True, slots=True)
class Judge:
    """A test module's opt-in (``JUDGE = Judge(...)``) to one sandbox, shared by its tests, that
    kubectl judges; the ``judged``/``sandbox``/``kubectl`` fixtures in conftest.py read it."""

    scenario: str = "empty"
    speed: float = 50.0


@contextmanager
def judged_sandbox(
    *, scenario: str = "empty", speed: float = 50.0
) -> Iterator[tuple[Sandbox, Kubectl]]:
    """A running sandbox plus a kubectl bound to it (fresh HOME, so a fresh discovery cache)."""
    binary = require_kubectl()
    with (
        running_sandbox(scenario=scenario, speed=speed) as sandbox,
        tempfile.TemporaryDirectory(prefix="kubectl-home-") as home,
    ):
        yield sandbox, Kubectl(binary, sandbox.kubeconfig, Path(home))


def stored(sandbox: Sandbox, kind: str, namespace: str | None, name: str) -> dict[str, Any] | None:
    """The object as the sandbox's store holds it (None when absent)."""
    found: dict[str, Any] | None = sandbox.call(sandbox.store.find, by_kind(kind), namespace, name)
    return found


def stored_list(
    sandbox: Sandbox, kind: str, namespace: str | None, selector: str | None = None
) -> list[dict[str, Any]]:
    """Objects of a kind in the store, optionally by label selector."""

    def listing() -> list[dict[str, Any]]:
        return sandbox.store.list(by_kind(kind), namespace, label_selector=selector)

    return sandbox.call(listing)


def eventually(probe: Callable[[], T | None], *, what: str, timeout: float = 30.0) -> T:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def deployment_manifest(
    name: str,
    image: str,
    *,
    namespace: str = "default",
    replicas: int = 1,
    label: str = "app",
    progress_deadline: int | None = None,
) -> str:
    """A Deployment as a user would write it (YAML), one container named like the Deployment."""
    deadline = f"\n  progressDeadlineSeconds: {progress_deadline}" if progress_deadline else ""
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
  labels: {{{label}: {name}}}
spec:
  replicas: {replicas}{deadline}
  selector:
    matchLabels: {{{label}: {name}}}
  template:
    metadata:
      labels: {{{label}: {name}}}
    spec:
      containers:
      - name: {name}
        image: {image}
        ports:
        - containerPort: 8080
"""
