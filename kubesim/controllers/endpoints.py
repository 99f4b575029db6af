"""The endpoints and EndpointSlice controllers: which pods back each Service.

``kubectl describe service`` prints ``Endpoints:`` from the EndpointSlices labelled
``kubernetes.io/service-name``, and ``kubectl get endpoints`` lists the v1 Endpoints; without
this every Service showed ``<none>`` though its pods were Running. For every Service with a
selector, the matching pods that have an IP are its endpoints: ready ones in ``addresses``,
the others in ``notReadyAddresses``; terminating pods stay in the slice with
``terminating: true`` but leave the Endpoints. Ports resolve ``targetPort`` (a number, or a
container port name). The ``default/kubernetes`` Service is the apiserver's own: it points at
the control-plane node on 6443, as the apiserver's endpoint reconciler writes it.

Writes happen only when the computed endpoints differ from what is stored, so a pod status
change that does not move an address costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubesim.api.resource_type import ResourceType
from kubesim.api.resources import by_kind
from kubesim.api.status import ApiError
from kubesim.machinery.clock import Clock, rfc3339
from kubesim.machinery.informer import Key, key_of
from kubesim.machinery.workqueue import WorkQueue
from kubesim.selectors.labels import parse_labels
from kubesim.storage.storeport import Obj, StorePort

SERVICE, POD, NODE = by_kind("Service"), by_kind("Pod"), by_kind("Node")
ENDPOINTS, SLICE = by_kind("Endpoints"), by_kind("EndpointSlice")
SERVICE_NAME = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
SLICE_CONTROLLER = "endpointslice-controller.k8s.io"
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
_APISERVER = ("default", "kubernetes")
_APISERVER_PORT = {"name": "https", "port": 6443, "protocol": "TCP"}


def _ready(pod: Obj) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in pod.get("status", {}).get("conditions") or ()
    )


def _target_port(port: Obj, pod: Obj | None) -> int | None:
    """``podutil.FindPort``: a number as is, a name through the pod's container ports."""
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for container in (pod or {}).get("spec", {}).get("containers") or ():
        for candidate in container.get("ports") or ():
            if candidate.get("name") == target and candidate.get("protocol", "TCP") == port.get(
                "protocol", "TCP"
            ):
                return int(candidate["containerPort"])
    return None


def _ports(service: Obj, pod: Obj | None) -> list[Obj] | None:
    """The endpoint ports for one pod; None when a named target port does not resolve."""
    out = []
    for port in service.get("spec", {}).get("ports") or ():
        number = _target_port(port, pod)
        if number is None:
            return None
        entry: Obj = {"port": number, "protocol": port.get("protocol", "TCP")}
        if port.get("name"):
            entry["name"] = port["name"]
        if port.get("appProtocol"):
            entry["appProtocol"] = port["appProtocol"]
        out.append(entry)
    return out


def _address(pod: Obj) -> Obj:
    meta = pod["metadata"]
    address: Obj = {"ip": pod["status"]["podIP"]}
    if pod.get("spec", {}).get("nodeName"):
        address["nodeName"] = pod["spec"]["nodeName"]
    address["targetRef"] = {
        "kind": "Pod",
        "name": meta["name"],
        "namespace": meta["namespace"],
        "uid": meta["uid"],
    }
    return address


def settle(store: StorePort, service: Obj, now: str) -> set[Key]:
    """Write ``service``'s Endpoints and EndpointSlice as they should be now (no write when they
    already are); returns the pods listed. Scenarios call it to start settled."""
    key = key_of(service)
    if key == _APISERVER:
        own_subsets, own_endpoints, own_ports = _apiserver(store)
        _write(
            store,
            key,
            service,
            subsets=own_subsets,
            endpoints=own_endpoints,
            ports=own_ports,
            now=now,
        )
        return set()
    selector = service.get("spec", {}).get("selector") or {}
    if not selector:
        return set()  # endpoints of a selector-less Service are the user's to write
    text = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    pods = [  # read-only, not copied: a 100,000-pod namespace is scanned on every sync
        p
        for p in store.scan(POD, key[0], labels=parse_labels(text))
        if p.get("status", {}).get("podIP")
        and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")
    ]
    pods.sort(key=lambda p: (p["status"]["podIP"], p["metadata"]["uid"]))
    subsets: dict[tuple[Any, ...], Obj] = {}
    endpoints: list[Obj] = []
    slice_ports: list[Obj] | None = None
    for pod in pods:
        ports = _ports(service, pod)
        if ports is None:
            continue
        slice_ports = slice_ports if slice_ports is not None else ports
        terminating = bool(pod["metadata"].get("deletionTimestamp"))
        ready = _ready(pod)
        address = _address(pod)
        endpoint: Obj = {
            "addresses": [address["ip"]],
            "conditions": {
                "ready": ready and not terminating,
                "serving": ready,
                "terminating": terminating,
            },
        }
        if "nodeName" in address:
            endpoint["nodeName"] = address["nodeName"]
        endpoint["targetRef"] = address["targetRef"]
        endpoints.append(endpoint)
        if terminating:
            continue  # v1 Endpoints leave terminating pods out
        group = tuple(sorted((p["port"], p["protocol"], p.get("name", "")) for p in ports))
        subset = subsets.setdefault(group, {"ports": ports})
        subset.setdefault("addresses" if ready else "notReadyAddresses", []).append(address)
    ordered: list[Obj] = [
        {k: s[k] for k in ("addresses", "notReadyAddresses", "ports") if k in s}
        for _, s in sorted(subsets.items())
    ]
    ports = slice_ports if slice_ports is not None else _ports(service, None) or []
    _write(store, key, service, subsets=ordered, endpoints=endpoints, ports=ports, now=now)
    return {key_of(p) for p in pods}


