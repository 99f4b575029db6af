"""What the notifier needs of the cluster: the Deployments watch, the pod watch of a rollout's
new ReplicaSet, pod logs, its Lease and its state ConfigMap, over one connection pool with the
gateway's timeouts."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from kubernetes.client import ApiClient

from bot.core import kube, rollout
from bot.core.watch_events import WatchEvent
from bot.errors import ClusterError
from bot.gateway import client as clients
from bot.gateway.api import Api, resource_path
from bot.gateway.lease import LeaseLock
from bot.gateway.rollout_store import RolloutStore
from bot.gateway.watch import Watch, WatchTimeouts


class NotifierCluster:
    """The notifier's port onto Kubernetes (``bot.notifier.ports.Cluster``)."""

    def __init__(
        self,
        api_client: ApiClient,
        *,
        namespace: str,
        lease_name: str,
        identity: str,
        request_timeout: float = 10.0,
        watch_timeouts: WatchTimeouts | None = None,
        observe: Callable[[str, int], None] | None = None,
    ) -> None:
        self._client = clients.prepared(api_client, connections=4)
        self._api = Api(
            self._client,
            timeout=request_timeout,
            connect_timeout=min(5.0, request_timeout),
            observe=observe,
        )
        self._timeouts = watch_timeouts or WatchTimeouts(server=300, read=330.0)
        self.lease = LeaseLock(self._api, namespace=namespace, name=lease_name, identity=identity)
        self.store = RolloutStore(self._api, namespace=namespace, name=f"{lease_name}-rollouts")

    def deployments(self, stop: threading.Event) -> Iterator[WatchEvent]:
        """Every Deployment of every namespace: the first list, then each change until ``stop``."""
        return self._watch(resource_path("apps", "v1", "deployments", None), stop)

    def new_pods_selector(self, namespace: str, selector: str, revision: int) -> str | None:
        """The label selector of the pods of a Deployment's ReplicaSet of ``revision`` (its
        selector plus the ReplicaSet's ``pod-template-hash``), or None while there is none."""
        page, _ = self._api.list(
            resource_path("apps", "v1", "replicasets", namespace),
            query=[("labelSelector", selector)],
        )
        for replica_set in page.items:
            if rollout.revision(replica_set) == revision:
                found = kube.string_map(replica_set, "metadata", "labels").get(rollout.HASH_LABEL)
                if found:
                    return f"{selector},{rollout.HASH_LABEL}={found}" if selector else found
        return None

    def pods(self, namespace: str, selector: str, stop: threading.Event) -> Iterator[WatchEvent]:
        """The pods ``selector`` picks in ``namespace``: listed once, then watched until
        ``stop``."""
        return self._watch(resource_path("", "v1", "pods", namespace), stop, labels=selector)

    def _watch(self, url: str, stop: threading.Event, *, labels: str = "") -> Iterator[WatchEvent]:
        watch = Watch(self._api, url, labels=labels, stop=stop, timeouts=self._timeouts)

        def stopper_run() -> None:
            stop.wait()
            watch.stop()

        stopper = threading.Thread(target=stopper_run, name="notifier-watch-stop", daemon=True)
        stopper.start()
        yield from watch

    def log_tail(self, namespace: str, pod: str, container: str, *, lines: int) -> str:
        """The last ``lines`` lines of a container's previous run (a crash), else its current."""
        url = resource_path("", "v1", "pods", namespace, pod, "log")
        for previous in ("true", "false"):
            query = [("container", container), ("tailLines", str(lines)), ("previous", previous)]
            try:
                response = self._api.request("GET", url, query=query, accept="*/*")
            except ClusterError:  # no previous run, or not started yet: try the next
                continue
            try:
                text = response.data.decode("utf-8", "replace")
            finally:
                response.release_conn()
            if text.strip():
                return text
        return ""

    def close(self) -> None:
        """Close the connections."""
        clients.close(self._client)
