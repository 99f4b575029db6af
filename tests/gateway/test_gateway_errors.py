"""How API and network failures reach the user: one plain sentence each, and writes are never
sent twice."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
from kubernetes.client import ApiClient, Configuration
from kubernetes.client.exceptions import ApiException

from bot.errors import (
    ClusterError,
    ClusterTimeout,
    ClusterUnreachable,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
)
from bot.gateway.errors import Target, translate
from bot.gateway.gateway import GatewayOptions, KubernetesGateway
from kubesim.testing.harness import Sandbox
from tests.gateway.support import run

FORBIDDEN_PATCH = (
    'deployments.apps "web" is forbidden: User "system:serviceaccount:bots:chatops" cannot '
    'patch resource "deployments" in API group "apps" in the namespace "prod"'
)


def api_error(status: int, message: str, reason: str = "") -> ApiException:
    error = ApiException(status=status, reason=reason or "Error")
    error.body = json.dumps({"kind": "Status", "message": message, "reason": reason})
    return error


@pytest.mark.parametrize(
    ("error", "target", "kind", "message"),
    [
        (
            api_error(403, FORBIDDEN_PATCH, "Forbidden"),
            None,
            Forbidden,
            "the bot's Kubernetes identity may not patch deployments.apps in namespace "
            '"prod" (forbidden)',
        ),
        (
            api_error(
                403,
                'deployments.apps "web" is forbidden: User "x" cannot patch resource '
                '"deployments/scale" in API group "apps" in the namespace "prod"',
            ),
            None,
            Forbidden,
            "the bot's Kubernetes identity may not patch deployments.apps/scale in namespace "
            '"prod" (forbidden)',
        ),
        (
            api_error(
                403,
                'nodes is forbidden: User "x" cannot list resource "nodes" in API group "" at '
                "the cluster scope",
            ),
            None,
            Forbidden,
            "the bot's Kubernetes identity may not list nodes at the cluster scope (forbidden)",
        ),
        (
            api_error(404, 'deployments.apps "web" not found', "NotFound"),
            Target("deployment", "web", "prod"),
            NotFound,
            'deployment "web" not found in namespace "prod"',
        ),
        (
            api_error(404, 'nodes "n" not found', "NotFound"),
            Target("node", "n"),
            NotFound,
            'node "n" not found',
        ),
        (
            api_error(409, 'Operation cannot be fulfilled on deployments.apps "web"', "Conflict"),
            None,
            Conflict,
            'Operation cannot be fulfilled on deployments.apps "web"',
        ),
        (
            api_error(422, 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1'),
            None,
            Invalid,
            'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1',
        ),
        (
            api_error(401, "Unauthorized"),
            None,
            Forbidden,
            "the cluster rejected the bot's credentials (401 Unauthorized)",
        ),
        (
            api_error(429, "slow down", "TooManyRequests"),
            None,
            ClusterError,
            "the cluster is too busy to answer (429 Too Many Requests); try again shortly",
        ),
        (
            api_error(500, "etcd is down", "InternalError"),
            None,
            ClusterError,
            "the cluster failed the request (500 InternalError): etcd is down",
        ),
    ],
)
def test_api_errors_become_plain_sentences(
    error: ApiException, target: Target | None, kind: type[Exception], message: str
) -> None:
    translated = translate(error, target=target)
    assert type(translated) is kind
    assert str(translated) == message


def test_forbidden_from_the_server(gw: KubernetesGateway, cluster: Sandbox) -> None:
    cluster.faults.respond(403, method="PATCH", path="/deployments/web$", message=FORBIDDEN_PATCH)
    with pytest.raises(Forbidden) as err:
        run(gw, "set image deployment/web web=nginx:1.28 -n prod")
    assert 'may not patch deployments.apps in namespace "prod"' in str(err.value)
    assert err.value.status == 403


def test_not_found_names_what_and_where(gw: KubernetesGateway) -> None:
    with pytest.raises(NotFound) as err:
        run(gw, "scale deployment/nope --replicas=2 -n prod")
    assert str(err.value) == 'deployment "nope" not found in namespace "prod"'


def test_invalid_quotes_the_server(gw: KubernetesGateway, cluster: Sandbox) -> None:
    cluster.faults.respond(
        422, method="PATCH", path="/scale$", message='Scale.autoscaling "web" is invalid: no'
    )
    with pytest.raises(Invalid, match=r'Scale\.autoscaling "web" is invalid: no'):
        run(gw, "scale deployment/web --replicas=2 -n prod")


def test_slow_read_is_a_timeout(cluster: Sandbox) -> None:
    options = GatewayOptions(request_timeout=0.3)
    gw = KubernetesGateway(cluster.api_client(), options=options)
    cluster.faults.delay(2.0, method="GET", path="^/version$")
    with pytest.raises(ClusterTimeout, match=r"the cluster did not answer in 0\.3 s"):
        run(gw, "version")
    assert len(cluster.requests.matching(method="GET", path="/version")) <= 1
    gw.close()


def test_slow_write_is_sent_once(cluster: Sandbox) -> None:
    options = GatewayOptions(request_timeout=0.3)
    gw = KubernetesGateway(cluster.api_client(), options=options)
    cluster.faults.delay(2.0, method="PATCH")
    with pytest.raises(ClusterTimeout):
        run(gw, "scale deployment/web --replicas=4 -n prod")
    assert len([r for r in cluster.requests.all() if r.method == "PATCH"]) == 1
    gw.close()


@pytest.fixture
def hang_up() -> Iterator[tuple[str, list[int]]]:
    """A TCP server that accepts and closes every connection at once, counting them."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    accepted: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(1)
            conn.recv(65536)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    stop.set()
    thread.join(5)
    server.close()


