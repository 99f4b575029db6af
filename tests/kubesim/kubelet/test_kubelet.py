"""The scheduler and the simulated kubelet: pod lifecycles as a real node reports them."""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

from kubesim.kubelet.container_runtime import go_duration
from kubesim.kubelet.images import KubeletRules, image_id, resolved
from kubesim.scenarios import catalog
from tests.kubesim.controller_kit import NODE, POD, Cluster, Obj, condition, run


def bare_pod(name: str, image: str = "nginx:1.27", **spec: Any) -> Obj:
    return {
        "metadata": {"name": name, "namespace": "default", "labels": {"run": name}},
        "spec": {"containers": [{"name": "app", "image": image}], **spec},
    }


def pod(c: Cluster, name: str) -> Obj:
    return c.store.find(POD, "default", name) or {}


def container(c: Cluster, name: str, key: str = "containerStatuses") -> Obj:
    statuses = pod(c, name).get("status", {}).get(key) or [{}]
    return dict(statuses[0])


def running_and_ready(c: Cluster, name: str) -> Obj | None:
    p = pod(c, name)
    ready = (condition(p, "Ready") or {}).get("status") == "True"
    return p if p.get("status", {}).get("phase") == "Running" and ready else None


def test_a_pod_is_scheduled_started_and_reported_like_a_real_node() -> None:
    async def body(c: Cluster) -> None:
        c.create(POD, bare_pod("web"))
        p = await c.until(lambda: running_and_ready(c, "web"), what="web running")
        node = c.store.get(NODE, None, p["spec"]["nodeName"])
        assert p["spec"]["nodeName"].startswith("sandbox-worker")  # control plane is tainted
        status = p["status"]
        assert [(x["type"], x["status"]) for x in status["conditions"]] == [
            ("PodReadyToStartContainers", "True"),
            ("Initialized", "True"),
            ("Ready", "True"),
            ("ContainersReady", "True"),
            ("PodScheduled", "True"),
        ]
        assert ipaddress.ip_address(status["podIP"]) in ipaddress.ip_network(
            node["spec"]["podCIDR"]
        )
        assert status["podIPs"] == [{"ip": status["podIP"]}]
        assert status["hostIP"] == node["status"]["addresses"][0]["address"]
        assert status["startTime"]
        assert status["qosClass"] == "BestEffort"
        [cs] = status["containerStatuses"]
        assert cs["image"] == "docker.io/library/nginx:1.27" == resolved("nginx:1.27")
        assert cs["imageID"] == image_id("nginx:1.27")
        assert cs["containerID"].startswith("containerd://")
        assert (cs["ready"], cs["started"], cs["restartCount"], cs["lastState"]) == (
            True,
            True,
            0,
            {},
        )
        assert "startedAt" in cs["state"]["running"]
        events = {e["reason"]: e for e in c.events() if e["involvedObject"]["name"] == "web"}
        assert (
            events["Scheduled"]["message"]
            == f"Successfully assigned default/web to {node['metadata']['name']}"
        )
        assert events["Scheduled"]["source"]["component"] == "default-scheduler"
        assert events["Pulling"]["message"] == 'Pulling image "nginx:1.27"'
        assert events["Pulled"]["message"].startswith('Successfully pulled image "nginx:1.27" in ')
        assert events["Created"]["message"] == "Created container: app"
        assert events["Started"]["message"] == "Started container app"
        assert events["Started"]["involvedObject"]["fieldPath"] == "spec.containers{app}"
        assert events["Started"]["source"] == {
            "component": "kubelet",
            "host": node["metadata"]["name"],
        }

    run(body)


def test_pods_are_spread_round_robin_over_fitting_nodes() -> None:
    async def body(c: Cluster) -> None:
        for i in range(4):
            c.create(POD, bare_pod(f"p{i}"))
        await c.until(
            lambda: all(pod(c, f"p{i}")["spec"].get("nodeName") for i in range(4)), what="bound"
        )
        nodes = [pod(c, f"p{i}")["spec"]["nodeName"] for i in range(4)]
        assert sorted(nodes) == ["sandbox-worker"] * 2 + ["sandbox-worker2"] * 2

    run(body)


