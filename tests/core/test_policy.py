"""Access policy and confirmation prompts: default deny, roles bound to people and channels,
limits in rules, and damage always asks."""

from __future__ import annotations

import pytest

from bot.core.command import Command, with_default_namespace
from bot.core.grammar import parse
from bot.core.policy import (
    Binding,
    Channel,
    Policy,
    Role,
    Rule,
    authorize,
    confirmation_prompt,
)
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
CAROL = Subject(
    user_id="UCAROL",
    user_name="carol",
    display="@carol",
    actor="slack:@carol",
    groups=frozenset({"SDEPLOY"}),
)
POLICY = Policy(admins=frozenset({"UALICE"}))
HERE = Channel("C0OPS")
DM = Channel.of("D0ME")
VIEWER = Role("viewer", (Rule(frozenset({"get", "describe", "logs", "version"})),))
DEPLOYER = Role(
    "deployer",
    (
        Rule(
            frozenset({"scale", "set-image", "rollout-restart"}),
            resources=("deployments",),
            namespaces=("staging", "prod-*"),
            names=("web*",),
            max_replicas=20,
            images=("registry.example.com/*",),
            confirm=True,
        ),
    ),
)
RELEASE = Role(
    "release-manager",
    (
        Rule(
            frozenset({"*"}), resources=("deployments",), namespaces=("prod",), approvers=("admin",)
        ),
    ),
)
ROLES = Policy(
    roles={"viewer": VIEWER, "deployer": DEPLOYER, "release-manager": RELEASE},
    bindings=(
        Binding(("viewer",), users=frozenset({"*"}), label="policy.bindings[0]"),
        Binding(
            ("deployer",),
            groups=frozenset({"SDEPLOY"}),
            channels=frozenset({"C0DEPLOYS"}),
            label="policy.bindings[1]",
        ),
        Binding(
            ("release-manager",),
            users=frozenset({"UBOB"}),
            direct_messages=True,
            label="policy.bindings[2]",
        ),
    ),
)
DEPLOYS = Channel("C0DEPLOYS")

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


OPEN: list[Command] = [Help(), *(parse(t) for t in ("whoami", "can-i get pods"))]


@pytest.mark.parametrize("command", OPEN)
@pytest.mark.parametrize("channel", [HERE, DM])
def test_open_verbs_answer_without_any_policy(command: Command, channel: Channel) -> None:
    assert authorize(Policy(), BOB, channel, command).allowed


@pytest.mark.parametrize("command", [*READS[:1], *READS[2:], *(c for c, _ in CHANGES)])
def test_no_policy_denies_everything_else(command: Command) -> None:
    decision = authorize(Policy(), ALICE, HERE, command)
    assert not decision.allowed
    assert "no policy is configured" in decision.reason


@pytest.mark.parametrize(("command", "_action"), CHANGES)
@pytest.mark.parametrize("channel", [HERE, DM])
def test_admins_may_change_anywhere(command: Command, _action: str, channel: Channel) -> None:
    decision = authorize(POLICY, ALICE, channel, command)
    assert decision.allowed
    assert (decision.binding, decision.role, decision.rule) == ("policy.admins", "admin", 0)


@pytest.mark.parametrize(("command", "_action"), CHANGES)
def test_others_are_denied_changes_naming_the_role_that_would(
    command: Command, _action: str
) -> None:
    decision = authorize(POLICY, BOB, HERE, command)
    assert not decision.allowed
    assert decision.reason.startswith(f"you may not {command.verb} ")
    assert decision.reason.endswith("admin (in any channel or a direct message) would")


def test_admin_is_matched_by_user_id_not_name() -> None:
    impostor = Subject(user_id="UEVIL", user_name="UALICE", display="@UALICE", actor="x:UALICE")
    assert not authorize(POLICY, impostor, HERE, Scale("web", 1)).allowed


@pytest.mark.parametrize(
    ("subject", "channel", "text", "allowed", "why"),
    [
        (BOB, HERE, "get pods -n prod", True, "policy.bindings[0] gives role viewer, rule 0"),
        (BOB, HERE, "get nodes", True, "viewer, rule 0 allows get on nodes"),
        (BOB, HERE, "get pods -A", True, "viewer"),
        (BOB, DM, "get pods", False, "viewer (in any channel) would"),
        (BOB, HERE, "delete pod x", False, "no role allows it"),
        (CAROL, DEPLOYS, "scale deploy/web --replicas=3 -n prod-eu", True, "deployer, rule 0"),
        (CAROL, DEPLOYS, "scale deploy/web --replicas=3 -n staging", True, "deployer"),
        (CAROL, DEPLOYS, "scale deploy/web --replicas=3 -n prod", False, "release-manager (in"),
        (CAROL, DEPLOYS, "scale deploy/api --replicas=3 -n staging", False, "no role allows"),
        (CAROL, DEPLOYS, "scale deploy/web --replicas=21 -n staging", False, "up to 20 replicas"),
        (CAROL, DEPLOYS, "scale deploy/web --replicas=0 -n staging", False, "scale_to_zero"),
        (CAROL, HERE, "scale deploy/web --replicas=3 -n staging", False, "deployer (in C0DEPLOYS)"),
        (BOB, DEPLOYS, "scale deploy/web --replicas=3 -n staging", False, "none of your roles"),
        (
            CAROL,
            DEPLOYS,
            "set image deploy/web web=registry.example.com/web:2 -n staging",
            True,
            "deployer",
        ),
        (CAROL, DEPLOYS, "set image deploy/web web=evil.io/web:2 -n staging", False, "images"),
        (CAROL, DEPLOYS, "rollout undo deploy/web -n staging", False, "no role allows"),
        (BOB, DM, "rollout undo deploy/web -n prod", True, "release-manager"),
        (BOB, HERE, "label node n1 a=b", False, "no role allows it"),
    ],
)
def test_roles_bindings_and_limits(
    subject: Subject, channel: Channel, text: str, *, allowed: bool, why: str
) -> None:
    decision = authorize(ROLES, subject, channel, parse_resolved(text))
    assert (decision.allowed, why in decision.reason) == (allowed, True), decision.reason


