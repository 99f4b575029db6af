"""The policy end to end: generated (user, groups, channel, command) cases, each typed into the
real app in HTTP mode against the sandbox, and the sandbox's request log as the witness.

For every case, a second and deliberately naive reading of the example policy below (``allows``)
says whether the command may run. Then no change reaches the cluster unless it allows it, every
change it allows does reach it (delete and scale to 0 only ask for confirmation, so they never
change anything without a click), and the audit trail records the same decision. Values are
unique per case, so no allowed change is a no-op that the bot could rightly skip.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.service.audit import Verdict
from kubesim.apiserver.request_log import RecordedRequest
from tests.e2e.stack import Stack, running_stack
from tests.fakeslack import SlackUser

POLICY = """\
policy:
  admins: [U0ROOT]
  roles:
    viewer:
      rules:
        - verbs: [get, describe, logs, rollout-status, rollout-history]
    deployer:
      rules:
        - verbs: [scale, set-image, rollout-restart]
          resources: [deploy]
          namespaces: [staging]
          names: [web, "api*"]
          max_replicas: 3
          images: ["nginx:*"]
    prod-ops:
      rules:
        - verbs: [scale, rollout-restart]
          resources: [deployments]
          namespaces: ["prod*"]
          max_replicas: 4
    labeller:
      rules:
        - verbs: [label, annotate]
          resources: [deployments, services]
          namespaces: [default]
  bindings:
    - roles: [viewer]
      users: ["*"]
    - roles: [deployer]
      groups: [S0DEPLOY]
      channels: [C0DEPLOYS]
      direct_messages: true
    - roles: [prod-ops]
      users: [U0CAROL]
    - roles: [labeller]
      groups: [S0LABEL]
"""

ROOT = SlackUser("U0ROOT", "root")
ALICE = SlackUser("U0ALICE", "alice")
BOB = SlackUser("U0BOB", "bob")
CAROL = SlackUser("U0CAROL", "carol")
DAVE = SlackUser("U0DAVE", "dave")
GROUPS = {"S0DEPLOY": [ALICE.id, BOB.id], "S0LABEL": [BOB.id, DAVE.id]}
"""Who is in which Slack user group, as the fake workspace answers ``usergroups.users.list``."""

CHANNELS = ("C0OPS", "C0DEPLOYS", "D0DIRECT")
DEPLOYMENTS = {
    "default": ("web", "kubernetes-bootcamp"),
    "staging": ("web", "api", "redis"),
    "prod": ("web", "api", "worker"),
}
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
COMMANDED = ("/deployments/", "/services/", "/pods")
"""Paths the generated commands change; the bot's own bookkeeping objects are not among them."""

RESTARTED_JUST_NOW = "restart has already been triggered within the past second"
"""kubectl's own refusal of a second restart in the same second (the annotation holds seconds)."""

_unique = itertools.count(1)


@dataclass(frozen=True)
class Case:
    """One generated command: who typed what where, and what it would change."""

    user: SlackUser
    channel: str
    verb: str
    namespace: str
    kind: str
    name: str
    replicas: int = 1
    image: str = ""

    @property
    def text(self) -> str:
        """What the user types after ``/k8s``; values unique per case."""
        n = next(_unique)
        target = f"{self.kind}/{self.name} -n {self.namespace}"
        match self.verb:
            case "get":
                return f"get {self.kind} {self.name} -n {self.namespace}"
            case "scale":
                return f"scale {target} --replicas={self.replicas}"
            case "set-image":
                return f"set image {target} {self.name}={self.image}.{n}"
            case "rollout-restart":
                return f"rollout restart {target}"
            case "label":
                return f"label {self.kind} {self.name} -n {self.namespace} case={n} --overwrite"
            case "annotate":
                return f"annotate {self.kind} {self.name} -n {self.namespace} case={n} --overwrite"
            case "delete":
                return f"delete pod {self.name}-gone -n {self.namespace}"
        raise AssertionError(self.verb)


