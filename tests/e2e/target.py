"""The cluster-agnostic end-to-end fixtures: the sandbox in ``make test``, any cluster in
``make test-cluster``.

``running_target()`` gives a cluster and a namespace of its own with a seeded Deployment: the
sandbox (demo scenario) by default; with ``K8S_CHATOPS_TEST_CLUSTER=1`` whatever cluster
``KUBECONFIG`` names (kind, a dev cluster), after checking that it answers. The namespace is
created for the run and deleted after it. ``running_any_stack()`` wires the bot to it with
``bot.compose``, as ``k8s-chatops run`` does, against the fake Slack, authenticated as a
ServiceAccount granted only what the verbs' handlers declare (``k8s-chatops check`` passes).
Tests written against these use only the Kubernetes API, never the sandbox's hooks, so they
pass on a real cluster too; the other e2e tests carry ``@pytest.mark.sandbox_only``, which
``make test-cluster`` skips.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pytest
import yaml
from kubernetes import client, config

from bot.compose import composed, notifications, require_cluster, slack_app
from bot.core.rbac import Access
from bot.preflight import needed_access, run_checks
from bot.service.audit import AuditRecord
from bot.settings import load_settings
from bot.transport.slack_delivery import Delivery
from bot.transport.slack_http import running_http
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.e2e.stack import SIGNING_SECRET, SPEED, Delivered
from tests.fakeslack import ALICE, FakeSlack, HttpSlack, SlackUser, running_fake_slack

CLUSTER_ENV: Final = "K8S_CHATOPS_TEST_CLUSTER"
"""Set (to 1) by ``make test-cluster``: run against the cluster ``KUBECONFIG`` names."""
IMAGES_ENV: Final = "K8S_CHATOPS_TEST_IMAGES"
"""Two images a real cluster can pull, comma-separated (default: two tags of ``pause``)."""
DEFAULT_IMAGES: Final = ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.9")
CHANNEL: Final = "C0DEPLOYS"
WAIT: Final = 120.0
"""Seconds to wait for a real cluster's pods (the sandbox is far quicker)."""


def on_real_cluster() -> bool:
    """True under ``make test-cluster``."""
    return bool(os.environ.get(CLUSTER_ENV))


def images() -> tuple[str, str]:
    """The seeded image, and the one ``set image`` switches to."""
    found = [i.strip() for i in os.environ.get(IMAGES_ENV, "").split(",") if i.strip()]
    first, second = (found + list(DEFAULT_IMAGES))[:2] if found else DEFAULT_IMAGES
    return first, second


@dataclass
class Target:
    """A cluster, the admin's kubeconfig for it, and the namespace this run owns."""

    kubeconfig: Path
    namespace: str
    sandbox: Sandbox | None
    """The sandbox when it is one; tests on these fixtures never use it."""

    def api(self) -> Any:
        """An ``ApiClient`` for the admin's kubeconfig (the caller closes it)."""
        return config.new_client_from_config(config_file=str(self.kubeconfig))

    def replicas(self, name: str) -> int:
        """``spec.replicas`` of a Deployment in the run's namespace."""
        api = self.api()
        try:
            found = client.AppsV1Api(api).read_namespaced_deployment(name, self.namespace)
        finally:
            api.close()
        return int(found.spec.replicas)


