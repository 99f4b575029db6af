"""Approvals and previews in the service: who may answer, a target that moved, once only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from bot.core.command import Command
from bot.core.impersonation import KubeIdentity
from bot.core.policy import Binding, Policy, Role, Rule
from bot.core.preview import Preview
from bot.core.reply import Reply, Tone, Visibility
from bot.core.results import Change, Result
from bot.core.subject import Subject
from bot.errors import NotFound
from bot.service.audit import AuditRecord, Verdict
from bot.service.memory_requests import MemoryRequests
from bot.service.service import ChatOps, Request

CAROL = Subject("U0CAROL", "carol", display="@carol", actor="slack:@carol")
BOB = Subject("U0BOB", "bob", display="@bob", actor="slack:@bob")
DAVE = Subject("U0DAVE", "dave", display="@dave", actor="slack:@dave")
SCALE = "scale deployment/web --replicas=5 -n prod"


@dataclass
class Gateway:
    calls: list[Command] = field(default_factory=list)

    def execute(
        self, command: Command, *, actor: str, text: str, identity: KubeIdentity | None = None
    ) -> Result:
        self.calls.append(command)
        return Change("deployment.apps/web scaled")


@dataclass
class Previews:
    """Answers with ``state``, which a test changes to play someone else's change."""

    state: tuple[tuple[str, str], ...] = (("replicas", "3"),)
    missing: bool = False

    def preview(
        self, command: Command, *, prompt: str, identity: KubeIdentity | None = None
    ) -> Preview:
        if self.missing:
            raise NotFound('deployments.apps "web" not found')
        return Preview(("deployment web in namespace prod: 3 → 5 replicas",), self.state)


@dataclass
class Audit:
    records: list[AuditRecord] = field(default_factory=list)

    def record(self, entry: AuditRecord) -> None:
        self.records.append(entry)


def policy(*, approvers: tuple[str, ...] = ("sre-lead",)) -> Policy:
    return Policy(
        roles={
            "rm": Role("rm", (Rule(frozenset({"scale"}), approvers=approvers),)),
            "sre-lead": Role("sre-lead", (Rule(frozenset({"get"})),)),
        },
        bindings=(
            Binding(("rm",), users=frozenset({CAROL.user_id}), label="policy.bindings[0]"),
            Binding(("sre-lead",), users=frozenset({BOB.user_id, CAROL.user_id}), label="b1"),
        ),
    )


@dataclass
class Bot:
    chatops: ChatOps
    gateway: Gateway
    previews: Previews
    audit: Audit

    def ask(self, text: str = SCALE, subject: Subject = CAROL, **kwargs: bool) -> Reply:
        return self.chatops.handle(Request(subject, "C1", text), **kwargs)


def make_bot(rules: Policy | None = None, *, store: MemoryRequests | None = None) -> Bot:
    gateway, previews, audit = Gateway(), Previews(), Audit()
    chatops = ChatOps(
        gateway=gateway,
        policy=rules or policy(),
        audit=audit,
        clock=lambda: datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
        previews=previews,
        pending=store if store is not None else MemoryRequests(),
    )
    return Bot(chatops, gateway, previews, audit)


@pytest.fixture
def bot() -> Bot:
    return make_bot()


def token(reply: Reply) -> str:
    assert reply.confirm is not None
    return reply.confirm.token


def test_an_approval_prompt_is_posted_in_the_channel(bot: Bot) -> None:
    prompt = bot.ask()
    assert prompt.visibility is Visibility.IN_CHANNEL
    assert prompt.confirm is not None
    assert prompt.confirm.confirm_label == "Approve"
    assert "needs an approval by someone other than @carol holding sre-lead" in prompt.context[0]
    assert "(U0BOB)" in prompt.context[0]
    assert "expires at 12:05:00 UTC" in prompt.context[0]
    assert bot.gateway.calls == []
    (previewed,) = bot.audit.records
    assert previewed.decision is Verdict.PREVIEWED
    assert previewed.preview == ("deployment web in namespace prod: 3 → 5 replicas",)