def allows(case: Case) -> bool:
    """POLICY, read by hand: may this person run this command in this channel?"""
    if case.user == ROOT:
        return True
    direct = case.channel.startswith("D")
    groups = {group for group, members in GROUPS.items() if case.user.id in members}
    deployment = case.kind == "deployment"
    if case.verb == "get":
        return not direct
    if (
        "S0DEPLOY" in groups
        and case.channel in ("C0DEPLOYS", "D0DIRECT")
        and case.verb in ("scale", "set-image", "rollout-restart")
        and deployment
        and case.namespace == "staging"
        and case.name in ("web", "api")
        and (case.verb != "scale" or 1 <= case.replicas <= 3)
        and (case.verb != "set-image" or case.image.startswith("nginx:"))
    ):
        return True
    if (
        case.user == CAROL
        and not direct
        and case.verb in ("scale", "rollout-restart")
        and deployment
        and case.namespace == "prod"
        and (case.verb != "scale" or 1 <= case.replicas <= 4)
    ):
        return True
    return (
        "S0LABEL" in groups
        and not direct
        and case.verb in ("label", "annotate")
        and case.namespace == "default"
    )


def changes(case: Case) -> bool:
    """True when the command, once allowed, changes the cluster without asking first."""
    return case.verb not in ("get", "delete") and not (case.verb == "scale" and case.replicas == 0)


def _case(  # noqa: PLR0917 - st.builds passes the drawn values positionally
    user: SlackUser, channel: str, verb: str, namespace: str, pick: int, replicas: int, image: str
) -> Case:
    names = DEPLOYMENTS[namespace]
    name = names[pick % len(names)]
    kind = "service" if verb in ("label", "annotate") and pick % 2 else "deployment"
    if kind == "service":
        name = "web" if namespace != "default" else "kubernetes-bootcamp"
        name = name if namespace != "prod" else "api"
    return Case(user, channel, verb, namespace, kind, name, replicas, image)


cases = st.builds(
    _case,
    st.sampled_from((ROOT, ALICE, BOB, CAROL, DAVE)),
    st.sampled_from(CHANNELS),
    st.sampled_from(
        ("get", "scale", "set-image", "rollout-restart", "label", "annotate", "delete")
    ),
    st.sampled_from(tuple(DEPLOYMENTS)),
    st.integers(0, 7),
    st.integers(0, 5),
    st.sampled_from(("nginx:1", "evil.example.com/nginx:1")),
)


class Live:
    """The running stack, behind a short repr (Hypothesis prints its arguments on failure)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def __repr__(self) -> str:
        return "Live(http)"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    workdir: Path = tmp_path_factory.mktemp("e2e-policy")
    with running_stack("http", workdir, policy=POLICY, usergroups=GROUPS) as stack:
        yield Live(stack)


def _changed(requests: list[RecordedRequest]) -> list[RecordedRequest]:
    return [
        r for r in requests if r.method in MUTATING and any(part in r.path for part in COMMANDED)
    ]


EXAMPLES = 1000


@pytest.mark.live_stack
# The strategies draw only from Hypothesis; the live stack's library threads (aiohttp's
# connector, slack_sdk's websocket masks and retry jitter) draw from the global ``random``
# meanwhile, which Hypothesis cannot tell from a strategy's own use and reports as one.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
@pytest.mark.timeout(900)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases)
@pytest.mark.sandbox_only(
    reason="the sandbox's request log is the witness of what reached the cluster, case by case"
)
def test_only_what_the_policy_allows_reaches_the_cluster(live: Live, case: Case) -> None:
    policed = live.stack
    text = case.text
    mark, audited = len(policed.sandbox.requests), len(policed.audit.records)
    reply = policed.run(text, user=case.user, channel=case.channel)
    changed = _changed(policed.requests_since(mark))
    who = f"{case.user.id} in {case.channel}: {text!r}"
    record = policed.audit.wait_for(lambda r: r.text == text, since=audited)
    expected = {Verdict.ALLOWED, Verdict.PENDING} if allows(case) else {Verdict.DENIED}
    assert record.decision in expected, f"{who} was recorded as {record.decision}"
    if allows(case) and changes(case) and RESTARTED_JUST_NOW not in reply.text:
        assert changed, f"{who} was allowed but changed nothing: {reply.text}"
    else:
        assert changed == [], f"{who} changed {changed}: {reply.text}"
