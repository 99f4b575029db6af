"""Resource name resolution (kubectl's RESTMapper rules) and the gateway's factories."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from kubernetes import client

from bot.core.results import Document, Table
from bot.core.verbs.describe import Describe
from bot.errors import ClusterError, ClusterTimeout, ConfigError, NotFound
from bot.gateway.discovery import Discovery
from bot.gateway.gateway import KubernetesGateway
from kubesim.testing.harness import Sandbox
from tests.gateway.support import OPTIONS, run

AGGREGATED_CORE = {
    "kind": "APIGroupDiscoveryList",
    "items": [
        {
            "metadata": {"name": ""},
            "versions": [
                {
                    "version": "v1",
                    "resources": [
                        {
                            "resource": "events",
                            "singularResource": "event",
                            "responseKind": {"kind": "Event"},
                            "scope": "Namespaced",
                            "shortNames": ["ev"],
                        },
                        {
                            "resource": "pods",
                            "singularResource": "pod",
                            "responseKind": {"kind": "Pod"},
                            "scope": "Namespaced",
                            "shortNames": ["po"],
                        },
                    ],
                }
            ],
        }
    ],
}
AGGREGATED_GROUPS = {
    "kind": "APIGroupDiscoveryList",
    "items": [
        {
            "metadata": {"name": "events.k8s.io"},
            "versions": [
                {
                    "version": "v1",
                    "resources": [
                        {
                            "resource": "events",
                            "singularResource": "event",
                            "responseKind": {"kind": "Event"},
                            "scope": "Namespaced",
                        }
                    ],
                }
            ],
        },
        {
            "metadata": {"name": "stable.example.com"},
            "versions": [
                {
                    "version": "v1beta1",
                    "resources": [
                        {
                            "resource": "crontabs",
                            "singularResource": "crontab",
                            "responseKind": {"kind": "CronTab"},
                            "scope": "Namespaced",
                            "shortNames": ["ct"],
                        }
                    ],
                },
                {"version": "v1alpha1", "resources": []},
            ],
        },
    ],
}


class FakeApi:
    """Answers discovery documents; counts what it was asked."""

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents
        self.asked: list[str] = []

    def get(self, url: str, **_: Any) -> dict[str, Any]:
        self.asked.append(url)
        return self.documents[url]


def aggregated() -> FakeApi:
    return FakeApi({"/api": AGGREGATED_CORE, "/apis": AGGREGATED_GROUPS})


@pytest.mark.parametrize(
    ("typed", "qualified", "version"),
    [
        ("po", "pods", "v1"),
        ("Pod", "pods", "v1"),
        ("PODS", "pods", "v1"),
        ("events", "events", "v1"),  # the core group wins, as in kubectl
        ("events.events.k8s.io", "events.events.k8s.io", "v1"),
        ("ct", "crontabs.stable.example.com", "v1beta1"),
        ("CronTab", "crontabs.stable.example.com", "v1beta1"),
        ("crontabs.stable.example.com", "crontabs.stable.example.com", "v1beta1"),
        ("crontab.v1beta1.stable.example.com", "crontabs.stable.example.com", "v1beta1"),
    ],
)
def test_names_resolve_like_kubectl(typed: str, qualified: str, version: str) -> None:
    info = Discovery(aggregated()).resolve(typed)  # type: ignore[arg-type]
    assert (info.qualified, info.version) == (qualified, version)


def test_unknown_names_refresh_discovery_once_then_fail() -> None:
    api = aggregated()
    discovery = Discovery(api)  # type: ignore[arg-type]
    discovery.resolve("pods")
    discovery.resolve("po")
    assert api.asked == ["/api", "/apis"]  # cached
    with pytest.raises(NotFound, match='the server doesn\'t have a resource type "widgets"'):
        discovery.resolve("widgets")
    assert api.asked == ["/api", "/apis", "/api", "/apis"]


def test_legacy_discovery_is_the_fallback() -> None:
    api = FakeApi(
        {
            "/api": {"kind": "APIVersions", "versions": ["v1"]},
            "/apis": {
                "kind": "APIGroupList",
                "groups": [{"name": "apps", "preferredVersion": {"version": "v1"}}],
            },
            "/api/v1": {
                "resources": [
                    {"name": "pods", "singularName": "pod", "kind": "Pod", "namespaced": True},
                    {"name": "pods/log", "kind": "Pod", "namespaced": True},
                ]
            },
            "/apis/apps/v1": {
                "resources": [
                    {
                        "name": "deployments",
                        "singularName": "deployment",
                        "kind": "Deployment",
                        "namespaced": True,
                        "shortNames": ["deploy"],
                    }
                ]
            },
        }
    )
    discovery = Discovery(api)  # type: ignore[arg-type]
    assert discovery.resolve("deploy").path("prod", "web") == (
        "/apis/apps/v1/namespaces/prod/deployments/web"
    )
    assert discovery.resolve("pod").path("prod") == "/api/v1/namespaces/prod/pods"


def test_gateway_discovers_once_for_many_commands(demo: Sandbox) -> None:
    gateway = KubernetesGateway(demo.api_client(), options=OPTIONS)
    demo.requests.clear()
    for text in ("get po -n prod", "get deploy -n prod", "get svc -n prod"):
        assert isinstance(run(gateway, text), Table)
    asked = [r.path for r in demo.requests.all() if r.path in ("/api", "/apis")]
    assert asked == ["/api", "/apis"]
    gateway.close()


def test_from_kubeconfig(demo: Sandbox) -> None:
    gateway = KubernetesGateway.from_kubeconfig(demo.kubeconfig, options=OPTIONS)
    result = run(gateway, "version")
    assert isinstance(result, Document)
    assert "Server Version: v1." in result.text
    gateway.close()


def test_bad_kubeconfig_is_a_config_error(tmp_path: Any) -> None:
    path = tmp_path / "kubeconfig"
    path.write_text("apiVersion: v1\nkind: Config\n")
    with pytest.raises(ConfigError, match="cannot be used"):
        KubernetesGateway.from_kubeconfig(path, context="nope")


def test_in_cluster_outside_a_pod_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(ConfigError, match="in-cluster configuration cannot be used"):
        KubernetesGateway.in_cluster()


def test_describe_any_listed_type(gateway: KubernetesGateway) -> None:
    command = Describe(resource="configmaps", name=None, namespace="prod")
    result = gateway.execute(command, actor="slack:@alice", text="describe configmaps")
    assert isinstance(result, Document)
    assert result.text.startswith("Name:         kube-root-ca.crt\nNamespace:    prod\n")


def test_describe_unknown_type_is_refused(gateway: KubernetesGateway) -> None:
    with pytest.raises(NotFound, match='the server doesn\'t have a resource type "gizmos"'):
        run(gateway, "describe gizmos -n prod")


def test_describe_missing_object(gateway: KubernetesGateway) -> None:
    with pytest.raises(NotFound, match='pod "zzz" not found in namespace "prod"'):
        run(gateway, "describe pod zzz -n prod")


def test_describe_without_matches(gateway: KubernetesGateway) -> None:
    result = run(gateway, "describe pods -n prod -l app=nothing")
    assert result == Document("No resources found in prod namespace.")


def test_paused_deployment_refuses_undo_and_restart(
    gw: KubernetesGateway, cluster: Sandbox
) -> None:
    with cluster.api_client() as api:
        client.AppsV1Api(api).patch_namespaced_deployment("api", "prod", {"spec": {"paused": True}})
    with pytest.raises(ClusterError, match="you cannot rollback a paused deployment"):
        run(gw, "rollout undo deployment/api -n prod")
    with pytest.raises(ClusterError, match=r"can't restart paused deployment \(run rollout"):
        run(gw, "rollout restart deployment/api -n prod")
    assert [r for r in cluster.requests.all() if r.method == "PATCH"][1:] == []


class SlowApi(FakeApi):
    """Holds every request until released; counts them as they arrive."""

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        super().__init__(documents)
        self.release = threading.Event()
        self.arrived = threading.Semaphore(0)

    def get(self, url: str, **kw: Any) -> dict[str, Any]:
        self.arrived.release()
        assert self.release.wait(timeout=20)
        return super().get(url, **kw)


class FailingApi(FakeApi):
    """Every request times out while ``failing`` is set."""

    failing = True

    def get(self, url: str, **kw: Any) -> dict[str, Any]:
        if not self.failing:
            return super().get(url, **kw)
        self.asked.append(url)
        raise ClusterTimeout("the cluster did not answer in 5 s")


def test_concurrent_callers_share_one_load() -> None:
    api = SlowApi({"/api": AGGREGATED_CORE, "/apis": AGGREGATED_GROUPS})
    discovery = Discovery(api)  # type: ignore[arg-type]
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(discovery.resolve, "pods") for _ in range(8)]
        assert api.arrived.acquire(timeout=20)  # the first load is in flight
        api.release.set()
        assert {f.result(timeout=20).plural for f in futures} == {"pods"}
    assert api.asked == ["/api", "/apis"]


def test_a_refresh_in_flight_does_not_hold_up_cached_names() -> None:
    api = SlowApi({"/api": AGGREGATED_CORE, "/apis": AGGREGATED_GROUPS})
    discovery = Discovery(api)  # type: ignore[arg-type]
    api.release.set()
    discovery.resolve("pods")
    api.release.clear()
    while api.arrived.acquire(blocking=False):
        pass
    with ThreadPoolExecutor(max_workers=2) as pool:
        unknown = pool.submit(discovery.resolve, "widgets")  # refreshes, held by the server
        assert api.arrived.acquire(timeout=20)
        cached = pool.submit(discovery.resolve, "po")
        assert cached.result(timeout=20).plural == "pods"
        api.release.set()
        with pytest.raises(NotFound):
            unknown.result(timeout=20)


def test_a_failed_load_is_remembered_briefly() -> None:
    api = FailingApi({})
    now = [100.0]
    discovery = Discovery(api, failure_ttl=5.0, clock=lambda: now[0])  # type: ignore[arg-type]
    for _ in range(3):
        with pytest.raises(ClusterTimeout, match="did not answer"):
            discovery.resolve("pods")
    assert api.asked == ["/api"]  # one request, however many callers
    now[0] += 5.0
    with pytest.raises(ClusterTimeout):
        discovery.resolve("pods")
    assert api.asked == ["/api", "/api"]


def test_a_failed_load_does_not_poison_later_ones() -> None:
    api = FailingApi({"/api": AGGREGATED_CORE, "/apis": AGGREGATED_GROUPS})
    now = [100.0]
    discovery = Discovery(api, failure_ttl=5.0, clock=lambda: now[0])  # type: ignore[arg-type]
    with pytest.raises(ClusterTimeout):
        discovery.resolve("pods")
    now[0] += 6.0
    api.failing = False
    assert discovery.resolve("po").plural == "pods"


def test_hung_discovery_fails_parallel_gets_together(demo: Sandbox) -> None:
    gateway = KubernetesGateway(demo.api_client(), options=OPTIONS)
    rule = demo.faults.delay(30.0, path=r"^/api$")
    demo.requests.clear()
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(lambda _: _outcome(gateway), range(6)))
    finally:
        demo.faults.remove(rule)
        gateway.close()
    assert results == ["ClusterTimeout"] * 6
    assert [r.path for r in demo.requests.all() if r.path == "/api"] == ["/api"]


def _outcome(gateway: KubernetesGateway) -> str:
    try:
        run(gateway, "get po -n prod")
    except ClusterError as error:
        return type(error).__name__
    return "ok"
