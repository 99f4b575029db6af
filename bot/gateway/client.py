"""Build the official client's ``ApiClient`` for a kubeconfig context or the pod's account.

Each gateway gets its own ``ApiClient`` (never the library's global configuration), with
urllib3's automatic retries turned off: a retried PATCH could apply twice, so the gateway decides
itself what may be repeated (a GET, once).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from kubernetes import config
from kubernetes.client import ApiClient, Configuration
from kubernetes.client.rest import RESTClientObject
from kubernetes.config.config_exception import ConfigException
from urllib3 import HTTPHeaderDict

from bot.core.impersonation import KubeIdentity
from bot.errors import ConfigError

IMPERSONATE_USER: Final = "Impersonate-User"
IMPERSONATE_GROUP: Final = "Impersonate-Group"
_GROUPS: Final = "X-Chatops-Impersonate-Groups"
"""Carries the groups (a JSON list) from the gateway to ``RepeatedHeaders``, which sends them."""


def impersonation_headers(identity: KubeIdentity) -> dict[str, str]:
    """The headers that make one request run as ``identity``."""
    headers = {IMPERSONATE_USER: identity.user}
    if identity.groups:
        headers[_GROUPS] = json.dumps(list(identity.groups))
    return headers


class RepeatedHeaders(RESTClientObject):  # type: ignore[misc]  # the client is untyped
    """The official REST client, sending one ``Impersonate-Group`` line per group.

    The API server reads each line as one group, but ``ApiClient`` turns header parameters into
    a dict, so one name carries one value (a comma-joined value would be one group named
    ``a,b``). The groups travel under a private name to here, where urllib3's ``HTTPHeaderDict``
    sends them as repeated lines; the private name never leaves the process.
    """

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        """``RESTClientObject.request``, with the groups expanded into repeated headers."""
        headers = kwargs.get("headers")
        if headers and _GROUPS in headers:
            expanded = HTTPHeaderDict({k: v for k, v in headers.items() if k != _GROUPS})
            for group in json.loads(headers[_GROUPS]):
                expanded.add(IMPERSONATE_GROUP, group)
            kwargs["headers"] = expanded
        return super().request(method, url, *args, **kwargs)


def prepared(client: ApiClient, *, connections: int) -> ApiClient:
    """``client`` failing fast (urllib3 would retry every method three times), keeping
    ``connections`` connections per host (its default, ``cpu_count * 5``, is fewer than the
    bot's threads: connections past it are dropped and their TLS handshakes redone), and able
    to send several impersonated groups (``RepeatedHeaders``)."""
    configuration: Configuration = client.configuration
    rebuild = configuration.retries is None or not isinstance(client.rest_client, RepeatedHeaders)
    rebuild |= (configuration.connection_pool_maxsize or 0) < connections
    if rebuild:
        configuration.retries = False
        configuration.connection_pool_maxsize = max(
            connections, configuration.connection_pool_maxsize or 0
        )
        client.rest_client = RepeatedHeaders(configuration)
    return client


def from_kubeconfig(path: str | Path | None = None, *, context: str | None = None) -> ApiClient:
    """An ``ApiClient`` for a kubeconfig file (None: ``KUBECONFIG``, then ``~/.kube/config``)."""
    configuration = Configuration()
    try:
        config.load_kube_config(
            config_file=str(path) if path is not None else None,
            context=context,
            client_configuration=configuration,
            persist_config=False,
        )
    except (ConfigException, OSError, ValueError) as e:
        where = f"kubeconfig {str(path)!r}" if path is not None else "the kubeconfig"
        ctx = f" (context {context!r})" if context else ""
        raise ConfigError(f"{where}{ctx} cannot be used: {e}") from e
    configuration.retries = False
    return ApiClient(configuration)


def in_cluster() -> ApiClient:
    """An ``ApiClient`` for the pod's service account (``KUBERNETES_SERVICE_HOST`` and token)."""
    configuration = Configuration()
    try:
        config.load_incluster_config(client_configuration=configuration)
    except ConfigException as e:
        raise ConfigError(f"in-cluster configuration cannot be used: {e}") from e
    configuration.retries = False
    return ApiClient(configuration)


def close(client: ApiClient) -> None:
    """Close ``client``'s connections to the API server.

    ``ApiClient.close()`` only stops the client's thread pool, and ``PoolManager.clear()`` only
    forgets the pools (their sockets stay open while anything still refers to them, such as
    ``ApiClient.last_response``), so each pool is closed first.
    """
    client.close()
    pools = client.rest_client.pool_manager.pools
    for key in pools.keys():  # noqa: SIM118 - a copy under the container's lock; iterating raises
        pools[key].close()
    pools.clear()
