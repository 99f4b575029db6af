"""The preconditions a DELETE may carry (uid, resourceVersion), checked as the registry does."""

from __future__ import annotations

from typing import Any

from kubesim.api import status
from kubesim.api.resource_type import ResourceType
from kubesim.storage.etcd import Obj


def check_preconditions(
    rt: ResourceType, existing: Obj, preconditions: dict[str, Any] | None
) -> None:
    """409 Conflict unless ``existing`` has the uid and resourceVersion a DELETE names."""
    if not preconditions:
        return
    meta, name = existing["metadata"], existing["metadata"]["name"]
    uid, rv = preconditions.get("uid"), preconditions.get("resourceVersion")
    details = {"name": name, "group": rt.group, "kind": rt.plural}
    if uid and uid != meta["uid"]:
        raise status.ApiError(
            409,
            "Conflict",
            f"Precondition failed: UID in precondition: {uid}, UID in object meta: {meta['uid']}",
            details=details,
        )
    if rv and str(rv) != meta["resourceVersion"]:
        raise status.ApiError(
            409,
            "Conflict",
            "Precondition failed: ResourceVersion in precondition: "
            f"{rv}, ResourceVersion in object meta: {meta['resourceVersion']}",
            details=details,
        )
