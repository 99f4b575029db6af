"""The e2e suite's kinds of commands, clicks and notifications, played in one go.

The RBAC proofs run this against the sandbox with the bot authenticated as its ServiceAccount:
every read verb (get in its output forms, describe, logs, events, rollout status and history),
every change (scale, set image, rollout undo / restart / pause / resume, cordon, uncordon,
label, annotate), the bot-only verbs (help, whoami, can-i), a rollout followed by the notifier to
*complete* and a stuck one whose failing pods are reported; the other workloads' reads and
changes (get all, StatefulSets, DaemonSets, Jobs, CronJobs, top), so that every access a verb
declares (what ``k8s-chatops check`` reviews) is used; with the delete component, deletes
confirmed by a click. ``get secret`` is left out on purpose: no feature needs Secrets, and the
base grants none.
"""

from __future__ import annotations

from typing import Any

from kubernetes import client

from bot.core.replies import PROGRESS_CONTEXT
from bot.transport.blocks import CONFIRM_ACTION
from tests.deploy.as_account import DEPLOYS, AccountStack
from tests.e2e.stack import Delivered, Stack

READS = (
    "version",
    "get pods -A",
    "get pods -A -o yaml",  # beyond a message: attached as a file in the user's DM
    "get deployments -n prod",
    "get pods -n staging -o wide",
    "get deployment worker -n prod -o yaml",
    "get pods -n prod -l app=web",
    "get nodes",
    "get services -n staging -o json",
    "get replicasets -n prod",
    "get namespaces",
    "get events -n prod --sort-by=.lastTimestamp",
    "events -n prod",
    "describe deployment api -n prod",
    "describe service kubernetes-bootcamp",
    "describe node sandbox-worker2",
    "logs deployment/api -n prod -c api --tail 3",
    "rollout status deployment/worker -n prod",
    "rollout history deployment/api -n prod",
    "rollout history deployment/api -n prod --revision=2",
    "help",
    "whoami",
    "can-i scale deployments -n prod",
)
CHANGES = (
    "scale deployment/web --replicas=4",
    "scale deployment/web --replicas=3 --current-replicas=4",
    "rollout undo deployment/web -n prod",
    "rollout restart deployment/redis -n staging",
    "rollout pause deployment/coredns -n kube-system",
    "rollout resume deployment/coredns -n kube-system",
    "cordon sandbox-worker2",
    "uncordon node/sandbox-worker2",
    "label deployment redis tier=backend -n staging",
    "annotate deploy/redis owner=team-a -n staging",
    "label node sandbox-worker2 disk=ssd",
)
WORKLOADS = (
    "get all -n prod",
    "get namespace prod",
    "describe statefulset postgres -n prod",
    "describe daemonset kube-proxy -n kube-system",
    "describe job db-migrate -n prod",
    "describe cronjob db-backup -n prod",
    "top pods -n prod",
    "top nodes",
    "top node sandbox-worker2",
    "rollout history statefulset/postgres -n prod",
    "scale statefulset postgres --replicas=4 -n prod",
    "scale statefulset postgres --replicas=3 --current-replicas=4 -n prod",
    "rollout restart statefulset/postgres -n prod",
    "rollout status statefulset/postgres -n prod",
    "rollout restart daemonset/kindnet -n kube-system",
    "rollout status daemonset/kindnet -n kube-system",
    "annotate service kubernetes-bootcamp note=e2e",
)
"""The other workloads' reads and changes (beside a Deployment's), on the demo's objects."""
ROLLOUT = "set image deployment/api api=ghcr.io/acme/api:1.5.0 -n staging"
STUCK = "set image deployment/web web=registry.example/web:doesnotexist -n staging"
"""Its new pods stay in ImagePullBackOff: the rollout stays in progress, and the notifier reads
the pods to report them in the message's thread."""

FORBIDDEN = "(forbidden)"


def play(running: AccountStack, *, delete: bool = False) -> list[str]:
    """Every command, click and notification; returns the answers that told of a 403."""
    refused: list[str] = []
    stack = running.stack
    core = client.CoreV1Api(stack.sandbox.api_client())
    try:
        pods = core.list_namespaced_pod("prod", label_selector="app=web").items
        first = pods[0].metadata.name
        for text in (f"describe pod {first} -n prod", f"logs {first} -n prod --tail 5"):
            _note(refused, text, stack.run(text).text)
        for text in READS:
            _note(refused, text, stack.run(text).text)
        _confirmed_scale_to_zero(running, refused)
        for text in CHANGES:
            _note(refused, text, stack.run(text).text)
        _workloads(running, core, refused)
        _notifications(running, refused)
        if delete:
            _deletes(running, core, refused)
    finally:
        core.api_client.close()
    return refused


def _confirmed_scale_to_zero(running: AccountStack, refused: list[str]) -> None:
    """A change that always asks first: parked in a ConfigMap, confirmed, then undone."""
    stack = running.stack
    prompt = stack.run("scale deployment/worker --replicas=0 -n prod")
    _note(refused, "scale to 0", prompt.text)
    done, _ = stack.click(CONFIRM_ACTION, prompt.confirm_token())
    _note(refused, "scale to 0, confirmed", done.text)
    _note(refused, "scale back", stack.run("scale deployment/worker --replicas=2 -n prod").text)