def test_self_approval_is_refused_and_another_approver_runs_it(bot: Bot) -> None:
    prompt = bot.ask()
    mine = bot.chatops.answer(CAROL, token(prompt), approved=True)
    assert mine.tone is Tone.ERROR
    assert mine.headline.startswith("You cannot approve your own request")
    refused = bot.chatops.answer(DAVE, token(prompt), approved=True)
    assert "You may not approve this request of @carol" in refused.headline
    assert bot.gateway.calls == []
    done = bot.chatops.answer(BOB, token(prompt), approved=True)
    assert done.headline == "@carol scaled deployment/web in namespace prod to 5 replicas"
    assert "Approved by @bob." in done.context
    assert len(bot.gateway.calls) == 1
    again = bot.chatops.answer(BOB, token(prompt), approved=True)
    assert "no longer pending: it was run (answered by @bob)" in again.headline
    assert len(bot.gateway.calls) == 1
    decisions = [(r.user_id, r.decision) for r in bot.audit.records]
    assert decisions == [
        (CAROL.user_id, Verdict.PREVIEWED),
        (CAROL.user_id, Verdict.REFUSED),
        (DAVE.user_id, Verdict.REFUSED),
        (CAROL.user_id, Verdict.APPROVED),
        (BOB.user_id, Verdict.REFUSED),
    ]
    assert bot.audit.records[3].approver == "@bob (U0BOB)"


def test_a_changed_target_is_refused_naming_the_change(bot: Bot) -> None:
    prompt = bot.ask()
    bot.previews.state = (("replicas", "4"),)
    reply = bot.chatops.answer(BOB, token(prompt), approved=True)
    assert reply.headline == (
        "Refused: deployments/web in namespace prod changed since the preview (replicas 3 → 4)"
    )
    assert reply.tone is Tone.WARNING
    assert bot.gateway.calls == []
    later = bot.chatops.answer(BOB, token(prompt), approved=True)
    assert "no longer pending: it was refused: Refused:" in later.headline


def test_a_target_gone_since_the_preview_is_refused(bot: Bot) -> None:
    prompt = bot.ask()
    bot.previews.missing = True
    reply = bot.chatops.answer(BOB, token(prompt), approved=True)
    assert "not found" in reply.headline
    assert bot.gateway.calls == []
    assert bot.audit.records[-1].decision is Verdict.REFUSED


def test_a_preview_that_cannot_be_read_parks_nothing(bot: Bot) -> None:
    bot.previews.missing = True
    reply = bot.ask()
    assert (reply.tone, reply.confirm) == (Tone.ERROR, None)
    assert "not found" in reply.headline


def test_the_policy_is_asked_again_at_the_click() -> None:
    store = MemoryRequests()
    before = make_bot(store=store)
    prompt = before.ask()
    # Carol lost the role meanwhile (a replica with the new policy answers the click).
    after = make_bot(Policy(roles=policy().roles, bindings=policy().bindings[1:]), store=store)
    reply = after.chatops.answer(BOB, token(prompt), approved=True)
    assert reply.headline.startswith("Refused: ")
    # Settled for good: not an error, so the transport replaces the prompt and its buttons.
    assert reply.tone is Tone.WARNING
    assert after.gateway.calls == []
    assert after.audit.records[-1].decision is Verdict.DENIED
    late = before.chatops.answer(BOB, token(prompt), approved=True)
    assert late.headline.startswith("This request is no longer pending: it was refused")


def test_a_button_can_ask_for_a_preview_no_rule_asks_for() -> None:
    bot = make_bot(policy(approvers=()))
    assert bot.ask().confirm is None  # runs at once
    prompt = bot.ask(confirm=True)
    assert prompt.confirm is not None
    assert prompt.confirm.confirm_label == "Confirm"
    assert prompt.visibility is Visibility.EPHEMERAL
    assert len(bot.gateway.calls) == 1
    bot.chatops.answer(CAROL, token(prompt), approved=True)
    assert len(bot.gateway.calls) == 2
    assert bot.audit.records[-1].decision is Verdict.CONFIRMED
