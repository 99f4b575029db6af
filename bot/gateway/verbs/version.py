"""``version``: the bot's version and the API server's ``gitVersion``."""

from __future__ import annotations

from typing import Final

from bot.core import kube
from bot.core.rbac import Access
from bot.core.results import Document
from bot.core.verbs.version import Version
from bot.gateway.handler import Call, Handler


def version(_cmd: Version, call: Call) -> Document:
    """kubectl's two lines, the client being the bot."""
    server = call.api.get("/version")
    return Document(
        f"Client Version: k8s-chatops {call.version}\n"
        f"Server Version: {kube.text(server, 'gitVersion') or 'unknown'}\n"
    )


HANDLER: Final = Handler("version", Version, version, access=(Access("get", path="/version"),))