def _workloads(running: AccountStack, core: Any, refused: list[str]) -> None:
    """One object of each kind by its name, then ``WORKLOADS``."""
    stack = running.stack
    apps = client.AppsV1Api(core.api_client)
    replicaset = apps.list_namespaced_replica_set("prod").items[0].metadata.name
    event = core.list_namespaced_event("prod").items[0].metadata.name
    pod = core.list_namespaced_pod("prod", label_selector="app=api").items[0].metadata.name
    named = (
        f"get replicaset {replicaset} -n prod",
        f"get event {event} -n prod",
        f"top pod {pod} -n prod",
        f"label pod {pod} checked=yes -n prod",
    )
    for text in (*named, *WORKLOADS):
        _note(refused, text, stack.run(text, timeout=60).text)


def _note(refused: list[str], command: str, answer: str) -> None:
    if FORBIDDEN in answer:
        refused.append(f"{command}: {answer}")


def _notifications(running: AccountStack, refused: list[str]) -> None:
    """The notifier (leading through its Lease) follows a rollout to its end and reports the
    failing pods of another, keeping its state in the ConfigMap."""
    stack, fake = running.stack, running.stack.fake
    fake.wait_for(running.notifier.leading, timeout=30, what="the Lease")
    for text in (ROLLOUT, STUCK):
        _note(refused, text, stack.run(text).text)

    def heads() -> list[str]:
        return [
            m["text"].split("\n")[0]
            for m in fake.messages
            if m["channel"] == DEPLOYS and not m["thread_ts"]
        ]

    fake.wait_for(
        lambda: any("staging/api" in h and "complete" in h for h in heads()),
        timeout=60,
        what="the rollout of staging/api to complete",
    )
    fake.wait_for(
        lambda: any(m["thread_ts"] and "ImagePullBackOff" in m["text"] for m in fake.messages),
        timeout=60,
        what="the failing pods of staging/web in a thread",
    )


def _prompt(stack: Stack, text: str) -> Delivered:
    """The confirmation a delete asks (ephemeral, at the response_url): the notifier's posts in
    the channel meanwhile are not it."""
    sent = stack.slack.command(text)

    def asked() -> Delivered | None:
        for post in stack.fake.responses_to(sent.response_url):
            if post.status == 200 and PROGRESS_CONTEXT not in str(post.body):
                return Delivered("response_url", post.body, sent)
        return None

    return stack.fake.wait_for(asked, timeout=30, what=f"the question of {text!r}")


def _deletes(running: AccountStack, core: Any, refused: list[str]) -> None:
    stack = running.stack
    pod = core.list_namespaced_pod("default", label_selector="app=kubernetes-bootcamp").items[0]
    prompt = _prompt(stack, f"delete pod {pod.metadata.name}")
    done, _ = stack.click(CONFIRM_ACTION, prompt.confirm_token())
    _note(refused, "delete pod", done.text)
    for name in ("old-a", "old-b"):
        core.create_namespaced_service(
            "default",
            {
                "metadata": {"name": name, "labels": {"tier": "retired"}},
                "spec": {"ports": [{"port": 80}], "selector": {"app": name}},
            },
        )
    prompt = _prompt(stack, "delete service -l tier=retired")
    done, _ = stack.click(CONFIRM_ACTION, prompt.confirm_token())
    _note(refused, "delete service -l", done.text)
    stack.fake.wait_for(
        lambda: not core.list_namespaced_service("default", label_selector="tier=retired").items,
        what="the retired services to be gone",
    )
    _workload_deletes(running, core, refused)


def _workload_deletes(running: AccountStack, core: Any, refused: list[str]) -> None:
    """``delete statefulset|daemonset|job|cronjob NAME``, each of one made for it."""
    apps, batch = client.AppsV1Api(core.api_client), client.BatchV1Api(core.api_client)
    labels = {"app": "retired"}
    pod = {
        "metadata": {"labels": labels},
        "spec": {
            "restartPolicy": "Never",
            "containers": [
                {"name": "app", "image": "gcr.io/google-samples/kubernetes-bootcamp:v1"}
            ],
        },
    }
    always = {**pod, "spec": {**pod["spec"], "restartPolicy": "Always"}}
    selector = {"matchLabels": labels}
    meta = {"name": "retired"}
    apps.create_namespaced_stateful_set(
        "default",
        {
            "metadata": meta,
            "spec": {"serviceName": "retired", "selector": selector, "template": always},
        },
    )
    apps.create_namespaced_daemon_set(
        "default", {"metadata": meta, "spec": {"selector": selector, "template": always}}
    )
    batch.create_namespaced_job("default", {"metadata": meta, "spec": {"template": pod}})
    batch.create_namespaced_cron_job(
        "default",
        {
            "metadata": meta,
            "spec": {"schedule": "0 0 1 1 *", "jobTemplate": {"spec": {"template": pod}}},
        },
    )
    for kind in ("statefulset", "daemonset", "job", "cronjob"):
        prompt = _prompt(running.stack, f"delete {kind} retired")
        done, _ = running.stack.click(CONFIRM_ACTION, prompt.confirm_token())
        _note(refused, f"delete {kind}", done.text)
