"""Access policy and confirmation prompts: reading is open, changing is for admins, damage asks."""

from __future__ import annotations

import pytest

from bot.core.command import Command
from bot.core.grammar import parse
from bot.core.policy import Decision, Policy, authorize, confirmation_prompt
from bot.core.subject import Subject
from bot.core.verbs.cordon import Cordon
from bot.core.verbs.delete import Delete
from bot.core.verbs.describe import Describe
from bot.core.verbs.get import Get
from bot.core.verbs.help import Help
from bot.core.verbs.label import MetadataChange, MetadataField
from bot.core.verbs.logs import Logs
from bot.core.verbs.rollout import Rollout, RolloutAction
from bot.core.verbs.rollout_pause import PauseRollout
from bot.core.verbs.scale import Scale
from bot.core.verbs.set_image import SetImage
from bot.core.verbs.version import Version

ALICE = Subject(user_id="UALICE", user_name="alice", display="@alice", actor="slack:@alice")
BOB = Subject(user_id="UBOB", user_name="bob", display="@bob", actor="slack:@bob")
POLICY = Policy(admins=frozenset({"UALICE"}))

READS: list[Command] = [
    Version(),
    Help(),
    Get("pods"),
    Describe("pods", None),
    Logs("web-1"),
    Rollout(RolloutAction.STATUS, "web"),
    Rollout(RolloutAction.HISTORY, "web"),
]
CHANGES: list[tuple[Command, str]] = [
    (Scale("web", 3), "scale deployments"),
    (SetImage("web", (("web", "nginx"),)), "change deployment images"),
    (Rollout(RolloutAction.UNDO, "web"), "roll back deployments"),
    (Rollout(RolloutAction.RESTART, "web"), "restart deployments"),
    (PauseRollout("web", paused=True), "pause deployment rollouts"),
    (PauseRollout("web", paused=False), "resume deployment rollouts"),
    (Cordon("node-1", unschedulable=True), "cordon nodes"),
    (Cordon("node-1", unschedulable=False), "uncordon nodes"),
    (MetadataChange(MetadataField.LABELS, "pods", "web-1", (("a", "b"),)), "change labels"),
    (MetadataChange(MetadataField.ANNOTATIONS, "nodes", "n", (), ("a",)), "change annotations"),
    (Delete("pods", name="web-1"), "delete pods"),
    (Delete("services", selector="app=web"), "delete services"),
]


@pytest.mark.parametrize("command", READS)
@pytest.mark.parametrize("subject", [ALICE, BOB])
def test_read_only_commands_are_open_to_everyone(command: Command, subject: Subject) -> None:
    assert authorize(POLICY, subject, command).allowed


@pytest.mark.parametrize(("command", "_action"), CHANGES)
def test_admins_may_change(command: Command, _action: str) -> None:
    assert authorize(POLICY, ALICE, command).allowed


@pytest.mark.parametrize(("command", "action"), CHANGES)
def test_others_are_denied_changes_with_a_reason(command: Command, action: str) -> None:
    decision = authorize(POLICY, BOB, command)
    assert decision == Decision(
        allowed=False,
        reason=f"only admins may {action}; ask an admin or have your user added to policy.admins",
    )


@pytest.mark.parametrize(("command", "_action"), CHANGES)
def test_empty_policy_denies_every_change(command: Command, _action: str) -> None:
    assert not authorize(Policy(), ALICE, command).allowed


def test_admin_is_matched_by_user_id_not_name() -> None:
    impostor = Subject(user_id="UEVIL", user_name="UALICE", display="@UALICE", actor="x:UALICE")
    assert not authorize(POLICY, impostor, Scale("web", 1)).allowed


@pytest.mark.parametrize(
    ("command", "prompt"),
    [
        (
            Delete("services", name="kubernetes-bootcamp", namespace="default"),
            "Delete service kubernetes-bootcamp in namespace default?",
        ),
        (Delete("pods", name="web-1"), "Delete pod web-1 in the default namespace?"),
        (
            Delete("services", selector="app=kubernetes-bootcamp", namespace="prod"),
            "Delete every service matching app=kubernetes-bootcamp in namespace prod?",
        ),
        (
            Scale("web", 0, namespace="prod"),
            "Scale deployment web in namespace prod to 0 replicas? All of its pods will stop.",
        ),
        (
            Scale("web", 0),
            "Scale deployment web in the default namespace to 0 replicas? "
            "All of its pods will stop.",
        ),
    ],
)
def test_damaging_commands_ask_first(command: Command, prompt: str) -> None:
    assert confirmation_prompt(command) == prompt


@pytest.mark.parametrize(
    "command",
    [*READS, Scale("web", 1), SetImage("web", (("a", "b"),)), Rollout(RolloutAction.UNDO, "web")],
)
def test_other_commands_need_no_confirmation(command: Command) -> None:
    assert confirmation_prompt(command) is None


@pytest.mark.parametrize(
    ("text", "confirm"),
    [
        ("delete service -l app=kubernetes-bootcamp", True),
        ("scale deployments/kubernetes-bootcamp --replicas=0", True),
        ("scale deployments/kubernetes-bootcamp --replicas=4", False),
        ("get pods", False),
    ],
)
def test_parsed_commands_flow_into_the_policy(text: str, *, confirm: bool) -> None:
    assert (confirmation_prompt(parse(text)) is not None) is confirm
