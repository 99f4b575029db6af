"""The policy against a second, naive reading of the model: for generated policies, people,
channels and commands, ``authorize`` allows exactly what the model allows, and every decision
names a binding, role and rule that really allow it."""

from __future__ import annotations

from fnmatch import fnmatchcase

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.command import Command
from bot.core.policy import ADMIN_ROLE, Binding, Channel, Policy, Role, Rule, authorize
from bot.core.subject import Subject
from bot.core.targets import target_of
from bot.core.verbs.get import Get
from bot.core.verbs.scale import Scale
from bot.core.verbs.set_image import SetImage

USERS = ("U1", "U2", "U3")
GROUPS = ("S1", "S2")
CHANNELS = ("C1", "C2", "D1")
NAMESPACES = ("prod", "prod-eu", "staging", "dev")
NAMES = ("web", "web-2", "api")
VERBS = ("get", "scale", "set-image")
RESOURCES = ("pods", "deployments", "nodes")

rules = st.builds(
    Rule,
    verbs=st.just(frozenset({"*"})) | st.frozensets(st.sampled_from(VERBS), min_size=1),
    resources=st.just(("*",)) | st.lists(st.sampled_from(RESOURCES), min_size=1).map(tuple),
    namespaces=st.lists(st.sampled_from(("prod", "prod-*", "staging", "*")), min_size=1).map(tuple),
    names=st.lists(st.sampled_from(("web*", "api", "*")), min_size=1).map(tuple),
    max_replicas=st.none() | st.integers(0, 5),
    scale_to_zero=st.booleans(),
    images=st.none() | st.just(("registry.example.com/*",)),
)
role_names = st.sampled_from(("r1", "r2", "admin"))
bindings = st.builds(
    Binding,
    roles=st.lists(role_names, min_size=1, max_size=2).map(tuple),
    users=st.just(frozenset({"*"})) | st.frozensets(st.sampled_from(USERS), max_size=2),
    groups=st.frozensets(st.sampled_from(GROUPS), max_size=1),
    channels=st.just(frozenset({"*"})) | st.frozensets(st.sampled_from(("C1", "C2")), min_size=1),
    direct_messages=st.booleans(),
)
policies = st.builds(
    lambda r1, r2, bs, admins: Policy(
        roles={"r1": Role("r1", tuple(r1)), "r2": Role("r2", tuple(r2))},
        bindings=tuple(
            Binding(b.roles, b.users, b.groups, b.channels, b.direct_messages, f"b{i}")
            for i, b in enumerate(bs)
        ),
        admins=frozenset(admins),
    ),
    st.lists(rules, min_size=1, max_size=3),
    st.lists(rules, min_size=1, max_size=3),
    st.lists(bindings, min_size=1, max_size=3),
    st.frozensets(st.sampled_from(USERS), max_size=1),
)
subjects = st.builds(
    lambda user, groups: Subject(user, user.lower(), display="@x", actor="x", groups=groups),
    st.sampled_from(USERS),
    st.frozensets(st.sampled_from(GROUPS), max_size=2),
)
namespace = st.sampled_from(NAMESPACES)
name = st.sampled_from(NAMES)
commands = st.one_of(
    st.builds(Get, st.sampled_from(RESOURCES), name=st.none() | name, namespace=namespace),
    st.builds(Scale, name, st.integers(0, 7), namespace=namespace),
    st.builds(
        lambda n, image, ns: SetImage(n, (("c", image),), namespace=ns),
        name,
        st.sampled_from(("registry.example.com/web:2", "evil.io/web:2")),
        namespace,
    ),
)


def model_allows(policy: Policy, subject: Subject, channel: str, command: Command) -> bool:
    """The issue's sentence, read literally and written without sharing any of the code."""
    resource = getattr(command, "resource", "deployments")
    ns = None if resource == "nodes" else command.namespace  # type: ignore[attr-defined]
    obj = getattr(command, "name", None)
    every = [
        *(
            [
                Binding(
                    ("admin",),
                    frozenset(policy.admins),
                    channels=frozenset({"*"}),
                    direct_messages=True,
                )
            ]
            if policy.admins
            else []
        ),
        *policy.bindings,
    ]
    for b in every:
        if not ("*" in b.users or subject.user_id in b.users or b.groups & subject.groups):
            continue
        if channel.startswith("D") and not b.direct_messages:
            continue
        if not channel.startswith("D") and not ("*" in b.channels or channel in b.channels):
            continue
        for role in b.roles:
            found = ADMIN_ROLE if role == "admin" else policy.roles[role]
            for r in found.rules:
                if not ("*" in r.verbs or command.verb in r.verbs):
                    continue
                if not ("*" in r.resources or resource in r.resources):
                    continue
                if ns is None and "*" not in r.namespaces:
                    continue
                if ns is not None and not any(fnmatchcase(ns, p) for p in r.namespaces):
                    continue
                if obj is None and "*" not in r.names:
                    continue
                if obj is not None and not any(fnmatchcase(obj, p) for p in r.names):
                    continue
                if isinstance(command, Scale):
                    if command.replicas == 0 and not r.scale_to_zero:
                        continue
                    if r.max_replicas is not None and command.replicas > r.max_replicas:
                        continue
                images = command.images if isinstance(command, SetImage) else ()
                if r.images is not None and not all(fnmatchcase(i, r.images[0]) for _, i in images):
                    continue
                return True
    return False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policies, subjects, st.sampled_from(CHANNELS), commands)
def test_authorize_agrees_with_the_model(
    policy: Policy, subject: Subject, channel: str, command: Command
) -> None:
    decision = authorize(policy, subject, Channel.of(channel), command)
    assert decision.allowed is model_allows(policy, subject, channel, command), decision.reason
    if decision.allowed:
        role = policy.role(decision.role)
        assert role is not None
        assert decision.rule is not None
        assert role.rules[decision.rule].matches(command.verb, target_of(command))
        assert decision.binding in {b.label for b in policy.all_bindings()}
    else:
        assert decision.reason.startswith("you may not ")
        assert "\n" not in decision.reason
