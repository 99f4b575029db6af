"""The describers beyond pods, deployments, services and nodes, on the branches the demo lacks.

The side-by-side tests against kubectl cover the demo's objects; these pin the rest of each
layout (TLS, scopes, node affinity, data sources, missing secrets ...) to kubectl v1.32's
``describe.go``, and the generic describer's value printing to Go's ``%v``.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from bot.core.describe_config import (
    describe_config_map,
    describe_secret,
    describe_service_account,
)
from bot.core.describe_generic import camel_split, describe_generic, go_value, smart_label
from bot.core.describe_ingress import describe_ingress, resource_backend, service_backend
from bot.core.describe_namespace import describe_limit_range, describe_namespace, describe_quota
from bot.core.describe_replicaset import describe_replica_set, pod_phases
from bot.core.describe_storage import (
    access_modes,
    claim_users,
    describe_claim,
    describe_storage_class,
    describe_volume,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
STAMP = "2026-11-30T12:00:00Z"


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("apiVersion", "API Version"),
        ("creationTimestamp", "Creation Timestamp"),
        ("uid", "UID"),
        ("dnsNames", "Dns Names"),
        ("isCA", "Is CA"),
        ("PDFLoader", "PDF Loader"),
        ("foo-bar", "Foo - Bar"),
        ("v1beta1", "v1beta1"),
        ("some_field", "some_field"),
        ("serverURL", "Server URL"),
    ],
)
def test_smart_label(field: str, label: str) -> None:
    assert smart_label(field) == label


def test_camel_split_keeps_digits_apart() -> None:
    assert camel_split("http2Port") == ["http", "2", "Port"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "<nil>"),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (0.5, "0.5"),
        (2.0, "2"),
        (1e21, "1e+21"),
        (1e6, "1e+06"),
        (123456.5, "123456.5"),
        (1234567.5, "1.2345675e+06"),
        (0.0001, "0.0001"),
        (-0.0, "-0"),
        (2**63 - 1, "9223372036854775807"),
        (2**63, "9.223372036854776e+18"),
        (10**400, "+Inf"),
        (1.5e-7, "1.5e-07"),
        (float("inf"), "+Inf"),
        (float("-inf"), "-Inf"),
        (float("nan"), "NaN"),
        (["a", 1], "[a 1]"),
        ({"b": 1, "a": "x"}, "map[a:x b:1]"),
        ("text", "text"),
    ],
)
def test_go_value(value: object, text: str) -> None:
    assert go_value(value) == text


def test_generic_prints_every_field_and_redacts_secrets() -> None:
    obj = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": "ns", "managedFields": [{"x": 1}]},
        "spec": {"sizes": [1, 2], "items": [{"name": "a"}], "empty": {}, "on": True},
        "embedded": {"kind": "Secret", "data": {"k": base64.b64encode(b"secret!").decode()}},
    }
    text = describe_generic(obj, None, NOW)
    assert text.splitlines() == [
        "Name:         w",
        "Namespace:    ns",
        "Labels:       <none>",
        "Annotations:  <none>",
        "API Version:  example.com/v1",
        "Embedded:",
        "  Data:",
        "    K:   (redacted: 7 bytes)",
        "  Kind:  Secret",
        "Kind:    Widget",
        "Metadata:",
        "Spec:",
        "  Empty:",
        "  Items:",
        "    Name:  a",
        "  On:      true",
        "  Sizes:",
        "    1",
        "    2",
    ]


def test_config_map_binary_data_by_size() -> None:
    cm = {
        "metadata": {"name": "c", "namespace": "n"},
        "data": {"b": "two", "a": "one"},
        "binaryData": {"blob": base64.b64encode(b"12345").decode()},
    }
    text = describe_config_map(cm, [], NOW)
    assert "a:\n----\none\n\nb:\n----\ntwo\n\n\nBinaryData\n====\nblob: 5 bytes\n\n" in text
    assert text.endswith("\n\nEvents:  <none>\n")


def test_service_account_token_size_only() -> None:
    secret = {
        "metadata": {"name": "t", "namespace": "n"},
        "type": "kubernetes.io/service-account-token",
        "data": {"token": base64.b64encode(b"eyJhbGciOi").decode()},
    }
    text = describe_secret(secret)
    assert "token:  10 bytes" in text
    assert "eyJ" not in text


def test_service_account_lists_secrets_and_marks_missing() -> None:
    account = {
        "metadata": {"name": "builder", "namespace": "ci", "uid": "u1"},
        "imagePullSecrets": [{"name": "registry"}],
        "secrets": [{"name": "gone"}, {"name": "token-1"}],
    }
    token = {
        "metadata": {
            "name": "token-1",
            "annotations": {
                "kubernetes.io/service-account.name": "builder",
                "kubernetes.io/service-account.uid": "u1",
            },
        },
        "type": "kubernetes.io/service-account-token",
    }
    registry = {"metadata": {"name": "registry"}, "type": "kubernetes.io/dockerconfigjson"}
    text = describe_service_account(account, secrets=[token, registry], events=None, now=NOW)
    assert text.splitlines()[4:] == [
        "Image pull secrets:  registry",
        "Mountable secrets:   gone (not found)",
        "                     token-1",
        "Tokens:              token-1",
    ]
    unknown = describe_service_account(account, secrets=None, events=None, now=NOW)
    assert "(not found)" not in unknown
    assert "Tokens:              <none>" in unknown


QUOTA = {
    "metadata": {"name": "q", "namespace": "n"},
    "spec": {"scopes": ["NotTerminating", "BestEffort"], "hard": {"pods": "4"}},
    "status": {
        "hard": {"pods": "4", "requests.memory": "1Gi", "requests.cpu": "2"},
        "used": {"pods": "1", "requests.memory": "1500M", "requests.cpu": "250m"},
    },
}


def test_quota_prints_used_in_the_hard_format_and_scopes() -> None:
    lines = describe_quota(QUOTA).splitlines()
    assert lines[2] == "Scopes:     BestEffort, NotTerminating"
    assert lines[3].startswith(" * Matches all pods that do not have resource requirements")
    assert lines[-3:] == [
        "pods             1           4",
        "requests.cpu     250m        2",
        "requests.memory  1500000000  1Gi",  # used in hard's (binary) format, as kubectl does
    ]


def test_namespace_without_quotas_or_limits() -> None:
    namespace = {
        "metadata": {"name": "n"},
        "status": {
            "phase": "Terminating",
            "conditions": [
                {
                    "type": "NamespaceDeletionContentFailure",
                    "status": "False",
                    "lastTransitionTime": STAMP,
                    "reason": "ContentDeleted",
                    "message": "All content successfully deleted",
                }
            ],
        },
    }
    text = describe_namespace(namespace, [], [])
    assert "Conditions:\n  Type  " in text
    assert text.endswith("\nNo resource quota.\n\nNo LimitRange resource.\n")
    assert describe_namespace(namespace, None, None).endswith("All content successfully deleted\n")
    scoped = describe_namespace(namespace, [QUOTA], None)
    assert "  Name:    q\n  Scopes:  BestEffort, NotTerminating\n  * Matches all pods" in scoped
    assert "  requests.memory  1500M  1Gi\n" in scoped  # the namespace section keeps used as is


def test_limit_range_rows_per_resource() -> None:
    limits = {
        "metadata": {"name": "l", "namespace": "n"},
        "spec": {
            "limits": [
                {"type": "Pod", "max": {"cpu": "2000m"}, "maxLimitRequestRatio": {"cpu": "4"}},
                {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}},
            ]
        },
    }
    assert describe_limit_range(limits).splitlines()[4:] == [
        "Pod                    cpu       -    2    -                -              4",
        "PersistentVolumeClaim  storage   1Gi  -    -                -              -",
    ]


def test_replica_set_counts_only_its_own_pods() -> None:
    rs = {
        "metadata": {"name": "r", "namespace": "n", "uid": "rs-1"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "a"}}, "template": {}},
        "status": {
            "replicas": 2,
            "conditions": [{"type": "ReplicaFailure", "status": "True", "reason": "Quota"}],
        },
    }
    mine = {"metadata": {"ownerReferences": [{"uid": "rs-1", "controller": True}]}}
    pods = [
        {**mine, "status": {"phase": "Running"}},
        {**mine, "status": {"phase": "Pending"}},
        {"metadata": {}, "status": {"phase": "Running"}},
    ]
    assert pod_phases(rs, pods) == (1, 1, 0, 0)
    text = describe_replica_set(rs, pods=None, pods_error="forbidden", events=None, now=NOW)
    assert "Pods Status:  error in fetching pods: forbidden\n" in text
    assert "ReplicaFailure   True    Quota" in text


def test_ingress_tls_default_and_resource_backends() -> None:
    ingress = {
        "metadata": {"name": "i", "namespace": "n"},
        "spec": {
            "defaultBackend": {"resource": {"kind": "Bucket", "name": "static"}},
            "tls": [{"hosts": ["a.example", "b.example"], "secretName": "tls"}, {"hosts": ["c"]}],
            "rules": [{"host": "a.example"}],
        },
    }

    def backend(spec: dict[str, object]) -> str:
        return resource_backend(spec) if "resource" in spec else service_backend(spec)

    text = describe_ingress(ingress, backend=backend, events=None, now=NOW)
    assert "Default backend:  APIGroup: <none>, Kind: Bucket, Name: static\n" in text
    assert "TLS:\n  tls terminates a.example,b.example\n  SNI routes c\n" in text
    assert "  *           *     APIGroup: <none>, Kind: Bucket, Name: static\n" in text
    named = {"service": {"name": "web", "port": {"name": "http"}}}
    assert service_backend(named) == "web:http"


def test_access_modes_in_kubectl_order() -> None:
    assert access_modes(["ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]) == "RWO,RWX,RWOP"


def test_claim_pending_with_source_conditions_and_users() -> None:
    claim = {
        "metadata": {
            "name": "data",
            "namespace": "n",
            "uid": "c1",
            "deletionTimestamp": STAMP,
            "ownerReferences": [{"kind": "Pod", "uid": "p2"}, {"kind": "StatefulSet", "uid": "x"}],
            "annotations": {"volume.beta.kubernetes.io/storage-class": "fast"},
        },
        "spec": {
            "storageClassName": "slow",
            "dataSource": {"apiGroup": "snapshot.storage.k8s.io", "kind": "Snap", "name": "s"},
        },
        "status": {
            "phase": "Pending",
            "conditions": [
                {
                    "type": "Resizing",
                    "status": "True",
                    "lastProbeTime": STAMP,
                    "lastTransitionTime": STAMP,
                }
            ],
        },
    }
    mounting = {
        "metadata": {"name": "b", "uid": "p1"},
        "spec": {"volumes": [{"persistentVolumeClaim": {"claimName": "data"}}]},
    }
    owner = {"metadata": {"name": "a", "uid": "p2"}, "spec": {}}
    users = claim_users(claim, [mounting, owner])
    assert [u["metadata"]["name"] for u in users] == ["b", "a"]
    text = describe_claim(claim, users=users, events=[], now=NOW)
    assert "StorageClass:  fast\nStatus:        Terminating (lasts 24h)\n" in text
    assert "Capacity:      \nAccess Modes:  \nDataSource:\n  APIGroup:  snapshot" in text
    assert "Used By:     a\n             b\n" in text
    assert "Resizing \tTrue" not in text
    assert "  Resizing   True    Mon, 30 Nov 2026 12:00:00 +0000" in text


def test_volume_sources_and_node_affinity() -> None:
    volume = {
        "metadata": {"name": "v"},
        "spec": {
            "local": {"path": "/mnt/disk", "fsType": "ext4"},
            "nodeAffinity": {
                "required": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": "host", "operator": "In", "values": ["a", "b"]},
                                {"key": "zone", "operator": "Exists"},
                            ]
                        },
                        {},
                    ]
                }
            },
        },
        "status": {"phase": "Available"},
    }
    text = describe_volume(volume, None, NOW)
    assert "    Term 0:        host in [a, b]\n                   zone exists\n" in text
    assert "    Term 1:        <none>\n" in text
    empty = {"metadata": {"name": "e"}, "spec": {"nodeAffinity": {"required": {}}}}
    assert "  Required Terms:  <none>\n" in describe_volume(empty, None, NOW)
    local = "    Type:  LocalVolume (a persistent volume backed by local storage on a node)\n"
    assert local in text
    nfs = {"metadata": {"name": "n"}, "spec": {"nfs": {"server": "s", "path": "/x"}}}
    assert "    ReadOnly:  false\n" in describe_volume(nfs, None, NOW)
    odd = {"metadata": {"name": "o"}, "spec": {"csi": {}}}
    assert "Source:\n  <unknown>\n" in describe_volume(odd, None, NOW)


def test_storage_class_options() -> None:
    sc = {
        "metadata": {"name": "fast"},
        "provisioner": "p",
        "allowVolumeExpansion": True,
        "mountOptions": ["debug"],
    }
    text = describe_storage_class(sc, None, NOW)
    assert "IsDefaultClass:        No\n" in text
    assert "AllowVolumeExpansion:  True\nMountOptions:\n  debug\n" in text
