"""Build the official client's ``ApiClient`` for a kubeconfig context or the pod's account.

Each gateway gets its own ``ApiClient`` (never the library's global configuration), with
urllib3's automatic retries turned off: a retried PATCH could apply twice, so the gateway decides
itself what may be repeated (a GET, once).
"""

from __future__ import annotations

from pathlib import Path

from kubernetes import config
from kubernetes.client import ApiClient, Configuration
from kubernetes.client.rest import RESTClientObject
from kubernetes.config.config_exception import ConfigException

from bot.errors import ConfigError


def prepared(client: ApiClient, *, connections: int) -> ApiClient:
    """``client`` failing fast (urllib3 would retry every method three times) and keeping
    ``connections`` connections per host (its default, ``cpu_count * 5``, is fewer than the
    bot's threads: connections past it are dropped and their TLS handshakes redone)."""
    configuration: Configuration = client.configuration
    rebuild = configuration.retries is None
    rebuild |= (configuration.connection_pool_maxsize or 0) < connections
    if rebuild:
        configuration.retries = False
        configuration.connection_pool_maxsize = max(
            connections, configuration.connection_pool_maxsize or 0
        )
        client.rest_client = RESTClientObject(configuration)
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
