"""``top pods|nodes``: the Metrics API's samples (``metrics.k8s.io/v1beta1``), read as kubectl does.

kubectl first checks discovery for the group and says "Metrics API not available" without it;
the bot does the same with its discovery cache. Nodes also need their allocatable (a node list),
for the percentages.
"""

from __future__ import annotations

from typing import Final

from bot.core import kube, top
from bot.core.rbac import reads
from bot.core.results import Document
from bot.core.verbs.top import Top
from bot.errors import NotFound
from bot.gateway.discovery import NODES, well_known
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler
from bot.gateway.namespaces import namespace_of

GROUP: Final = "metrics.k8s.io"
POD_METRICS: Final = well_known(GROUP, "v1beta1", "pods", "PodMetrics", namespaced=True)
NODE_METRICS: Final = well_known(GROUP, "v1beta1", "nodes", "NodeMetrics", namespaced=False)
NO_METRICS: Final = (
    "the cluster has no Metrics API (metrics.k8s.io), so top has nothing to show: "
    "install metrics-server in the cluster"
)


def _require_metrics(call: Call) -> None:
    if not any(r.group == GROUP for r in call.discovery.resources()) and not any(
        r.group == GROUP for r in call.discovery.resources(refresh=True)
    ):
        raise NotFound(NO_METRICS)


def _items(call: Call, cmd: Top, url: str, target: Target) -> list[kube.Obj]:
    if cmd.name is not None:
        return [call.api.get(f"{url}/{cmd.name}", target=target)]
    query = [("labelSelector", cmd.selector)] if cmd.selector else []
    page, _ = call.api.list(
        url, query=query, page_size=call.options.page_size, max_items=call.options.max_rows
    )
    return page.items


def _pods(cmd: Top, call: Call) -> Document:
    namespace = None if cmd.all_namespaces else namespace_of(cmd)
    target = Target("pod metrics", cmd.name, namespace)
    metrics = _items(call, cmd, POD_METRICS.path(namespace), target)
    if not metrics:
        where = " in any namespace" if namespace is None else f" in {namespace} namespace"
        return Document(f"No resources found{where}.\n")
    lines = top.pod_lines(
        metrics, all_namespaces=cmd.all_namespaces, containers=cmd.containers, sort_by=cmd.sort_by
    )
    return Document(top.layout(lines, headers=cmd.headers))


def _nodes(cmd: Top, call: Call) -> Document:
    metrics = _items(call, cmd, NODE_METRICS.path(None), Target("node metrics", cmd.name))
    if cmd.name is not None:
        nodes = [call.api.get(NODES.path(None, cmd.name), target=Target("node", cmd.name))]
    else:
        query = [("labelSelector", cmd.selector)] if cmd.selector else []
        page, _ = call.api.list(NODES.path(None), query=query, page_size=call.options.page_size)
        nodes = page.items
    allocatable = {kube.name_of(n): kube.mapping(n, "status", "allocatable") for n in nodes}
    lines = top.node_lines(metrics, allocatable, sort_by=cmd.sort_by)
    sampled = {kube.name_of(m) for m in metrics}
    lines += top.missing_nodes([name for name in allocatable if name not in sampled])
    return Document(top.layout(lines, headers=cmd.headers))


def _top(cmd: Top, call: Call) -> Document:
    _require_metrics(call)
    return _nodes(cmd, call) if cmd.resource == "nodes" else _pods(cmd, call)


HANDLER: Final = Handler(
    "top",
    Top,
    _top,
    access=(*reads("pods", GROUP), *reads("nodes", GROUP), *reads("nodes")),
)
