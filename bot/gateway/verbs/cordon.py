"""``cordon|uncordon NODE`` on kubectl's requests and lines.

kubectl reads the Node; when ``spec.unschedulable`` already says what was asked it prints
``node/NAME already cordoned`` (or ``already uncordoned``), sends nothing and succeeds.
Otherwise it sends the strategic merge patch it computes, ``{"spec":{"unschedulable":true}}``
or ``{"spec":{"unschedulable":null}}`` (false is omitted, so the diff deletes the field).
"""

from __future__ import annotations

from typing import Final

from bot.core import kube
from bot.core.rbac import Access
from bot.core.results import Change
from bot.core.verbs.cordon import Cordon
from bot.gateway.api import STRATEGIC_MERGE_PATCH
from bot.gateway.discovery import NODES
from bot.gateway.errors import Target
from bot.gateway.handler import Call, Handler


def cordon(cmd: Cordon, call: Call) -> Change:
    """Cordon or uncordon the node; kubectl's ``cordoned`` line, or its ``already`` one."""
    url = NODES.path(None, cmd.name)
    target = Target("node", cmd.name, None)
    node = call.api.get(url, target=target)
    done = "cordoned" if cmd.unschedulable else "uncordoned"
    if bool(kube.mapping(node, "spec").get("unschedulable")) == cmd.unschedulable:
        return Change(f"node/{cmd.name} already {done}", changed=False)
    call.api.json(
        "PATCH",
        url,
        body={"spec": {"unschedulable": True if cmd.unschedulable else None}},
        content_type=STRATEGIC_MERGE_PATCH,
        target=target,
    )
    return Change(f"node/{cmd.name} {done}")


NODE_PATCH: Final = (Access("patch", "nodes"),)
CORDON: Final = Handler("cordon", Cordon, cordon, access=NODE_PATCH)
UNCORDON: Final = Handler("uncordon", Cordon, cordon, access=NODE_PATCH)
