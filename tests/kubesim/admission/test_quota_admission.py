"""ResourceQuota and LimitRanger admission as functions: what is charged, refused, filled in."""

from __future__ import annotations

from typing import Any

import pytest

from kubesim.admission import limit_ranger, quota_admission, resource_usage
from kubesim.api.resources import by_kind
from kubesim.api.status import ApiError

POD, SERVICE = by_kind("Pod"), by_kind("Service")


def pod(name: str = "p", **resources: dict[str, str]) -> dict[str, Any]:
    container = {"name": "app", "image": "nginx", "resources": resources}
    return {"metadata": {"name": name, "namespace": "ns"}, "spec": {"containers": [container]}}


def quota(
    hard: dict[str, str], used: dict[str, str] | None, *, scopes: list[str] | None = None
) -> dict[str, Any]:
    spec: dict[str, Any] = {"hard": hard}
    if scopes:
        spec["scopes"] = scopes
    status = {} if used is None else {"hard": hard, "used": used}
    return {"metadata": {"name": "q", "namespace": "ns"}, "spec": spec, "status": status}


def never(_quota: dict[str, Any]) -> dict[str, str]:
    raise AssertionError("a counted quota is not recounted")


def test_an_accepted_pod_is_charged_in_the_quotas_own_format() -> None:
    charged = quota_admission.charge(
        [quota({"pods": "3", "requests.memory": "1Gi"}, {"pods": "1", "requests.memory": "0"})],
        POD,
        pod(requests={"memory": "128Mi"}),
        recount=never,
    )
    assert charged == [("q", {"pods": "2", "requests.memory": "128Mi"})]


def test_an_uncounted_quota_is_counted_first() -> None:
    charged = quota_admission.charge(
        [quota({"pods": "1"}, None)], POD, pod(), recount=lambda _: {"pods": "0"}
    )
    assert charged == [("q", {"pods": "1"})]
    with pytest.raises(ApiError, match="exceeded quota: q, requested: pods=1, used: pods=1"):
        quota_admission.charge(
            [quota({"pods": "1"}, None)], POD, pod(), recount=lambda _: {"pods": "1"}
        )


@pytest.mark.parametrize(
    ("scopes", "resources", "counted"),
    [
        (["BestEffort"], {}, True),
        (["BestEffort"], {"requests": {"cpu": "1"}}, False),
        (["NotBestEffort"], {"limits": {"cpu": "1"}}, True),
        (["NotTerminating"], {}, True),
        (["Terminating"], {}, False),
    ],
)
def test_scopes_select_pods(scopes: list[str], resources: dict[str, Any], counted: bool) -> None:  # noqa: FBT001
    scoped = quota({"pods": "5"}, {"pods": "0"}, scopes=scopes)
    assert resource_usage.selects(scoped, POD, pod(**resources)) is counted
    assert not resource_usage.selects(scoped, SERVICE, {"spec": {}})


def test_unstated_compute_resources_are_named_per_container() -> None:
    two = pod(requests={"cpu": "1"})
    two["spec"]["initContainers"] = [{"name": "init", "image": "busybox"}]
    with pytest.raises(ApiError) as refused:
        quota_admission.charge(
            [
                quota(
                    {"requests.cpu": "4", "limits.memory": "1Gi"},
                    {"requests.cpu": "0", "limits.memory": "0"},
                )
            ],
            POD,
            two,
            recount=never,
        )
    assert refused.value.code == 403
    assert refused.value.message == (
        'pods "p" is forbidden: failed quota: q: must specify '
        "limits.memory for: app,init; requests.cpu for: init"
    )


def test_a_terminal_pod_counts_nothing() -> None:
    done = pod()
    done["status"] = {"phase": "Succeeded"}
    assert resource_usage.usage("pods", POD, done) is None


def test_services_count_node_ports_and_load_balancers() -> None:
    balancer = {"spec": {"type": "LoadBalancer", "ports": [{"port": 80}, {"port": 443}]}}
    assert str(resource_usage.usage("services.nodeports", SERVICE, balancer)) == "2"
    assert str(resource_usage.usage("services.loadbalancers", SERVICE, balancer)) == "1"
    assert resource_usage.usage("services.loadbalancers", SERVICE, {"spec": {}}) is None


RANGE = {
    "spec": {
        "limits": [
            {
                "type": "Container",
                "default": {"cpu": "500m"},
                "defaultRequest": {"cpu": "100m", "memory": "64Mi"},
                "min": {"cpu": "50m"},
                "max": {"cpu": "1", "memory": "1Gi"},
            }
        ]
    }
}


def test_defaults_fill_only_what_a_container_leaves_out() -> None:
    new = pod(requests={"memory": "32Mi"})
    new["spec"]["initContainers"] = [{"name": "init", "image": "busybox"}]
    limit_ranger.default_pod(new, [RANGE])
    assert new["spec"]["containers"][0]["resources"] == {
        "requests": {"memory": "32Mi", "cpu": "100m"},
        "limits": {"cpu": "500m"},
    }
    assert new["metadata"]["annotations"][limit_ranger.ANNOTATION] == (
        "LimitRanger plugin set: cpu, memory request for init container init; "
        "cpu limit for init container init; cpu request for container app; "
        "cpu limit for container app"
    )


@pytest.mark.parametrize(
    ("resources", "message"),
    [
        (
            {"requests": {"cpu": "10m"}, "limits": {"cpu": "1", "memory": "1Gi"}},
            "minimum cpu usage per Container is 50m, but request is 10m",
        ),
        (
            {"requests": {"cpu": "100m"}, "limits": {"cpu": "1"}},
            "maximum memory usage per Container is 1Gi.  No limit is specified",
        ),
        (
            {"requests": {"cpu": "2"}, "limits": {"cpu": "3", "memory": "2Gi"}},
            "[maximum cpu usage per Container is 1, but limit is 3, "
            "maximum memory usage per Container is 1Gi, but limit is 2Gi]",
        ),
    ],
)
def test_bounds_refuse_with_upstreams_sentences(resources: dict[str, Any], message: str) -> None:
    with pytest.raises(ApiError) as refused:
        limit_ranger.check_pod(pod(**resources), [RANGE])
    assert refused.value.message == f'pods "p" is forbidden: {message}'
