"""The quota and volume controllers on a real control plane: usage per resource, and claims that
cannot bind say why."""

from __future__ import annotations

from kubesim.api.resources import by_kind
from tests.kubesim.controller_kit import EVENT, POD, Cluster, Obj, run

QUOTA, CLAIM = by_kind("ResourceQuota"), by_kind("PersistentVolumeClaim")
VOLUME, CLASS = by_kind("PersistentVolume"), by_kind("StorageClass")
SERVICE = by_kind("Service")


def _pod(name: str, *, cpu: str, memory: str, phase: str | None = None) -> Obj:
    pod: Obj = {
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "nginx:1.27",
                    "resources": {
                        "requests": {"cpu": cpu, "memory": memory},
                        "limits": {"cpu": "1", "memory": "1Gi"},
                    },
                }
            ]
        },
    }
    if phase:
        pod["status"] = {"phase": phase}
    return pod


def test_quota_sums_requests_and_limits_of_live_pods() -> None:
    async def body(c: Cluster) -> None:
        hard = {
            "pods": "10",
            "requests.cpu": "2",
            "memory": "4Gi",
            "limits.cpu": "4",
            "limits.memory": "8Gi",
            "services": "5",
            "count/services": "5",
            "requests.storage": "10Gi",
            "services.nodeports": "2",
        }
        c.create(QUOTA, {"metadata": {"name": "q", "namespace": "default"}, "spec": {"hard": hard}})
        c.create(POD, _pod("a", cpu="250m", memory="128Mi"))
        c.create(POD, _pod("b", cpu="500m", memory="256Mi"))
        c.create(
            CLAIM,
            {
                "metadata": {"name": "data", "namespace": "default"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "3Gi"}},
                },
            },
        )

        def used() -> dict[str, str] | None:
            quota = c.store.find(QUOTA, "default", "q")
            status = (quota or {}).get("status") or {}
            value = status.get("used") or {}
            return (
                value
                if value.get("pods") == "2" and value.get("requests.storage") == "3Gi"
                else None
            )

        usage = await c.until(used, what="the quota to count two pods and the claim")
        assert usage == {
            "pods": "2",
            "requests.cpu": "750m",
            "memory": "384Mi",
            "limits.cpu": "2",
            "limits.memory": "2Gi",
            "services": "1",  # default/kubernetes
            "count/services": "1",
            "requests.storage": "3Gi",
            "services.nodeports": "0",
        }
        quota = c.store.find(QUOTA, "default", "q")
        assert quota is not None
        assert quota["status"]["hard"] == hard

    run(body)


def _events(c: Cluster, name: str) -> list[tuple[str, str]]:
    return [
        (e["type"], e["reason"])
        for e in c.store.list(EVENT, "default")
        if e["involvedObject"]["name"] == name
    ]


def test_a_claim_that_cannot_bind_says_why() -> None:
    async def body(c: Cluster) -> None:
        for storage_class in c.store.list(CLASS):
            c.store.delete(CLASS, None, storage_class["metadata"]["name"])
        claim = {
            "metadata": {"name": "orphan", "namespace": "default"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        }
        c.create(CLAIM, claim)
        await c.until(
            lambda: ("Normal", "FailedBinding") in _events(c, "orphan"), what="FailedBinding"
        )
        missing = {**claim, "metadata": {"name": "lost", "namespace": "default"}}
        missing["spec"] = {**claim["spec"], "storageClassName": "gone"}
        c.create(CLAIM, missing)
        await c.until(
            lambda: ("Warning", "ProvisioningFailed") in _events(c, "lost"),
            what="ProvisioningFailed",
        )
        found = c.store.find(CLAIM, "default", "orphan")
        assert found is not None
        assert found["status"]["phase"] == "Pending"

    run(body)


def test_a_volume_too_small_is_not_bound() -> None:
    async def body(c: Cluster) -> None:
        c.create(
            VOLUME,
            {
                "metadata": {"name": "small"},
                "spec": {
                    "capacity": {"storage": "1Gi"},
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": "manual",
                    "hostPath": {"path": "/tmp/small"},
                },
            },
        )
        await c.until(
            lambda: (
                (c.store.find(VOLUME, None, "small") or {}).get("status", {}).get("phase")
                == "Available"
            ),
            what="the volume to be Available",
        )
        c.create(
            CLAIM,
            {
                "metadata": {"name": "big", "namespace": "default"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": "manual",
                    "resources": {"requests": {"storage": "5Gi"}},
                },
            },
        )
        await c.until(
            lambda: ("Warning", "ProvisioningFailed") in _events(c, "big"),
            what="no class named manual",
        )
        volume = c.store.find(VOLUME, None, "small")
        assert volume is not None
        assert "claimRef" not in volume["spec"]

    run(body)