def _kubeconfig_from_environment() -> Path:
    paths = [Path(p) for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    path = paths[0] if paths else Path.home() / ".kube" / "config"
    if not path.exists():
        pytest.exit(
            f"{CLUSTER_ENV}: no kubeconfig at {path}; set KUBECONFIG to a reachable cluster's",
            returncode=3,
        )
    return path


def _reachable(kubeconfig: Path) -> None:
    try:
        api = config.new_client_from_config(config_file=str(kubeconfig))
        try:
            client.VersionApi(api).get_code(_request_timeout=(5, 10))
        finally:
            api.close()
    except Exception as e:  # noqa: BLE001 - any failure means "no cluster here"
        pytest.exit(
            f"{CLUSTER_ENV}: the cluster of {kubeconfig} is not reachable "
            f"({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}); "
            "start one (kind create cluster) or point KUBECONFIG at one",
            returncode=3,
        )


@contextmanager
def running_target() -> Iterator[Target]:
    """The cluster and a fresh namespace with Deployment ``web`` (2 replicas) available."""
    with ExitStack() as stack:
        sandbox: Sandbox | None = None
        if on_real_cluster():
            kubeconfig = _kubeconfig_from_environment()
            _reachable(kubeconfig)
        else:
            sandbox = stack.enter_context(running_sandbox(scenario="demo", speed=SPEED))
            kubeconfig = sandbox.kubeconfig
        target = Target(kubeconfig, f"k8s-chatops-e2e-{uuid.uuid4().hex[:6]}", sandbox)
        api = target.api()
        stack.callback(api.close)
        core = client.CoreV1Api(api)
        core.create_namespace({"metadata": {"name": target.namespace}})
        stack.callback(
            lambda: core.delete_namespace(target.namespace, propagation_policy="Background")
        )
        client.AppsV1Api(api).create_namespaced_deployment(target.namespace, _deployment())
        _wait_available(target, "web", 2)
        yield target


def _deployment() -> dict[str, Any]:
    labels = {"app": "web"}
    container = {"name": "web", "image": images()[0]}
    return {
        "metadata": {"name": "web", "labels": labels},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
        },
    }


def _wait_available(target: Target, name: str, replicas: int) -> None:
    done = threading.Event()
    api = target.api()
    try:
        apps = client.AppsV1Api(api)
        for _ in range(int(WAIT * 4)):
            status = apps.read_namespaced_deployment_status(name, target.namespace).status
            if (status.available_replicas or 0) >= replicas:
                return
            done.wait(0.25)
    finally:
        api.close()
    raise AssertionError(f"deployment {name} not available in {WAIT}s on {target.kubeconfig}")


@dataclass
class MemoryAudit:
    records: list[AuditRecord] = field(default_factory=list)

    def record(self, entry: AuditRecord) -> None:
        self.records.append(entry)


@dataclass
class AnyStack:
    """The bot (HTTP mode) on a ``Target``, with the fake Slack, notifications on."""

    target: Target
    fake: FakeSlack
    slack: HttpSlack
    audit: MemoryAudit

    def run(self, text: str, *, user: SlackUser = ALICE, timeout: float = WAIT) -> Delivered:
        """``/k8s TEXT``'s reply (not the progress note), wherever it was delivered."""
        posted = len(self.fake.calls_to("chat.postMessage"))
        sent = self.slack.command(text, user=user)

        def arrived() -> Delivered | None:
            for post in self.fake.responses_to(sent.response_url):
                if post.status == 200 and "Working on" not in str(post.body):
                    return Delivered("response_url", post.body, sent)
            for call in self.fake.calls_to("chat.postMessage")[posted:]:
                if call.ok and call.params.get("channel") != CHANNEL:
                    return Delivered("chat.postMessage", call.params, sent)
            return None

        return self.fake.wait_for(arrived, timeout=timeout, what=f"the reply to {text!r}")

    def click(self, action_id: str, token: str, *, user: SlackUser = ALICE) -> Delivered:
        """Click a button; the reply at the click's response_url."""
        sent = self.slack.click(action_id, token, user=user)
        post = self.fake.wait_response(sent.response_url, timeout=WAIT)
        return Delivered("response_url", post.body, sent)

    def notifications(self) -> list[dict[str, Any]]:
        """The messages in the notification channel, as they stand now."""
        return [m for m in self.fake.messages if m.get("channel") == CHANNEL]


ACCOUNT: Final = "k8s-chatops"


def _rule(access: Access) -> dict[str, object]:
    if access.path:
        return {"nonResourceURLs": [access.path], "verbs": [access.verb]}
    sub = f"/{access.subresource}" if access.subresource else ""
    return {
        "apiGroups": [access.group],
        "resources": [access.resource + sub],
        "verbs": [access.verb],
    }


