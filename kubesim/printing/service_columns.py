"""Table columns of Services, Endpoints and EndpointSlices (``printers.go`` v1.32)."""

from __future__ import annotations

from kubesim.printing.column import AGE, JSON, NAME, col, selector_col

COLUMNS: dict[str, list[JSON]] = {
    "Service": [
        NAME,
        col("Type", "type determines how the Service is exposed."),
        col(
            "Cluster-IP",
            "clusterIP is the IP address of the service and is usually assigned randomly.",
        ),
        col(
            "External-IP",
            "externalIPs is a list of IP addresses for which nodes in the cluster "
            "will also accept traffic for this service.",
        ),
        col("Port(s)", "The list of ports that are exposed by this service."),
        AGE,
        selector_col(
            "Route service traffic to pods with label keys and values matching this selector."
        ),
    ],
    "Endpoints": [
        NAME,
        col("Endpoints", "The set of all endpoints is the union of all subsets."),
        AGE,
    ],
    "EndpointSlice": [
        NAME,
        col("AddressType", "addressType specifies the type of address carried by this slice."),
        col("Ports", "ports specifies the list of network ports exposed by each endpoint."),
        col("Endpoints", "endpoints is a list of unique endpoints in this slice."),
        AGE,
    ],
}
