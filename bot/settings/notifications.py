"""The notifier's sections: which Deployments it watches, where their messages go, and the
Lease that lets one replica post them."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, field_validator, model_validator

from bot.settings.sections import Section, SlackChannelId


def _glob(value: str) -> str:
    # A namespace name, or a glob over names ('*', 'prod-*'): RFC 1123 letters plus '*' and '?'.
    if not value or any(not (c.isalnum() and not c.isupper()) and c not in "-*?" for c in value):
        msg = "expected a namespace name or glob such as 'prod' or 'prod-*'"
        raise ValueError(msg)
    return value


NamespaceGlob = Annotated[str, AfterValidator(_glob)]


class RouteSettings(Section):
    """One route: Deployments in these namespaces (and matching the selector) go to a channel."""

    namespaces: tuple[NamespaceGlob, ...] = Field(
        default=("*",), min_length=1, description="namespace globs this route covers"
    )
    selector: str = Field(
        default="", description="optional equality label selector on the Deployment (a=b,c!=d)"
    )
    channel: SlackChannelId = Field(description="Slack channel id the notifications go to")

    @field_validator("selector")
    @classmethod
    def _selector(cls, value: str) -> str:
        for term in filter(None, (t.strip() for t in value.split(","))):
            key, sep, _ = term.replace("!=", "=").replace("==", "=").partition("=")
            if not sep or not key.strip():
                msg = f"expected a label selector such as 'team=payments', got term {term!r}"
                raise ValueError(msg)
        return value


class NotificationSettings(Section):
    """Rollout notifications: which namespaces are watched and where their messages go."""

    enabled: bool | None = Field(
        default=None, description="post rollout notifications; none means yes when a route exists"
    )
    namespaces: tuple[NamespaceGlob, ...] = Field(
        default=("*",), description="namespace globs whose Deployments are watched"
    )
    routes: tuple[RouteSettings, ...] = Field(
        default=(),
        description="first match wins (namespaces, selector, channel); no match, no message",
    )
    scale_changes: bool = Field(
        default=False, description="notify of replicas-only changes too (not rollouts)"
    )

    @property
    def active(self) -> bool:
        """Whether the notifier runs: on when a route exists, unless switched off."""
        return bool(self.routes) if self.enabled is None else self.enabled


class LeaderElectionSettings(Section):
    """The Lease that lets one replica of the bot post notifications."""

    lease_name: str = Field(
        default="k8s-chatops", description="coordination.k8s.io/v1 Lease in the bot's namespace"
    )
    namespace: str | None = Field(
        default=None,
        description="the bot's namespace outside a pod (in a pod: its own); none means default",
    )
    lease_duration_seconds: float = Field(
        default=15.0, gt=0, le=3600, description="a lease not renewed this long may be taken"
    )
    renew_deadline_seconds: float = Field(
        default=10.0, gt=0, le=3600, description="the leader stops leading if not renewed by then"
    )
    retry_period_seconds: float = Field(
        default=2.0, gt=0, le=600, description="pause between attempts to acquire or renew"
    )

    @field_validator("lease_name", "namespace")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is None:
            return None
        ok = 0 < len(value) <= 63 and value[0].isalnum() and value[-1].isalnum()
        if not ok or any(not (c.isdigit() or c.islower() or c in "-.") for c in value):
            msg = "expected a Kubernetes name (lower-case letters, digits, '-' and '.')"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _timings(self) -> LeaderElectionSettings:
        if not self.lease_duration_seconds > self.renew_deadline_seconds:
            msg = "lease_duration_seconds must be greater than renew_deadline_seconds"
            raise ValueError(msg)
        if not self.renew_deadline_seconds > self.retry_period_seconds:
            msg = "renew_deadline_seconds must be greater than retry_period_seconds"
            raise ValueError(msg)
        return self