@contextmanager
def service_account(target: Target, accesses: Iterable[Access], workdir: Path) -> Iterator[Path]:
    """A ServiceAccount in the run's namespace granted exactly ``accesses`` (what the handlers
    declare, what ``check`` reviews), and a kubeconfig with its token: the bot runs as it, so a
    request a handler does not declare is forbidden and fails the test."""
    name, ns = f"{ACCOUNT}-{target.namespace}", target.namespace
    subject = {"kind": "ServiceAccount", "name": ACCOUNT, "namespace": ns}
    wanted = list(accesses)
    api = target.api()
    try:
        core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
        core.create_namespaced_service_account(ns, {"metadata": {"name": ACCOUNT}})
        cluster_rules = [_rule(a) for a in wanted if not a.own_namespace]
        own_rules = [_rule(a) for a in wanted if a.own_namespace]
        ref = {"apiGroup": "rbac.authorization.k8s.io", "name": name}
        rbac.create_cluster_role({"metadata": {"name": name}, "rules": cluster_rules})
        rbac.create_cluster_role_binding(
            {
                "metadata": {"name": name},
                "roleRef": {**ref, "kind": "ClusterRole"},
                "subjects": [subject],
            }
        )
        rbac.create_namespaced_role(ns, {"metadata": {"name": name}, "rules": own_rules})
        rbac.create_namespaced_role_binding(
            ns,
            {"metadata": {"name": name}, "roleRef": {**ref, "kind": "Role"}, "subjects": [subject]},
        )
        token = core.create_namespaced_service_account_token(
            ACCOUNT, ns, {"spec": {"expirationSeconds": 3600}}
        ).status.token
        try:
            yield _kubeconfig_with_token(target.kubeconfig, token, workdir / "bot.kubeconfig")
        finally:
            rbac.delete_cluster_role_binding(name)
            rbac.delete_cluster_role(name)
    finally:
        api.close()


def _kubeconfig_with_token(admin: Path, token: str, path: Path) -> Path:
    """The admin kubeconfig's current cluster, authenticated by ``token``."""
    document = yaml.safe_load(admin.read_text())
    current = next(c for c in document["contexts"] if c["name"] == document["current-context"])
    cluster = next(c for c in document["clusters"] if c["name"] == current["context"]["cluster"])
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [cluster],
                "users": [{"name": "bot", "user": {"token": token}}],
                "contexts": [
                    {"name": "bot", "context": {"cluster": cluster["name"], "user": "bot"}}
                ],
                "current-context": "bot",
            }
        )
    )
    path.chmod(0o600)
    return path


@contextmanager
def running_any_stack(target: Target, workdir: Path) -> Iterator[AnyStack]:
    """The bot wired by ``bot.compose`` against ``target``, as ``k8s-chatops run`` would be."""
    with ExitStack() as stack:
        fake = stack.enter_context(running_fake_slack())
        env = {
            "HOME": str(workdir),
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
        }
        path = workdir / "k8s-chatops.yaml"
        path.write_text(
            "slack:\n  mode: http\n"
            f"kubernetes:\n  kubeconfig: {target.kubeconfig}\n"
            f"  default_namespace: {target.namespace}\n"
            f"policy:\n  admins: [{ALICE.id}]\n"
            f"notifications:\n  routes:\n    - namespaces: [{target.namespace}]\n"
            f"      channel: {CHANNEL}\n"
            f"leader_election:\n  namespace: {target.namespace}\n"
            "  lease_duration_seconds: 3\n  renew_deadline_seconds: 2\n"
            "  retry_period_seconds: 0.5\n"
        )
        admin = load_settings(path, env=env)
        kubeconfig = stack.enter_context(service_account(target, needed_access(admin), workdir))
        path.write_text(path.read_text().replace(str(target.kubeconfig), str(kubeconfig)))
        settings = load_settings(path, env=env)
        cluster = require_cluster(settings, env)
        failed = [row for row in run_checks(settings, cluster) if not row.passed]
        assert failed == [], "k8s-chatops check fails as the bot's ServiceAccount"
        audit = MemoryAudit()
        bot = stack.enter_context(composed(settings, cluster, audit=audit))
        app = slack_app(settings, bot)
        stack.callback(app.close)
        running = stack.enter_context(notifications(settings, cluster, Delivery(app.client)))
        assert running is not None
        fake.wait_for(running.leading, timeout=30, what="the notifier's Lease")
        url = stack.enter_context(running_http(app))
        yield AnyStack(target, fake, HttpSlack(fake, url, SIGNING_SECRET), audit)