def test_a_confirming_rule_and_approvers_are_carried_by_the_decision() -> None:
    scale = parse_resolved("scale deploy/web --replicas=3 -n staging")
    assert authorize(ROLES, CAROL, DEPLOYS, scale).confirm
    undo = parse_resolved("rollout undo deploy/web -n prod")
    assert authorize(ROLES, BOB, HERE, undo).approvers == ("admin",)


def test_a_custom_resource_matches_its_plural_with_or_without_group() -> None:
    role = Role("certs", (Rule(frozenset({"get"}), resources=("certificates.cert-manager.io",)),))
    policy = Policy(roles={"certs": role}, bindings=(Binding(("certs",), users=frozenset({"*"})),))
    for text, allowed in [
        ("get certificates", True),
        ("get certificates.cert-manager.io", True),
        ("get certificates.other.io", False),
        ("get issuers.cert-manager.io", False),
    ]:
        assert authorize(policy, BOB, HERE, parse_resolved(text)).allowed is allowed, text


def parse_resolved(text: str) -> Command:
    return with_default_namespace(parse(text), "default")


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


@pytest.mark.parametrize(
    ("text", "rule_resource", "allowed"),
    [
        ("describe ing web -n prod", "ingresses", True),
        ("describe ingress web -n prod", "ingresses", True),
        ("describe pvc data -n prod", "persistentvolumeclaims", True),
        ("describe quota compute -n prod", "resourcequotas", True),
        ("describe limits -n prod", "limitranges", True),
        ("describe rs -n prod", "replicasets", True),
        ("describe cm app -n prod", "configmaps", True),
        ("describe secret db -n prod", "secrets", True),
        ("describe certificates api -n prod", "certificates.cert-manager.io", True),
        ("describe certificates.cert-manager.io api -n prod", "certificates", True),
        ("describe secret db -n prod", "configmaps", False),
        ("describe ns prod", "namespaces", False),  # cluster-scoped: needs namespaces: ["*"]
    ],
)
def test_describe_rules_name_any_type(text: str, rule_resource: str, *, allowed: bool) -> None:
    rule = Rule(frozenset({"describe"}), resources=(rule_resource,), namespaces=("prod",))
    policy = Policy(
        roles={"reader": Role("reader", (rule,))},
        bindings=(Binding(("reader",), users=frozenset({"*"})),),
    )
    assert authorize(policy, BOB, HERE, parse_resolved(text)).allowed is allowed


def test_cluster_scoped_describe_needs_every_namespace() -> None:
    rule = Rule(frozenset({"describe"}), resources=("persistentvolumes", "storageclasses"))
    policy = Policy(
        roles={"reader": Role("reader", (rule,))},
        bindings=(Binding(("reader",), users=frozenset({"*"})),),
    )
    for text in ("describe pv", "describe sc standard", "describe storageclass"):
        assert authorize(policy, BOB, HERE, parse_resolved(text)).allowed, text


def test_workload_plurals_match_their_commands_whatever_was_typed() -> None:
    """A rule on statefulsets (or daemonsets, jobs, cronjobs) allows exactly their commands."""
    rules = (
        Rule(frozenset({"scale", "rollout-restart", "rollout-undo"}), resources=("statefulsets",)),
        Rule(frozenset({"rollout-status", "logs"}), resources=("daemonsets", "jobs")),
        Rule(frozenset({"delete"}), resources=("cronjobs",)),
    )
    policy = Policy(
        roles={"ops": Role("ops", rules)}, bindings=(Binding(("ops",), users=frozenset({"*"})),)
    )
    for text, allowed in [
        ("scale sts/db --replicas=3", True),
        ("scale statefulset.apps db --replicas=3", True),
        ("scale deploy/db --replicas=3", False),
        ("rollout restart statefulsets/db", True),
        ("rollout undo ds/agent", False),
        ("rollout status ds/agent", True),
        ("logs job/migrate", True),
        ("logs sts/db", False),
        ("delete cj nightly", True),
        ("delete job nightly-1", False),
    ]:
        assert authorize(policy, BOB, HERE, parse_resolved(text)).allowed is allowed, text
