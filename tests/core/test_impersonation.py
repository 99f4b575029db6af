"""Who a Slack user is in the cluster: the templates of ``kubernetes.impersonate``."""

from __future__ import annotations

import pytest

from bot.core.impersonation import (
    GROUP_FIELDS,
    USER_FIELDS,
    Impersonation,
    KubeIdentity,
    check_template,
)
from bot.core.subject import Subject
from bot.errors import NotAllowed

BOB = Subject(
    "U0BOB",
    "bob",
    display="@bob",
    actor="slack:@bob",
    email="bob@example.com",
    slack_groups=(("S0OPS", "ops"), ("S0SRE", "sre")),
)


def test_the_default_templates_name_the_user_by_id_and_groups_by_handle() -> None:
    assert Impersonation().identity(BOB) == KubeIdentity("slack:U0BOB", ("slack:ops", "slack:sre"))


def test_email_names_and_extra_groups_without_duplicates() -> None:
    templates = Impersonation(user="{email}", group="sg:{id}", extra_groups=("chatops", "sg:S0OPS"))
    assert templates.needs_email
    assert templates.identity(BOB) == KubeIdentity(
        "bob@example.com", ("sg:S0OPS", "sg:S0SRE", "chatops")
    )


def test_no_group_template_sends_only_the_extra_groups() -> None:
    templates = Impersonation(user="slack:{user_name}", group=None, extra_groups=("chatops",))
    assert templates.identity(BOB) == KubeIdentity("slack:bob", ("chatops",))


def test_an_unknown_email_refuses_to_act_rather_than_act_as_the_bot() -> None:
    nameless = Subject("U0X", "x", display="@x", actor="slack:@x")
    with pytest.raises(NotAllowed, match="Slack did not give your email address"):
        Impersonation(user="{email}").identity(nameless)


@pytest.mark.parametrize(
    ("template", "allowed", "error"),
    [
        ("slack:{uid}", USER_FIELDS, "uses uid; it may use {email}, {user_id}, {user_name}"),
        ("slack:{}", USER_FIELDS, "uses an empty {}"),
        ("slack:{user_id", USER_FIELDS, "is not a valid template"),
        ("{name}", GROUP_FIELDS, "it may use {handle}, {id}"),
    ],
)
def test_templates_name_only_known_fields(
    template: str, allowed: frozenset[str], error: str
) -> None:
    with pytest.raises(ValueError, match=error.replace("{", r"\{").replace("}", r"\}")):
        check_template(template, allowed)
