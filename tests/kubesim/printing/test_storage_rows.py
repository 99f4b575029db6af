"""Table cells of claims, volumes, classes, quotas and Ingresses on the branches the demo lacks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kubesim.api import quantity
from kubesim.printing.tables import to_table

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def cells(kind: str, obj: dict[str, Any]) -> list[Any]:
    row: list[Any] = to_table(kind, [obj], now=NOW)["rows"][0]["cells"]
    return row


def test_ingress_hosts_beyond_three_and_tls_ports() -> None:
    rules = [{"host": f"h{i}.example"} for i in range(5)]
    ingress = {
        "metadata": {"name": "i"},
        "spec": {"rules": rules, "tls": [{"hosts": ["h0.example"]}]},
        "status": {"loadBalancer": {"ingress": [{"hostname": "lb.example"}, {"ip": "10.0.0.1"}]}},
    }
    assert cells("Ingress", ingress)[1:5] == [
        "<none>",
        "h0.example,h1.example,h2.example + 2 more...",
        "lb.example,10.0.0.1",
        "80, 443",
    ]
    assert cells("Ingress", {"metadata": {"name": "j"}, "spec": {}})[2] == "*"


def test_terminating_claim_and_unbound_volume() -> None:
    claim = {
        "metadata": {
            "name": "c",
            "deletionTimestamp": "2026-12-01T11:00:00Z",
            "annotations": {"volume.beta.kubernetes.io/storage-class": "old"},
        },
        "spec": {"resources": {"requests": {"storage": "1Gi"}}},
        "status": {"phase": "Bound"},
    }
    assert cells("PersistentVolumeClaim", claim)[1:8] == [
        "Terminating",
        "",
        "",
        "",
        "old",
        "<unset>",
        "<unknown>",
    ]
    volume = {"metadata": {"name": "v"}, "spec": {}, "status": {"phase": "Available"}}
    assert cells("PersistentVolume", volume)[1:9] == [
        "0",
        "",
        "",
        "Available",
        "",
        "",
        "<unset>",
        "",
    ]


def test_quota_splits_requests_and_limits() -> None:
    quota = {
        "metadata": {"name": "q"},
        "spec": {"hard": {"limits.cpu": "2", "pods": "3", "limits": "x"}},
        "status": {"hard": {"limits.cpu": "2", "pods": "3"}, "used": {"limits.cpu": "500m"}},
    }
    assert cells("ResourceQuota", quota)[2:] == ["limits: 0/0, pods: 0/3", "limits.cpu: 500m/2"]


def test_beta_default_class_annotation() -> None:
    sc = {
        "metadata": {
            "name": "old",
            "annotations": {"storageclass.beta.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "p",
        "allowVolumeExpansion": True,
    }
    assert cells("StorageClass", sc)[:5] == ["old (default)", "p", "Delete", "Immediate", True]


def test_quantities_print_canonically() -> None:
    assert [str(quantity.parse(t)) for t in ("1000m", "0.5", "2048Ki", "1e3", "1.5Gi", "x", 7)] == [
        "1",
        "500m",
        "2Mi",
        "1k",
        "1536Mi",
        "0",
        "7",
    ]
    assert str(quantity.parse(None)) == "0"
    assert str(quantity.total([], like=quantity.parse("1Gi"))) == "0"
