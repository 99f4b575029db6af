"""The bot as it runs from deploy/: authenticated as its ServiceAccount, under the rendered RBAC.

``running_as_account(workdir, components)`` starts the sandbox (demo scenario) and the fake
Slack, applies the RBAC objects of deploy/ (with ``components`` on) to the sandbox with the real
kubectl, gets a token from ``serviceaccounts/k8s-chatops/token`` and wires the bot with
``bot.compose`` exactly as ``tests/e2e/stack.py`` does — HTTP mode, the policy of the e2e suite
— plus the rollout notifier with a route for every namespace, so that its Lease and state
ConfigMap are in the bot's namespace, as in a pod.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.cluster import Cluster as BotCluster
from bot.compose import composed, slack_app
from bot.notifications import NotifierTimings, RunningNotifier, notifications
from bot.settings import load_settings
from bot.transport.slack_delivery import Delivery
from bot.transport.slack_http import running_http
from kubesim.apiserver.request_log import RecordedRequest
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.ci import require_kubectl
from tests.deploy.manifests import ACCOUNT, NAMESPACE, RBAC_KINDS, of_kind, rendered
from tests.e2e.stack import OPS_MEMBERS, SIGNING_SECRET, SPEED, VIEWERS, MemoryAudit, Stack
from tests.fakeslack import ALICE, HttpSlack, running_fake_slack

IMPERSONATE = """\
  impersonate:
    user: "slack:{user_id}"
    group: "slack:{handle}"
    extra_groups: [chatops-users]
"""
"""``kubernetes.impersonate``, on when the impersonate component is: commands then run as the
Slack user, whom the cluster's own RBAC (here: ``chatops-users`` bound to cluster-admin) judges."""
DEPLOYS = "C0DEPLOYS"
"""Where the notifier posts every rollout."""
FAST = NotifierTimings(tick=0.1, edit_interval=0.3, batch_window=0.4)


@dataclass
class AccountStack:
    """The e2e stack, with the bot's identity and its notifier."""

    stack: Stack
    token: str
    """The ServiceAccount's bearer token: the bot's every request carries it."""
    notifier: RunningNotifier

    @property
    def sandbox(self) -> Sandbox:
        return self.stack.sandbox

    def bot_requests(self) -> list[RecordedRequest]:
        """Every request the bot sent (its token), in order."""
        bearer = f"Bearer {self.token}"
        return [r for r in self.sandbox.requests if r.headers.get("Authorization") == bearer]


def apply_rbac(sandbox: Sandbox, components: tuple[str, ...]) -> None:
    """kubectl apply the Namespace, ServiceAccount and RBAC objects deploy/ renders."""
    objects = of_kind(rendered(components), "Namespace", "ServiceAccount", *RBAC_KINDS)
    done = subprocess.run(
        [require_kubectl(), "--kubeconfig", str(sandbox.kubeconfig), "apply", "-f", "-"],
        input=yaml.safe_dump_all(objects),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def _bind_slack_users(sandbox: Sandbox) -> None:
    """The cluster's RBAC for the impersonated Slack users: everything (the bot's policy still
    decides who may run what; this test is about the bot's own identity)."""
    done = subprocess.run(
        [
            *(require_kubectl(), "--kubeconfig", str(sandbox.kubeconfig), "create"),
            *("clusterrolebinding", "chatops-users", "--clusterrole=cluster-admin"),
            "--group=chatops-users",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


@contextmanager
def running_as_account(workdir: Path, components: tuple[str, ...] = ()) -> Iterator[AccountStack]:
    """Sandbox + fake Slack + the bot as ``system:serviceaccount:k8s-chatops:k8s-chatops``."""
    with ExitStack() as stack:
        sandbox = stack.enter_context(running_sandbox(scenario="demo", speed=SPEED))
        apply_rbac(sandbox, components)
        impersonating = "impersonate" in components
        if impersonating:
            _bind_slack_users(sandbox)
        token = sandbox.service_account_token(NAMESPACE, ACCOUNT)
        kubeconfig = sandbox.kubeconfig_for(token, namespace=NAMESPACE)
        fake = stack.enter_context(running_fake_slack())
        fake.workspace.usergroups = {"S0OPS": list(OPS_MEMBERS)}
        env = {
            "HOME": str(workdir),
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
        }
        path = workdir / "k8s-chatops.yaml"
        path.write_text(
            "slack:\n  mode: http\n"
            f"kubernetes:\n  kubeconfig: {kubeconfig}\n{IMPERSONATE if impersonating else ''}"
            f"policy:\n  admins: [{ALICE.id}]\n{VIEWERS}"
            f'notifications:\n  routes:\n    - namespaces: ["*"]\n      channel: {DEPLOYS}\n'
            f"leader_election:\n  namespace: {NAMESPACE}\n"
            "  lease_duration_seconds: 3\n  renew_deadline_seconds: 2\n"
            "  retry_period_seconds: 0.3\n"
        )
        settings = load_settings(path, env=env)
        cluster = BotCluster(in_cluster=False, kubeconfig=kubeconfig, label="the ServiceAccount")
        audit = MemoryAudit()
        bot = stack.enter_context(composed(settings, cluster, audit=audit))
        app = slack_app(settings, bot)
        stack.callback(app.close)
        running = stack.enter_context(
            notifications(settings, cluster, Delivery(app.client), timings=FAST)
        )
        assert running is not None
        url = stack.enter_context(running_http(app))
        slack = HttpSlack(fake, url, SIGNING_SECRET)
        yield AccountStack(Stack("http", sandbox, fake, slack, audit, settings), token, running)
