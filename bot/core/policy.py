"""Who may run what, where: roles of rules, bound to users, groups and channels. Pure, no I/O.

The rule is "deny unless allowed": a command runs only when a binding matches the person (their
id, one of their groups, or ``*``) and the channel (its id or ``*``; a direct message only with
``direct_messages``), and gives a role with a rule matching the verb, the type, the namespace and
the name whose limits hold. ``help``, ``whoami`` and ``can-i`` are open to everyone. The reasons
are single sentences a user can act on, because they are shown in chat as they are: a denial
names the roles that would allow the command and where, never the whole policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from types import MappingProxyType
from typing import Final

from bot.core.command import Command
from bot.core.resources import covers
from bot.core.subject import Subject
from bot.core.targets import Target, target_of
from bot.core.verbs.registry import spec_of

OPEN_VERBS: Final = frozenset({"help", "whoami", "can-i"})
"""Verbs anyone may run anywhere: they only say things about the bot and the asker."""

ADMIN: Final = "admin"
"""The built-in role of ``policy.admins``: every verb, everywhere, in every channel and DM."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One allowance: these verbs on these types in these namespaces, within these limits."""

    verbs: frozenset[str]
    """Policy verb names, or ``*``."""
    resources: tuple[str, ...] = ("*",)
    """Plurals (``deployments``) or ``plural.group`` for custom resources, or ``*``."""
    namespaces: tuple[str, ...] = ("*",)
    """Globs; cluster-scoped types and ``-A`` match only ``*``."""
    names: tuple[str, ...] = ("*",)
    """Globs; a command naming no object (a list, a selector) matches only ``*``."""
    max_replicas: int | None = None
    """``scale`` above this is denied."""
    scale_to_zero: bool = False
    """``scale --replicas=0`` is denied unless True."""
    images: tuple[str, ...] | None = None
    """Globs every image of ``set image`` must match; None for any."""
    confirm: bool = False
    """The author confirms before it runs."""
    approvers: tuple[str, ...] = ()
    """Roles one of which a different person must hold to approve it."""

    def matches(self, verb: str, target: Target) -> bool:
        """True when verb, type, namespace and name are all covered (limits aside)."""
        if "*" not in self.verbs and verb not in self.verbs:
            return False
        if target.resource is None:
            return True
        if not any(covers(pattern, target.resource) for pattern in self.resources):
            return False
        return _globbed(self.namespaces, target.namespace) and _globbed(self.names, target.name)


@dataclass(frozen=True, slots=True)
class Role:
    """A named set of rules."""

    name: str
    rules: tuple[Rule, ...]
    description: str = ""


@dataclass(frozen=True, slots=True)
class Binding:
    """Gives ``roles`` to these people in these channels."""

    roles: tuple[str, ...]
    users: frozenset[str] = frozenset()
    """Slack user ids, or ``*`` for everyone."""
    groups: frozenset[str] = frozenset()
    """Slack user group ids (``S…``)."""
    channels: frozenset[str] = frozenset({"*"})
    """Channel ids, or ``*`` for every channel (not direct messages)."""
    direct_messages: bool = False
    label: str = ""
    """How decisions name it: ``policy.bindings[1]``."""

    def holds(self, subject: Subject) -> bool:
        """True when the binding names the subject, by id, ``*`` or a group."""
        return (
            "*" in self.users or subject.user_id in self.users or bool(self.groups & subject.groups)
        )

    def applies_in(self, channel: Channel) -> bool:
        """True when the binding covers the channel."""
        if channel.direct:
            return self.direct_messages
        return "*" in self.channels or channel.id in self.channels

    def where(self) -> str:
        """Where the binding applies, for a sentence: ``in C0DEPLOYS``."""
        places = "any channel" if "*" in self.channels else ", ".join(sorted(self.channels))
        if self.direct_messages:
            return f"in {places} or a direct message" if self.channels else "in a direct message"
        return f"in {places}"


ADMIN_ROLE: Final = Role(
    ADMIN,
    (Rule(frozenset({"*"}), scale_to_zero=True),),
    "every verb on every type everywhere",
)


@dataclass(frozen=True, slots=True)
class Policy:
    """The access rules, built from the settings; no bindings means only the open verbs."""

    roles: Mapping[str, Role] = field(default_factory=lambda: MappingProxyType({}))
    bindings: tuple[Binding, ...] = ()
    admins: frozenset[str] = frozenset()
    """Slack user ids given the built-in ``admin`` role everywhere."""

    def all_bindings(self) -> tuple[Binding, ...]:
        """The bindings, with ``admins`` as the first (it is shorthand for one)."""
        if not self.admins:
            return self.bindings
        admin = Binding(
            (ADMIN,),
            users=self.admins,
            channels=frozenset({"*"}),
            direct_messages=True,
            label="policy.admins",
        )
        return (admin, *self.bindings)

    def role(self, name: str) -> Role | None:
        """The role called ``name``; ``admin`` is built in."""
        return ADMIN_ROLE if name == ADMIN else self.roles.get(name)


