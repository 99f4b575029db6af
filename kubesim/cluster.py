"""Assembles a running sandbox cluster: clock, store, controllers, scenario and API server.

The CLI (serving in the foreground) and the test harness (serving from a background thread) start
the very same stack through :func:`start_cluster`, on whatever loop they run.
"""

from __future__ import annotations

import base64
import gc
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kubesim.api.resources import by_kind
from kubesim.apiserver import tls
from kubesim.apiserver.faults import Faults
from kubesim.apiserver.request_log import RequestLog
from kubesim.apiserver.server import ApiServer
from kubesim.auth import bootstrap
from kubesim.controlplane import Controllers, KubeletRules
from kubesim.machinery.clock import Clock
from kubesim.scenarios import catalog
from kubesim.storage.store import Store

log = logging.getLogger(__name__)
SCENARIOS = ("demo", "empty", "scale")
_FREEZE_AFTER = 1000


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """How to start a sandbox."""

    scenario: str = "empty"
    pods: int = 0
    deployments: int = 0
    speed: float = 1.0
    host: str = "127.0.0.1"
    port: int = 0
    bookmark_interval: float = 1.0
    metrics_api: bool = True
    """Serve ``metrics.k8s.io`` (``kubectl top``), as a cluster with metrics-server does."""
    history: int = 10_000
    controllers: bool = True
    """Run the controllers (deployment, replicaset, kubelet, GC); tests may want a still cluster."""
    token: str | None = None
    tls: bool = True
    """Serve HTTPS (kubectl sends bearer tokens over TLS only); needs the openssl binary."""


@dataclass(slots=True)
class Cluster:
    """A started sandbox; :meth:`stop` it on the same loop."""

    clock: Clock
    store: Store
    server: ApiServer
    controllers: Controllers | None
    """None when the cluster was started without controllers."""
    token: str
    ca_pem: bytes | None
    """The serving certificate (PEM) clients must trust, when serving HTTPS."""

    @property
    def url(self) -> str:
        """The API server's URL."""
        return self.server.url

    @property
    def faults(self) -> Faults:
        """Fault injection."""
        return self.server.faults

    @property
    def requests(self) -> RequestLog:
        """The request log."""
        return self.server.requests

    async def stop(self) -> None:
        """Stop the controllers and the server."""
        if self.controllers is not None:
            self.controllers.stop()
        await self.server.stop()


async def start_cluster(options: ClusterOptions) -> Cluster:
    """Build and start everything on the running loop."""
    if options.scenario not in SCENARIOS:
        msg = f"unknown scenario {options.scenario!r}; choose one of {', '.join(SCENARIOS)}"
        raise ValueError(msg)
    clock = Clock(speed=options.speed)
    store = Store(clock=clock, history=options.history)
    token = options.token or secrets.token_urlsafe(24)
    server = ApiServer(
        store=store,
        clock=clock,
        token=token,
        bookmark_interval=options.bookmark_interval,
        metrics_api=options.metrics_api,
    )
    for obj in bootstrap.objects():
        store.create(by_kind(obj["kind"]), obj)
    catalog.load(store, options.scenario, pods=options.pods, deployments=options.deployments)
    if store.count(by_kind("Pod")) >= _FREEZE_AFTER:
        # The loaded objects live until deleted: keep the cyclic GC from re-scanning them on
        # every collection (it tripled the time to print 10,000 pods as a Table).
        gc.freeze()
    controllers = None
    if options.controllers:
        # After the load: start() adopts what is there instead of replaying 10,000 events.
        controllers = Controllers(store, clock, rules=KubeletRules())
        controllers.start()
    certificate = None
    if options.tls:
        if tls.available():
            certificate = tls.certificate()
        else:
            log.warning("openssl is not installed: serving plain HTTP (kubectl will send no token)")
    await server.start(
        host=options.host,
        port=options.port,
        tls=certificate.server_context() if certificate is not None else None,
    )
    return Cluster(
        clock, store, server, controllers, token, certificate.pem() if certificate else None
    )


def kubeconfig(
    url: str, token: str, *, ca_pem: bytes | None = None, namespace: str = "default"
) -> dict[str, Any]:
    """A kubeconfig for one sandbox (context ``sandbox``, bearer token auth)."""
    cluster: dict[str, Any] = {"server": url}
    if ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "sandbox", "cluster": cluster}],
        "users": [{"name": "sandbox", "user": {"token": token}}],
        "contexts": [
            {
                "name": "sandbox",
                "context": {"cluster": "sandbox", "user": "sandbox", "namespace": namespace},
            }
        ],
        "current-context": "sandbox",
        "preferences": {},
    }


def write_kubeconfig(path: Path, cluster: Cluster) -> Path:
    """Write the cluster's kubeconfig (mode 0600: it holds the token)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    document = kubeconfig(cluster.url, cluster.token, ca_pem=cluster.ca_pem)
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path
