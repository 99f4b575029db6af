"""The ``policy`` section of the settings: roles, bindings and admins, checked at start-up.

Every name is checked here so that a typo is a start-up error naming its key path, never a rule
that silently matches nothing: verbs against the verb registry, resources against the built-in
types (custom resources as ``plural.group``), roles against ``policy.roles``, and each limit
against the verbs it can apply to. ``to_policy`` turns the section into the pure core's
``Policy``, with short names normalised to plurals.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Annotated, Final, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from bot.core.policy import ADMIN, OPEN_VERBS, Binding, Policy, Role, Rule
from bot.core.resources import is_builtin, resource
from bot.core.verbs.registry import BY_NAME

_LIMITS: Final = MappingProxyType(
    {
        "max_replicas": ("scale",),
        "scale_to_zero": ("scale",),
        "images": ("set-image",),
    }
)
"""Each limit and the verbs it can apply to."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _verb(value: str) -> str:
    if value == "*" or (value in BY_NAME and value not in OPEN_VERBS):
        return value
    if value in OPEN_VERBS:
        msg = f"{value} is open to everyone and needs no rule"
        raise ValueError(msg)
    known = ", ".join(name for name in BY_NAME if name not in OPEN_VERBS)
    msg = f"unknown verb {value!r}; expected '*' or one of: {known}"
    raise ValueError(msg)


def _resource(value: str) -> str:
    """A built-in type's plural (short names accepted), ``plural.group``, or ``*``."""
    if value == "*":
        return value
    if is_builtin(value):
        return resource(value).plural
    plural, dot, group = value.lower().partition(".")
    if dot and plural and "." in group:
        return f"{plural}.{group}"
    msg = (
        f"unknown resource {value!r}; expected '*', a built-in type's plural (deployments, "
        "pods ...) or a custom resource as plural.group (certificates.cert-manager.io)"
    )
    raise ValueError(msg)


def _glob(value: str) -> str:
    if not value or any(c.isspace() for c in value):
        msg = "expected a name or a glob such as 'prod-*'"
        raise ValueError(msg)
    return value


def _namespace_glob(value: str) -> str:
    # Namespaces are RFC 1123 labels: 'Prod' or 'prod ns' could never match one.
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-*?[]!")
    if not value or not set(value) <= allowed:
        msg = "expected a namespace name or glob such as 'prod' or 'prod-*' (lowercase)"
        raise ValueError(msg)
    return value


def _user_id(value: str) -> str:
    # Display names change and collide; the U.../W... id is what Slack sends with each request.
    if not (value[:1] in ("U", "W") and value[1:].isalnum() and value.isupper()):
        msg = "expected a Slack user id such as 'U012AB3CD' (not a name)"
        raise ValueError(msg)
    return value


def _anyone(value: str) -> str:
    return value if value == "*" else _user_id(value)


def _group_id(value: str) -> str:
    if not (value[:1] == "S" and value[1:].isalnum() and value.isupper()):
        msg = "expected a Slack user group id such as 'S0123ABCD' (not a handle)"
        raise ValueError(msg)
    return value


SlackUserId = Annotated[str, AfterValidator(_user_id)]
UserOrAnyone = Annotated[str, AfterValidator(_anyone)]
GroupId = Annotated[str, AfterValidator(_group_id)]
Verb = Annotated[str, AfterValidator(_verb)]
ResourceName = Annotated[str, AfterValidator(_resource)]
Glob = Annotated[str, AfterValidator(_glob)]
NamespaceGlob = Annotated[str, AfterValidator(_namespace_glob)]


class RuleSettings(_Section):
    """One rule of a role."""

    verbs: tuple[Verb, ...] = Field(min_length=1)
    resources: tuple[ResourceName, ...] = ("*",)
    namespaces: tuple[NamespaceGlob, ...] = ("*",)
    names: tuple[Glob, ...] = ("*",)
    max_replicas: int | None = Field(default=None, ge=0)
    scale_to_zero: bool | None = None
    images: tuple[Glob, ...] | None = None
    confirm: bool = False
    approvers: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _limits_fit_verbs(self) -> Self:
        for limit, verbs in _LIMITS.items():
            if getattr(self, limit) is None or "*" in self.verbs:
                continue
            if not set(verbs) & set(self.verbs):
                msg = f"{limit} applies only to {', '.join(verbs)}, which this rule does not allow"
                raise ValueError(msg)
        return self

    def to_rule(self) -> Rule:
        return Rule(
            verbs=frozenset(self.verbs),
            resources=self.resources,
            namespaces=self.namespaces,
            names=self.names,
            max_replicas=self.max_replicas,
            scale_to_zero=bool(self.scale_to_zero),
            images=self.images,
            confirm=self.confirm,
            approvers=self.approvers,
        )


class RoleSettings(_Section):
    """A named set of rules."""

    description: str = ""
    rules: tuple[RuleSettings, ...] = Field(min_length=1)


class BindingSettings(_Section):
    """Roles given to users and groups in channels."""

    roles: tuple[str, ...] = Field(min_length=1)
    users: tuple[UserOrAnyone, ...] = ()
    groups: tuple[GroupId, ...] = ()
    channels: tuple[str, ...] = ("*",)
    direct_messages: bool = False

    @model_validator(mode="after")
    def _names_someone(self) -> Self:
        if not self.users and not self.groups:
            msg = "a binding needs users or groups (use users: ['*'] for everyone)"
            raise ValueError(msg)
        return self


class PolicySettings(_Section):
    """Who may run what, where: default deny."""

    roles: dict[str, RoleSettings] = Field(
        default_factory=dict, description="named roles, each a list of rules (see README)"
    )
    bindings: tuple[BindingSettings, ...] = Field(
        default=(), description="roles given to users, groups and channels"
    )
    admins: tuple[SlackUserId, ...] = Field(
        default=(),
        description="Slack user ids (U...) given the built-in admin role everywhere",
    )

    @model_validator(mode="after")
    def _known_roles(self) -> Self:
        if ADMIN in self.roles:
            msg = f"roles: {ADMIN!r} is built in; name your role differently"
            raise ValueError(msg)
        defined = (*self.roles, ADMIN)
        for name, role in self.roles.items():
            for i, rule in enumerate(role.rules):
                for approver in rule.approvers:
                    if approver not in defined:
                        where = f"roles.{name}.rules[{i}].approvers"
                        msg = f"{where}: {_unknown_role(approver, defined)}"
                        raise ValueError(msg)
        for i, binding in enumerate(self.bindings):
            for given in binding.roles:
                if given not in defined:
                    raise ValueError(f"bindings[{i}].roles: {_unknown_role(given, defined)}")
        return self

    def to_policy(self, *extra_admins: str) -> Policy:
        """The pure ``Policy``; ``extra_admins`` (the console's local user) join the admins."""
        roles = {
            name: Role(name, tuple(r.to_rule() for r in role.rules), role.description)
            for name, role in self.roles.items()
        }
        bindings = tuple(
            Binding(
                roles=b.roles,
                users=frozenset(b.users),
                groups=frozenset(b.groups),
                channels=frozenset(b.channels),
                direct_messages=b.direct_messages,
                label=f"policy.bindings[{i}]",
            )
            for i, b in enumerate(self.bindings)
        )
        return Policy(
            roles=MappingProxyType(roles),
            bindings=bindings,
            admins=frozenset((*self.admins, *extra_admins)),
        )


def _unknown_role(name: str, defined: tuple[str, ...]) -> str:
    return f"unknown role {name!r}; expected one of: {', '.join(defined)}"