def remove(store: StorePort, key: Key) -> None:
    """The Service is gone: so are its Endpoints and slices (the GC would do the latter)."""
    slices = store.list(SLICE, key[0], label_selector=f"{SERVICE_NAME}={key[1]}")
    for rt, name in [(ENDPOINTS, key[1]), *((SLICE, s["metadata"]["name"]) for s in slices)]:
        try:
            store.delete(rt, key[0], name)
        except ApiError as err:
            if err.code != 404:
                raise


def _apiserver(store: StorePort) -> tuple[list[Obj], list[Obj], list[Obj]]:
    ip = ""
    for node in store.list(NODE):
        labels = node.get("metadata", {}).get("labels") or {}
        if "node-role.kubernetes.io/control-plane" in labels:
            for address in node.get("status", {}).get("addresses") or ():
                if address.get("type") == "InternalIP":
                    ip = address.get("address", "")
    if not ip:
        return [], [], [dict(_APISERVER_PORT)]
    subsets = [{"addresses": [{"ip": ip}], "ports": [dict(_APISERVER_PORT)]}]
    endpoint = {"addresses": [ip], "conditions": {"ready": True}}
    return subsets, [endpoint], [dict(_APISERVER_PORT)]


def _write(
    store: StorePort,
    key: Key,
    service: Obj,
    *,
    subsets: list[Obj],
    endpoints: list[Obj],
    ports: list[Obj],
    now: str,
) -> None:
    labels = dict(service.get("metadata", {}).get("labels") or {})
    body = {"subsets": subsets} if subsets else {}
    _put(store, key, ENDPOINTS, key[1], body, labels=labels, now=now)
    slice_labels = {**labels, SERVICE_NAME: key[1]}
    if key != _APISERVER:
        slice_labels[MANAGED_BY] = SLICE_CONTROLLER
    # a slice port always has a name ("" when the Service port has none): kubectl's describe
    # dereferences it
    named = [{"name": p.get("name", ""), **p} for p in ports]
    content: Obj = {"addressType": "IPv4", "endpoints": endpoints, "ports": named}
    existing = store.list(SLICE, key[0], label_selector=f"{SERVICE_NAME}={key[1]}")
    if existing:
        name = existing[0]["metadata"]["name"]
        _put(store, key, SLICE, name, content, labels=slice_labels, now=now)
        return
    meta: Obj = {"namespace": key[0], "labels": slice_labels}
    if key == _APISERVER:
        meta["name"] = key[1]
    else:
        meta["generateName"] = f"{key[1]}-"
        meta["annotations"] = {TRIGGER_TIME: now}
        meta["ownerReferences"] = [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "name": key[1],
                "uid": service["metadata"]["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    _guarded(lambda: store.create(SLICE, {"metadata": meta, **content}))


def _put(
    store: StorePort,
    key: Key,
    rt: ResourceType,
    name: str,
    body: Obj,
    *,
    labels: dict[str, str],
    now: str,
) -> None:
    """Create or update ``rt/name`` so its content is ``body`` (no write when it already is)."""
    current = store.find(rt, key[0], name)
    if current is None:
        meta: Obj = {"name": name, "namespace": key[0], "labels": labels}
        if key != _APISERVER:
            meta["annotations"] = {TRIGGER_TIME: now}
        _guarded(lambda: store.create(rt, {"metadata": meta, **body}))
        return
    content = {k: v for k, v in current.items() if k not in ("metadata", "apiVersion", "kind")}
    if content == body and (current["metadata"].get("labels") or {}) == labels:
        return

    def update(obj: Obj) -> None:
        for field in [k for k in obj if k not in ("metadata", "apiVersion", "kind")]:
            del obj[field]
        obj.update(body)
        obj["metadata"]["labels"] = labels
        if key != _APISERVER:
            obj["metadata"].setdefault("annotations", {})[TRIGGER_TIME] = now

    _guarded(lambda: store.mutate(rt, key[0], name, update))


def _guarded(write: Callable[[], Obj]) -> None:
    """Another writer won a race (409) or the object went away (404): the next sync settles it."""
    try:
        write()
    except ApiError as err:
        if err.code not in (404, 409):
            raise


class EndpointsController:
    """Keeps ``Endpoints`` and one ``EndpointSlice`` per Service in step with its pods."""

    def __init__(self, store: StorePort, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._services: dict[Key, Obj] = {}
        self._members: dict[Key, set[Key]] = {}
        """Service key -> pod keys it listed last time (a relabelled pod must leave)."""
        self.queue: WorkQueue[Key] = WorkQueue("endpoints", self._sync, clock)

    def on_service(self, event_type: str, service: Obj) -> None:
        """A Service was added, changed or deleted."""
        key = key_of(service)
        if event_type == "DELETED":
            self._services.pop(key, None)
        else:
            self._services[key] = service
        self.queue.add(key)

    def on_pod(self, pod: Obj) -> None:
        """A pod changed: resync the Services of its namespace that select it or listed it."""
        key = key_of(pod)
        labels = pod.get("metadata", {}).get("labels") or {}
        for service_key, service in self._services.items():
            if service_key[0] != key[0]:
                continue
            selector = service.get("spec", {}).get("selector") or {}
            selected = bool(selector) and all(labels.get(k) == v for k, v in selector.items())
            if selected or key in self._members.get(service_key, ()):
                self.queue.add(service_key)

    def _sync(self, key: Key) -> None:
        service = self._services.get(key)
        if service is None:
            self._members.pop(key, None)
            remove(self._store, key)
            return
        self._members[key] = settle(self._store, service, rfc3339(self._clock.now()))
