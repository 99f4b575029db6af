"""Which cluster the bot talks to: in a pod its service account, else a kubeconfig; and the
bot's own namespace, where its Lease and its state live."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.errors import ConfigError
from bot.settings import Settings


@dataclass(frozen=True, slots=True)
class Cluster:
    """Where the gateway connects: in-cluster, or a kubeconfig (and context)."""

    in_cluster: bool
    kubeconfig: Path | None = None
    context: str | None = None
    label: str = ""
    """For logs and the console's first line: which cluster it talks to."""


def find_cluster(settings: Settings, env: Mapping[str, str]) -> Cluster | None:
    """In a pod use the service account; else --kubeconfig, the setting, KUBECONFIG, ~/.kube.

    None when there is nothing to connect to.
    """
    kube = settings.kubernetes
    if env.get("KUBERNETES_SERVICE_HOST"):
        return Cluster(in_cluster=True, label="in-cluster service account")
    if kube.kubeconfig is not None:
        if not kube.kubeconfig.exists():
            msg = f"kubernetes.kubeconfig: the file {str(kube.kubeconfig)!r} does not exist"
            raise ConfigError(msg)
        return Cluster(
            in_cluster=False,
            kubeconfig=kube.kubeconfig,
            context=kube.context,
            label=f"kubeconfig {kube.kubeconfig}",
        )
    paths = [Path(p) for p in env.get("KUBECONFIG", "").split(os.pathsep) if p]
    existing = [p for p in paths if p.exists()]
    if existing:
        # The Kubernetes client merges a KUBECONFIG list itself; pass the first file it reads.
        return Cluster(
            in_cluster=False,
            kubeconfig=None,
            context=kube.context,
            label=f"KUBECONFIG {env['KUBECONFIG']}",
        )
    default = Path(env.get("HOME", str(Path.home()))) / ".kube" / "config"
    if not paths and default.exists():
        return Cluster(
            in_cluster=False,
            kubeconfig=default,
            context=kube.context,
            label=f"kubeconfig {default}",
        )
    return None


SERVICE_ACCOUNT_NAMESPACE: Final = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


def own_namespace(settings: Settings, *, service_account: Path = SERVICE_ACCOUNT_NAMESPACE) -> str:
    """The bot's own namespace (its Lease and notification state): the pod's, read from the
    service account; else ``leader_election.namespace``; else ``default``."""
    try:
        namespace = service_account.read_text(encoding="utf-8").strip()
    except OSError:
        namespace = ""
    return namespace or settings.leader_election.namespace or "default"


def require_cluster(settings: Settings, env: Mapping[str, str]) -> Cluster:
    """``find_cluster``, or a ConfigError saying where the bot looked."""
    cluster = find_cluster(settings, env)
    if cluster is None:
        msg = (
            "no Kubernetes configuration found: not in a pod, and no --kubeconfig, "
            "kubernetes.kubeconfig, KUBECONFIG or ~/.kube/config"
        )
        raise ConfigError(msg)
    return cluster
