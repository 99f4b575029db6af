"""``pods/log``: container choice, kubelet refusals, selection parameters and follow."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kubernetes.client.rest import ApiException

from kubesim.api.resources import by_kind
from kubesim.testing.harness import Sandbox


def stamp(ago: timedelta) -> str:
    return (datetime.now(UTC) - ago).strftime("%Y-%m-%dT%H:%M:%SZ")


def image(container: str) -> str:
    return "nginx:1.27" if container == "app" else f"ghcr.io/acme/{container}:1.0"


def running_pod(sb: Sandbox, ns: str, name: str, *containers: str, **annotations: str) -> None:
    names = containers or ("app",)
    pod = {
        "metadata": {"name": name, "namespace": ns, "annotations": annotations},
        "spec": {
            "nodeName": "node-1",
            "containers": [{"name": c, "image": image(c)} for c in names],
        },
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": c,
                    "image": image(c),
                    "imageID": "docker.io/library/nginx@sha256:0a1b",
                    "containerID": f"containerd://{name}-{c}",
                    "ready": True,
                    "restartCount": 0,
                    "state": {"running": {"startedAt": stamp(timedelta(minutes=10))}},
                }
                for c in names
            ],
        },
    }
    sb.call(sb.store.create, by_kind("Pod"), pod)


def logs(core: Any, name: str, ns: str, **params: Any) -> str:
    """The log text (the client's default would hand back ``str(bytes)``)."""
    response = core.read_namespaced_pod_log(name, ns, _preload_content=False, **params)
    return str(response.data.decode())


def message(err: pytest.ExceptionInfo[ApiException]) -> str:
    return str(json.loads(err.value.body)["message"])


def test_log_of_the_only_container(still: Sandbox, core: Any, ns: str) -> None:
    running_pod(still, ns, "web")
    text = logs(core, "web", ns)
    assert text.startswith("/docker-entrypoint.sh")
    assert len(text.splitlines()) > 100
    assert logs(core, "web", ns).startswith(text)


def test_tail_timestamps_and_limit_bytes(still: Sandbox, core: Any, ns: str) -> None:
    running_pod(still, ns, "web")
    tail = logs(core, "web", ns, tail_lines=3, timestamps=True)
    lines = tail.splitlines()
    assert len(lines) == 3
    assert all(line[:4].isdigit() and line.split(" ", 1)[0].endswith("Z") for line in lines)
    assert len(logs(core, "web", ns, limit_bytes=10).encode()) == 10
    recent = logs(core, "web", ns, since_seconds=60)
    assert 0 < len(recent.splitlines()) < 20


def test_several_containers_need_a_name(still: Sandbox, core: Any, ns: str) -> None:
    running_pod(still, ns, "web", "app", "proxy")
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod_log("web", ns)
    assert err.value.status == 400
    assert message(err) == (
        "a container name must be specified for pod web, choose one of: [app proxy]"
    )
    proxy, app = logs(core, "web", ns, container="proxy"), logs(core, "web", ns, container="app")
    assert proxy[:300] != app[:300]


def test_default_container_annotation(still: Sandbox, core: Any, ns: str) -> None:
    annotations = {"kubectl.kubernetes.io/default-container": "proxy"}
    running_pod(still, ns, "web", "app", "proxy", **annotations)
    assert logs(core, "web", ns)[:300] == logs(core, "web", ns, container="proxy")[:300]


def test_unknown_container_is_bad_request(still: Sandbox, core: Any, ns: str) -> None:
    running_pod(still, ns, "web")
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod_log("web", ns, container="nope")
    assert message(err) == "container nope is not valid for pod web"


def test_previous_without_a_restart(still: Sandbox, core: Any, ns: str) -> None:
    running_pod(still, ns, "web")
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod_log("web", ns, previous=True)
    assert err.value.status == 400
    assert message(err) == 'previous terminated container "app" in pod "web" not found'


def test_waiting_container(still: Sandbox, core: Any, ns: str) -> None:
    pod = {
        "metadata": {"name": "web", "namespace": ns},
        "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "nginx"}]},
        "status": {
            "phase": "Pending",
            "containerStatuses": [
                {
                    "name": "app",
                    "image": "nginx",
                    "imageID": "",
                    "ready": False,
                    "restartCount": 0,
                    "state": {"waiting": {"reason": "ContainerCreating"}},
                }
            ],
        },
    }
    still.call(still.store.create, by_kind("Pod"), pod)
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod_log("web", ns)
    assert message(err) == 'container "app" in pod "web" is waiting to start: ContainerCreating'


def test_follow_streams_until_the_pod_is_deleted(still: Sandbox, core: Any, ns: str) -> None:
    running_pod(still, ns, "web")
    response = core.read_namespaced_pod_log(
        "web", ns, follow=True, tail_lines=2, _preload_content=False
    )
    first = response.read(16)
    deleter = threading.Thread(
        target=core.delete_namespaced_pod, args=("web", ns), kwargs={"grace_period_seconds": 0}
    )
    deleter.start()
    rest = response.read()
    deleter.join()
    response.release_conn()
    assert len((first + rest).decode().splitlines()) >= 2
    assert still.requests.matching(method="GET", query={"follow": "True"})
