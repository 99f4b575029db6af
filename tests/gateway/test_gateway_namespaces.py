"""The gateway runs commands in the namespace the service resolved, and never guesses one."""

from __future__ import annotations

import re

import pytest

from bot.core.command import Command
from bot.core.results import Document, Table
from bot.core.verbs.delete import Delete
from bot.core.verbs.describe import Describe
from bot.core.verbs.get import Get
from bot.core.verbs.logs import Logs
from bot.core.verbs.rollout import Rollout, RolloutAction
from bot.core.verbs.scale import Scale
from bot.core.verbs.set_image import SetImage
from bot.gateway.gateway import KubernetesGateway
from kubesim.testing.harness import Sandbox
from tests.gateway.support import ACTOR

# Names that exist nowhere: a gateway that fell back to a namespace of its own would answer
# NotFound (and change nothing) instead of refusing.
UNRESOLVED = [
    Get(resource="pods", name="absent"),
    Describe(resource="pods", name="absent"),
    Logs(name="absent"),
    Scale(name="absent", replicas=2),
    SetImage(name="absent", images=(("app", "nginx:1.27"),)),
    *(Rollout(action=action, name="absent") for action in RolloutAction),
    Delete(resource="pods", name="absent"),
]


def _command_id(command: Command) -> str:
    verb = type(command).__name__.lower()
    return f"{verb}-{command.action}" if isinstance(command, Rollout) else verb


@pytest.mark.parametrize("command", UNRESOLVED, ids=_command_id)
def test_unresolved_namespace_is_refused_before_any_request(
    gateway: KubernetesGateway, demo: Sandbox, command: Command
) -> None:
    demo.requests.clear()
    with pytest.raises(ValueError, match="reached the gateway without a namespace"):
        gateway.execute(command, actor=ACTOR, text="unresolved")
    assert not demo.requests.matching(path=re.compile("/namespaces/"))


def test_resolved_namespace_is_used_as_given(gateway: KubernetesGateway, demo: Sandbox) -> None:
    demo.requests.clear()
    result = gateway.execute(Get(resource="pods", namespace="prod"), actor=ACTOR, text="get pods")
    assert isinstance(result, Table)
    assert demo.requests.matching(method="GET", path="/api/v1/namespaces/prod/pods")
    assert not demo.requests.matching(path=re.compile("/namespaces/default/"))


@pytest.mark.parametrize(
    "command",
    [
        Get(resource="nodes"),
        Get(resource="pods", all_namespaces=True),
        Describe(resource="nodes", name=None),
    ],
    ids=["get-nodes", "get-all-namespaces", "describe-nodes"],
)
def test_cluster_wide_commands_need_no_namespace(
    gateway: KubernetesGateway, command: Command
) -> None:
    result = gateway.execute(command, actor=ACTOR, text="cluster-wide")
    assert isinstance(result, Table | Document)
    assert result.rows if isinstance(result, Table) else not result.failed
