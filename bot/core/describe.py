"""``kubectl describe`` text for pods, deployments and services, built from raw objects.

Field order, labels and layout follow kubectl's ``pkg/describe/describe.go``; the gateway fetches
the object and its related objects (events, ReplicaSets, Endpoints) and these functions only
format. ``now`` is passed in so ages are deterministic under test.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot.core import kube, tabwriter
from bot.core.ages import age, parse_time, rfc1123z
from bot.core.describe_out import (
    Out,
    annotations_multiline,
    labels_multiline,
    tolerations_multiline,
)
from bot.core.describe_pod_spec import containers, pod_template
from bot.core.describe_volumes import volumes
from bot.core.kube import Obj

_EPOCH = datetime.min.replace(tzinfo=UTC)


def _event_time(event: Obj) -> str:
    return (
        kube.text(event, "lastTimestamp")
        or kube.text(event, "eventTime")
        or kube.text(event, "firstTimestamp")
    )


def events_section(out: Out, events: Sequence[Obj] | None, now: datetime) -> None:
    """``DescribeEvents``: the ``Events:`` table, oldest first, or ``<none>``."""
    if events is None:
        return
    if not events:
        out.write(0, "Events:\t<none>\n")
        return
    out.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    out.write(1, "----\t------\t----\t----\t-------\n")
    ordered = sorted(events, key=lambda e: parse_time(_event_time(e)) or _EPOCH)
    for e in ordered:
        first = age(kube.text(e, "eventTime"), now)
        if not kube.text(e, "eventTime"):
            first = age(kube.text(e, "firstTimestamp"), now)
        if kube.has(e, "series"):
            last = age(kube.text(e, "series", "lastObservedTime"), now)
            interval = f"{last} (x{kube.number(e, 'series', 'count')} over {first})"
        elif kube.number(e, "count") > 1:
            last = age(kube.text(e, "lastTimestamp"), now)
            interval = f"{last} (x{kube.number(e, 'count')} over {first})"
        else:
            interval = first
        source = kube.text(e, "source", "component") or kube.text(e, "reportingComponent")
        message = kube.text(e, "message").strip()  # kubectl 1.32 prints no fieldPath
        out.write(
            1,
            f"{kube.text(e, 'type')}\t{kube.text(e, 'reason')}\t{interval}\t{source}\t{message}\n",
        )


def _finish(out: Out) -> str:
    return tabwriter.align(out.text())


def _controlled_by(obj: Obj) -> str:
    ref = kube.controller_ref(obj)
    return f"{kube.text(ref, 'kind')}/{kube.text(ref, 'name')}" if ref else ""


def qos_class(pod: Obj) -> str:
    """``qos.GetPodQOS``: the status field when set, else computed from requests and limits."""
    if kube.text(pod, "status", "qosClass"):
        return kube.text(pod, "status", "qosClass")
    all_containers = kube.items(pod, "spec", "containers") + kube.items(
        pod, "spec", "initContainers"
    )
    guaranteed, any_set = True, False
    for c in all_containers:
        requests = kube.string_map(c, "resources", "requests")
        limits = kube.string_map(c, "resources", "limits")
        for res in ("cpu", "memory"):
            if res in requests or res in limits:
                any_set = True
            if res not in limits or requests.get(res, limits[res]) != limits[res]:
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def describe_pod(pod: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe pod``."""
    out = Out()
    spec, status, meta = (
        kube.mapping(pod, "spec"),
        kube.mapping(pod, "status"),
        kube.mapping(pod, "metadata"),
    )
    out.write(0, f"Name:\t{kube.text(meta, 'name')}\n")
    out.write(0, f"Namespace:\t{kube.text(meta, 'namespace')}\n")
    if kube.has(spec, "priority"):
        out.write(0, f"Priority:\t{kube.number(spec, 'priority')}\n")
    if kube.text(spec, "priorityClassName"):
        out.write(0, f"Priority Class Name:\t{kube.text(spec, 'priorityClassName')}\n")
    if kube.text(spec, "runtimeClassName"):
        out.write(0, f"Runtime Class Name:\t{kube.text(spec, 'runtimeClassName')}\n")
    if kube.text(spec, "serviceAccountName"):
        out.write(0, f"Service Account:\t{kube.text(spec, 'serviceAccountName')}\n")
    node = kube.text(spec, "nodeName")
    out.write(0, f"Node:\t{node}/{kube.text(status, 'hostIP')}\n" if node else "Node:\t<none>\n")
    if kube.has(status, "startTime"):
        out.write(0, f"Start Time:\t{rfc1123z(kube.text(status, 'startTime'))}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    phase = kube.text(status, "phase")
    if kube.has(meta, "deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        out.write(
            0, f"Status:\tTerminating (lasts {age(kube.text(meta, 'deletionTimestamp'), now)})\n"
        )
        out.write(
            0, f"Termination Grace Period:\t{kube.number(meta, 'deletionGracePeriodSeconds')}s\n"
        )
    else:
        out.write(0, f"Status:\t{phase}\n")
    if kube.text(status, "reason"):
        out.write(0, f"Reason:\t{kube.text(status, 'reason')}\n")
    if kube.text(status, "message"):
        out.write(0, f"Message:\t{kube.text(status, 'message')}\n")
    seccomp = kube.text(spec, "securityContext", "seccompProfile", "type")
    if seccomp:
        out.write(0, f"SeccompProfile:\t{seccomp}\n")
    out.write(0, f"IP:\t{kube.text(status, 'podIP')}\n")
    pod_ips = kube.items(status, "podIPs")
    if not pod_ips:
        out.write(0, "IPs:\t<none>\n")
    else:
        out.write(0, "IPs:\n")
        for ip in pod_ips:
            out.write(1, f"IP:\t{kube.text(ip, 'ip')}\n")
    if _controlled_by(pod):
        out.write(0, f"Controlled By:\t{_controlled_by(pod)}\n")
    if kube.text(status, "nominatedNodeName"):
        out.write(0, f"NominatedNodeName:\t{kube.text(status, 'nominatedNodeName')}\n")
    if kube.items(spec, "initContainers"):
        containers(
            out,
            "Init Containers",
            kube.items(spec, "initContainers"),
            statuses=kube.items(status, "initContainerStatuses"),
            pod=pod,
            space="",
        )
    containers(
        out,
        "Containers",
        kube.items(spec, "containers"),
        statuses=kube.items(status, "containerStatuses"),
        pod=pod,
        space="",
    )
    conditions = kube.items(status, "conditions")
    if conditions:
        out.write(0, "Conditions:\n  Type\tStatus\n")
        for c in conditions:
            out.write(1, f"{kube.text(c, 'type')} \t{kube.text(c, 'status')} \n")
    volumes(out, kube.items(spec, "volumes"), "")
    out.write(0, f"QoS Class:\t{qos_class(pod)}\n")
    labels_multiline(out, "Node-Selectors", kube.string_map(spec, "nodeSelector"))
    tolerations_multiline(out, "Tolerations", kube.items(spec, "tolerations"))
    events_section(out, events, now)
    return _finish(out)


def _replica_sets(sets: Sequence[Obj]) -> str:
    listed = [
        f"{kube.name_of(rs)} ({kube.number(rs, 'status', 'replicas')}/"
        f"{kube.number(rs, 'spec', 'replicas')} replicas created)"
        for rs in sets
    ]
    return ", ".join(listed) or "<none>"


def describe_deployment(
    deployment: Obj,
    *,
    old: Sequence[Obj],
    new: Obj | None,
    events: Sequence[Obj] | None,
    now: datetime,
) -> str:
    """``kubectl describe deployment`` (``old``/``new`` ReplicaSets as kubectl finds them)."""
    out = Out()
    meta, spec, status = (kube.mapping(deployment, k) for k in ("metadata", "spec", "status"))
    out.write(0, f"Name:\t{kube.text(meta, 'name')}\n")
    out.write(0, f"Namespace:\t{kube.text(meta, 'namespace')}\n")
    out.write(0, f"CreationTimestamp:\t{rfc1123z(kube.text(meta, 'creationTimestamp'))}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    out.write(0, f"Selector:\t{kube.selector_string(kube.mapping(spec, 'selector'))}\n")
    out.write(
        0,
        f"Replicas:\t{kube.number(spec, 'replicas')} desired | "
        f"{kube.number(status, 'updatedReplicas')} updated | "
        f"{kube.number(status, 'replicas')} total | "
        f"{kube.number(status, 'availableReplicas')} available | "
        f"{kube.number(status, 'unavailableReplicas')} unavailable\n",
    )
    out.write(0, f"StrategyType:\t{kube.text(spec, 'strategy', 'type')}\n")
    out.write(0, f"MinReadySeconds:\t{kube.number(spec, 'minReadySeconds')}\n")
    rolling = kube.mapping(spec, "strategy", "rollingUpdate")
    if kube.has(spec, "strategy", "rollingUpdate"):
        out.write(
            0,
            f"RollingUpdateStrategy:\t{kube.text(rolling, 'maxUnavailable')} max unavailable, "
            f"{kube.text(rolling, 'maxSurge')} max surge\n",
        )
    pod_template(out, kube.mapping(spec, "template"))
    conditions = kube.items(status, "conditions")
    if conditions:
        out.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        out.write(1, "----\t------\t------\n")
        for c in conditions:
            out.write(
                1, f"{kube.text(c, 'type')} \t{kube.text(c, 'status')}\t{kube.text(c, 'reason')}\n"
            )
    if old or new is not None:
        out.write(0, f"OldReplicaSets:\t{_replica_sets(old)}\n")
        out.write(0, f"NewReplicaSet:\t{_replica_sets([new] if new is not None else [])}\n")
    events_section(out, events, now)
    return _finish(out)


def describe_template(template: Obj) -> str:
    """The pod template alone, as ``rollout history --revision=N`` prints it: kubectl writes it
    without a tabwriter, so its cells stay separated by raw tabs."""
    out = Out()
    pod_template(out, template)
    return out.text()


def format_endpoints(endpoints: Obj | None, port_name: str) -> str:
    """printers' ``formatEndpoints`` for one service port: ``ip:port`` x3, then ``+ N more...``."""
    subsets = kube.items(endpoints, "subsets")
    if not subsets:
        return "<none>"
    listed: list[str] = []
    count = 0
    for subset in subsets:
        addresses = [kube.text(a, "ip") for a in kube.items(subset, "addresses")]
        ports = kube.items(subset, "ports")
        if not ports:
            targets = addresses
        else:
            targets = [
                f"[{ip}]:{kube.number(p, 'port')}"
                if ":" in ip
                else f"{ip}:{kube.number(p, 'port')}"
                for p in ports
                if kube.text(p, "name") == port_name
                for ip in addresses
            ]
        for target in targets:
            if len(listed) < 3:
                listed.append(target)
            count += 1
    text = ",".join(listed)
    return f"{text} + {count - 3} more..." if count > 3 else text


def describe_service(
    service: Obj, endpoints: Obj | None, events: Sequence[Obj] | None, now: datetime
) -> str:
    """``kubectl describe service`` (v1.32: endpoints from the Endpoints object)."""
    out = Out()
    meta, spec = kube.mapping(service, "metadata"), kube.mapping(service, "spec")
    out.write(0, f"Name:\t{kube.text(meta, 'name')}\n")
    out.write(0, f"Namespace:\t{kube.text(meta, 'namespace')}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    out.write(0, f"Selector:\t{kube.format_labels(kube.string_map(spec, 'selector'))}\n")
    out.write(0, f"Type:\t{kube.text(spec, 'type')}\n")
    if kube.text(spec, "ipFamilyPolicy"):
        out.write(0, f"IP Family Policy:\t{kube.text(spec, 'ipFamilyPolicy')}\n")
    families = kube.strings(spec, "ipFamilies")
    out.write(0, f"IP Families:\t{','.join(families) or '<none>'}\n")
    out.write(0, f"IP:\t{kube.text(spec, 'clusterIP')}\n")
    out.write(0, f"IPs:\t{','.join(kube.strings(spec, 'clusterIPs')) or '<none>'}\n")
    if kube.strings(spec, "externalIPs"):
        out.write(0, f"External IPs:\t{','.join(kube.strings(spec, 'externalIPs'))}\n")
    if kube.text(spec, "loadBalancerIP"):
        out.write(0, f"Desired LoadBalancer IP:\t{kube.text(spec, 'loadBalancerIP')}\n")
    if kube.text(spec, "externalName"):
        out.write(0, f"External Name:\t{kube.text(spec, 'externalName')}\n")
    ingress = kube.items(service, "status", "loadBalancer", "ingress")
    if ingress:
        hosts = [kube.text(i, "ip") or kube.text(i, "hostname") for i in ingress]
        out.write(0, f"LoadBalancer Ingress:\t{', '.join(hosts)}\n")
    for port in kube.items(spec, "ports"):
        name = kube.text(port, "name") or "<unset>"
        proto = kube.text(port, "protocol")
        out.write(0, f"Port:\t{name}\t{kube.number(port, 'port')}/{proto}\n")
        out.write(0, f"TargetPort:\t{kube.text(port, 'targetPort')}/{proto}\n")
        if kube.text(port, "appProtocol"):
            out.write(0, f"AppProtocol:\t{kube.text(port, 'appProtocol')}\n")
        if kube.number(port, "nodePort"):
            out.write(0, f"NodePort:\t{name}\t{kube.number(port, 'nodePort')}/{proto}\n")
        out.write(0, f"Endpoints:\t{format_endpoints(endpoints, kube.text(port, 'name'))}\n")
    out.write(0, f"Session Affinity:\t{kube.text(spec, 'sessionAffinity')}\n")
    if kube.text(spec, "externalTrafficPolicy"):
        out.write(0, f"External Traffic Policy:\t{kube.text(spec, 'externalTrafficPolicy')}\n")
    if kube.text(spec, "internalTrafficPolicy"):
        out.write(0, f"Internal Traffic Policy:\t{kube.text(spec, 'internalTrafficPolicy')}\n")
    if kube.number(spec, "healthCheckNodePort"):
        out.write(0, f"HealthCheck NodePort:\t{kube.number(spec, 'healthCheckNodePort')}\n")
    if kube.strings(spec, "loadBalancerSourceRanges"):
        ranges = ",".join(kube.strings(spec, "loadBalancerSourceRanges"))
        out.write(0, f"LoadBalancer Source Ranges:\t{ranges}\n")
    if kube.text(spec, "trafficDistribution"):
        out.write(0, f"Traffic Distribution:\t{kube.text(spec, 'trafficDistribution')}\n")
    events_section(out, events, now)
    return _finish(out)
