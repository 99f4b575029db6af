"""Column definitions of the server-side Tables, per kind (``printers.go`` v1.32).

Names, types and priorities are what kubectl reads (priority > 0 shows only with ``-o wide``);
descriptions are the API's field docs, kept for clients that show them.
"""

from __future__ import annotations

from kubesim.printing.column import AGE_DOC, JSON, NAME, col
from kubesim.printing.core_columns import COLUMNS as CORE_COLUMNS
from kubesim.printing.service_columns import COLUMNS as SERVICE_COLUMNS
from kubesim.printing.storage_columns import COLUMNS as STORAGE_COLUMNS
from kubesim.printing.workload_columns import COLUMNS as WORKLOAD_COLUMNS

_COLUMNS: dict[str, list[JSON]] = {
    **CORE_COLUMNS,
    **WORKLOAD_COLUMNS,
    **SERVICE_COLUMNS,
    **STORAGE_COLUMNS,
}

# LimitRange prints Name and Created At, as the default convertor below does.

# rest.NewDefaultTableConvertor, for kinds without a printer.
_DEFAULT_COLUMNS = [NAME, col("Created At", AGE_DOC, kind="date")]


def column_definitions(kind: str) -> list[JSON]:
    """The ``columnDefinitions`` the server sends for ``kind``."""
    return [dict(c) for c in _COLUMNS.get(kind, _DEFAULT_COLUMNS)]
