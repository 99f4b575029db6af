"""The cluster-agnostic end-to-end fixtures: the sandbox in ``make test``, any cluster in
``make test-cluster``.

``running_target()`` gives a cluster and a namespace of its own with a seeded Deployment: the
sandbox (demo scenario) by default; with ``K8S_CHATOPS_TEST_CLUSTER=1`` whatever cluster
``KUBECONFIG`` names (kind, a dev cluster), after checking that it answers. The namespace is
created for the run and deleted after it. ``running_any_stack()`` wires the bot to it with
``bot.compose``, as ``k8s-chatops run`` does, in HTTP mode or Socket Mode against the fake
Slack, authenticated as a ServiceAccount granted only what the verbs' handlers declare
(``k8s-chatops check`` passes). Tests written against these create what they need in the
namespace through the Kubernetes API and wait on its conditions, so they pass on a real cluster
too. On the sandbox they may also read what the bot sent (``AnyStack.sent_since``, None on a
real cluster), never change it; the e2e tests that need its fault hooks, request log or demo
scenario carry ``@pytest.mark.sandbox_only(reason=...)``, which ``make test-cluster`` skips.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

import pytest
import yaml
from kubernetes import client, config

from bot.cluster import require_cluster
from bot.compose import composed, slack_app
from bot.core.rbac import Access
from bot.notifications import notifications
from bot.preflight import needed_access, run_checks
from bot.settings import load_settings
from bot.transport.slack_delivery import Delivery
from bot.transport.slack_http import running_http
from bot.transport.slack_serve import connect_socket_mode
from kubesim.apiserver.request_log import RecordedRequest
from kubesim.testing.harness import Sandbox, running_sandbox
from tests.e2e.stack import (
    OPS_MEMBERS,
    SIGNING_SECRET,
    SPEED,
    VIEWERS,
    Delivered,
    MemoryAudit,
    request_record,
)
from tests.fakeslack import (
    ALICE,
    OPS_CHANNEL,
    FakeSlack,
    HttpSlack,
    SlackUser,
    SocketSlack,
    running_fake_slack,
)

T = TypeVar("T")

CLUSTER_ENV: Final = "K8S_CHATOPS_TEST_CLUSTER"
"""Set (to 1) by ``make test-cluster``: run against the cluster ``KUBECONFIG`` names."""
IMAGES_ENV: Final = "K8S_CHATOPS_TEST_IMAGES"
"""Two images a real cluster can pull, comma-separated (default: two tags of ``pause``)."""
DEFAULT_IMAGES: Final = ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.9")
SHELL_ENV: Final = "K8S_CHATOPS_TEST_SHELL_IMAGE"
"""An image with ``sh`` a real cluster can pull, for the pods that must write logs."""
DEFAULT_SHELL: Final = "busybox:1.36"
CHANNEL: Final = "C0DEPLOYS"
WAIT: Final = 120.0
"""Seconds to wait for a real cluster's pods (the sandbox is far quicker)."""
WRITES: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def on_real_cluster() -> bool:
    """True under ``make test-cluster``."""
    return bool(os.environ.get(CLUSTER_ENV))


def shell_image() -> str:
    """The image of the pods that print log lines."""
    return os.environ.get(SHELL_ENV, "").strip() or DEFAULT_SHELL


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
    """The sandbox when it is one: tests on these fixtures only read its request log."""
    client: Any = None
    """The admin's ``ApiClient``, open while the target runs (``core``, ``apps``, ``rbac``)."""

    def api(self) -> Any:
        """An ``ApiClient`` for the admin's kubeconfig (the caller closes it)."""
        return config.new_client_from_config(config_file=str(self.kubeconfig))

    @property
    def core(self) -> Any:
        """CoreV1Api as the cluster's admin, to set up and check state independently."""
        return client.CoreV1Api(self.client)

    @property
    def apps(self) -> Any:
        """AppsV1Api as the cluster's admin."""
        return client.AppsV1Api(self.client)

    @property
    def rbac(self) -> Any:
        """RbacAuthorizationV1Api as the cluster's admin."""
        return client.RbacAuthorizationV1Api(self.client)

    def wait(self, found: Callable[[], T], *, what: str, timeout: float = WAIT) -> T:
        """Poll ``found()`` until it is truthy and return it; AssertionError at the deadline."""
        deadline = time.monotonic() + timeout
        pause = threading.Event()
        while not (value := found()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not so after {timeout}s on {self.kubeconfig}")
            pause.wait(0.1)
        return value

    def deployment(
        self,
        name: str,
        *,
        replicas: int = 1,
        image: str | None = None,
        container: str | None = None,
        labels: dict[str, str] | None = None,
        command: list[str] | None = None,
    ) -> str:
        """Create Deployment ``name`` (label ``app=name``, one container named ``container``
        or ``name``) in the run's namespace and wait until all its replicas are available."""
        body = _deployment(name, replicas, image or images()[0], container or name, labels or {})
        if command:
            body["spec"]["template"]["spec"]["containers"][0]["command"] = command
        self.apps.create_namespaced_deployment(self.namespace, body)
        _wait_available(self, name, replicas)
        return name

    def pods(self, selector: str) -> list[str]:
        """Names of the namespace's pods matching ``selector`` that are not going away."""
        listed = self.core.list_namespaced_pod(self.namespace, label_selector=selector).items
        return sorted(p.metadata.name for p in listed if p.metadata.deletion_timestamp is None)

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
        target.client = target.api()
        stack.callback(target.client.close)
        core = target.core
        core.create_namespace({"metadata": {"name": target.namespace}})
        stack.callback(
            lambda: core.delete_namespace(target.namespace, propagation_policy="Background")
        )
        target.deployment("web", replicas=2)
        yield target


def _deployment(
    name: str, replicas: int, image: str, container: str, more: dict[str, str]
) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "metadata": {"name": name, "labels": {**labels, **more}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": {**labels, **more}},
                "spec": {"containers": [{"name": container, "image": image}]},
            },
        },
    }


