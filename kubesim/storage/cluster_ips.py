"""The Service cluster-IP range: which addresses are handed out, so no two Services share one.

The store owns one of these; Service defaulting asks it for a fresh address, and every stored
Service (including ones created with an explicit ``clusterIP``) marks its addresses as used.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from kubesim.api import status

Obj = dict[str, Any]


class ClusterIPs:
    """Allocator over 10.96.0.0/12 (kubeadm's default service subnet)."""

    def __init__(self) -> None:
        self._ips = ipaddress.ip_network("10.96.0.0/12").hosts()
        self._used_ips: set[str] = set()

    def allocate(self) -> str:
        """The next address not in use; a 500 ``ApiError`` when the range is exhausted."""
        for ip in self._ips:
            text = str(ip)
            if text not in self._used_ips:
                self._used_ips.add(text)
                return text
        raise status.ApiError(500, "InternalError", "failed to allocate a serviceIP: range is full")

    def note(self, svc: Obj) -> None:
        """Mark a Service's cluster IPs as used."""
        spec = svc.get("spec") or {}
        for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]:
            if isinstance(ip, str) and ip and ip != "None":
                self._used_ips.add(ip)
