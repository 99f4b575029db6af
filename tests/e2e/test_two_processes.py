"""Two real ``k8s-chatops run`` processes (HTTP mode) on one sandbox and one fake Slack: a
request previewed by one is answered by the other, once, whatever the clicks; a process killed
with SIGKILL between the preview and the click loses nothing; a prompt nobody answers is
edited once, with one ``expired`` record, by whichever of the processes wins it; and one that
expired while no bot ran is expired (its prompt replaced, one record) by the next one to start.

The sandbox's request log counts the changes, the fake Slack the announcements, and each
process's audit file the records.
"""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from bot.core.replies import PROGRESS_CONTEXT
from bot.transport.blocks import CONFIRM_ACTION
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.bot_processes import free_port, http_bot_process, wait_healthy
from tests.e2e.approval_policy import APPROVALS, QUICK_EXPIRY
from tests.e2e.stack import SIGNING_SECRET, Delivered
from tests.fakeslack import ALICE, BOB, CAROL, FakeSlack, HttpSlack, Sent, SlackUser, payloads
from tests.fakeslack.drive import post
from tests.fakeslack.server import running_fake_slack

SANDBOX = "real run processes on a sandbox; its request log proves exactly once"
"""Why each test here runs on the sandbox only."""

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WAIT = 60.0
_names = itertools.count()
_workdirs = itertools.count()


@dataclass
class Bot:
    """One running process and how to play Slack to it."""

    process: subprocess.Popen[bytes]
    slack: HttpSlack
    workdir: Path

    def audit(self) -> list[dict[str, Any]]:
        path = self.workdir / "audit.jsonl"
        text = path.read_text() if path.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]


@dataclass
class Shared:
    """One sandbox and one Slack for any number of processes."""

    sandbox: Sandbox
    fake: FakeSlack
    root: Path
    settings: str

    @contextmanager
    def another(self, settings: str | None = None) -> Iterator[Bot]:
        """One more process on the same sandbox and Slack (killed on exit if still running)."""
        chosen = settings if settings is not None else self.settings
        with started(self.sandbox, self.fake, self.root, chosen) as bot:
            yield bot


@dataclass
class Pair(Shared):
    """Two processes, running for the whole module."""

    a: Bot
    b: Bot


@contextmanager
def started(sandbox: Sandbox, fake: FakeSlack, root: Path, settings: str) -> Iterator[Bot]:
    port = free_port()
    workdir = root / f"bot{next(_workdirs)}"
    with http_bot_process(workdir, sandbox, fake, port, settings=settings) as process:
        wait_healthy(fake, f"http://127.0.0.1:{port}/healthz", process)
        url = f"http://127.0.0.1:{port}/slack/events"
        yield Bot(process, HttpSlack(fake, url, SIGNING_SECRET), workdir)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    root = tmp_path_factory.mktemp("two-processes")
    with ExitStack() as stack:
        sandbox = stack.enter_context(running_sandbox(scenario="demo", speed=50.0))
        fake = stack.enter_context(running_fake_slack())
        a = stack.enter_context(started(sandbox, fake, root, APPROVALS))
        b = stack.enter_context(started(sandbox, fake, root, APPROVALS))
        yield Pair(sandbox, fake, root, APPROVALS, a, b)
        for bot in (a, b):
            bot.process.send_signal(signal.SIGTERM)
            assert bot.process.wait(timeout=30) == 0


@pytest.fixture
def apps(pair: Pair) -> Iterator[Any]:
    api = pair.sandbox.api_client()
    try:
        yield client.AppsV1Api(api)
    finally:
        api.close()


def fresh_deployment(pair: Pair, apps: Any) -> str:
    """A Deployment of the test's own in prod, once it has its first revision."""
    name = f"twin{next(_names)}"
    apps.create_namespaced_deployment(
        "prod",
        {
            "metadata": {"name": name},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                },
            },
        },
    )

    def settled() -> bool:
        found = apps.read_namespaced_deployment(name, "prod")
        revision = (found.metadata.annotations or {}).get("deployment.kubernetes.io/revision")
        return bool(revision) and found.status.observed_generation == found.metadata.generation

    pair.fake.wait_for(settled, timeout=WAIT, what=f"deployment {name}'s first revision")
    return name


