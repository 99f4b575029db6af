"""Server-side printing: ``meta.k8s.io/v1`` Tables as the real apiserver builds them.

``kubectl get`` asks for ``as=Table`` and prints whatever columns the server sends, so the
columns, priorities (``-o wide`` shows priority > 0) and cell values must match
``pkg/printers/internalversion/printers.go`` (v1.32). The server always generates wide cells.
Each family's rows live in a ``*_rows`` module; this assembles them into the Table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kubesim.printing.cells import timestamp
from kubesim.printing.columns import column_definitions
from kubesim.printing.core_rows import ROWS as CORE_ROWS
from kubesim.printing.pod_status import pod_status
from kubesim.printing.rows import JSON, Row, meta
from kubesim.printing.service_rows import ROWS as SERVICE_ROWS
from kubesim.printing.storage_rows import ROWS as STORAGE_ROWS
from kubesim.printing.workload_rows import ROWS as WORKLOAD_ROWS

__all__ = ["column_definitions", "pod_status", "to_table"]

_ROWS: dict[str, Row] = {**CORE_ROWS, **WORKLOAD_ROWS, **SERVICE_ROWS, **STORAGE_ROWS}


def _default_row(obj: JSON, _now: datetime) -> list[Any]:
    created = timestamp(meta(obj).get("creationTimestamp"))
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ") if created else None
    return [meta(obj).get("name", ""), stamp]


_COMPLETED = {
    "Succeeded": [
        {
            "type": "Completed",
            "status": "True",
            "reason": "Succeeded",
            "message": "The pod has completed successfully.",
        }
    ],
    "Failed": [
        {"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}
    ],
}


def to_table(
    kind: str, objects: list[JSON], *, now: datetime, include_object: str = "Metadata"
) -> JSON:
    """A ``meta.k8s.io/v1`` Table of ``objects`` (the caller fills ``metadata``)."""
    row_fn = _ROWS.get(kind, _default_row)
    rows: list[JSON] = []
    for obj in objects:
        row: JSON = {"cells": row_fn(obj, now)}
        if kind == "Pod":
            conditions = _COMPLETED.get((obj.get("status") or {}).get("phase", ""))
            if conditions:
                row["conditions"] = [dict(c) for c in conditions]
        if include_object == "Metadata":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": meta(obj),
            }
        elif include_object == "Object":
            row["object"] = obj
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": column_definitions(kind),
        "rows": rows,
    }
