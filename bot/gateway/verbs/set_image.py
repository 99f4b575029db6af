"""``set image deployment/NAME CONTAINER=IMAGE ...``: read, compute kubectl's patch, send it.

The patch (``bot.core.setimage``) carries only the changed containers plus the bot's
``kubernetes.io/change-cause``, as a strategic merge patch with ``fieldManager=kubectl-set``
like kubectl's; when every image is already set nothing is sent.
"""

from __future__ import annotations

from typing import Final

from bot.core.rbac import Access
from bot.core.results import Change
from bot.core.setimage import image_patch
from bot.core.verbs.set_image import SetImage
from bot.gateway.api import STRATEGIC_MERGE_PATCH, Api
from bot.gateway.discovery import DEPLOYMENTS
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler, deployments_only
from bot.gateway.namespaces import namespace_of


def set_image(api: Api, cmd: SetImage, *, change_cause: str) -> Change:
    """Update the images and return kubectl's ``image updated`` line."""
    namespace = namespace_of(cmd)
    url = DEPLOYMENTS.path(namespace, cmd.name)
    target = Target("deployment", cmd.name, namespace)
    deployment = api.get(url, target=target)
    patch = image_patch(deployment, cmd.images, change_cause=change_cause)
    if not patch:
        return Change(
            f"deployment.apps/{cmd.name} unchanged",
            notes=("the image is already up to date; nothing was sent",),
            changed=False,
        )
    api.json(
        "PATCH",
        url,
        query=[("fieldManager", "kubectl-set")],
        body=patch,
        content_type=STRATEGIC_MERGE_PATCH,
        target=target,
    )
    return Change(f"deployment.apps/{cmd.name} image updated")


def _set_image(cmd: SetImage, call: Call) -> Change:
    deployments_only(cmd.kind)
    return set_image(call.api, cmd, change_cause=f"{call.actor} {call.text}".strip())


HANDLER: Final = Handler(
    "set-image", SetImage, _set_image, access=(Access("patch", "deployments", "apps"),)
)
