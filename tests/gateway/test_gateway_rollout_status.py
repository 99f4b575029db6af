"""``rollout status`` against the sandbox: kubectl's lines while a rollout runs, the progress
deadline as a failure, the bot's own deadline as a note, and a 410 during the watch."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

import pytest
from kubernetes import client

from bot.core.results import Document
from bot.errors import NotFound
from bot.gateway.gateway import GatewayOptions, KubernetesGateway
from kubesim.testing.harness import Sandbox
from tests.gateway.support import OPTIONS, run

DONE = 'deployment "web" successfully rolled out'
WATCHES = {"watch": "true"}
IMAGE = "nginx:1.28"
DEPLOYMENTS = "/apis/apps/v1/namespaces/prod/deployments"


def once_watching(cluster: Sandbox, action: Callable[[], object]) -> threading.Thread:
    """Run ``action`` on a thread as soon as ``rollout status`` has a watch open."""

    def run() -> None:
        deadline = time.monotonic() + 20
        while not cluster.requests.matching(path=DEPLOYMENTS, query=WATCHES):
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)
        action()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def status(gw: KubernetesGateway) -> Document:
    result = run(gw, "rollout status deployment/web -n prod")
    assert isinstance(result, Document)
    return result


def test_complete_rollout_answers_at_once(gw: KubernetesGateway, cluster: Sandbox) -> None:
    assert status(gw) == Document(f"{DONE}\n")
    (listing,) = cluster.requests.matching(path="/apis/apps/v1/namespaces/prod/deployments")
    assert listing.query["fieldSelector"] == "metadata.name=web"
    assert "watch" not in listing.query


def test_follows_a_rollout_to_the_end(gw: KubernetesGateway, cluster: Sandbox) -> None:
    run(gw, "set image deployment/web web=nginx:1.28 -n prod")
    result = status(gw)
    lines = result.text.splitlines()
    assert lines[-1] == DONE
    assert not result.failed
    assert all(line.startswith(("Waiting for deployment", DONE)) for line in lines)
    assert len(lines) == len(set(lines))  # only distinct lines
    watches = cluster.requests.matching(
        path="/apis/apps/v1/namespaces/prod/deployments", query={"watch": "true"}
    )
    assert watches
    assert all(w.query["fieldSelector"] == "metadata.name=web" for w in watches)
    assert all(int(w.query["timeoutSeconds"]) <= 30 for w in watches)


def test_a_watch_expiry_starts_over_with_a_list(gw: KubernetesGateway, cluster: Sandbox) -> None:
    run(gw, "set image deployment/web web=nginx:1.28 -n prod")
    cluster.faults.expire_next_watch()
    assert status(gw).text.splitlines()[-1] == DONE
    listings = [
        r
        for r in cluster.requests.matching(path="/apis/apps/v1/namespaces/prod/deployments")
        if "watch" not in r.query
    ]
    assert len(listings) >= 2


def test_a_dropped_watch_is_resumed(gw: KubernetesGateway, cluster: Sandbox) -> None:
    slow_rollout(cluster)
    dropped: list[int] = []

    def drop_then_fix() -> None:  # the rollout cannot finish before the drop
        dropped.append(cluster.faults.drop_watches(abrupt=True))
        ready = {"name": "web", "image": IMAGE, "readinessProbe": None}
        fixed = {"spec": {"template": {"spec": {"containers": [ready]}}}}
        with cluster.api_client() as api:
            client.AppsV1Api(api).patch_namespaced_deployment("web", "prod", fixed)

    fixer = once_watching(cluster, drop_then_fix)
    result = status(gw)
    fixer.join()
    assert dropped in ([1], [2])  # the Deployment's watch, and the pods' once it is open
    assert result.text.splitlines()[-1] == DONE
    assert not result.failed
    first, resumed, *_ = cluster.requests.matching(path=DEPLOYMENTS, query=WATCHES)
    assert int(resumed.query["resourceVersion"]) >= int(first.query["resourceVersion"])


def test_deleted_while_following(gw: KubernetesGateway, cluster: Sandbox) -> None:
    slow_rollout(cluster)

    def delete() -> None:
        with cluster.api_client() as api:
            client.AppsV1Api(api).delete_namespaced_deployment("web", "prod")

    deleter = once_watching(cluster, delete)
    result = status(gw)
    deleter.join()
    assert result == Document('error: deployment "web" was deleted\n', failed=True)


def test_progress_deadline_is_a_failure(gw: KubernetesGateway, cluster: Sandbox) -> None:
    with cluster.api_client() as api:
        client.AppsV1Api(api).patch_namespaced_deployment(
            "web", "prod", {"spec": {"progressDeadlineSeconds": 10}}
        )
    slow_rollout(cluster)  # slow, not stuck: the deadline, not a stuck pod, ends the wait
    result = status(gw)
    assert result.failed
    assert result.text.splitlines()[-1] == (
        'error: deployment "web" exceeded its progress deadline'
    )


def slow_rollout(cluster: Sandbox) -> None:
    """A template change whose new pods run but never become ready: slow, not stuck."""
    probe = {"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 3600}
    container = {"name": "web", "image": IMAGE, "readinessProbe": probe}
    with cluster.api_client() as api:
        client.AppsV1Api(api).patch_namespaced_deployment(
            "web", "prod", {"spec": {"template": {"spec": {"containers": [container]}}}}
        )


def test_bot_deadline_answers_with_the_last_state(cluster: Sandbox) -> None:
    options = GatewayOptions(request_timeout=5.0, rollout_timeout=1.0)
    gw = KubernetesGateway(cluster.api_client(), options=options)
    slow_rollout(cluster)
    result = status(gw)
    assert not result.failed
    assert result.text.splitlines()[-1].startswith(
        ('Waiting for deployment "web" rollout', "Waiting for deployment spec update")
    )
    assert result.notes == (
        "the rollout is still in progress after 1 s; run rollout status again to keep following it",
    )
    gw.close()


STUCK_NOTE = (
    "the new pods will not come up without a change: fix the image or the pods' spec, "
    "or run rollout undo deployment/web"
)


def test_a_stuck_new_pod_is_named_at_once(gw: KubernetesGateway) -> None:
    run(gw, "set image deployment/web web=nginx:doesnotexist -n prod")
    result = status(gw)
    assert not result.failed
    assert result.notes == (STUCK_NOTE,)
    *progress, stuck = result.text.splitlines()
    assert progress[-1].startswith('Waiting for deployment "web" rollout to finish: ')
    assert re.fullmatch(
        r"pod web-[a-z0-9]+-[a-z0-9]{5}: (ErrImagePull — rpc error: code = NotFound desc = "
        r'failed to pull and unpack image "docker.io/library/nginx:doesnotexist": .*'
        r'|ImagePullBackOff — Back-off pulling image "nginx:doesnotexist")',
        stuck,
    ), stuck


def test_a_crash_looping_new_pod_is_named_with_its_restarts(
    gw: KubernetesGateway, cluster: Sandbox
) -> None:
    # A crashing container runs 2 s before it exits, ready meanwhile: with minReadySeconds above
    # that none of its pods counts as available, so the rollout cannot complete (as it could
    # when a loaded machine let all three run at once) before one of them is named.
    with cluster.api_client() as api:
        client.AppsV1Api(api).patch_namespaced_deployment(
            "web", "prod", {"spec": {"minReadySeconds": 60}}
        )
    run(gw, "set image deployment/web web=registry.example/crash:1 -n prod")
    result = status(gw)
    assert result.notes == (STUCK_NOTE,)
    assert re.fullmatch(
        r"pod web-[a-z0-9]+-[a-z0-9]{5}: CrashLoopBackOff — back-off \d+s restarting failed "
        r"container=web pod=web-[a-z0-9-]+_prod\([0-9a-f-]+\) \(\d+ restarts?\)",
        result.text.splitlines()[-1],
    ), result.text


def test_watch_false_looks_once(gw: KubernetesGateway, cluster: Sandbox) -> None:
    slow_rollout(cluster)
    result = run(gw, "rollout status deployment/web -n prod --watch=false")
    assert isinstance(result, Document)
    (line,) = result.text.splitlines()
    assert line.startswith("Waiting for deployment")
    assert not cluster.requests.matching(path=DEPLOYMENTS, query=WATCHES)


def test_watch_false_of_a_finished_rollout(gateway: KubernetesGateway) -> None:
    assert run(gateway, "rollout status deployment/web -n prod --watch=false") == Document(
        f"{DONE}\n"
    )


def test_timeout_shortens_the_wait(cluster: Sandbox) -> None:
    gw = KubernetesGateway(cluster.api_client(), options=OPTIONS)
    slow_rollout(cluster)
    result = run(gw, "rollout status deployment/web -n prod --timeout=1s")
    assert isinstance(result, Document)
    assert result.notes == (
        "the rollout is still in progress after 1 s; run rollout status again to keep following it",
    )
    gw.close()


def test_timeout_beyond_the_setting_is_capped(cluster: Sandbox) -> None:
    options = GatewayOptions(request_timeout=5.0, rollout_timeout=1.0)
    gw = KubernetesGateway(cluster.api_client(), options=options)
    slow_rollout(cluster)
    result = run(gw, "rollout status deployment/web -n prod --timeout=10m")
    assert isinstance(result, Document)
    assert result.notes == (
        "--timeout is capped at 1 s by the bot's settings",
        "the rollout is still in progress after 1 s; run rollout status again to keep following it",
    )
    gw.close()


def test_missing_deployment(gateway: KubernetesGateway) -> None:
    with pytest.raises(NotFound, match='deployment "nope" not found in namespace "prod"'):
        run(gateway, "rollout status deployment/nope -n prod")


def test_pods_refused_by_a_quota_are_named_at_once(gw: KubernetesGateway, cluster: Sandbox) -> None:
    core = client.CoreV1Api(cluster.api_client())
    pods = core.list_namespaced_pod("prod").items
    running = len([p for p in pods if p.status.phase not in ("Succeeded", "Failed")])
    core.create_namespaced_resource_quota(
        "prod", {"metadata": {"name": "full"}, "spec": {"hard": {"pods": str(running)}}}
    )
    run(gw, "scale deployment/web --replicas=5 -n prod")
    result = status(gw)
    assert not result.failed
    *progress, refused = result.text.splitlines()
    assert progress[-1].startswith('Waiting for deployment "web" rollout to finish: ')
    assert re.fullmatch(
        r'new pods cannot be created: FailedCreate — pods "web-[a-z0-9]+-[a-z0-9]{5}" is '
        rf"forbidden: exceeded quota: full, requested: pods=1, used: pods={running}, "
        rf"limited: pods={running}",
        refused,
    ), refused
    assert "describe quota" in result.notes[0]
