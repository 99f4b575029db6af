"""``logs`` against the sandbox: the pod kubectl would pick, container defaulting, bounds."""

from __future__ import annotations

import re

import pytest
from kubernetes import client

from bot.core.results import Document
from bot.errors import ClusterError, NotFound, UsageError
from bot.gateway.gateway import GatewayOptions, KubernetesGateway
from bot.gateway.options import LogLimits
from kubesim.testing.harness import Sandbox
from tests.gateway.support import eventually, run


def pod_names(gateway: KubernetesGateway, namespace: str, selector: str) -> list[str]:
    result = run(gateway, f"get pods -n {namespace} -l {selector} -o name")
    assert isinstance(result, Document)
    return [line.removeprefix("pod/") for line in result.text.splitlines()]


def test_pod_logs_default_to_a_bounded_tail(gateway: KubernetesGateway, demo: Sandbox) -> None:
    name = pod_names(gateway, "prod", "app=web")[0]
    demo.requests.clear()
    result = run(gateway, f"logs {name} -n prod")
    assert isinstance(result, Document)
    assert result.syntax == "log"
    assert 0 < len(result.text.splitlines()) <= 100
    assert result.notes == ("last 100 lines; use --tail=N for more (up to 200)",)
    (request,) = demo.requests.matching(path=f"/api/v1/namespaces/prod/pods/{name}/log")
    assert dict(request.query) == {"container": "web", "limitBytes": "512000", "tailLines": "100"}


def test_log_flags_map_to_query_parameters(gateway: KubernetesGateway, demo: Sandbox) -> None:
    name = pod_names(gateway, "prod", "app=api")[0]
    demo.requests.clear()
    result = run(gateway, f"logs {name} -n prod -c api --tail=3 --timestamps --since=10m")
    assert isinstance(result, Document)
    assert len(result.text.splitlines()) == 3
    (request,) = demo.requests.matching(path=f"/api/v1/namespaces/prod/pods/{name}/log")
    assert request.query["tailLines"] == "3"
    assert request.query["timestamps"] == "true"
    assert request.query["sinceSeconds"] == "600"
    assert "previous" not in request.query


def test_deployment_logs_pick_one_pod_and_say_which(gateway: KubernetesGateway) -> None:
    names = pod_names(gateway, "prod", "app=api")
    result = run(gateway, "logs deployment/api -n prod --tail=2")
    assert isinstance(result, Document)
    (note,) = result.notes
    assert note.startswith("Found 3 pods, using pod/")
    assert note.removeprefix("Found 3 pods, using pod/") in names


def test_selector_logs_prefix_each_pod(gateway: KubernetesGateway) -> None:
    names = pod_names(gateway, "prod", "app=web")
    result = run(gateway, "logs -l app=web -n prod")
    assert isinstance(result, Document)
    prefixes = {line.split("] ", 1)[0] + "]" for line in result.text.splitlines()}
    assert prefixes == {f"[pod/{n}/web]" for n in names}
    for n in names:  # kubectl's default of 10 lines per pod with -l
        assert sum(line.startswith(f"[pod/{n}/") for line in result.text.splitlines()) == 10


def test_unknown_container_is_a_usage_error(gateway: KubernetesGateway) -> None:
    name = pod_names(gateway, "prod", "app=web")[0]
    with pytest.raises(UsageError, match=f"container db is not valid for pod {name} out of: web"):
        run(gateway, f"logs {name} -n prod -c db")


def test_missing_pod(gateway: KubernetesGateway) -> None:
    with pytest.raises(NotFound, match=r'^pod "nope" not found in namespace "prod"$'):
        run(gateway, "logs nope -n prod")


def test_byte_budget_stops_reading(demo: Sandbox, gateway: KubernetesGateway) -> None:
    name = pod_names(gateway, "prod", "app=web")[0]
    options = GatewayOptions(logs=LogLimits(limit_bytes=1024, max_tail=1000))
    small = KubernetesGateway(demo.api_client(), options=options)
    result = run(small, f"logs {name} -n prod --tail=1000")
    assert isinstance(result, Document)
    assert len(result.text.encode()) <= 1024
    assert f"pod/{name}: stopped after 1024 bytes; use --tail or --since to narrow" in result.notes
    small.close()


def test_tail_above_the_cap_sends_the_cap_and_says_so(
    gateway: KubernetesGateway, demo: Sandbox
) -> None:
    name = pod_names(gateway, "prod", "app=web")[0]
    demo.requests.clear()
    result = run(gateway, f"logs {name} -n prod --tail=5000")
    assert isinstance(result, Document)
    assert result.notes == ("--tail is capped at 200 lines",)
    (request,) = demo.requests.matching(path=f"/api/v1/namespaces/prod/pods/{name}/log")
    assert request.query["tailLines"] == "200"


