"""Scenarios: settled, back-dated clusters the controllers adopt without a single write."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta

import pytest

from kubesim.api.resources import by_kind
from kubesim.controlplane import Controllers
from kubesim.machinery.clock import Clock, parse_rfc3339
from kubesim.scenarios import catalog
from kubesim.storage.store import Store
from tests.kubesim.controller_kit import (
    DEPLOYMENT,
    NAMESPACE,
    NODE,
    POD,
    REPLICASET,
    Cluster,
    condition,
    run,
)

SERVICE = by_kind("Service")


def loaded(name: str, **sizes: int) -> Store:
    store = Store(clock=Clock())
    catalog.load(store, name, **sizes)
    return store


def names(store: Store, rt: object, namespace: str | None = None) -> list[str]:
    return [o["metadata"]["name"] for o in store.list(rt, namespace)]  # type: ignore[arg-type]


def test_empty_has_the_system_namespaces_and_nodes() -> None:
    store = loaded("empty")
    assert names(store, NAMESPACE) == ["default", "kube-node-lease", "kube-public", "kube-system"]
    assert names(store, NODE) == ["sandbox-control-plane", "sandbox-worker"]
    assert names(store, SERVICE, "default") == ["kubernetes"]
    assert store.list(POD) == []


def test_demo_nodes_look_like_kind_nodes() -> None:
    store = loaded("demo")
    control, *workers = store.list(NODE)
    assert "node-role.kubernetes.io/control-plane" in control["metadata"]["labels"]
    assert control["spec"]["taints"][0]["effect"] == "NoSchedule"
    assert len(workers) == 2
    info = workers[0]["status"]["nodeInfo"]
    assert info["kubeletVersion"].startswith("v1.32.")
    assert info["containerRuntimeVersion"].startswith("containerd://")
    assert condition(workers[0], "Ready")["status"] == "True"  # type: ignore[index]
    assert workers[0]["status"]["capacity"]["pods"] == "110"


def test_demo_has_the_tutorial_deployment_and_settled_pods() -> None:
    store = loaded("demo")
    assert {"default", "staging", "prod"} <= set(names(store, NAMESPACE))
    bootcamp = store.get(DEPLOYMENT, "default", "kubernetes-bootcamp")
    assert bootcamp["spec"]["replicas"] == 1
    assert bootcamp["spec"]["selector"]["matchLabels"] == {"app": "kubernetes-bootcamp"}
    container = bootcamp["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "gcr.io/google-samples/kubernetes-bootcamp:v1"
    assert bootcamp["status"]["availableReplicas"] == 1
    assert "kubernetes-bootcamp" in names(store, SERVICE, "default")
    pods = store.list(POD)
    assert pods
    job_owned = [p for p in pods if p["metadata"]["ownerReferences"][0]["kind"] == "Job"]
    assert len(job_owned) == 2
    assert all(p["status"]["phase"] == "Succeeded" for p in job_owned)
    assert all(p["status"]["phase"] == "Running" for p in pods if p not in job_owned)
    assert all(
        p["spec"]["nodeName"] != "sandbox-control-plane"
        for p in pods
        if p["metadata"]["namespace"] != "kube-system"
    )
    now = store.clock.now()
    assert all(
        parse_rfc3339(p["metadata"]["creationTimestamp"]) < now - timedelta(hours=1) for p in pods
    )


def test_demo_prod_api_has_a_rollout_history() -> None:
    store = loaded("demo")
    api = store.get(DEPLOYMENT, "prod", "api")
    assert api["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    history = {
        int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]): rs
        for rs in store.list(REPLICASET, "prod")
        if rs["metadata"]["name"].startswith("api-")
    }
    assert sorted(history) == [1, 2, 3]
    assert all(history[n]["metadata"]["annotations"]["kubernetes.io/change-cause"] for n in history)
    assert [history[n]["spec"]["replicas"] for n in (1, 2, 3)] == [0, 0, 3]
    assert api["metadata"]["generation"] == api["status"]["observedGeneration"] == 3


def test_the_controllers_adopt_the_demo_without_writing() -> None:
    async def main() -> None:
        clock = Clock(speed=100)
        store = Store(clock=clock)
        catalog.load(store, "demo")
        before = store.resource_version
        controllers = Controllers(store, clock)
        controllers.start()
        cluster = Cluster(store, clock, controllers)
        assert await cluster.settle() == before
        controllers.stop()

    asyncio.run(main())


def test_demo_rollouts_still_work_after_adoption() -> None:
    async def body(c: Cluster) -> None:
        c.store.mutate(
            DEPLOYMENT,
            "prod",
            "api",
            lambda d: d["spec"]["template"]["spec"]["containers"][0].update(
                image="ghcr.io/acme/api:1.4.0"
            ),
        )
        await c.until(
            lambda: (
                c.deployment("api", "prod")["metadata"]["annotations"][
                    "deployment.kubernetes.io/revision"
                ]
                == "4"
                and c.deployment("api", "prod")["status"].get("updatedReplicas") == 3
                and (condition(c.deployment("api", "prod"), "Progressing") or {}).get("reason")
                == "NewReplicaSetAvailable"
            ),
            what="revision 4 rolled out",
        )

    run(body, scenario="demo")


def test_scale_loads_ten_thousand_pods(record_property: pytest.RecordProperty) -> None:
    store = Store(clock=Clock())
    started = time.perf_counter()
    catalog.load(store, "scale", pods=10_000, deployments=100)
    took = time.perf_counter() - started
    record_property("scale_load_seconds", round(took, 2))
    print(f"\nscale scenario: 10,000 pods / 100 deployments loaded in {took:.2f}s")
    pods = list(store.scan(POD))
    assert len(pods) == 10_000
    assert all(p["status"]["phase"] == "Running" for p in pods)
    per_deployment = Counter(p["metadata"]["labels"]["app"] for p in pods)
    assert set(per_deployment.values()) == {100}
    per_node = Counter(p["spec"]["nodeName"] for p in pods)
    assert max(per_node.values()) <= 110  # the kubelet's max-pods


def test_scale_spreads_an_uneven_split() -> None:
    store = loaded("scale", pods=10, deployments=3)
    per_deployment = Counter(p["metadata"]["labels"]["app"] for p in store.list(POD))
    assert sorted(per_deployment.values()) == [3, 3, 4]


def test_an_unknown_scenario_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown scenario 'prod'"):
        catalog.load(Store(clock=Clock()), "prod")


def test_demo_runs_the_system_pods_of_a_kind_cluster() -> None:
    store = loaded("demo")
    system = {p["metadata"]["name"]: p for p in store.list(POD, "kube-system")}
    etcd = system["etcd-sandbox-control-plane"]
    assert etcd["metadata"]["ownerReferences"][0]["kind"] == "Node"
    assert etcd["status"]["podIP"] == etcd["status"]["hostIP"]  # host network
    proxies = [p for name, p in system.items() if name.startswith("kube-proxy-")]
    assert sorted(p["spec"]["nodeName"] for p in proxies) == names(store, NODE)
    assert "kube-dns" in names(store, SERVICE, "kube-system")