def _wait_available(target: Target, name: str, replicas: int) -> None:
    def available() -> bool:
        status = target.apps.read_namespaced_deployment_status(name, target.namespace).status
        return (status.available_replicas or 0) >= replicas

    target.wait(available, what=f"deployment {name} available")


@dataclass
class AnyStack:
    """The bot on a ``Target`` in ``mode`` (http, socket), with the fake Slack, notifications
    on (in ``CHANNEL``), admins ``[alice]`` and every user a viewer (``stack.VIEWERS``)."""

    mode: str
    target: Target
    fake: FakeSlack
    slack: HttpSlack | SocketSlack
    audit: MemoryAudit
    user: str
    """The bot's Kubernetes user name (its ServiceAccount's)."""
    token: str
    """Its ServiceAccount token, which tells its requests apart in the sandbox's log."""
    quiet: frozenset[str] = frozenset({CHANNEL})
    """Channels whose messages are never a command's reply (notifications, audit)."""

    def run(
        self,
        text: str,
        *,
        user: SlackUser = ALICE,
        channel: str = OPS_CHANNEL,
        timeout: float = WAIT,
    ) -> Delivered:
        """``/k8s TEXT``'s reply (not the progress note), wherever it was delivered."""
        posted = len(self.fake.calls_to("chat.postMessage"))
        sent = self.slack.command(text, user=user, channel=channel)

        def arrived() -> Delivered | None:
            for post in self.fake.responses_to(sent.response_url):
                if post.status == 200 and "Working on" not in str(post.body):
                    return Delivered("response_url", post.body, sent)
            for found in self._announced(posted):
                return Delivered("chat.postMessage", found, sent)
            return None

        return self.fake.wait_for(arrived, timeout=timeout, what=f"the reply to {text!r}")

    def click(
        self, action_id: str, token: str, *, user: SlackUser = ALICE
    ) -> tuple[Delivered, list[Delivered]]:
        """Click a button; the reply at the click's response_url, and any announcement."""
        posted = len(self.fake.calls_to("chat.postMessage"))
        sent = self.slack.click(action_id, token, user=user)
        post = self.fake.wait_response(sent.response_url, timeout=WAIT)
        announced = [Delivered("chat.postMessage", p, sent) for p in self._announced(posted)]
        return Delivered("response_url", post.body, sent), announced

    def _announced(self, posted: int) -> list[dict[str, Any]]:
        return [
            call.params
            for call in self.fake.calls_to("chat.postMessage")[posted:]
            if call.ok and call.params.get("channel") not in self.quiet
        ]

    def notifications(self) -> list[dict[str, Any]]:
        """The messages in the notification channel, as they stand now."""
        return [m for m in self.fake.messages if m.get("channel") == CHANNEL]

    def mark(self) -> int:
        """Where ``sent_since`` starts: the sandbox's request count now (0 on a real cluster)."""
        return 0 if self.target.sandbox is None else len(self.target.sandbox.requests)

    def sent_since(self, mark: int) -> list[RecordedRequest] | None:
        """On the sandbox, the requests the bot sent since ``mark`` (but for its Lease and the
        records of the signed requests it took); None on a real cluster, where no log exists."""
        if self.target.sandbox is None:
            return None
        return [
            r
            for r in self.target.sandbox.requests.all()[mark:]
            if r.headers.get("Authorization") == f"Bearer {self.token}"
            and not request_record(r)
            and "/leases" not in r.path
        ]

    def writes_since(self, mark: int) -> list[RecordedRequest] | None:
        """``sent_since``'s writes but the confirmations' own ConfigMaps."""
        sent = self.sent_since(mark)
        if sent is None:
            return None
        return [r for r in sent if r.method in WRITES and "/configmaps" not in r.path]


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
def service_account(
    target: Target, accesses: Iterable[Access], workdir: Path, *, account: str = ACCOUNT
) -> Iterator[Path]:
    """A ServiceAccount in the run's namespace granted exactly ``accesses`` (what the handlers
    declare, what ``check`` reviews), and a kubeconfig with its token: the bot runs as it, so a
    request a handler does not declare is forbidden and fails the test."""
    name, ns = f"{account}-{target.namespace}", target.namespace
    subject = {"kind": "ServiceAccount", "name": account, "namespace": ns}
    wanted = list(accesses)
    api = target.api()
    try:
        core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
        core.create_namespaced_service_account(ns, {"metadata": {"name": account}})
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
            account, ns, {"spec": {"expirationSeconds": 3600}}
        ).status.token
        try:
            yield _kubeconfig_with_token(
                target.kubeconfig, token, workdir / f"{account}.kubeconfig"
            )
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
def running_any_stack(
    target: Target,
    workdir: Path,
    *,
    mode: str = "http",
    account: str = ACCOUNT,
    extra: str = "",
    kubernetes: str = "",
    notify: bool = True,
) -> Iterator[AnyStack]:
    """The bot wired by ``bot.compose`` against ``target``, as ``k8s-chatops run`` would be, in
    ``mode``, as ServiceAccount ``account``. ``extra``: more top-level sections of its settings
    file; ``kubernetes``: more lines of its ``kubernetes`` section, indented; ``notify``:
    whether it runs the notifier (one per namespace: it holds the Lease)."""
    with ExitStack() as stack:
        fake = stack.enter_context(running_fake_slack())
        fake.workspace.usergroups = {"S0OPS": list(OPS_MEMBERS)}
        env = {
            "HOME": str(workdir),
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_APP_TOKEN": fake.app_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
        }
        path = workdir / "k8s-chatops.yaml"
        routes = (
            f"notifications:\n  routes:\n    - namespaces: [{target.namespace}]\n"
            f"      channel: {CHANNEL}\n"
            if notify
            else ""
        )
        path.write_text(
            f"slack:\n  mode: {mode}\n"
            f"kubernetes:\n  kubeconfig: {target.kubeconfig}\n"
            f"  default_namespace: {target.namespace}\n{kubernetes}"
            f"policy:\n  admins: [{ALICE.id}]\n{VIEWERS}"
            f"{routes}"
            f"leader_election:\n  namespace: {target.namespace}\n"
            "  lease_duration_seconds: 3\n  renew_deadline_seconds: 2\n"
            "  retry_period_seconds: 0.5\n"
            f"{extra}"
        )
        admin = load_settings(path, env=env)
        kubeconfig = stack.enter_context(
            service_account(target, needed_access(admin), workdir, account=account)
        )
        path.write_text(path.read_text().replace(str(target.kubeconfig), str(kubeconfig)))
        settings = load_settings(path, env=env)
        cluster = require_cluster(settings, env)
        failed = [row for row in run_checks(settings, cluster) if not row.passed]
        assert failed == [], "k8s-chatops check fails as the bot's ServiceAccount"
        audit = MemoryAudit()
        bot = stack.enter_context(composed(settings, cluster, audit=audit))
        app = slack_app(settings, bot)
        stack.callback(app.close)
        if notify:
            running = stack.enter_context(notifications(settings, cluster, Delivery(app.client)))
            assert running is not None
            fake.wait_for(running.leading, timeout=30, what="the notifier's Lease")
        slack: HttpSlack | SocketSlack
        if mode == "http":
            url = stack.enter_context(running_http(app))
            slack = HttpSlack(fake, url, SIGNING_SECRET)
        else:
            handler = connect_socket_mode(app, app_token=fake.app_token)
            stack.callback(handler.close)
            fake.wait_for(lambda: fake.socket.live == 1, what="the Socket Mode session")
            slack = SocketSlack(fake)
        user = f"system:serviceaccount:{target.namespace}:{account}"
        token = yaml.safe_load(kubeconfig.read_text())["users"][0]["user"]["token"]
        quiet = frozenset(c for c in (CHANNEL, settings.audit.channel) if c)
        yield AnyStack(mode, target, fake, slack, audit, user, str(token), quiet)
