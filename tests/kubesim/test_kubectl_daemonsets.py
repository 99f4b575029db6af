"""DaemonSets as kubectl sees them: a pod per node, rolling updates, history, undo and restart.

The controller decides where a daemon runs (node selector, taints against the tolerations it
adds itself, so a cordoned node keeps its daemon) and pins each pod to its node with required
node affinity, which the scheduler honours; kubectl's ``rollout`` commands read its status and
ControllerRevisions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kubesim.api.resources import by_kind
from kubesim.scenarios.catalog import node_manifest
from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import Judge, Kubectl, eventually, stored, stored_list

pytestmark = pytest.mark.kubectl
JUDGE = Judge()


def manifest(name: str, *, tolerate_all: bool = False, extra: str = "") -> str:
    tolerations = "\n      tolerations: [{operator: Exists}]" if tolerate_all else ""
    return f"""\
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: {name}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}{extra}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:{tolerations}
      containers:
      - name: agent
        image: busybox:1.36
"""


def running(sandbox: Sandbox, name: str) -> dict[str, dict[str, Any]]:
    """The DaemonSet's live pods by node."""
    return {
        p["spec"].get("nodeName", ""): p
        for p in stored_list(sandbox, "Pod", "default", f"app={name}")
        if not p["metadata"].get("deletionTimestamp")
    }


def rolled_out(kubectl: Kubectl, name: str) -> None:
    lines = kubectl("rollout", "status", f"daemonset/{name}", "--timeout=60s").lines()
    assert lines[-1] == f'daemon set "{name}" successfully rolled out', lines
    for line in lines[:-1]:
        assert line.startswith(f'Waiting for daemon set "{name}" rollout to finish: ') or (
            line == "Waiting for daemon set spec update to be observed..."
        ), line


def test_one_pod_per_node_the_daemon_tolerates(kubectl: Kubectl, sandbox: Sandbox) -> None:
    kubectl.create(manifest("workers-only"))
    kubectl.create(manifest("everywhere", tolerate_all=True))
    rolled_out(kubectl, "workers-only")
    rolled_out(kubectl, "everywhere")
    assert sorted(running(sandbox, "workers-only")) == ["sandbox-worker"]
    assert sorted(running(sandbox, "everywhere")) == ["sandbox-control-plane", "sandbox-worker"]
    pod = running(sandbox, "everywhere")["sandbox-worker"]
    terms = pod["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"
    ]["nodeSelectorTerms"]
    assert terms == [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["sandbox-worker"]}]}
    ]
    table = kubectl("get", "ds", "everywhere", "-o", "wide").table()
    assert table == [
        {
            "NAME": "everywhere",
            "DESIRED": "2",
            "CURRENT": "2",
            "READY": "2",
            "UP-TO-DATE": "2",
            "AVAILABLE": "2",
            "NODE SELECTOR": "<none>",
            "AGE": table[0]["AGE"],
            "CONTAINERS": "agent",
            "IMAGES": "busybox:1.36",
            "SELECTOR": "app=everywhere",
        }
    ]


def test_a_new_node_gets_a_daemon_and_a_cordoned_one_keeps_it(
    kubectl: Kubectl, sandbox: Sandbox
) -> None:
    kubectl.create(manifest("follower"))
    rolled_out(kubectl, "follower")
    born = datetime.now(UTC)
    sandbox.call(sandbox.store.create, by_kind("Node"), node_manifest("sandbox-worker9", 9, born))
    try:
        eventually(
            lambda: sorted(running(sandbox, "follower")) == ["sandbox-worker", "sandbox-worker9"],
            what="a daemon pod on the new node",
        )
        rolled_out(kubectl, "follower")
        kubectl("cordon", "sandbox-worker9")
        ds = stored(sandbox, "DaemonSet", "default", "follower")
        assert ds is not None
        assert ds["status"]["desiredNumberScheduled"] == 2
        assert "sandbox-worker9" in running(sandbox, "follower")
    finally:
        kubectl("delete", "node", "sandbox-worker9")
    eventually(
        lambda: sorted(running(sandbox, "follower")) == ["sandbox-worker"],
        what="the daemon pod of the deleted node gone",
    )


def test_rolling_update_history_undo_and_restart(kubectl: Kubectl, sandbox: Sandbox) -> None:
    kubectl.create(manifest("roll", tolerate_all=True))
    rolled_out(kubectl, "roll")
    before = {p["metadata"]["uid"] for p in running(sandbox, "roll").values()}
    assert kubectl("set", "image", "ds/roll", "agent=busybox:1.37").stdout == (
        "daemonset.apps/roll image updated\n"
    )
    rolled_out(kubectl, "roll")
    after = running(sandbox, "roll")
    assert {p["spec"]["containers"][0]["image"] for p in after.values()} == {"busybox:1.37"}
    assert not before & {p["metadata"]["uid"] for p in after.values()}
    history = kubectl("rollout", "history", "daemonset/roll").stdout
    assert history == (
        "daemonset.apps/roll \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    )
    assert kubectl("rollout", "undo", "ds/roll").stdout == "daemonset.apps/roll rolled back\n"
    rolled_out(kubectl, "roll")
    images = {p["spec"]["containers"][0]["image"] for p in running(sandbox, "roll").values()}
    assert images == {"busybox:1.36"}
    skipped = kubectl("rollout", "undo", "ds/roll", "--to-revision=3")
    assert skipped.stdout == (
        "daemonset.apps/roll skipped rollback (current template already matches revision 3)\n"
    )
    assert kubectl("rollout", "restart", "ds/roll").stdout == "daemonset.apps/roll restarted\n"
    rolled_out(kubectl, "roll")
    revisions = kubectl("get", "controllerrevisions", "-l", "app=roll").table()
    assert sorted(r["REVISION"] for r in revisions) == ["2", "3", "4"]


def test_on_delete_status_and_unsupported_commands(kubectl: Kubectl) -> None:
    kubectl.create(manifest("manual", extra="\n  updateStrategy: {type: OnDelete}"))
    failed = kubectl.fails("rollout", "status", "ds/manual")
    assert failed.stderr == (
        "error: rollout status is only available for RollingUpdate strategy type\n"
    )
    paused = kubectl.fails("rollout", "pause", "ds/manual")
    assert paused.stderr == 'error: daemonsets.apps "manual" pausing is not supported\n'
    scaled = kubectl.run("scale", "ds/manual", "--replicas=2")
    assert scaled.code == 1
    assert kubectl("delete", "ds", "manual").stdout == 'daemonset.apps "manual" deleted\n'
