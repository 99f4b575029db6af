"""Claims, volumes, storage classes, quotas, limit ranges and Ingresses as kubectl sees them.

The demo carries one of each; kubectl reads their discovery short names and the server's
Tables, and the quota controller keeps ``status.used`` in step with the namespace's objects.
"""

from __future__ import annotations

import pytest

from tests.kubesim.kubectl import Judge, Kubectl, eventually
from tests.kubesim.statefulsets import manifest

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
    volumes = kubectl("get", "pv").table()  # other tests of this module add volumes
    assert [(r["NAME"], r["STATUS"]) for r in volumes if r["CLAIM"] == "staging/redis-data"] == [
        (claim[0]["VOLUME"], "Bound")
    ]
    assert kubectl("get", "pvc", "-n", "staging", "-o", "wide").header()[-1] == "VOLUMEMODE"


def test_default_storage_class_is_marked(kubectl: Kubectl) -> None:
    classes = kubectl("get", "sc").table()  # another test adds a class
    assert [r for r in classes if r["NAME"].startswith("standard")] == [
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
    (web,) = (r for r in result.table() if r["NAME"] == "web")  # another test adds one
    assert web | {"AGE": ""} == {
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


_CLAIM = """
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: {name}, namespace: default}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 2Gi}}}}
{extra}
"""


def _phase(kubectl: Kubectl, name: str) -> str:
    return kubectl("get", "pvc", name, "-o", "jsonpath={.status.phase}").stdout


def test_default_class_waits_for_the_first_consumer(kubectl: Kubectl) -> None:
    kubectl.create(_CLAIM.format(name="cache", extra=""))
    eventually(
        lambda: "waiting for first consumer" in kubectl("describe", "pvc", "cache").stdout,
        what="the WaitForFirstConsumer event",
    )
    assert _phase(kubectl, "cache") == "Pending"
    assert kubectl("get", "pvc", "cache").table()[0]["STORAGECLASS"] == "standard"
    kubectl.create(
        """
apiVersion: v1
kind: Pod
metadata: {name: cache-user, namespace: default}
spec:
  containers: [{name: app, image: nginx:1.27}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: cache}}]
"""
    )
    eventually(lambda: _phase(kubectl, "cache") == "Bound", what="the claim to bind")
    text = kubectl("describe", "pvc", "cache").stdout
    assert "Used By:       cache-user\n" in text
    assert "ProvisioningSucceeded" in text
    volume = kubectl("get", "pvc", "cache", "-o", "jsonpath={.spec.volumeName}").stdout
    assert kubectl("get", "pv", volume).table()[0]["CLAIM"] == "default/cache"


def test_immediate_class_provisions_at_once(kubectl: Kubectl) -> None:
    kubectl.create(
        """
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: rancher.io/local-path
volumeBindingMode: Immediate
"""
    )
    kubectl.create(_CLAIM.format(name="scratch", extra="  storageClassName: fast"))
    eventually(lambda: _phase(kubectl, "scratch") == "Bound", what="the claim to bind")
    row = kubectl("get", "pvc", "scratch").table()[0]
    assert (row["CAPACITY"], row["ACCESS MODES"], row["STORAGECLASS"]) == ("2Gi", "RWO", "fast")


def test_a_claim_binds_to_a_matching_volume(kubectl: Kubectl) -> None:
    kubectl.create(
        """
apiVersion: v1
kind: PersistentVolume
metadata: {name: nfs-share}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteMany, ReadWriteOnce]
  storageClassName: ""
  nfs: {server: nfs.example.com, path: /exports/share}
"""
    )
    eventually(
        lambda: kubectl("get", "pv", "nfs-share").table()[0]["STATUS"] == "Available",
        what="the new volume to be Available",
    )
    kubectl.create(_CLAIM.format(name="shared", extra='  storageClassName: ""'))
    eventually(lambda: _phase(kubectl, "shared") == "Bound", what="the claim to bind")
    assert kubectl("get", "pvc", "shared").table()[0]["VOLUME"] == "nfs-share"
    row = kubectl("get", "pv", "nfs-share").table()[0]
    assert (row["STATUS"], row["CLAIM"], row["CAPACITY"]) == ("Bound", "default/shared", "5Gi")


def test_kubectl_create_quota_and_ingress(kubectl: Kubectl) -> None:
    kubectl("create", "quota", "small", "-n", "prod", "--hard=pods=50,count/secrets=9")
    row = kubectl("get", "quota", "small", "-n", "prod").table()[0]
    assert row["REQUEST"].startswith("count/secrets: ")
    kubectl(
        "create",
        "ingress",
        "shop",
        "-n",
        "prod",
        "--class=nginx",
        "--rule=shop.example.com/cart*=cart:http,tls=shop-tls",
        "--rule=shop.example.com/=web:80",
        "--default-backend=web:80",
    )
    row = kubectl("get", "ing", "shop", "-n", "prod").table()[0]
    assert (row["CLASS"], row["HOSTS"], row["PORTS"]) == ("nginx", "shop.example.com", "80, 443")
    text = kubectl("describe", "ing", "shop", "-n", "prod").stdout
    assert "shop-tls terminates shop.example.com" in text
    assert '/cart   cart:http (<error: services "cart" not found>)' in text


def _stateful(name: str, *, replicas: int, retention: str = "") -> str:
    """A StatefulSet whose one container mounts the claims of its ``data`` template."""
    return manifest(name, "postgres:16.4", replicas=replicas, extra=retention) + (
        "        volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]\n"
        "  volumeClaimTemplates:\n"
        "  - metadata: {name: data, labels: {tier: db}}\n"
        "    spec:\n"
        "      accessModes: [ReadWriteOnce]\n"
        "      resources: {requests: {storage: 2Gi}}\n"
    )


def _claims(kubectl: Kubectl, name: str) -> dict[str, dict[str, str]]:
    rows = kubectl("get", "pvc", "-l", f"app={name}", "-L", "tier").table()
    return {r["NAME"]: r for r in rows}


def _pods(kubectl: Kubectl, name: str) -> list[str]:
    return kubectl("get", "pods", "-l", f"app={name}", "-o", "name").lines()


def _ready(kubectl: Kubectl, name: str, replicas: int) -> None:
    kubectl("rollout", "status", f"statefulset/{name}", "--timeout=60s")
    eventually(
        lambda: (
            kubectl("get", "statefulset", name, "-o", "jsonpath={.status.replicas}").stdout
            == str(replicas)
        ),
        what=f"{name} at {replicas} pods",
    )


def test_the_demo_database_has_a_bound_claim_per_pod(kubectl: Kubectl) -> None:
    rows = kubectl("get", "pvc", "-n", "prod").table()
    assert [(r["NAME"], r["STATUS"], r["CAPACITY"]) for r in rows] == [
        (f"data-postgres-{i}", "Bound", "10Gi") for i in range(3)
    ]
    claim = kubectl(
        "get", "pod", "postgres-1", "-n", "prod", "-o", "jsonpath={.spec.volumes[0]}"
    ).stdout
    assert '"claimName":"data-postgres-1"' in claim


def test_claim_templates_make_claims_that_outlive_pods_and_the_set(kubectl: Kubectl) -> None:
    kubectl.create(_stateful("ledger", replicas=2))
    _ready(kubectl, "ledger", 2)
    claims = _claims(kubectl, "ledger")
    assert sorted(claims) == ["data-ledger-0", "data-ledger-1"]
    assert {
        (r["STATUS"], r["CAPACITY"], r["STORAGECLASS"], r["TIER"]) for r in claims.values()
    } == {("Bound", "2Gi", "standard", "db")}
    events = kubectl(
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=ledger,reason=SuccessfulCreate",
        "-o",
        "jsonpath={range .items[*]}{.message}{'\\n'}{end}",
    ).lines()
    assert "create Claim data-ledger-1 Pod ledger-1 in StatefulSet ledger success" in events

    kubectl("scale", "statefulset", "ledger", "--replicas=1")
    eventually(
        lambda: (
            kubectl("get", "pods", "-l", "app=ledger", "-o", "name").lines() == ["pod/ledger-0"]
        ),
        what="ledger-1 gone",
    )
    assert sorted(_claims(kubectl, "ledger")) == ["data-ledger-0", "data-ledger-1"]

    kubectl("scale", "statefulset", "ledger", "--replicas=2")
    _ready(kubectl, "ledger", 2)
    again = _claims(kubectl, "ledger")
    assert again["data-ledger-1"]["VOLUME"] == claims["data-ledger-1"]["VOLUME"]  # the same data

    kubectl("delete", "statefulset", "ledger")
    eventually(lambda: _pods(kubectl, "ledger") == [], what="ledger's pods gone")
    assert sorted(_claims(kubectl, "ledger")) == ["data-ledger-0", "data-ledger-1"]


def test_a_delete_retention_policy_deletes_the_claims(kubectl: Kubectl) -> None:
    policy = "\n  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Delete}"
    kubectl.create(_stateful("scratch", replicas=2, retention=policy))
    _ready(kubectl, "scratch", 2)
    kubectl("scale", "statefulset", "scratch", "--replicas=1")
    eventually(lambda: sorted(_claims(kubectl, "scratch")) == ["data-scratch-0"], what="scaled")
    kubectl("delete", "statefulset", "scratch")
    eventually(lambda: _claims(kubectl, "scratch") == {}, what="the claims deleted with the set")