def test_a_pod_that_fits_nowhere_waits_for_a_node() -> None:
    async def body(c: Cluster) -> None:
        c.create(POD, bare_pod("picky", nodeSelector={"disk": "ssd"}))
        waiting = await c.until(
            lambda: (
                (s := condition(pod(c, "picky"), "PodScheduled")) and s["status"] == "False" and s
            ),
            what="Unschedulable",
        )
        assert waiting["reason"] == "Unschedulable"
        assert waiting["message"].startswith("0/3 nodes are available: ")
        assert "FailedScheduling" in {e["reason"] for e in c.events()}
        node = catalog.node_manifest("ssd-node", 7, c.clock.now())
        node["metadata"]["labels"]["disk"] = "ssd"
        c.create(NODE, node)
        p = await c.until(lambda: running_and_ready(c, "picky"), what="scheduled on the new node")
        assert p["spec"]["nodeName"] == "ssd-node"

    run(body)


def _cordon(c: Cluster, name: str, *, unschedulable: bool) -> None:
    c.store.mutate(NODE, None, name, lambda n: n["spec"].update(unschedulable=unschedulable))


def test_a_cordoned_node_gets_no_new_pods_until_uncordoned() -> None:
    async def body(c: Cluster) -> None:
        _cordon(c, "sandbox-worker", unschedulable=True)
        for i in range(3):
            c.create(POD, bare_pod(f"p{i}"))
        await c.until(
            lambda: all(pod(c, f"p{i}")["spec"].get("nodeName") for i in range(3)), what="bound"
        )
        assert {pod(c, f"p{i}")["spec"]["nodeName"] for i in range(3)} == {"sandbox-worker2"}
        _cordon(c, "sandbox-worker2", unschedulable=True)
        c.create(POD, bare_pod("late"))
        waiting = await c.until(
            lambda: (
                (s := condition(pod(c, "late"), "PodScheduled")) and s["status"] == "False" and s
            ),
            what="Unschedulable",
        )
        # NodeUnschedulable filters before TaintToleration: its reason names the cordoned nodes.
        assert waiting["message"] == (
            "0/3 nodes are available: 1 node(s) had untolerated taint "
            "{node-role.kubernetes.io/control-plane: }, 2 node(s) were unschedulable. "
            "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
        )
        _cordon(c, "sandbox-worker", unschedulable=False)
        p = await c.until(lambda: running_and_ready(c, "late"), what="scheduled after uncordon")
        assert p["spec"]["nodeName"] == "sandbox-worker"

    run(body)


def test_a_pod_that_tolerates_the_unschedulable_taint_may_go_to_a_cordoned_node() -> None:
    async def body(c: Cluster) -> None:
        _cordon(c, "sandbox-worker", unschedulable=True)
        _cordon(c, "sandbox-worker2", unschedulable=True)
        toleration = {
            "key": "node.kubernetes.io/unschedulable",
            "operator": "Exists",
            "effect": "NoSchedule",
        }
        c.create(POD, bare_pod("daemon", tolerations=[toleration]))
        p = await c.until(lambda: running_and_ready(c, "daemon"), what="scheduled")
        assert p["spec"]["nodeName"] in {"sandbox-worker", "sandbox-worker2"}

    run(body)


def test_init_containers_complete_before_the_app_starts() -> None:
    async def body(c: Cluster) -> None:
        c.create(
            POD, bare_pod("web", initContainers=[{"name": "migrate", "image": "busybox:1.36"}])
        )
        initializing = await c.until(
            lambda: (
                container(c, "web", "initContainerStatuses").get("state", {}).get("running")
                and pod(c, "web")
            ),
            what="init container running",
        )
        assert initializing["status"]["phase"] == "Pending"
        assert condition(initializing, "Initialized")["reason"] == "ContainersNotInitialized"  # type: ignore[index]
        assert (
            initializing["status"]["containerStatuses"][0]["state"]["waiting"]["reason"]
            == "PodInitializing"
        )
        await c.until(lambda: running_and_ready(c, "web"), what="app running")
        done = container(c, "web", "initContainerStatuses")
        assert done["state"]["terminated"]["reason"] == "Completed"
        assert done["state"]["terminated"]["exitCode"] == 0
        assert done["ready"] is True

    run(body)


