"""deploy/ rendered by the real ``kubectl kustomize``, and the RBAC rules read out of it.

``rendered(components)`` builds deploy/ with the named components of ``deploy/components/`` on
(through a kustomization in a temporary directory, as a user's own would be); ``grants`` turns
the ClusterRoles, Roles and their bindings to the bot's ServiceAccount into flat grants that a
requested permission can be held against.
"""

from __future__ import annotations

import functools
import os
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.ci import require_kubectl
from tests.subprocess_env import REPO

DEPLOY = REPO / "deploy"
COMPONENTS = ("delete", "impersonate")
NAMESPACE = "k8s-chatops"
ACCOUNT = "k8s-chatops"
RBAC_KINDS = ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")

Obj = dict[str, Any]


def kustomize(directory: Path) -> list[Obj]:
    done = subprocess.run(
        [require_kubectl(), "kustomize", str(directory)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@functools.cache
def _rendered(components: tuple[str, ...], overlay: str) -> tuple[str, ...]:
    with tempfile.TemporaryDirectory(prefix="kustomize-") as workdir:
        target = DEPLOY / overlay if overlay else DEPLOY
        lines = ["resources:", f"  - {os.path.relpath(target, workdir)}"]
        if components:
            lines.append("components:")
            lines += [
                f"  - {os.path.relpath(DEPLOY / 'components' / c, workdir)}" for c in components
            ]
        (Path(workdir) / "kustomization.yaml").write_text("\n".join(lines) + "\n")
        return tuple(yaml.safe_dump(doc) for doc in kustomize(Path(workdir)))


def rendered(components: Iterable[str] = (), *, overlay: str = "") -> list[Obj]:
    """deploy/ (or its ``overlay``) with ``components`` on, as objects (a fresh copy)."""
    return [yaml.safe_load(doc) for doc in _rendered(tuple(sorted(components)), overlay)]


def of_kind(objects: list[Obj], *kinds: str) -> list[Obj]:
    return [o for o in objects if o["kind"] in kinds]


@dataclass(frozen=True, slots=True)
class Grant:
    """One (verb, group, resource) a rule gives, in one namespace or cluster-wide (``""``)."""

    verb: str
    group: str
    resource: str
    """``pods`` or ``deployments/scale``."""
    namespace: str
    names: tuple[str, ...]
    """``resourceNames``; empty means any."""
    role: str


def _bound_to_account(binding: Obj) -> bool:
    return any(
        s.get("kind") == "ServiceAccount"
        and s.get("name") == ACCOUNT
        and s.get("namespace") == NAMESPACE
        for s in binding.get("subjects") or []
    )


def grants(objects: list[Obj]) -> list[Grant]:
    """Every grant the rendered bindings give the bot's ServiceAccount."""
    roles = {
        (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
        for o in of_kind(objects, "ClusterRole", "Role")
    }
    found: list[Grant] = []
    for binding in of_kind(objects, "ClusterRoleBinding", "RoleBinding"):
        if not _bound_to_account(binding):
            continue
        where = binding["metadata"].get("namespace", "")
        ref = binding["roleRef"]
        role_namespace = where if ref["kind"] == "Role" else ""
        role = roles[(ref["kind"], role_namespace, ref["name"])]
        for rule in role.get("rules") or []:
            for verb in rule.get("verbs", []):
                for group in rule.get("apiGroups", []):
                    for resource in rule.get("resources", []):
                        found.append(
                            Grant(
                                verb,
                                group,
                                resource,
                                where,
                                tuple(rule.get("resourceNames") or ()),
                                f"{ref['kind']}/{ref['name']}",
                            )
                        )
    return found
