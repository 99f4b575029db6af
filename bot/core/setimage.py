"""The strategic-merge patch ``kubectl set image`` sends, computed from the Deployment as read.

kubectl sets the image on every matching container and init container (``*`` matches all), then
sends ``CreateTwoWayMergePatch(before, after)``: only the changed containers, keyed by name, with
``$setElementOrder`` listing the order. The bot adds ``kubernetes.io/change-cause`` to the same
patch so that ``rollout history`` names who changed what. No change means no patch at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core import kube
from bot.core.kube import Obj
from bot.core.rollout import CHANGE_CAUSE
from bot.errors import UsageError

_LISTS = ("containers", "initContainers")
"""Pod spec lists kubectl updates, in the order their keys sort in the JSON patch."""


def image_patch(deployment: Obj, images: Sequence[tuple[str, str]], *, change_cause: str) -> Obj:
    """The patch body for ``set image``, or ``{}`` when every image is already set.

    Raises ``UsageError`` naming the real containers when a container name matches none.
    """
    pod_spec = kube.mapping(deployment, "spec", "template", "spec")
    lists = {field: kube.items(pod_spec, field) for field in _LISTS}
    known = [kube.text(c, "name") for field in _LISTS for c in lists[field]]
    for container, _ in images:
        if container != "*" and container not in known:
            raise UsageError(
                f'unable to find container named "{container}"; containers are: {", ".join(known)}'
            )
    spec_patch: Obj = {}
    changed_lists: dict[str, list[Obj]] = {}
    for field in _LISTS:
        changed: list[Obj] = []
        for c in lists[field]:
            name = kube.text(c, "name")
            image = kube.text(c, "image")
            for container, wanted in images:
                if container in ("*", name):
                    image = wanted
            if image != kube.text(c, "image"):
                changed.append({"image": image, "name": name})
        if changed:
            changed_lists[field] = changed
    if not changed_lists:
        return {}
    for field in changed_lists:
        spec_patch[f"$setElementOrder/{field}"] = [
            {"name": kube.text(c, "name")} for c in lists[field]
        ]
    spec_patch.update(changed_lists)
    patch: Obj = {}
    annotations = kube.string_map(deployment, "metadata", "annotations")
    if annotations.get(CHANGE_CAUSE) != change_cause:
        patch["metadata"] = {"annotations": {CHANGE_CAUSE: change_cause}}
    patch["spec"] = {"template": {"spec": spec_patch}}
    return patch
