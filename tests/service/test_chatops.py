"""ChatOps end to end over a plain in-memory gateway: parse, authorize, confirm, run, audit."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.command import Command
from bot.core.impersonation import KubeIdentity
from bot.core.policy import Binding, Policy, Role, Rule
from bot.core.preview import Preview
from bot.core.render_text import render_reply
from bot.core.reply import Reply, Tone, Visibility
from bot.core.results import Change, Document, Result, Table
from bot.core.subject import Subject
from bot.core.verbs.delete import Delete
from bot.core.verbs.get import Get
from bot.core.verbs.scale import Scale
from bot.errors import BotError, NotFound
from bot.service.audit import AuditRecord, Outcome, Verdict
from bot.service.options import ChatOpsOptions
from bot.service.service import ChatOps, Request

ALICE = Subject("U0ALICE", "alice", display="@alice", actor="slack:@alice")
BOB = Subject("U0BOB", "bob", display="@bob", actor="slack:@bob")
PODS = Table(
    columns=("NAME", "READY", "STATUS", "RESTARTS", "AGE"),
    rows=(("web-1", "1/1", "Running", "0", "5m"),),
)


@dataclass
class FakeGateway:
    """Answers with ``result`` (or raises ``error``) and remembers every call."""

    result: Result = PODS
    error: Exception | None = None
    calls: list[tuple[Command, str, str]] = field(default_factory=list)

    def execute(
        self, command: Command, *, actor: str, text: str, identity: KubeIdentity | None = None
    ) -> Result:
        self.calls.append((command, actor, text))
        if self.error is not None:
            raise self.error
        return self.result


@dataclass
class Audit:
    records: list[AuditRecord] = field(default_factory=list)

    def record(self, entry: AuditRecord) -> None:
        self.records.append(entry)

    @property
    def trail(self) -> list[tuple[str, Verdict, Outcome]]:
        return [(r.user_name, r.decision, r.outcome) for r in self.records]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Bot:
    chatops: ChatOps
    gateway: FakeGateway
    audit: Audit
    clock: Clock

    def ask(self, text: str, subject: Subject = ALICE) -> Reply:
        return self.chatops.handle(Request(subject=subject, channel="C1", text=text))


VIEWER = Role("viewer", (Rule(frozenset({"get", "describe", "logs", "version"})),))
POLICY = Policy(
    roles={"viewer": VIEWER},
    bindings=(Binding(("viewer",), users=frozenset({"*"}), label="policy.bindings[0]"),),
    admins=frozenset({ALICE.user_id}),
)


def make_bot(options: ChatOpsOptions | None = None, gateway: FakeGateway | None = None) -> Bot:
    options = options or ChatOpsOptions(default_namespace="prod")
    gateway = gateway or FakeGateway()
    audit = Audit()
    clock = Clock()
    chatops = ChatOps(
        gateway=gateway,
        policy=POLICY,
        options=options,
        audit=audit,
        clock=clock,
    )
    return Bot(chatops, gateway, audit, clock)


@pytest.fixture
def bot() -> Bot:
    return make_bot()


def text_of(reply: Reply) -> str:
    return render_reply(reply)


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("get pods", Get(resource="pods", namespace="prod")),
        ("/k8s get pods -n dev", Get(resource="pods", namespace="dev")),
        ("get pods -A", Get(resource="pods", all_namespaces=True)),
    ],
)
def test_namespace_is_resolved_before_the_gateway(bot: Bot, typed: str, expected: Get) -> None:
    reply = bot.ask(typed)
    command, actor, text = bot.gateway.calls[0]
    assert command == expected
    assert (actor, text) == ("slack:@alice", typed)
    assert reply.visibility is Visibility.EPHEMERAL
    assert "web-1" in text_of(reply)
    assert bot.audit.trail == [("alice", Verdict.ALLOWED, Outcome.OK)]


def test_read_only_commands_are_open_to_everyone(bot: Bot) -> None:
    reply = bot.ask("get pods", subject=BOB)
    assert reply.tone is not Tone.ERROR
    assert len(bot.gateway.calls) == 1


@pytest.mark.parametrize(("typed", "needle"), [("help", "scale"), ("help logs", "--tail")])
def test_help_never_reaches_the_cluster(bot: Bot, typed: str, needle: str) -> None:
    reply = bot.ask(typed)
    assert needle in text_of(reply)
    assert bot.gateway.calls == []
    assert bot.audit.trail == [("alice", Verdict.ALLOWED, Outcome.OK)]


def test_usage_error_shows_usage_and_did_you_mean(bot: Bot) -> None:
    reply = bot.ask("scale deployment/web")
    rendered = text_of(reply)
    assert reply.tone is Tone.ERROR
    assert reply.visibility is Visibility.EPHEMERAL
    assert "Usage: /k8s scale deployment|statefulset/NAME --replicas=N" in rendered
    assert "scale deployment/web --replicas=2" in rendered
    assert bot.gateway.calls == []
    assert bot.audit.trail == [("alice", Verdict.INVALID, Outcome.NOT_RUN)]


def test_unknown_verb_suggests_the_closest(bot: Bot) -> None:
    reply = bot.ask("gte pods")
    assert 'unknown command "gte"' in reply.headline
    assert 'did you mean "get pods"?' in text_of(reply)


# --- changing ------------------------------------------------------------------------------


def test_changes_are_denied_to_non_admins(bot: Bot) -> None:
    reply = bot.ask("scale deployment/web --replicas=4", subject=BOB)
    assert reply.tone is Tone.ERROR
    assert reply.headline == (
        "you may not scale deployments/web in namespace prod here: none of your roles here "
        "allows it; admin (in any channel or a direct message) would"
    )
    assert bot.gateway.calls == []
    assert bot.audit.trail == [("bob", Verdict.DENIED, Outcome.NOT_RUN)]
    assert "admin (in any channel" in bot.audit.records[0].detail


@pytest.mark.parametrize(
    "typed",
    [
        "delete services -l " + "a" * 3000 + "=(",  # a long, invalid selector
        "scale deployment/web --replicas=lots",
        "set image deployment/web web=",
    ],
)
def test_a_denied_users_arguments_are_never_validated(bot: Bot, typed: str) -> None:
    reply = bot.ask(typed, subject=BOB)
    assert reply.tone is Tone.ERROR
    assert reply.headline.startswith("you may not ")  # not a usage error about the arguments
    assert bot.gateway.calls == []
    assert bot.audit.trail == [("bob", Verdict.DENIED, Outcome.NOT_RUN)]


def test_an_admins_invalid_arguments_still_get_the_usage_error(bot: Bot) -> None:
    reply = bot.ask("delete services -l a=(")
    assert reply.tone is Tone.ERROR
    assert "you may not" not in reply.headline
    assert bot.audit.trail == [("alice", Verdict.INVALID, Outcome.NOT_RUN)]


def test_a_change_is_announced_with_who_did_what(bot: Bot) -> None:
    bot.gateway.result = Change(summary="deployment.apps/web scaled")
    reply = bot.ask("scale deployment/web --replicas=4")
    assert bot.gateway.calls[0][0] == Scale(name="web", replicas=4, namespace="prod")
    assert reply.headline == "@alice scaled deployment/web in namespace prod to 4 replicas"
    assert "deployment.apps/web scaled" in text_of(reply)
    assert reply.visibility is Visibility.IN_CHANNEL
    assert bot.audit.trail == [("alice", Verdict.ALLOWED, Outcome.OK)]
    assert bot.audit.records[0].detail == "deployment.apps/web scaled"


@pytest.mark.parametrize("fate", ["delivered", "lost"])
def test_whether_a_change_was_announced_is_in_its_audit_record(
    bot: Bot, fate: str, caplog: pytest.LogCaptureFixture
) -> None:
    delivered = fate == "delivered"
    bot.gateway.result = Change(summary="deployment.apps/web scaled")
    told: list[Reply] = []

    def deliver(reply: Reply) -> bool:
        told.append(reply)
        assert bot.audit.records == []  # announced before the record is written
        return delivered

    request = Request(subject=ALICE, channel="C1", text="scale deployment/web --replicas=4")
    reply = bot.chatops.handle(request, deliver=deliver)
    assert told == [reply]
    [record] = bot.audit.records
    assert (record.outcome, record.announced) == (Outcome.OK, delivered)
    assert ("could not be delivered" in record.detail) is not delivered
    assert record.detail.startswith("deployment.apps/web scaled")
    assert ("announcement could not be delivered" in caplog.text) is not delivered


@pytest.mark.parametrize(
    ("text", "result"),
    [
        (
            "set image deployment/web web=nginx:1.27",
            Change("deployment.apps/web unchanged", changed=False),
        ),
        ("cordon node-1", Change("node/node-1 already cordoned", changed=False)),
        ("delete services -l run=nothing", Document("No resources found in prod namespace.")),
    ],
)
def test_only_what_happened_is_announced(bot: Bot, text: str, result: Result) -> None:
    bot.gateway.result = result
    told: list[Reply] = []

    def deliver(reply: Reply) -> bool:
        told.append(reply)
        return True

    reply = bot.chatops.handle(Request(ALICE, "C1", text), deliver=deliver)
    if reply.confirm is not None:
        reply = bot.chatops.answer(ALICE, reply.confirm.token, approved=True, deliver=deliver)
    assert told == []
    assert reply.visibility is Visibility.EPHEMERAL
    assert "@alice" not in reply.headline
    assert bot.audit.records[-1].announced is None


def test_read_only_replies_are_left_to_the_caller(bot: Bot) -> None:
    told: list[Reply] = []
    bot.chatops.handle(Request(ALICE, "C1", "get pods"), deliver=lambda r: bool(told.append(r)))
    assert told == []
    assert bot.audit.records[0].announced is None


# --- confirming ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["delete pod web-1", "delete service -l app=web", "scale deploy/web --replicas=0"]
)
def test_damaging_commands_wait_for_confirmation(bot: Bot, typed: str) -> None:
    reply = bot.ask(typed)
    assert reply.confirm is not None
    assert reply.visibility is Visibility.EPHEMERAL
    assert "namespace prod" in reply.confirm.prompt
    assert bot.gateway.calls == []
    assert bot.audit.trail == [("alice", Verdict.PENDING, Outcome.NOT_RUN)]


def test_confirmed_by_the_author_runs_once(bot: Bot) -> None:
    bot.gateway.result = Change(summary='pod "web-1" deleted')
    asked = bot.ask("delete pod web-1")
    assert asked.confirm is not None
    done = bot.chatops.answer(ALICE, asked.confirm.token, approved=True)
    assert bot.gateway.calls == [
        (
            Delete(resource="pods", name="web-1", namespace="prod"),
            "slack:@alice",
            "delete pod web-1",
        )
    ]
    assert done.headline == "@alice deleted pod/web-1 in namespace prod"
    assert done.visibility is Visibility.IN_CHANNEL
    again = bot.chatops.answer(ALICE, asked.confirm.token, approved=True)
    assert again.tone is Tone.ERROR
    assert "no longer pending" in again.headline
    assert len(bot.gateway.calls) == 1
    assert bot.audit.trail == [
        ("alice", Verdict.PENDING, Outcome.NOT_RUN),
        ("alice", Verdict.CONFIRMED, Outcome.OK),
        ("alice", Verdict.REFUSED, Outcome.NOT_RUN),
    ]
    assert bot.audit.records[1].channel == "C1"


def test_another_users_click_is_refused(bot: Bot) -> None:
    asked = bot.ask("delete pod web-1")
    assert asked.confirm is not None
    refused = bot.chatops.answer(BOB, asked.confirm.token, approved=True, channel="C2")
    assert refused.tone is Tone.ERROR
    assert bot.audit.records[-1].channel == "C2"
    assert "Only @alice" in refused.headline
    assert bot.gateway.calls == []
    bot.chatops.answer(ALICE, asked.confirm.token, approved=True)
    assert len(bot.gateway.calls) == 1
    assert [d for _, d, _ in bot.audit.trail] == [
        Verdict.PENDING,
        Verdict.REFUSED,
        Verdict.CONFIRMED,
    ]


def test_cancel(bot: Bot) -> None:
    asked = bot.ask("delete pod web-1")
    assert asked.confirm is not None
    reply = bot.chatops.answer(ALICE, asked.confirm.token, approved=False)
    assert reply.headline == "Cancelled"
    assert bot.gateway.calls == []
    assert bot.audit.trail[-1] == ("alice", Verdict.CANCELLED, Outcome.NOT_RUN)


def test_expired_confirmation(bot: Bot) -> None:
    asked = bot.ask("delete pod web-1")
    assert asked.confirm is not None
    bot.clock.now += timedelta(minutes=5)
    reply = bot.chatops.answer(ALICE, asked.confirm.token, approved=True)
    # A warning, not an error: the request is over, so the prompt is replaced in place.
    assert reply.tone is Tone.WARNING
    assert "expired after 5 minutes" in reply.headline
    assert "Nothing was changed: delete pod web-1" in text_of(reply)
    assert bot.gateway.calls == []
    assert bot.audit.trail[-1] == ("alice", Verdict.EXPIRED, Outcome.NOT_RUN)
    again = bot.chatops.answer(ALICE, asked.confirm.token, approved=True)
    assert "no longer pending: it expired" in again.headline


def test_expiry_comes_from_settings() -> None:
    bot = make_bot(ChatOpsOptions(confirmation_expiry=timedelta(minutes=1)))
    asked = bot.ask("delete pod web-1")
    assert asked.confirm is not None
    assert "within 1 minutes" in " ".join(asked.context)
    bot.clock.now += timedelta(seconds=61)
    assert "expired" in bot.chatops.answer(ALICE, asked.confirm.token, approved=True).headline


def test_unknown_token(bot: Bot) -> None:
    reply = bot.chatops.answer(ALICE, "forged", approved=True)
    assert reply.tone is Tone.ERROR
    assert "run the command again" in reply.headline
    assert bot.audit.trail == [("alice", Verdict.REFUSED, Outcome.NOT_RUN)]
    assert bot.audit.records[0].text == "(confirm)"


# --- failing -------------------------------------------------------------------------------


def test_cluster_errors_become_error_replies(bot: Bot) -> None:
    bot.gateway.error = NotFound('pods "nope" not found', status=404, reason="NotFound")
    reply = bot.ask("get pods nope")
    assert reply.tone is Tone.ERROR
    assert reply.visibility is Visibility.EPHEMERAL
    assert 'pods "nope" not found' in reply.headline
    assert bot.audit.trail == [("alice", Verdict.ALLOWED, Outcome.FAILED)]
    assert bot.audit.records[0].detail == 'pods "nope" not found'


def test_failed_rollout_is_audited_as_failed(bot: Bot) -> None:
    bot.gateway.result = Document(
        text='error: deployment "web" exceeded its progress deadline', failed=True
    )
    bot.ask("rollout status deployment/web")
    assert bot.audit.trail == [("alice", Verdict.ALLOWED, Outcome.FAILED)]


def test_unexpected_errors_get_an_incident_id(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    bot.gateway.error = RuntimeError("socket closed, token xoxb-1-2-leak")
    with caplog.at_level(logging.ERROR, logger="bot.service.service"):
        reply = bot.ask("get pods")
    record = bot.audit.records[0]
    assert record.outcome is Outcome.ERROR
    assert record.incident is not None
    assert record.incident in reply.headline
    assert "xoxb" not in text_of(reply)
    assert "RuntimeError" not in text_of(reply)
    logged = caplog.records[0]
    assert record.incident in logged.getMessage()
    assert logged.exc_info is not None


def test_error_in_the_confirmed_command_is_audited_once(bot: Bot) -> None:
    asked = bot.ask("delete pod web-1")
    assert asked.confirm is not None
    bot.gateway.error = BotError("the cluster is unreachable; try again later")
    reply = bot.chatops.answer(ALICE, asked.confirm.token, approved=True)
    assert reply.headline == "the cluster is unreachable; try again later"
    assert bot.audit.trail[-1] == ("alice", Verdict.CONFIRMED, Outcome.FAILED)


# --- visibility ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "result", "error", "expected"),
    [
        ("get pods", PODS, None, Visibility.IN_CHANNEL),
        (
            "scale deploy/web --replicas=2",
            Change(summary="deployment.apps/web scaled"),
            None,
            Visibility.EPHEMERAL,
        ),
        ("get pods", PODS, NotFound("gone"), Visibility.IN_CHANNEL),
        ("get", PODS, None, Visibility.IN_CHANNEL),
        ("help", PODS, None, Visibility.IN_CHANNEL),
    ],
)
def test_visibility_is_configurable(
    typed: str, result: Result, error: Exception | None, expected: Visibility
) -> None:
    options = ChatOpsOptions(
        read_only=Visibility.IN_CHANNEL, changes=Visibility.EPHEMERAL, errors=Visibility.IN_CHANNEL
    )
    bot = make_bot(options, FakeGateway(result=result, error=error))
    assert bot.ask(typed).visibility is expected


def test_help_uses_the_configured_command_name() -> None:
    bot = make_bot(ChatOpsOptions(command_prefix="/kube"))
    assert bot.ask("help").headline.startswith("/kube")


# --- whoami and can-i ------------------------------------------------------------------------


def test_whoami_names_the_bindings_and_roles_here(bot: Bot) -> None:
    text = text_of(bot.ask("whoami"))
    assert "You are @alice (U0ALICE)" in text
    assert "policy.admins gives you admin in any channel or a direct message." in text
    assert "policy.bindings[0] gives you viewer in any channel." in text
    assert bot.gateway.calls == []


def test_can_i_answers_from_the_policy_without_the_cluster(bot: Bot) -> None:
    yes = bot.ask("can-i get pods -n prod", subject=BOB)
    assert yes.headline == "yes"
    assert "policy.bindings[0] gives role viewer, rule 0" in text_of(yes)
    no = bot.ask("can-i scale deployments web", subject=BOB)
    assert no.headline == "no"
    assert "admin (in any channel or a direct message) would" in text_of(no)
    assert bot.gateway.calls == []
    assert [r.decision for r in bot.audit.records] == [Verdict.ALLOWED, Verdict.ALLOWED]


def test_can_i_refuses_an_unknown_verb(bot: Bot) -> None:
    reply = bot.ask("can-i frobnicate pods")
    assert 'unknown verb "frobnicate" for can-i' in reply.headline


def test_a_rule_with_confirm_parks_the_command_and_the_audit_names_the_rule() -> None:
    deployer = Role(
        "deployer",
        (Rule(frozenset({"scale"}), resources=("deployments",), max_replicas=9, confirm=True),),
    )
    policy = Policy(
        roles={"deployer": deployer},
        bindings=(
            Binding(("deployer",), users=frozenset({BOB.user_id}), label="policy.bindings[0]"),
        ),
    )
    bot = make_bot()
    bot.chatops = ChatOps(
        gateway=bot.gateway,
        policy=policy,
        audit=bot.audit,
        clock=bot.clock,
        options=ChatOpsOptions(default_namespace="prod"),
    )
    asked = bot.ask("scale deployment/web --replicas=4", subject=BOB)
    assert asked.confirm is not None
    assert asked.confirm.prompt == "Run scale on deployments/web in namespace prod?"
    assert bot.gateway.calls == []
    bot.chatops.answer(BOB, asked.confirm.token, approved=True)
    assert bot.gateway.calls[0][0] == Scale(name="web", replicas=4, namespace="prod")
    first, second = bot.audit.records
    assert (first.decision, second.decision) == (Verdict.PENDING, Verdict.CONFIRMED)
    assert (second.verb, second.target) == ("scale", "deployments/web in namespace prod")
    assert second.rule == "policy.bindings[0] role deployer rule 0"


@dataclass
class Replicas:
    """Previews that read ``current`` replicas (the service's view of the target)."""

    current: int
    reads: int = 0

    def preview(
        self, command: Command, *, prompt: str, identity: KubeIdentity | None = None
    ) -> Preview:
        self.reads += 1
        assert isinstance(command, Scale)
        line = f"deployment web in namespace prod: {self.current} → {command.replicas} replicas"
        return Preview((line,), (("replicas", str(self.current)),))


def guarded(current: int, options: ChatOpsOptions | None = None) -> tuple[Bot, Replicas]:
    bot = make_bot()
    read = Replicas(current)
    bot.chatops = ChatOps(
        gateway=bot.gateway,
        policy=POLICY,
        audit=bot.audit,
        clock=bot.clock,
        options=options or ChatOpsOptions(default_namespace="prod"),
        previews=read,
    )
    return bot, read


@pytest.mark.parametrize(
    ("typed", "current", "why"),
    [
        ("scale deploy/web --replicas=100000", 3, "more than 100 replicas"),
        ("scale deploy/web --replicas=40", 3, "more than 10 times its current 3"),
        ("scale statefulset/db --replicas=12", 1, "more than 10 times its current 1"),
    ],
)
def test_a_large_scale_up_is_confirmed_without_a_rule(typed: str, current: int, why: str) -> None:
    bot, read = guarded(current)
    bot.gateway.result = Change(summary="scaled")
    asked = bot.ask(typed)
    assert asked.confirm is not None
    assert asked.confirm.prompt.endswith(f"That is {why}.")
    assert f"{current} → " in text_of(asked)  # the preview: current → new
    assert (bot.gateway.calls, read.reads) == ([], 1)  # read once, for the question and preview
    bot.chatops.answer(ALICE, asked.confirm.token, approved=True)
    assert len(bot.gateway.calls) == 1
    assert [r.decision for r in bot.audit.records] == [Verdict.PENDING, Verdict.CONFIRMED]


@pytest.mark.parametrize(
    ("typed", "current", "reads"),
    [
        ("scale deploy/web --replicas=10", 1, 0),  # 10 times at most from anything: not read
        ("scale deploy/web --replicas=30", 3, 1),
        ("scale deploy/web --replicas=150", 200, 1),  # a scale down
    ],
)
def test_other_scales_run_at_once(typed: str, current: int, reads: int) -> None:
    bot, read = guarded(current)
    bot.gateway.result = Change(summary="scaled")
    assert bot.ask(typed).confirm is None
    assert (len(bot.gateway.calls), read.reads) == (1, reads)


def test_the_scale_up_bounds_come_from_the_options() -> None:
    options = ChatOpsOptions(default_namespace="prod", scale_up_factor=2, scale_up_above=1000)
    bot, _ = guarded(3, options)
    asked = bot.ask("scale deploy/web --replicas=7")
    assert asked.confirm is not None
    assert asked.confirm.prompt.endswith("That is more than 2 times its current 3.")
    assert bot.ask("scale deploy/web --replicas=6").confirm is None


def test_a_large_scale_up_of_a_missing_target_is_an_error() -> None:
    bot, _ = guarded(3)
    bot.chatops = ChatOps(
        gateway=bot.gateway,
        policy=POLICY,
        audit=bot.audit,
        clock=bot.clock,
        options=ChatOpsOptions(default_namespace="prod"),
        previews=Missing(),
    )
    reply = bot.ask("scale deploy/nope --replicas=500")
    assert reply.confirm is None
    assert 'deployments.apps "nope" not found' in reply.headline
    assert bot.gateway.calls == []


class Missing:
    def preview(
        self, command: Command, *, prompt: str, identity: KubeIdentity | None = None
    ) -> Preview:
        raise NotFound('deployments.apps "nope" not found')
