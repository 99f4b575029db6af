"""The nodes of a scenario and the system pods a kind node runs (static and DaemonSet pods).

Real clusters show the control plane's static pods and kube-proxy/kindnet on every node in
``kubectl get pods -A``; without them the sandbox looks obviously fake. They are written Running
and host-networked (podIP = hostIP), owned by their Node or by their DaemonSet.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kubesim.machinery.clock import rfc3339
from kubesim.scenarios.backdating import backdated
from kubesim.scenarios.pods import POD, PodWriter
from kubesim.scenarios.workloads import daemon_set
from kubesim.storage.store import Store
from kubesim.storage.storeport import Obj

K8S_VERSION = "v1.32.2"
_STATIC = (
    ("etcd", "registry.k8s.io/etcd:3.5.16-0"),
    ("kube-apiserver", f"registry.k8s.io/kube-apiserver:{K8S_VERSION}"),
    ("kube-controller-manager", f"registry.k8s.io/kube-controller-manager:{K8S_VERSION}"),
    ("kube-scheduler", f"registry.k8s.io/kube-scheduler:{K8S_VERSION}"),
)
_DAEMONS = (
    (
        "kube-proxy",
        f"registry.k8s.io/kube-proxy:{K8S_VERSION}",
        {"k8s-app": "kube-proxy"},
        {"kubernetes.io/os": "linux"},
    ),
    ("kindnet", "docker.io/kindest/kindnetd:v20241212-9f82dd49", {"app": "kindnet"}, None),
)


def node_manifest(name: str, index: int, born: datetime) -> Obj:
    """A kind-like node: labels, podCIDR, addresses, capacity, nodeInfo, conditions."""
    stamp = born.strftime("%Y-%m-%dT%H:%M:%SZ")
    control = index == 0
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    }
    if control:
        labels["node-role.kubernetes.io/control-plane"] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    cidr = f"10.244.{index}.0/24"
    spec: Obj = {"podCIDR": cidr, "podCIDRs": [cidr], "providerID": f"kind://docker/sandbox/{name}"}
    if control:
        spec["taints"] = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
    resources = {
        "cpu": "8",
        "ephemeral-storage": "102626232Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": "16283676Ki",
        "pods": "110",
    }

    def condition(kind: str, status: str, reason: str, message: str) -> Obj:
        return {
            "type": kind,
            "status": status,
            "lastHeartbeatTime": stamp,
            "lastTransitionTime": stamp,
            "reason": reason,
            "message": message,
        }

    return {
        "metadata": {
            "name": name,
            "labels": labels,
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": spec,
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": f"172.18.{index // 250}.{index % 250 + 2}"},
                {"type": "Hostname", "address": name},
            ],
            "allocatable": dict(resources),
            "capacity": dict(resources),
            "conditions": [
                condition(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                condition(
                    "DiskPressure",
                    "False",
                    "KubeletHasNoDiskPressure",
                    "kubelet has no disk pressure",
                ),
                condition(
                    "PIDPressure",
                    "False",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                ),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": f"5f0c{index:04d}-8c1d-4c55-9a43-1b2a3c4d5e6f",
                "containerRuntimeVersion": "containerd://1.7.24",
                "kernelVersion": "6.8.0-51-generic",
                "kubeProxyVersion": "v1.32.2",
                "kubeletVersion": "v1.32.2",
                "machineID": f"{index:032x}",
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": f"2b1e{index:04d}-3f4a-4b5c-8d6e-7f8091a2b3c4",
            },
        },
    }


def system_pods(store: Store, make: PodWriter, nodes: list[Obj], born: datetime) -> None:
    """Static control-plane pods on the first node, kube-proxy and kindnet on every node."""
    control = nodes[0]
    for component, image in _STATIC:
        ref = {"apiVersion": "v1", "kind": "Node", "name": control["metadata"]["name"]}
        ref["uid"] = control["metadata"]["uid"]
        _system_pod(
            store,
            make,
            f"{component}-{control['metadata']['name']}",
            image,
            node=control,
            labels={"component": component, "tier": "control-plane"},
            owner={**ref, "controller": True},
            born=born,
        )
    for name, image, labels, selector in _DAEMONS:
        daemon_set(
            store,
            make,
            nodes,
            name=name,
            image=image,
            labels=dict(labels),
            born=born,
            node_selector=selector,
        )


def _system_pod(
    store: Store,
    make: PodWriter,
    name: str,
    image: str,
    *,
    node: Obj,
    labels: dict[str, str],
    owner: Obj,
    born: datetime,
) -> None:
    spec: Obj = {
        "containers": [{"name": labels.get("component", name.rsplit("-", 1)[0]), "image": image}],
        "hostNetwork": True,
        "nodeName": node["metadata"]["name"],
        "priorityClassName": "system-node-critical",
        "priority": 2000001000,
        "tolerations": [{"operator": "Exists"}],
    }
    stamps = (rfc3339(born), rfc3339(born + timedelta(seconds=20)))
    with backdated(store, born):
        store.create(
            POD,
            {
                "metadata": {
                    "name": name,
                    "namespace": "kube-system",
                    "labels": labels,
                    "ownerReferences": [owner],
                },
                "spec": spec,
                "status": make.running_status(spec, node, stamps),
            },
        )
