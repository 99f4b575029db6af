"""``kubectl describe ingress`` (v1.32): rules with each backend's endpoints, TLS, annotations.

A backend Service's endpoints come from its Endpoints object, for the Service port the backend
names (by number or by name), as ``describe service`` prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.core import kube, tabwriter
from bot.core.describe import events_section
from bot.core.describe_out import Out, annotations_multiline, labels_multiline
from bot.core.kube import Obj

BackendText = Callable[[Obj], str]
"""Prints one ``IngressBackend`` (the gateway reads the Service and its Endpoints for it)."""


def service_backend(backend: Obj) -> str:
    """``serviceBackendStringer``: ``name:port`` (the number, else the port's name)."""
    service = kube.mapping(backend, "service")
    number = kube.number(service, "port", "number")
    port = str(number) if number else kube.text(service, "port", "name")
    return f"{kube.text(service, 'name')}:{port}"


def resource_backend(backend: Obj) -> str:
    """A ``resource`` backend: ``APIGroup: G, Kind: K, Name: N``."""
    ref = kube.mapping(backend, "resource")
    group = kube.text(ref, "apiGroup") if kube.has(ref, "apiGroup") else "<none>"
    return f"APIGroup: {group}, Kind: {kube.text(ref, 'kind')}, Name: {kube.text(ref, 'name')}"


def load_balancer(ingress: Obj) -> str:
    """``ingressLoadBalancerStatusStringerV1`` (wide): IPs or hostnames, comma-joined."""
    found = [
        kube.text(i, "ip") or kube.text(i, "hostname")
        for i in kube.items(ingress, "status", "loadBalancer", "ingress")
    ]
    return ",".join(x for x in found if x)


def describe_ingress(
    ingress: Obj, *, backend: BackendText, events: Sequence[Obj] | None, now: datetime
) -> str:
    """``kubectl describe ingress``."""
    out = Out()
    meta, spec = kube.mapping(ingress, "metadata"), kube.mapping(ingress, "spec")
    out.write(0, f"Name:\t{kube.text(meta, 'name')}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    out.write(0, f"Namespace:\t{kube.text(meta, 'namespace')}\n")
    out.write(0, f"Address:\t{load_balancer(ingress)}\n")
    out.write(0, f"Ingress Class:\t{kube.text(spec, 'ingressClassName') or '<none>'}\n")
    default = "<default>"
    if kube.has(spec, "defaultBackend"):
        default = backend(kube.mapping(spec, "defaultBackend"))
    out.write(0, f"Default backend:\t{default}\n")
    tls = kube.items(spec, "tls")
    if tls:
        out.write(0, "TLS:\n")
        for t in tls:
            hosts = ",".join(kube.strings(t, "hosts"))
            if kube.text(t, "secretName"):
                out.write(1, f"{kube.text(t, 'secretName')} terminates {hosts}\n")
            else:
                out.write(1, f"SNI routes {hosts}\n")
    out.write(0, "Rules:\n  Host\tPath\tBackends\n")
    out.write(1, "----\t----\t--------\n")
    count = 0
    for rule in kube.items(spec, "rules"):
        if not kube.has(rule, "http"):
            continue
        count += 1
        out.write(1, f"{kube.text(rule, 'host') or '*'}\t\n")
        for path in kube.items(rule, "http", "paths"):
            shown = backend(kube.mapping(path, "backend"))
            out.write(2, f"\t{kube.text(path, 'path')} \t{shown}\n")
    if count == 0:
        out.write(1, f"*\t*\t{default}\n")
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))
    events_section(out, events, now)
    return tabwriter.align(out.text())