def test_byte_budget_hangs_up_on_a_server_that_ignores_limit_bytes(
    demo: Sandbox, gateway: KubernetesGateway
) -> None:
    name = pod_names(gateway, "prod", "app=web")[0]
    flood = demo.faults.flood(64 * 1024 * 1024, path=f"/pods/{name}/log$")
    small = KubernetesGateway(demo.api_client(), options=GatewayOptions(logs=LogLimits(1024)))
    demo.requests.clear()
    try:
        result = run(small, f"logs {name} -n prod")
        assert isinstance(result, Document)
        assert 0 < len(result.text.encode()) <= 1024
        assert result.text.startswith("flood: ")
        assert f"pod/{name}: stopped after 1024 bytes; use --tail or --since to narrow" in (
            result.notes
        )
        # The server is cut off long before its 64 MiB, while the bot's pool is still open.
        eventually(lambda: flood.ended, within=30)
        assert flood.dropped, f"the server wrote all {flood.sent} bytes"
    finally:
        small.close()
    (request,) = demo.requests.matching(path=f"/api/v1/namespaces/prod/pods/{name}/log")
    assert request.query["limitBytes"] == "1024"


MULTI_LOG = "/api/v1/namespaces/default/pods/multi/log"
MULTI = {
    "metadata": {"name": "multi"},
    "spec": {
        "initContainers": [{"name": "setup", "image": "busybox:1.36"}],
        "containers": [
            {"name": "app", "image": "nginx:1.27"},
            {"name": "sidecar", "image": "busybox:1.36"},
        ],
    },
}


def running_multi(cluster: Sandbox) -> None:
    with cluster.api_client() as api:
        core = client.CoreV1Api(api)
        core.create_namespaced_pod("default", MULTI)

        def running() -> bool:
            pod = core.read_namespaced_pod("multi", "default")
            statuses = pod.status.container_statuses or []
            return len(statuses) == 2 and all(s.state.running for s in statuses)

        eventually(running, within=30)


def test_all_containers_read_each_container_in_kubectls_order(
    gw: KubernetesGateway, cluster: Sandbox
) -> None:
    running_multi(cluster)
    cluster.requests.clear()
    result = run(gw, "logs multi --all-containers --tail=2")
    assert isinstance(result, Document)
    asked = [r.query["container"] for r in cluster.requests.matching(path=MULTI_LOG)]
    assert asked == ["setup", "app", "sidecar"]
    prefixes = [line.split("] ", 1)[0] + "]" for line in result.text.splitlines()]
    assert sorted(set(prefixes)) == [f"[pod/multi/{c}]" for c in ("app", "setup", "sidecar")]
    assert "lines are prefixed with [pod/NAME/CONTAINER] (kubectl --prefix)" in result.notes


def test_prefix_marks_a_single_stream(gateway: KubernetesGateway) -> None:
    name = pod_names(gateway, "prod", "app=web")[0]
    result = run(gateway, f"logs {name} -n prod --tail=3 --prefix")
    assert isinstance(result, Document)
    lines = result.text.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"[pod/{name}/web] ") for line in lines)
    assert result.notes == ()


def test_tail_minus_one_reads_every_line_up_to_the_byte_limit(
    gateway: KubernetesGateway, demo: Sandbox
) -> None:
    name = pod_names(gateway, "prod", "app=web")[0]
    demo.requests.clear()
    result = run(gateway, f"logs {name} -n prod --tail=-1")
    assert isinstance(result, Document)
    assert result.notes == (
        "every line, up to 512000 bytes per container (the bot's kubernetes.log_limit_bytes)",
    )
    (request,) = demo.requests.matching(path=f"/api/v1/namespaces/prod/pods/{name}/log")
    assert "tailLines" not in request.query
    assert len(result.text.splitlines()) > 200  # more than the bot's own tail bound


def test_a_container_that_never_ran_points_to_describe(gw: KubernetesGateway) -> None:
    run(gw, "set image deployment/web web=nginx:doesnotexist -n prod")

    refusals: list[str] = []

    def stuck() -> bool:
        for pod in pod_names(gw, "prod", "app=web"):
            try:
                run(gw, f"logs {pod} -n prod")
            except ClusterError as e:
                refusals.append(str(e))
                return True
        return False

    eventually(stuck, within=30)
    message = refusals[0]
    assert re.fullmatch(
        r'container "web" in pod "(web-\S+)" is waiting to start: '
        r"(ContainerCreating|image can't be pulled|trying and failing to pull image); "
        r"it has not run yet: describe pod \1 shows why",
        message,
    ), message
