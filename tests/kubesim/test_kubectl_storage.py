"""Claims, volumes, storage classes, quotas, limit ranges and Ingresses as kubectl sees them.

The demo carries one of each; kubectl reads their discovery short names and the server's
Tables, and the quota controller keeps ``status.used`` in step with the namespace's objects.
"""

from __future__ import annotations

import pytest

from tests.kubesim.kubectl import Judge, Kubectl, eventually

pytestmark = pytest.mark.kubectl
JUDGE = Judge(scenario="demo", speed=20.0)


def test_short_names_resolve(kubectl: Kubectl) -> None:
    text = kubectl("api-resources", "--no-headers").stdout
    rows = {line.split()[0]: line.split() for line in text.splitlines()}
    for plural, short in (
        ("persistentvolumeclaims", "pvc"),
        ("persistentvolumes", "pv"),
        ("resourcequotas", "quota"),
        ("limitranges", "limits"),
        ("ingresses", "ing"),
        ("storageclasses", "sc"),
    ):
        assert rows[plural][1] == short, rows[plural]


def test_claim_is_bound_to_its_volume(kubectl: Kubectl) -> None:
    claim = kubectl("get", "pvc", "-n", "staging").table()
    assert [(r["NAME"], r["STATUS"], r["CAPACITY"], r["ACCESS MODES"]) for r in claim] == [
        ("redis-data", "Bound", "1Gi", "RWO")
    ]
    assert claim[0]["STORAGECLASS"] == "standard"
    volume = kubectl("get", "pv").table()
    assert [(r["NAME"], r["CLAIM"], r["STATUS"]) for r in volume] == [
        (claim[0]["VOLUME"], "staging/redis-data", "Bound")
    ]
    assert kubectl("get", "pvc", "-n", "staging", "-o", "wide").header()[-1] == "VOLUMEMODE"


def test_default_storage_class_is_marked(kubectl: Kubectl) -> None:
    assert kubectl("get", "sc").table() == [
        {
            "NAME": "standard (default)",
            "PROVISIONER": "rancher.io/local-path",
            "RECLAIMPOLICY": "Delete",
            "VOLUMEBINDINGMODE": "WaitForFirstConsumer",
            "ALLOWVOLUMEEXPANSION": "false",
            "AGE": "12d",
        }
    ]


def test_ingress_columns(kubectl: Kubectl) -> None:
    result = kubectl("get", "ing", "-n", "prod")
    assert result.header() == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
    assert result.table()[0] | {"AGE": ""} == {
        "NAME": "web",
        "CLASS": "nginx",
        "HOSTS": "web.example.com",
        "ADDRESS": "172.18.0.2",
        "PORTS": "80",
        "AGE": "",
    }


def test_limit_range_prints_created_at(kubectl: Kubectl) -> None:
    assert kubectl("get", "limits", "-n", "staging").header() == ["NAME", "CREATED AT"]


def test_quota_usage_follows_the_namespace(kubectl: Kubectl) -> None:
    def usage() -> str:
        return kubectl("get", "quota", "compute", "-n", "staging").table()[0]["REQUEST"]

    assert "count/configmaps: 1/10" in usage()
    kubectl("create", "configmap", "extra", "-n", "staging", "--from-literal=a=b")
    eventually(lambda: "count/configmaps: 2/10" in usage(), what="the quota to count it")
    kubectl("delete", "configmap", "extra", "-n", "staging")
    eventually(lambda: "count/configmaps: 1/10" in usage(), what="the quota to drop it")


def test_namespace_shows_quota_and_limits(kubectl: Kubectl) -> None:
    text = kubectl("describe", "namespace", "staging").stdout
    assert "Resource Quotas\n  Name:" in text
    assert " Container  cpu       -    2    100m             500m           -\n" in text
