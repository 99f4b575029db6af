"""``kubectl top``'s table from Metrics API objects (``PodMetrics``, ``NodeMetrics``).

Reproduced from kubectl's ``metricsutil.TopCmdPrinter``: CPU in whole millicores rounded up
(``MilliValue``), memory in whole MiB rounded down, a node's share of its allocatable as a
truncated percentage, highest first with ``--sort-by``, and kubectl's layout, whose every cell
(the last too) ends in a tab, so each line keeps its trailing padding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from bot.core import kube, tabwriter
from bot.core.kube import Obj
from bot.core.quantity import ZERO, Quantity, parse
from bot.core.render_text import MIN_WIDTH, PADDING

MIB: Final = 1024 * 1024
UNKNOWN: Final = "<unknown>"


@dataclass(frozen=True, slots=True)
class Usage:
    """CPU and memory of one pod, container or node."""

    cpu: Quantity = ZERO
    memory: Quantity = ZERO

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.cpu + other.cpu, self.memory + other.memory)

    @property
    def cpu_cell(self) -> str:
        return f"{self.cpu.milli_value()}m"

    @property
    def memory_cell(self) -> str:
        return f"{self.memory.int_value() // MIB}Mi"


def usage_of(obj: Obj) -> Usage:
    """A ``usage`` map (``{"cpu": "1234n", "memory": "5Ki"}``)."""
    usage = kube.mapping(obj, "usage")
    return Usage(parse(usage.get("cpu", "0")), parse(usage.get("memory", "0")))


def pod_usage(metrics: Obj) -> Usage:
    """The sum of the pod's containers."""
    total = Usage()
    for container in kube.items(metrics, "containers"):
        total += usage_of(container)
    return total


def _sorted(items: Sequence[tuple[Obj, Usage]], sort_by: str | None) -> list[tuple[Obj, Usage]]:
    """Highest first by millicores or bytes, as kubectl compares them. Equal values keep the
    API's order, as Go's ``sort.Sort`` does for up to 12 rows; past that its unstable sort may
    order equal values otherwise."""
    if sort_by == "cpu":
        return sorted(items, key=lambda item: -item[1].cpu.milli_value())
    if sort_by == "memory":
        return sorted(items, key=lambda item: -item[1].memory.int_value())
    return list(items)


def pod_lines(
    metrics: Sequence[Obj],
    *,
    all_namespaces: bool,
    containers: bool,
    sort_by: str | None,
) -> list[tuple[str, ...]]:
    """Header and rows of ``kubectl top pod``."""
    header = ("POD", "NAME") if containers else ("NAME",)
    lines: list[tuple[str, ...]] = [
        (*(("NAMESPACE",) if all_namespaces else ()), *header, "CPU(cores)", "MEMORY(bytes)")
    ]
    for pod, usage in _sorted([(m, pod_usage(m)) for m in metrics], sort_by):
        first = (kube.text(pod, "metadata", "namespace"),) if all_namespaces else ()
        name = kube.name_of(pod)
        if not containers:
            lines.append((*first, name, usage.cpu_cell, usage.memory_cell))
            continue
        for container in kube.items(pod, "containers"):
            used = usage_of(container)
            lines.append(
                (*first, name, kube.text(container, "name"), used.cpu_cell, used.memory_cell)
            )
    return lines


def node_lines(
    metrics: Sequence[Obj], allocatable: Mapping[str, Obj], *, sort_by: str | None
) -> list[tuple[str, ...]]:
    """Header and rows of ``kubectl top node``; ``allocatable`` maps node names to theirs."""
    lines: list[tuple[str, ...]] = [("NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)")]
    for node, usage in _sorted([(m, usage_of(m)) for m in metrics], sort_by):
        name = kube.name_of(node)
        room = allocatable.get(name, {})
        cpu_room = parse(room.get("cpu", "0")).milli_value()
        memory_room = parse(room.get("memory", "0")).int_value()
        cpu_share = int(usage.cpu.milli_value() / cpu_room * 100) if cpu_room else 0
        memory_share = int(usage.memory.int_value() / memory_room * 100) if memory_room else 0
        lines.append((name, usage.cpu_cell, f"{cpu_share}%", usage.memory_cell, f"{memory_share}%"))
    return lines


def missing_nodes(names: Sequence[str]) -> list[tuple[str, ...]]:
    """Rows of nodes the Metrics API has no sample of: kubectl prints them as unknown."""
    return [(name, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN) for name in names]


def layout(lines: Sequence[tuple[str, ...]], *, headers: bool = True) -> str:
    """kubectl top's text: tab-terminated cells through kubectl's tabwriter."""
    shown = lines if headers else lines[1:]
    text = "".join("".join(f"{cell}\t" for cell in line) + "\n" for line in shown)
    return tabwriter.align(text, minwidth=MIN_WIDTH, padding=PADDING)
