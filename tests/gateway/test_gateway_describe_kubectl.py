"""``describe`` of every type beyond pods, deployments, services and nodes, judged by kubectl.

The bot's text equals kubectl v1.32's on the same sandbox, line for line: dedicated describers
(ReplicaSet, Namespace with its quotas and limits, ConfigMap, Secret, Ingress, claims, volumes,
storage classes, quotas, limit ranges) and kubectl's generic one for the rest (a CRD's objects,
Leases, EndpointSlices). kubectl lists a limit range item's resources in Go's random map order,
so those rows are compared as a set (and a Secret's keys likewise).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from kubesim.api.resources import by_kind
from kubesim.scenarios.backdating import backdated
from kubesim.storage.store import Store
from tests.gateway.test_gateway_kubectl import Judge, judging, same

pytestmark = pytest.mark.kubectl
_BROKEN_INGRESS = {
    "metadata": {"name": "broken", "namespace": "prod", "labels": {"team": "web"}},
    "spec": {
        "defaultBackend": {"service": {"name": "web", "port": {"number": 80}}},
        "tls": [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}],
        "rules": [
            {
                "host": "shop.example.com",
                "http": {
                    "paths": [
                        {
                            "path": "/cart",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "cart", "port": {"name": "http"}}},
                        },
                        {
                            "path": "/",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "web", "port": {"number": 80}}},
                        },
                    ]
                },
            },
            {
                "http": {
                    "paths": [
                        {
                            "path": "/",
                            "pathType": "Exact",
                            "backend": {"resource": {"kind": "Bucket", "name": "static"}},
                        }
                    ]
                }
            },
        ],
    },
}


_VOLUMES = [
    {
        "metadata": {"name": "nfs-share", "labels": {"tier": "shared"}},
        "spec": {
            "capacity": {"storage": "5Gi"},
            "accessModes": ["ReadWriteMany", "ReadOnlyMany"],
            "nfs": {"server": "nfs.example.com", "path": "/exports/share", "readOnly": True},
        },
    },
    {
        "metadata": {"name": "local-disk"},
        "spec": {
            "capacity": {"storage": "100Gi"},
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": "local",
            "local": {"path": "/mnt/disks/ssd1", "fsType": "ext4"},
            "nodeAffinity": {
                "required": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {
                                    "key": "kubernetes.io/hostname",
                                    "operator": "In",
                                    "values": ["sandbox-worker", "sandbox-worker2"],
                                },
                                {"key": "disk", "operator": "Exists"},
                            ]
                        },
                        {
                            "matchExpressions": [
                                {"key": "zone", "operator": "NotIn", "values": ["b"]}
                            ]
                        },
                    ]
                }
            },
        },
    },
]


def _create_backdated(store: Store, ingress: dict[str, object]) -> None:
    """Created a day ago, so that their ages do not tick between the two runs."""
    with backdated(store, store.clock.now() - timedelta(days=1)):
        store.create(by_kind("Ingress"), ingress)
        for volume in _VOLUMES:
            store.create(by_kind("PersistentVolume"), volume)


_LIMIT_ROW = re.compile(r"^ ?(Container|Pod|PersistentVolumeClaim) ")


@pytest.fixture(scope="module")
def judge() -> Iterator[Judge]:
    with judging(scenario="demo", controllers=False) as made:
        sandbox = made.sandbox
        made.kubectl(
            "create secret generic db -n staging --from-literal=password=hunter2 "
            "--from-literal=user=admin --from-literal=empty="
        )
        sandbox.call(_create_backdated, sandbox.store, _BROKEN_INGRESS)
        yield made


def _settled(text: str) -> str:
    """Limit range rows sorted, as their order in kubectl's output is Go's map order."""
    lines = text.rstrip("\n").splitlines()
    rows = sorted(line for line in lines if _LIMIT_ROW.match(line))
    it = iter(rows)
    return "\n".join(next(it) if _LIMIT_ROW.match(line) else line for line in lines)


@pytest.mark.parametrize(
    "text",
    [
        "describe rs -n prod",
        "describe replicaset -n staging -l app=redis",
        "describe ns staging",
        "describe namespace prod",
        "describe namespaces",
        "describe cm kube-root-ca.crt -n staging",
        "describe configmaps -n prod",
        "describe ing web -n prod",
        "describe ingress -n prod",
        "describe ing broken -n prod",
        "describe pvc redis-data -n staging",
        "describe pv",
        "describe pv nfs-share",
        "describe pv local-disk",
        "describe sc",
        "describe quota compute -n staging",
        "describe limits -n staging",
        "describe certificate api -n prod",
        "describe certificates.cert-manager.io -n staging",
        "describe lease -n kube-node-lease",
        "describe crd certificates.cert-manager.io",
        "describe serviceaccount default -n prod",
    ],
)
def test_describe_matches_kubectl(judge: Judge, text: str) -> None:
    for _ in range(3):
        ours, theirs = _settled(judge.bot(text)), _settled(judge.kubectl(text))
        if ours == theirs:
            return
    same(ours, theirs)


def test_secret_shows_keys_and_sizes_never_values(judge: Judge) -> None:
    text = "describe secret db -n staging"
    ours, theirs = judge.bot(text).rstrip("\n"), judge.kubectl(text).rstrip("\n")
    # kubectl lists the keys in Go's map order, the bot sorts them
    assert ours.split("====\n")[0] == theirs.split("====\n")[0]
    assert sorted(ours.splitlines()) == sorted(theirs.splitlines())
    assert ours.endswith("empty:     0 bytes\npassword:  7 bytes\nuser:      5 bytes")
    assert "password:  7 bytes" in judge.bot(text)
    assert "hunter2" not in judge.bot(text)
    assert "hunter2" not in judge.bot("describe secrets -n staging")


@pytest.mark.parametrize(
    "text",
    [
        "get pvc -A",
        "get pvc -n staging -o wide",
        "get pv",
        "get pv -o wide",
        "get sc",
        "get quota -n staging",
        "get resourcequotas -A",
        "get limits -n staging",
        "get ing -A",
        "get ingress -n prod -o wide",
        "get pvc,ing -A",
    ],
)
def test_get_matches_kubectl(judge: Judge, text: str) -> None:
    judge.compare(text)
