"""The pod-spec parts of ``kubectl describe``: containers, volumes, tolerations, pod templates.

Shared by the pod, deployment and ``rollout history --revision`` output. Written as kubectl's
``PrefixWriter`` calls (two spaces per level, tab-separated cells) so that Go's tabwriter layout,
applied once at the end, aligns the text exactly like kubectl.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from bot.core import kube, quantity
from bot.core.ages import rfc1123z
from bot.core.describe_out import (
    Out,
    annotations_multiline,
    labels_multiline,
    tolerations_multiline,
)
from bot.core.describe_volumes import volumes
from bot.core.kube import Obj


def _ports(ports: list[Obj], field: str) -> str:
    """``describeContainerPorts``: ``5432/TCP``; kubectl 1.32 leaves the port's name out."""
    return ", ".join(f"{kube.number(port, field)}/{kube.text(port, 'protocol')}" for port in ports)


def _resource_value(container: Obj, selector: Obj) -> str:
    """``ExtractContainerResourceValue``: the container's own limit or request over the
    divisor (1 when unset), rounded up, as a plain integer; "" for a resource it cannot read."""
    kind, _, name = kube.text(selector, "resource").partition(".")
    if kind not in ("limits", "requests") or not (
        name in ("cpu", "memory", "ephemeral-storage") or name.startswith("hugepages-")
    ):
        return ""
    amount = quantity.parse(kube.text(container, "resources", kind, name, default="0"))
    divisor = quantity.parse(kube.text(selector, "divisor", default="0"))
    if divisor.value == 0:
        divisor = quantity.parse("1")
    if name == "cpu":
        part, whole = amount.milli_value(), divisor.milli_value()
    else:
        part, whole = amount.int_value(), divisor.int_value()
    return str(-(-part // whole))


def _state(out: Out, title: str, state: Obj) -> None:
    if "running" in state:
        out.write(2, f"{title}:\tRunning\n")
        out.write(3, f"Started:\t{rfc1123z(kube.text(state, 'running', 'startedAt'))}\n")
    elif "terminated" in state:
        term = kube.mapping(state, "terminated")
        out.write(2, f"{title}:\tTerminated\n")
        if kube.text(term, "reason"):
            out.write(3, f"Reason:\t{kube.text(term, 'reason')}\n")
        if kube.text(term, "message"):
            out.write(3, f"Message:\t{kube.text(term, 'message')}\n")
        out.write(3, f"Exit Code:\t{kube.number(term, 'exitCode')}\n")
        if kube.number(term, "signal") > 0:
            out.write(3, f"Signal:\t{kube.number(term, 'signal')}\n")
        out.write(3, f"Started:\t{rfc1123z(kube.text(term, 'startedAt'))}\n")
        out.write(3, f"Finished:\t{rfc1123z(kube.text(term, 'finishedAt'))}\n")
    else:
        out.write(2, f"{title}:\tWaiting\n")
        if kube.text(state, "waiting", "reason"):
            out.write(3, f"Reason:\t{kube.text(state, 'waiting', 'reason')}\n")


def _url(scheme: str, host: str, path: str) -> str:
    """Go's ``url.URL{Scheme, Host, Path}.String()``: host and path percent-escaped as
    ``net/url`` escapes them (a space is ``%20``), a path without its leading slash given one."""
    text = f"{scheme}:" if scheme else ""
    if (scheme or host) and (host or path):
        text += "//" + quote(host, safe="!$&'()*+,;=:[]<>\"")
    escaped = path if path == "*" else quote(path, safe="$&+,/:;=@")
    if escaped and not escaped.startswith("/") and host:
        escaped = "/" + escaped
    return text + escaped


def describe_probe(probe: Obj) -> str:
    """``DescribeProbe``: ``http-get http://:8080/healthz delay=0s timeout=1s ...``."""
    attrs = (
        f"delay={kube.number(probe, 'initialDelaySeconds')}s "
        f"timeout={kube.number(probe, 'timeoutSeconds')}s "
        f"period={kube.number(probe, 'periodSeconds')}s "
        f"#success={kube.number(probe, 'successThreshold')} "
        f"#failure={kube.number(probe, 'failureThreshold')}"
    )
    if "exec" in probe:
        return f"exec [{' '.join(kube.strings(probe, 'exec', 'command'))}] {attrs}"
    if "httpGet" in probe:
        get = kube.mapping(probe, "httpGet")
        scheme = kube.text(get, "scheme").lower()
        host, port = kube.text(get, "host"), kube.text(get, "port")
        hostport = (f"[{host}]:{port}" if ":" in host else f"{host}:{port}") if port else host
        return f"http-get {_url(scheme, hostport, kube.text(get, 'path'))} {attrs}"
    if "tcpSocket" in probe:
        sock = kube.mapping(probe, "tcpSocket")
        return f"tcp-socket {kube.text(sock, 'host')}:{kube.text(sock, 'port')} {attrs}"
    if "grpc" in probe:
        grpc = kube.mapping(probe, "grpc")
        return f"grpc <pod>:{kube.number(grpc, 'port')} {kube.text(grpc, 'service')} {attrs}"
    return f"unknown {attrs}"


def _field_value(pod: Obj | None, path: str) -> str:
    """The value kubectl resolves for an env ``fieldRef`` (empty for templates)."""
    if pod is None:
        return ""
    for prefix, field in (
        ("metadata.labels['", "labels"),
        ("metadata.annotations['", "annotations"),
    ):
        if path.startswith(prefix) and path.endswith("']"):
            return kube.string_map(pod, "metadata", field).get(path[len(prefix) : -2], "")
    return kube.text(pod, *path.split("."))


def _env(out: Out, container: Obj, pod: Obj | None) -> None:
    if kube.items(container, "envFrom"):
        out.write(2, "Environment Variables from:\n")
        for source in kube.items(container, "envFrom"):
            kind, ref = (
                ("ConfigMap", "configMapRef")
                if "configMapRef" in source
                else ("Secret", "secretRef")
            )
            name = kube.text(source, ref, "name")
            optional = "true" if kube.flag(source, ref, "optional") else "false"
            prefix = kube.text(source, "prefix")
            what = f"{kind} with prefix '{prefix}'" if prefix else kind
            out.write(3, f"{name}\t{what}\tOptional: {optional}\n")
    env = kube.items(container, "env")
    out.write(2, "Environment:\t<none>\n" if not env else "Environment:\n")
    for var in env:
        name = kube.text(var, "name")
        source = kube.mapping(var, "valueFrom")
        if not source:
            for i, part in enumerate(kube.text(var, "value").split("\n")):
                out.write(3, f"{name}:\t{part}\n" if i == 0 else f"\t{part}\n")
        elif "fieldRef" in source:
            path = kube.text(source, "fieldRef", "fieldPath")
            version = kube.text(source, "fieldRef", "apiVersion")
            out.write(3, f"{name}:\t{_field_value(pod, path)} ({version}:{path})\n")
        elif "resourceFieldRef" in source:
            resource = kube.text(source, "resourceFieldRef", "resource")
            value = _resource_value(container, kube.mapping(source, "resourceFieldRef"))
            if value == "0" and resource in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            out.write(3, f"{name}:\t{value} ({resource})\n")
        elif "secretKeyRef" in source or "configMapKeyRef" in source:
            secret = "secretKeyRef" in source
            key_ref = kube.mapping(source, "secretKeyRef" if secret else "configMapKeyRef")
            optional = "true" if kube.flag(key_ref, "optional") else "false"
            where = "in secret" if secret else "of config map"
            out.write(
                3,
                f"{name}:\t<set to the key '{kube.text(key_ref, 'key')}' {where} "
                f"'{kube.text(key_ref, 'name')}'>\tOptional: {optional}\n",
            )


def containers(
    out: Out, label: str, specs: list[Obj], *, statuses: list[Obj], pod: Obj | None, space: str
) -> None:
    """``describeContainers``: one block per container, with status when the pod has one."""
    by_name = {kube.text(s, "name"): s for s in statuses}
    out.write(0, f"{space}{label}:{'' if specs else ' <none>'}\n")
    for c in specs:
        status = by_name.get(kube.text(c, "name"))
        out.write(1, f"{' ' if space else ''}{kube.text(c, 'name')}:\n")
        if status is not None:
            out.write(2, f"Container ID:\t{kube.text(status, 'containerID')}\n")
        out.write(2, f"Image:\t{kube.text(c, 'image')}\n")
        if status is not None:
            out.write(2, f"Image ID:\t{kube.text(status, 'imageID')}\n")
        ports = kube.items(c, "ports")
        port_text, host_text = _ports(ports, "containerPort"), _ports(ports, "hostPort")
        out.write(
            2, f"Ports:\t{port_text}\n" if "," in port_text else f"Port:\t{port_text or '<none>'}\n"
        )
        out.write(
            2,
            f"Host Ports:\t{host_text}\n"
            if "," in host_text
            else f"Host Port:\t{host_text or '<none>'}\n",
        )
        for title, field in (("Command", "command"), ("Args", "args")):
            if kube.strings(c, field):
                out.write(2, f"{title}:\n")
                for arg in kube.strings(c, field):
                    for part in arg.split("\n"):
                        out.write(3, f"{part}\n")
        if status is not None:
            _state(out, "State", kube.mapping(status, "state"))
            if kube.has(status, "lastState", "terminated"):
                _state(out, "Last State", kube.mapping(status, "lastState"))
            out.write(2, f"Ready:\t{'True' if kube.flag(status, 'ready') else 'False'}\n")
            out.write(2, f"Restart Count:\t{kube.number(status, 'restartCount')}\n")
        for title, field in (("Limits", "limits"), ("Requests", "requests")):
            amounts = kube.string_map(c, "resources", field)
            if amounts:
                out.write(2, f"{title}:\n")
                for name in sorted(amounts):
                    out.write(3, f"{name}:\t{amounts[name]}\n")
        for title, field in (
            ("Liveness", "livenessProbe"),
            ("Readiness", "readinessProbe"),
            ("Startup", "startupProbe"),
        ):
            if kube.has(c, field):
                out.write(2, f"{title}:\t{describe_probe(kube.mapping(c, field))}\n")
        _env(out, c, pod)
        mounts = sorted(kube.items(c, "volumeMounts"), key=lambda m: kube.text(m, "mountPath"))
        out.write(2, "Mounts:\t<none>\n" if not mounts else "Mounts:\n")
        for m in mounts:
            flags = ["ro" if kube.flag(m, "readOnly") else "rw"]
            if kube.text(m, "subPath"):
                flags.append(f"path={json.dumps(kube.text(m, 'subPath'))}")
            out.write(
                3, f"{kube.text(m, 'mountPath')} from {kube.text(m, 'name')} ({','.join(flags)})\n"
            )


def pod_template(out: Out, template: Obj) -> None:
    """``DescribePodTemplate``: the ``Pod Template:`` block of deployments and history."""
    out.write(0, "Pod Template:\n")
    labels_multiline(out, "  Labels", kube.string_map(template, "metadata", "labels"))
    annotations = kube.string_map(template, "metadata", "annotations")
    if annotations:
        annotations_multiline(out, "  Annotations", annotations)
    spec = kube.mapping(template, "spec")
    if kube.text(spec, "serviceAccountName"):
        out.write(1, f"Service Account:\t{kube.text(spec, 'serviceAccountName')}\n")
    if kube.items(spec, "initContainers"):
        containers(
            out,
            "Init Containers",
            kube.items(spec, "initContainers"),
            statuses=[],
            pod=None,
            space="  ",
        )
    containers(out, "Containers", kube.items(spec, "containers"), statuses=[], pod=None, space="  ")
    volumes(out, kube.items(spec, "volumes"), "  ")
    if kube.text(spec, "priorityClassName"):
        out.write(1, f"Priority Class Name:\t{kube.text(spec, 'priorityClassName')}\n")
    labels_multiline(out, "  Node-Selectors", kube.string_map(spec, "nodeSelector"))
    tolerations_multiline(out, "  Tolerations", kube.items(spec, "tolerations"))
