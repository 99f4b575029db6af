"""Run a sandbox cluster from synchronous code (pytest, the console) on a background thread.

The cluster lives on its own event loop in a daemon thread; :meth:`Sandbox.call` is the one
thread-safe door into it (the store is loop-confined), and leaving :func:`running_sandbox` stops
the controllers, closes open watches and joins the thread.

Identities: :attr:`Sandbox.kubeconfig` and :attr:`Sandbox.token` are the sandbox's admin
(``sandbox-admin`` in ``system:masters``: allowed everything, like a real cluster's admin). Every
other identity is authorized by RBAC against the Roles and bindings in the store:

- :meth:`Sandbox.user_token` mints a bearer token for a user and groups (``alice`` in
  ``dev``), as a real cluster's token file or OIDC provider would;
- :meth:`Sandbox.service_account_token` creates the ServiceAccount if needed and returns a token
  from its ``token`` subresource (what ``kubectl create token`` asks for);
- :meth:`Sandbox.kubeconfig_for` writes a kubeconfig for any token (give it to kubectl, or to
  the bot), and :meth:`Sandbox.api_client` builds a ``kubernetes`` client for one.

Impersonation needs nothing here: send ``Impersonate-User``/``Impersonate-Group`` headers with a
token whose identity may ``impersonate`` users/groups (the admin may).
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from kubesim.api.resources import by_kind
from kubesim.apiserver.faults import Faults
from kubesim.apiserver.request_log import RequestLog
from kubesim.auth import tokens
from kubesim.cluster import Cluster, ClusterOptions, kubeconfig, start_cluster, write_kubeconfig
from kubesim.storage.store import Store

T = TypeVar("T")
_START_TIMEOUT = 120.0


@dataclass(frozen=True, slots=True)
class Sandbox:
    """A running sandbox, as tests see it."""

    url: str
    kubeconfig: Path
    """A kubeconfig file (context ``sandbox``, namespace ``default``, bearer token)."""
    token: str
    cluster: Cluster
    loop: asyncio.AbstractEventLoop

    @property
    def faults(self) -> Faults:
        """Fault injection (thread-safe)."""
        return self.cluster.faults

    @property
    def requests(self) -> RequestLog:
        """Every request received (thread-safe)."""
        return self.cluster.requests

    @property
    def store(self) -> Store:
        """The store: touch it only inside :meth:`call`."""
        return self.cluster.store

    def call(self, fn: Callable[..., T], *args: Any, timeout: float = 30.0) -> T:
        """Run ``fn(*args)`` on the sandbox loop and return its result (awaited if a coroutine)."""

        async def run() -> Any:
            result = fn(*args)
            if inspect.isawaitable(result):
                result = await result
            return result

        found: T = asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)
        return found

    def api_client(self, token: str | None = None) -> Any:
        """A ``kubernetes.client.ApiClient`` for the admin, or for the identity of ``token``."""
        from kubernetes import config  # noqa: PLC0415 -- only tests need the client

        path = self.kubeconfig if token is None else self.kubeconfig_for(token)
        return config.new_client_from_config(config_file=str(path))

    def user_token(self, name: str, *, groups: Sequence[str] = (), uid: str = "") -> str:
        """A bearer token that authenticates as user ``name`` in ``groups`` (and
        ``system:authenticated``), valid while the sandbox runs."""
        authenticator = self.cluster.server.authenticator
        token: str = self.call(lambda: authenticator.add_user(name, groups=groups, uid=uid))
        return token

    def service_account_token(self, namespace: str, name: str, *, seconds: int = 3600) -> str:
        """A token for the ServiceAccount ``namespace/name`` (created, with its namespace, when
        missing), as ``kubectl create token`` gets one; it stops working when the account goes."""

        def issue() -> str:
            store, authenticator = self.store, self.cluster.server.authenticator
            if store.find(by_kind("Namespace"), None, namespace) is None:
                store.create(by_kind("Namespace"), {"metadata": {"name": namespace}})
            account = store.find(by_kind("ServiceAccount"), namespace, name)
            if account is None:
                account = store.create(
                    by_kind("ServiceAccount"), {"metadata": {"name": name, "namespace": namespace}}
                )
            token, _ = authenticator.issue(
                namespace,
                name,
                str(account["metadata"]["uid"]),
                audiences=tokens.DEFAULT_AUDIENCES,
                seconds=seconds,
            )
            return token

        issued: str = self.call(issue)
        return issued

    def kubeconfig_for(self, token: str, *, namespace: str = "default") -> Path:
        """A kubeconfig like :attr:`kubeconfig` that authenticates with ``token`` instead."""
        digest = hashlib.sha256(token.encode()).hexdigest()[:16]
        path = self.kubeconfig.parent / f"kubeconfig-{digest}-{namespace}"
        if not path.exists():
            path.touch(mode=0o600)
            document = kubeconfig(self.url, token, ca_pem=self.cluster.ca_pem, namespace=namespace)
            path.write_text(yaml.safe_dump(document, sort_keys=False))
        return path


@contextmanager
def running_sandbox(
    *,
    scenario: str = "empty",
    speed: float = 1.0,
    pods: int = 0,
    deployments: int = 0,
    controllers: bool = True,
    bookmark_interval: float = 1.0,
    history: int = 10_000,
    tls: bool = True,
    metrics_api: bool = True,
) -> Iterator[Sandbox]:
    """Start a sandbox on a free 127.0.0.1 port in a background thread; stop it on exit."""
    options = ClusterOptions(
        scenario=scenario,
        pods=pods,
        deployments=deployments,
        speed=speed,
        controllers=controllers,
        bookmark_interval=bookmark_interval,
        history=history,
        tls=tls,
        metrics_api=metrics_api,
    )
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    outcome: dict[str, Any] = {}

    def serve() -> None:
        asyncio.set_event_loop(loop)

        async def boot() -> None:
            try:
                outcome["cluster"] = await start_cluster(options)
            except BaseException as err:  # noqa: BLE001 - re-raised in the caller's thread
                outcome["error"] = err
            finally:
                ready.set()

        booting = loop.create_task(boot())
        loop.run_forever()
        del booting
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    thread = threading.Thread(target=serve, name="k8s-sandbox", daemon=True)
    thread.start()
    if not ready.wait(_START_TIMEOUT) or "error" in outcome:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        error = outcome.get("error")
        if isinstance(error, BaseException):
            raise error
        msg = "the sandbox did not start in time"
        raise TimeoutError(msg)
    cluster: Cluster = outcome["cluster"]
    with tempfile.TemporaryDirectory(prefix="k8s-sandbox-") as workdir:
        path = write_kubeconfig(Path(workdir) / "kubeconfig", cluster)
        sandbox = Sandbox(cluster.url, path, cluster.token, cluster, loop)
        try:
            yield sandbox
        finally:
            try:
                asyncio.run_coroutine_threadsafe(cluster.stop(), loop).result(30)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(30)