@dataclass(frozen=True, slots=True)
class Channel:
    """Where a request was typed."""

    id: str
    direct: bool = False
    """True in a direct message with the bot (Slack ids ``D…``)."""

    @classmethod
    def of(cls, channel_id: str) -> Channel:
        """A Slack channel id; ``D…`` is a direct message."""
        return cls(channel_id, direct=channel_id.startswith("D"))


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to "may this subject run this command here?"."""

    allowed: bool
    reason: str
    """One sentence; shown to the user when ``allowed`` is False, audited either way."""
    binding: str = ""
    """The binding that allowed it (``policy.bindings[1]``), empty otherwise."""
    role: str = ""
    rule: int | None = None
    """The index of the allowing rule in its role."""
    confirm: bool = False
    """The rule asks the author to confirm first."""
    approvers: tuple[str, ...] = ()
    """The rule asks for an approval by a different person holding one of these roles."""


def bindings_for(policy: Policy, subject: Subject, channel: Channel) -> tuple[Binding, ...]:
    """The bindings that give ``subject`` roles in ``channel``."""
    return tuple(b for b in policy.all_bindings() if b.holds(subject) and b.applies_in(channel))


def authorize(policy: Policy, subject: Subject, channel: Channel, command: Command) -> Decision:
    """Allow ``command`` when some binding of ``subject`` here gives a rule allowing it."""
    verb = command.verb
    if verb in OPEN_VERBS:
        return Decision(allowed=True, reason=f"{verb} is open to everyone")
    target = target_of(command)
    limited: str | None = None
    for binding in bindings_for(policy, subject, channel):
        for role_name in binding.roles:
            role = policy.role(role_name)
            for index, rule in enumerate(() if role is None else role.rules):
                if not rule.matches(verb, target):
                    continue
                broken = _broken_limit(rule, command)
                if broken is not None:
                    limited = limited or f"role {role_name} allows it only {broken}"
                    continue
                return Decision(
                    allowed=True,
                    reason=f"{binding.label} gives role {role_name}, rule {index} allows "
                    f"{verb} on {target.describe()}",
                    binding=binding.label,
                    role=role_name,
                    rule=index,
                    confirm=rule.confirm,
                    approvers=rule.approvers,
                )
    return Decision(allowed=False, reason=_denial(policy, command, target, limited))


def verb_denial(policy: Policy, subject: Subject, channel: Channel, verb: str) -> str | None:
    """Why no command of ``verb`` could be allowed to ``subject`` here, before its arguments
    are even read; None when some rule of theirs here names the verb (then ``authorize`` decides
    on the whole command)."""
    if verb in OPEN_VERBS:
        return None
    for binding in bindings_for(policy, subject, channel):
        for role_name in binding.roles:
            role = policy.role(role_name)
            if role is not None and any("*" in r.verbs or verb in r.verbs for r in role.rules):
                return None
    if not policy.all_bindings():
        return (
            f"you may not {verb}: no policy is configured, so only help, whoami and can-i "
            "answer; an admin sets policy.roles and policy.bindings"
        )
    would = [
        f"{role_name} ({binding.where()})"
        for binding in policy.all_bindings()
        for role_name in binding.roles
        if (role := policy.role(role_name)) is not None
        and any("*" in r.verbs or verb in r.verbs for r in role.rules)
    ]
    if not would:
        return f"you may not {verb}: no role allows it; ask an admin to add a rule"
    roles = ", ".join(dict.fromkeys(would))
    return f"you may not {verb} here: none of your roles here allows it; {roles} would"


def _broken_limit(rule: Rule, command: Command) -> str | None:
    """The limit ``command`` exceeds, as "up to 20 replicas", or None when all hold."""
    replicas = getattr(command, "replicas", None) if command.verb == "scale" else None
    if isinstance(replicas, int):
        if replicas == 0 and not rule.scale_to_zero:
            return "above 0 replicas (scale_to_zero is false)"
        if rule.max_replicas is not None and replicas > rule.max_replicas:
            return f"up to {rule.max_replicas} replicas"
    images = getattr(command, "images", ()) if command.verb == "set-image" else ()
    if rule.images is not None:
        for _, image in images:
            if not any(fnmatchcase(image, glob) for glob in rule.images):
                return f"for images matching {', '.join(rule.images)}"
    return None


def _denial(policy: Policy, command: Command, target: Target, limited: str | None) -> str:
    """Why not, in one sentence, and which roles would allow it where."""
    action = f"{command.verb} {target.describe()}"
    if limited is not None:
        return f"you may not {action}: {limited}"
    if not policy.all_bindings():
        return (
            f"you may not {action}: no policy is configured, so only help, whoami and can-i "
            "answer; an admin sets policy.roles and policy.bindings"
        )
    would: list[str] = []
    for binding in policy.all_bindings():
        for role_name in binding.roles:
            role = policy.role(role_name)
            if role is not None and any(r.matches(command.verb, target) for r in role.rules):
                would.append(f"{role_name} ({binding.where()})")
    if not would:
        return f"you may not {action}: no role allows it; ask an admin to add a rule"
    roles = ", ".join(dict.fromkeys(would))
    return f"you may not {action} here: none of your roles here allows it; {roles} would"


def _globbed(patterns: tuple[str, ...], value: str | None) -> bool:
    if value is None:
        return "*" in patterns
    return any(fnmatchcase(value, pattern) for pattern in patterns)


def confirmation_prompt(command: Command) -> str | None:
    """The question to ask before a damaging command runs, or None when it needs none.

    Damaging means hard to take back (deleting, scaling a deployment to zero); each verb's spec
    says which of its commands are, whatever the rules say. The namespace may still be None here
    when the caller has not resolved it, and then the prompt says "the default namespace".
    """
    confirm = spec_of(command).confirm
    return None if confirm is None else confirm(command)


def ruled_prompt(command: Command, target: Target) -> str:
    """The question for a command whose rule says ``confirm: true``."""
    return f"Run {command.verb} on {target.describe()}?"