def test_a_crashing_container_loops_with_growing_back_off() -> None:
    async def body(c: Cluster) -> None:
        c.create(POD, bare_pod("crash", "ghcr.io/acme/app:crashloop"))
        looping = await c.until(
            lambda: (
                (cs := container(c, "crash")).get("restartCount", 0) >= 2
                and cs["state"].get("waiting", {}).get("reason") == "CrashLoopBackOff"
                and cs
            ),
            what="CrashLoopBackOff after two restarts",
        )
        last = looping["lastState"]["terminated"]
        assert (last["exitCode"], last["reason"]) == (1, "Error")
        assert last["startedAt"] <= last["finishedAt"]
        assert looping["ready"] is False
        assert (
            "restarting failed container=app pod=crash_default("
            in looping["state"]["waiting"]["message"]
        )
        assert pod(c, "crash")["status"]["phase"] == "Running"
        backoff = [e for e in c.events() if e["reason"] == "BackOff"]
        assert backoff[0]["type"] == "Warning"
        assert backoff[0]["message"].startswith(
            "Back-off restarting failed container app in pod crash_default("
        )
        started = next(e for e in c.events() if e["reason"] == "Started")
        assert started["count"] >= 3  # repeats aggregate into one event

    run(body, speed=400)


def test_the_back_off_doubles_up_to_the_cap() -> None:
    rules = KubeletRules()
    assert [rules.backoff(n) for n in (1, 2, 3, 4, 6, 9)] == [10, 20, 40, 80, 300, 300]
    assert [go_duration(s) for s in (10, 80, 300)] == ["10s", "1m20s", "5m0s"]


def test_an_image_that_does_not_exist_alternates_pull_errors_and_back_off() -> None:
    async def body(c: Cluster) -> None:
        c.create(POD, bare_pod("typo", "nginx:doesnotexist"))
        seen: set[str] = set()

        def both() -> bool:
            seen.add(container(c, "typo").get("state", {}).get("waiting", {}).get("reason", ""))
            return {"ErrImagePull", "ImagePullBackOff"} <= seen

        await c.until(both, what="ErrImagePull and ImagePullBackOff")
        p = pod(c, "typo")
        assert p["status"]["phase"] == "Pending"
        messages = {e["message"] for e in c.events() if e["involvedObject"]["name"] == "typo"}
        assert 'Back-off pulling image "nginx:doesnotexist"' in messages
        assert "Error: ErrImagePull" in messages
        assert "Error: ImagePullBackOff" in messages
        failed = next(e for e in c.events() if e["message"].startswith("Failed to pull image"))
        assert failed["type"] == "Warning"

    run(body)


def test_a_readiness_probe_holds_readiness_for_its_initial_delay() -> None:
    async def body(c: Cluster) -> None:
        probe = {"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 30}
        manifest = bare_pod("probed")
        manifest["spec"]["containers"][0]["readinessProbe"] = probe
        c.create(POD, manifest)
        started = await c.until(
            lambda: container(c, "probed").get("state", {}).get("running") and pod(c, "probed"),
            what="started",
        )
        assert started["status"]["containerStatuses"][0]["ready"] is False
        assert condition(started, "Ready")["reason"] == "ContainersNotReady"  # type: ignore[index]
        await c.until(lambda: running_and_ready(c, "probed"), what="ready after the delay")

    run(body)


def test_a_deleted_pod_terminates_then_disappears() -> None:
    async def body(c: Cluster) -> None:
        c.create(POD, bare_pod("web"))
        await c.until(lambda: running_and_ready(c, "web"), what="running")
        c.store.delete(POD, "default", "web")
        assert pod(c, "web")["metadata"]["deletionTimestamp"]  # Terminating first
        await c.until(lambda: not pod(c, "web"), what="pod finalized")
        assert "Stopping container app" in c.messages("web")

    run(body)


def test_a_bare_pod_restarts_a_container_whose_image_changed() -> None:
    async def body(c: Cluster) -> None:
        c.create(POD, bare_pod("web"))
        await c.until(lambda: running_and_ready(c, "web"), what="running")
        c.store.mutate(
            POD, "default", "web", lambda p: p["spec"]["containers"][0].update(image="nginx:1.28")
        )
        restarted = await c.until(
            lambda: (
                (cs := container(c, "web")).get("image") == resolved("nginx:1.28")
                and cs.get("ready")
                and cs
            ),
            what="restarted with the new image",
        )
        assert restarted["restartCount"] == 1

    run(body)


def test_a_pod_written_from_another_thread_still_starts() -> None:
    async def body(c: Cluster) -> None:
        await asyncio.to_thread(c.store.create, POD, bare_pod("elsewhere"))
        await c.until(lambda: running_and_ready(c, "elsewhere"), what="running")

    run(body)