def ask(pair: Shared, bot: Bot, text: str, *, user: SlackUser = ALICE) -> Delivered:
    """Type ``/k8s TEXT`` to ``bot``; the reply, wherever it went."""
    posted = len(pair.fake.calls_to("chat.postMessage"))
    sent = bot.slack.command(text, user=user)

    def arrived() -> Delivered | None:
        for answer in pair.fake.responses_to(sent.response_url):
            if answer.status == 200 and PROGRESS_CONTEXT not in str(answer.body):
                return Delivered("response_url", answer.body, sent)
        for call in pair.fake.calls_to("chat.postMessage")[posted:]:
            if call.ok:
                return Delivered("chat.postMessage", call.params, sent)
        return None

    return pair.fake.wait_for(arrived, timeout=WAIT, what=f"the reply to {text!r}")


def answer_to(pair: Shared, sent: Sent) -> Delivered:
    """The first answer at a click's response_url."""
    found = pair.fake.wait_response(sent.response_url, timeout=WAIT)
    return Delivered("response_url", found.body, sent)


def placed(pair: Shared, token: str) -> None:
    """Wait until the request's ConfigMap says where its prompt is (written after delivery)."""
    api = pair.sandbox.api_client()
    try:
        core = client.CoreV1Api(api)

        def known() -> bool:
            found = core.read_namespaced_config_map(f"k8s-chatops-request-{token}", "default")
            return '"reply_url": "http' in str(found.data["request"])

        pair.fake.wait_for(known, timeout=WAIT, what="the prompt's place in the cluster")
    finally:
        api.close()


def changes_to(pair: Pair, mark: int, name: str) -> list[Any]:
    return [
        r
        for r in pair.sandbox.requests.all()[mark:]
        if r.method in MUTATING and f"/deployments/{name}" in r.path
    ]


def announcements(pair: Pair, name: str) -> list[Any]:
    return [
        c
        for c in pair.fake.calls_to("chat.postMessage")
        if c.ok and f"deployment/{name} " in str(c.params.get("text"))
    ]


def records(request: str, *bots: Bot) -> list[dict[str, Any]]:
    """The audit records about ``request`` in the audit files of ``bots``."""
    return [r for bot in bots for r in bot.audit() if r["request"] == request]


@pytest.mark.sandbox_only(reason=SANDBOX)
def test_a_confirmation_previewed_by_one_process_runs_once_on_the_other(
    pair: Pair, apps: Any
) -> None:
    name = fresh_deployment(pair, apps)
    prompt = ask(pair, pair.a, f"scale deployment/{name} --replicas=0 -n prod")
    assert f"deployment {name} in namespace prod: 2 → 0 replicas" in prompt.text
    assert prompt.ephemeral
    token = prompt.confirm_token()
    mark = len(pair.sandbox.requests.all())
    clicked = pair.b.slack.click(CONFIRM_ACTION, token, user=ALICE)
    outcome = answer_to(pair, clicked)
    assert outcome.body["replace_original"] is True
    (patch,) = changes_to(pair, mark, name)
    assert (patch.method, patch.path) == (
        "PATCH",
        f"/apis/apps/v1/namespaces/prod/deployments/{name}/scale",
    )
    pair.fake.wait_for(lambda: len(announcements(pair, name)) == 1, what="the announcement")
    assert apps.read_namespaced_deployment(name, "prod").spec.replicas == 0
    pair.fake.wait_for(
        lambda: len(records(token, pair.a, pair.b)) == 2, timeout=WAIT, what="the records"
    )
    assert [r["decision"] for r in records(token, pair.a)] == ["previewed"]
    assert [r["decision"] for r in records(token, pair.b)] == ["confirmed"]
    assert len(announcements(pair, name)) == 1