@pytest.mark.parametrize(
    ("text", "attempts"), [("version", 2), ("scale deploy/web --replicas=2", 1)]
)
def test_only_reads_are_retried_after_a_dropped_connection(
    hang_up: tuple[str, list[int]], text: str, attempts: int
) -> None:
    url, accepted = hang_up
    configuration = Configuration()
    configuration.host = url
    gw = KubernetesGateway(ApiClient(configuration), options=GatewayOptions(request_timeout=2.0))
    with pytest.raises(ClusterUnreachable, match="closed the connection"):
        run(gw, text)
    assert len(accepted) == attempts
    gw.close()


def _gateway_at(host: str, *, verify: bool = True) -> KubernetesGateway:
    configuration = Configuration()
    configuration.host = host
    configuration.verify_ssl = verify
    return KubernetesGateway(ApiClient(configuration), options=GatewayOptions(request_timeout=5))


def test_a_closed_port_is_refused_not_a_timeout() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    gw = _gateway_at(f"https://127.0.0.1:{port}")
    with pytest.raises(ClusterUnreachable, match=rf"127\.0\.0\.1:{port} refused the connection"):
        run(gw, "version")
    gw.close()


def test_an_unknown_host_name_says_dns() -> None:
    gw = _gateway_at("https://no-such-cluster.invalid:6443")
    with pytest.raises(ClusterUnreachable, match=r'"no-such-cluster\.invalid" does not resolve'):
        run(gw, "version")
    gw.close()


def test_an_untrusted_certificate_says_tls(cluster: Sandbox) -> None:
    if not cluster.url.startswith("https://"):
        pytest.skip("the sandbox serves plain HTTP here (no openssl)")
    gw = _gateway_at(cluster.url)
    with pytest.raises(ClusterUnreachable, match=r"TLS handshake .* not trusted"):
        run(gw, "version")
    gw.close()


def test_plain_http_behind_https_says_tls() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def answer_in_plain_http() -> None:
            conn, _ = server.accept()
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            conn.close()

        thread = threading.Thread(target=answer_in_plain_http, daemon=True)
        thread.start()
        gw = _gateway_at(f"https://127.0.0.1:{port}", verify=False)
        with pytest.raises(ClusterUnreachable, match=r"TLS handshake .* does not speak TLS"):
            run(gw, "version")
        gw.close()
        thread.join(5)


def test_a_403_while_acting_as_a_user_names_the_user_not_the_bot() -> None:
    refused = api_error(
        403,
        'pods is forbidden: User "slack:U1" cannot list resource "pods" in API group "" in the '
        'namespace "prod"',
    )
    assert str(translate(refused, as_user="slack:U1")) == (
        'you (Kubernetes user "slack:U1") may not list pods in namespace "prod" (forbidden); '
        "ask a cluster admin for it"
    )


def test_the_bot_refused_impersonation_is_the_bots_lack() -> None:
    refused = api_error(
        403,
        'users "slack:U1" is forbidden: User "system:serviceaccount:bots:chatops" cannot '
        'impersonate resource "users" in API group "" at the cluster scope',
    )
    assert str(translate(refused, as_user="slack:U1")) == (
        "the bot's Kubernetes identity may not impersonate users at the cluster scope (forbidden)"
    )


def test_a_silent_server_times_out_the_tls_handshake_with_the_time_waited() -> None:
    # Accepted by the kernel (the listen backlog) and never answered: the handshake waits for
    # the connect timeout, not the read timeout the sentence used to name.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        configuration = Configuration()
        configuration.host = f"https://127.0.0.1:{silent.getsockname()[1]}"
        options = GatewayOptions(request_timeout=5.0, connect_timeout=0.2)
        gw = KubernetesGateway(ApiClient(configuration), options=options)
        with pytest.raises(
            ClusterTimeout,
            match=r"^the cluster at 127\.0\.0\.1:\d+ accepted the connection but did not "
            r"complete the TLS handshake in 0\.2 s \(GET failed\)$",
        ):
            run(gw, "version")
        gw.close()