@pytest.mark.sandbox_only(reason=SANDBOX)
def test_a_double_click_on_both_processes_at_once_runs_once(pair: Pair, apps: Any) -> None:
    name = fresh_deployment(pair, apps)
    prompt = ask(pair, pair.a, f"rollout restart deployment/{name} -n prod", user=CAROL)
    assert prompt.via == "chat.postMessage"
    token = prompt.confirm_token()
    mark = len(pair.sandbox.requests.all())
    # Two clicks (each its own signed payload), and one click delivered to both (a retry).
    payload = pair.fake.block_actions(CONFIRM_ACTION, token, user=BOB, ephemeral=False)
    body = payloads.interaction_body(payload)
    headers = payloads.signature_headers(SIGNING_SECRET, body)
    sent: list[Sent] = [Sent(str(payload["response_url"]), 0, "")]

    def click(bot: Bot) -> None:
        sent.append(bot.slack.click(CONFIRM_ACTION, token, user=BOB, ephemeral=False))

    threads = [threading.Thread(target=click, args=(bot,)) for bot in (pair.a, pair.b)]
    threads += [
        threading.Thread(target=post, args=(bot.slack.app_url, body, headers))
        for bot in (pair.a, pair.b)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    answers = [answer_to(pair, one).text for one in sent]
    pair.fake.wait_for(lambda: len(announcements(pair, name)) == 1, what="the announcement")
    (patch,) = changes_to(pair, mark, name)
    assert patch.method == "PATCH"
    assert sum("no longer pending" in a for a in answers) == 2
    pair.fake.wait_for(
        lambda: len(records(token, pair.a, pair.b)) == 4, timeout=WAIT, what="every click's record"
    )
    decisions = sorted(r["decision"] for r in records(token, pair.a, pair.b))
    assert decisions == ["approved", "previewed", "refused", "refused"]
    assert len(announcements(pair, name)) == 1


@pytest.mark.sandbox_only(reason=SANDBOX)
def test_an_approval_asked_of_one_process_is_approved_on_the_other(pair: Pair, apps: Any) -> None:
    name = fresh_deployment(pair, apps)
    prompt = ask(pair, pair.a, f"scale deployment/{name} --replicas=4 -n prod", user=CAROL)
    assert "needs an approval by someone other than @carol holding sre-lead" in prompt.text
    token = prompt.confirm_token()
    mark = len(pair.sandbox.requests.all())
    mine = pair.b.slack.click(CONFIRM_ACTION, token, user=CAROL, ephemeral=False)
    assert "You cannot approve your own request" in answer_to(pair, mine).text
    assert changes_to(pair, mark, name) == []
    theirs = pair.b.slack.click(CONFIRM_ACTION, token, user=BOB, ephemeral=False)
    outcome = answer_to(pair, theirs)
    assert "Approved by @bob." in outcome.text
    (patch,) = changes_to(pair, mark, name)
    assert patch.path.endswith(f"/deployments/{name}/scale")
    pair.fake.wait_for(lambda: len(announcements(pair, name)) == 1, what="the announcement")
    assert apps.read_namespaced_deployment(name, "prod").spec.replicas == 4
    pair.fake.wait_for(
        lambda: len(records(token, pair.a, pair.b)) == 3, timeout=WAIT, what="the records"
    )
    (approved,) = [r for r in records(token, pair.b) if r["decision"] == "approved"]
    assert approved["approver"] == f"@bob ({BOB.id})"


@pytest.mark.sandbox_only(reason=SANDBOX)
def test_a_process_killed_between_preview_and_click_loses_nothing(pair: Pair, apps: Any) -> None:
    name = fresh_deployment(pair, apps)
    with pair.another() as doomed:
        prompt = ask(pair, doomed, f"scale deployment/{name} --replicas=0 -n prod")
        assert prompt.ephemeral
        doomed.process.send_signal(signal.SIGKILL)
        doomed.process.wait(timeout=10)
    token = prompt.confirm_token()
    mark = len(pair.sandbox.requests.all())
    clicked = pair.b.slack.click(CONFIRM_ACTION, token, user=ALICE)
    outcome = answer_to(pair, clicked)
    assert outcome.body["replace_original"] is True
    assert len(changes_to(pair, mark, name)) == 1
    pair.fake.wait_for(lambda: len(announcements(pair, name)) == 1, what="the announcement")
    assert apps.read_namespaced_deployment(name, "prod").spec.replicas == 0


@pytest.mark.sandbox_only(reason=SANDBOX)
def test_a_request_that_expired_while_no_bot_ran_is_expired_at_the_next_start(
    tmp_path: Path,
) -> None:
    quick = APPROVALS + QUICK_EXPIRY
    with ExitStack() as stack:
        # A sandbox and Slack of its own: the pair's processes would expire it themselves.
        sandbox = stack.enter_context(running_sandbox(scenario="demo", speed=50.0))
        fake = stack.enter_context(running_fake_slack())
        alone = Shared(sandbox, fake, tmp_path, quick)
        with alone.another() as doomed:
            prompt = ask(alone, doomed, "scale deployment/web --replicas=0 -n prod")
            token = prompt.confirm_token()
            placed(alone, token)
            doomed.process.send_signal(signal.SIGKILL)
            doomed.process.wait(timeout=10)
        expires = datetime.strptime(prompt.text.split("expires at ")[1][:8], "%H:%M:%S").time()
        fake.wait_for(
            lambda: datetime.now(UTC).time() > expires, timeout=WAIT, what="the expiry to pass"
        )
        url = prompt.sent.response_url
        with alone.another() as starting:

            def replaced() -> dict[str, Any] | None:
                posts = [p.body for p in fake.responses_to(url) if p.status == 200]
                last = posts[-1] if posts else {}
                return last if str(last.get("text", "")).startswith("Expired at") else None

            body = fake.wait_for(replaced, timeout=WAIT, what="the prompt replaced")
            assert body["replace_original"] is True
            assert not [b for b in body["blocks"] if b.get("type") == "actions"]
            fake.wait_for(
                lambda: [r["decision"] for r in records(token, starting)] == ["expired"],
                timeout=WAIT,
                what="the expired record",
            )
            assert [r["decision"] for r in records(token, doomed)] == ["previewed"]
            # Stopped, not killed, before its Slack stops: no connection is left half open.
            starting.process.send_signal(signal.SIGTERM)
            assert starting.process.wait(timeout=30) == 0
        api = sandbox.api_client()
        stack.callback(api.close)
        assert client.AppsV1Api(api).read_namespaced_deployment("web", "prod").spec.replicas == 3


@pytest.mark.sandbox_only(reason=SANDBOX)
def test_three_processes_expire_an_approval_prompt_once(pair: Pair, apps: Any) -> None:
    name = fresh_deployment(pair, apps)
    quick = APPROVALS + QUICK_EXPIRY
    with pair.another(quick) as third:
        # Asked of the third; the pair follows it too, and all three race for its expiry.
        prompt = ask(pair, third, f"scale deployment/{name} --replicas=5 -n prod", user=CAROL)
        assert prompt.via == "chat.postMessage"
        token = prompt.confirm_token()
        (message,) = [m for m in pair.fake.messages if token in str(m["blocks"])]

        def expired() -> dict[str, Any] | None:
            (now,) = [m for m in pair.fake.messages if m["ts"] == message["ts"]]
            return now if str(now["text"]).startswith("Expired at") else None

        edited = pair.fake.wait_for(expired, timeout=WAIT, what="the prompt edited")
        assert not [b for b in edited["blocks"] if b.get("type") == "actions"]
        bots = (pair.a, pair.b, third)
        pair.fake.wait_for(
            lambda: [r["decision"] for r in records(token, *bots)].count("expired") == 1,
            timeout=WAIT,
            what="the expired record",
        )
        late = pair.a.slack.click(CONFIRM_ACTION, token, user=BOB, ephemeral=False)
        assert "no longer pending: it expired" in answer_to(pair, late).text
        third.process.send_signal(signal.SIGTERM)
        assert third.process.wait(timeout=30) == 0
    decisions = sorted(r["decision"] for r in records(token, *bots))
    assert decisions == ["expired", "previewed", "refused"]
    edits = [
        c for c in pair.fake.calls_to("chat.update") if c.params.get("ts") == message["ts"] and c.ok
    ]
    assert len(edits) == 1
    assert apps.read_namespaced_deployment(name, "prod").spec.replicas == 2
