"""Rollouts as kubectl drives them: ``set image``, ``rollout status``, ``history`` and ``undo``.

kubectl computes history and undo on the client from the ReplicaSets the deployment controller
keeps, so these tests pin the controller's bookkeeping too: revision annotations, the restored
ReplicaSet getting max+1, revision-history, change-cause copied from the Deployment.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import (
    Judge,
    Kubectl,
    deployment_manifest,
    eventually,
    stored,
    stored_list,
)

pytestmark = pytest.mark.kubectl
JUDGE = Judge()

V1 = "gcr.io/google-samples/kubernetes-bootcamp:v1"
V2 = "docker.io/jocatalin/kubernetes-bootcamp:v2"
V3 = "docker.io/jocatalin/kubernetes-bootcamp:v3"
REVISION = "deployment.kubernetes.io/revision"
HISTORY = "deployment.kubernetes.io/revision-history"
CHANGE_CAUSE = "kubernetes.io/change-cause"


def rolled_out(kubectl: Kubectl, name: str) -> None:
    """``kubectl rollout status`` must end with success (it is itself the wait)."""
    run = kubectl("rollout", "status", f"deployment/{name}", "--timeout=60s")
    assert run.lines()[-1] == f'deployment "{name}" successfully rolled out', str(run)
    for line in run.lines()[:-1]:
        assert line.startswith(f'Waiting for deployment "{name}" rollout to finish: ') or (
            line == "Waiting for deployment spec update to be observed..."
        ), line


def deploy(kubectl: Kubectl, name: str, *, replicas: int = 2) -> None:
    kubectl.create(deployment_manifest(name, V1, replicas=replicas))
    rolled_out(kubectl, name)


def set_image(kubectl: Kubectl, name: str, image: str) -> None:
    run = kubectl("set", "image", f"deployments/{name}", f"{name}={image}")
    assert run.stdout == f"deployment.apps/{name} image updated\n"
    rolled_out(kubectl, name)


def template_image(sandbox: Sandbox, name: str) -> str:
    deployment = stored(sandbox, "Deployment", "default", name)
    assert deployment is not None
    image: str = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    return image


def replicasets(sandbox: Sandbox, name: str) -> dict[str, dict[str, Any]]:
    """The Deployment's ReplicaSets keyed by their container image."""
    found = stored_list(sandbox, "ReplicaSet", "default", f"app={name}")
    return {rs["spec"]["template"]["spec"]["containers"][0]["image"]: rs for rs in found}


def history_rows(kubectl: Kubectl, name: str) -> list[tuple[str, str]]:
    run = kubectl("rollout", "history", f"deployment/{name}")
    lines = run.lines()
    assert lines[0].rstrip() == f"deployment.apps/{name}"
    assert re.fullmatch(r"REVISION\s+CHANGE-CAUSE", lines[1])
    rows = []
    for line in lines[2:]:
        revision, cause = line.split(None, 1)
        rows.append((revision, cause.strip()))
    return rows


def test_set_image_creates_a_new_replicaset_and_rolls_out(
    sandbox: Sandbox, kubectl: Kubectl
) -> None:
    deploy(kubectl, "updated", replicas=3)
    (first,) = stored_list(sandbox, "ReplicaSet", "default", "app=updated")
    set_image(kubectl, "updated", V2)
    assert template_image(sandbox, "updated") == V2
    sets = replicasets(sandbox, "updated")
    assert set(sets) == {V1, V2}
    assert sets[V1]["metadata"]["uid"] == first["metadata"]["uid"]
    assert sets[V1]["spec"]["replicas"] == 0
    assert sets[V2]["spec"]["replicas"] == 3
    assert sets[V2]["status"]["readyReplicas"] == 3
    assert sets[V2]["metadata"]["annotations"][REVISION] == "2"
    deployment = stored(sandbox, "Deployment", "default", "updated")
    assert deployment is not None
    assert deployment["metadata"]["annotations"][REVISION] == "2"
    status = deployment["status"]
    assert (status["updatedReplicas"], status["availableReplicas"], status["replicas"]) == (3, 3, 3)
    pods = [
        p
        for p in stored_list(sandbox, "Pod", "default", "app=updated")
        if "deletionTimestamp" not in p["metadata"]  # old pods may still be terminating
    ]
    assert len(pods) == 3
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {V2}
    rows = kubectl("get", "rs", "-l", "app=updated").table()
    assert {r["NAME"]: r["DESIRED"] for r in rows} == {
        sets[V1]["metadata"]["name"]: "0",
        sets[V2]["metadata"]["name"]: "3",
    }
    described = kubectl("describe", "deployment", "updated").stdout
    assert re.search(rf"^NewReplicaSet:\s+{sets[V2]['metadata']['name']} \(3/3", described, re.M)
    assert re.search(rf"^\s+Image:\s+{re.escape(V2)}$", described, re.M)


def test_rollout_status_ends_when_the_new_pods_are_available(
    sandbox: Sandbox, kubectl: Kubectl
) -> None:
    deploy(kubectl, "watched", replicas=4)
    kubectl("set", "image", "deployments/watched", f"watched={V2}")
    run = kubectl("rollout", "status", "deployment/watched", "--timeout=60s")
    assert run.lines()[-1] == 'deployment "watched" successfully rolled out'
    deployment = stored(sandbox, "Deployment", "default", "watched")
    assert deployment is not None
    assert deployment["status"]["updatedReplicas"] == 4
    assert deployment["status"]["availableReplicas"] == 4
    again = kubectl("rollout", "status", "deployment/watched", "--watch=false")
    assert again.stdout == 'deployment "watched" successfully rolled out\n'


def test_history_lists_revisions_with_change_causes(sandbox: Sandbox, kubectl: Kubectl) -> None:
    def current_cause_is(cause: str) -> bool:
        # the controller copies the annotation onto the current ReplicaSet on its next sync
        newest = max(
            stored_list(sandbox, "ReplicaSet", "default", "app=recorded"),
            key=lambda rs: int(rs["metadata"]["annotations"][REVISION]),
        )
        return bool(newest["metadata"]["annotations"].get(CHANGE_CAUSE) == cause)

    deploy(kubectl, "recorded")
    kubectl("annotate", "deployment", "recorded", f"{CHANGE_CAUSE}=upgrade to v2")
    eventually(lambda: current_cause_is("upgrade to v2"), what="revision 1's change-cause")
    set_image(kubectl, "recorded", V2)
    kubectl("annotate", "--overwrite", "deployment", "recorded", f"{CHANGE_CAUSE}=upgrade to v3")
    eventually(lambda: current_cause_is("upgrade to v3"), what="revision 2's change-cause")
    set_image(kubectl, "recorded", V3)
    assert history_rows(kubectl, "recorded") == [
        ("1", "upgrade to v2"),
        ("2", "upgrade to v3"),
        ("3", "upgrade to v3"),
    ]
    detail = kubectl("rollout", "history", "deployment/recorded", "--revision=2").stdout
    assert detail.startswith("deployment.apps/recorded with revision #2\nPod Template:\n")
    assert re.search(rf"^\s+Image:\s+{re.escape(V2)}$", detail, re.M)


def test_undo_restores_the_previous_template(sandbox: Sandbox, kubectl: Kubectl) -> None:
    deploy(kubectl, "reverted")
    set_image(kubectl, "reverted", V2)
    run = kubectl("rollout", "undo", "deployment/reverted")
    assert run.stdout == "deployment.apps/reverted rolled back\n"
    rolled_out(kubectl, "reverted")
    assert template_image(sandbox, "reverted") == V1
    sets = replicasets(sandbox, "reverted")
    assert set(sets) == {V1, V2}  # the old ReplicaSet is reused, not recreated
    restored = sets[V1]["metadata"]["annotations"]
    assert restored[REVISION] == "3"  # max + 1
    assert restored[HISTORY] == "1"
    assert sets[V1]["spec"]["replicas"] == 2
    assert sets[V2]["spec"]["replicas"] == 0
    assert [revision for revision, _ in history_rows(kubectl, "reverted")] == ["2", "3"]
    pods = [
        p
        for p in stored_list(sandbox, "Pod", "default", "app=reverted")
        if "deletionTimestamp" not in p["metadata"]
    ]
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {V1}


def test_undo_to_a_revision(sandbox: Sandbox, kubectl: Kubectl) -> None:
    deploy(kubectl, "rewound")
    set_image(kubectl, "rewound", V2)
    set_image(kubectl, "rewound", V3)
    run = kubectl("rollout", "undo", "deployment/rewound", "--to-revision=1")
    assert run.stdout == "deployment.apps/rewound rolled back\n"
    rolled_out(kubectl, "rewound")
    assert template_image(sandbox, "rewound") == V1
    sets = replicasets(sandbox, "rewound")
    assert {image: rs["metadata"]["annotations"][REVISION] for image, rs in sets.items()} == {
        V1: "4",
        V2: "2",
        V3: "3",
    }
    assert [revision for revision, _ in history_rows(kubectl, "rewound")] == ["2", "3", "4"]
    deployment = stored(sandbox, "Deployment", "default", "rewound")
    assert deployment is not None
    assert deployment["metadata"]["annotations"][REVISION] == "4"
    # undo to the current template again is a no-op that kubectl reports without patching
    skipped = kubectl("rollout", "undo", "deployment/rewound", "--to-revision=4")
    assert skipped.stdout == (
        "deployment.apps/rewound skipped rollback (current template already matches revision 4)\n"
    )


def progressing(sandbox: Sandbox, name: str) -> dict[str, Any]:
    deployment = stored(sandbox, "Deployment", "default", name)
    assert deployment is not None
    [found] = [c for c in deployment["status"]["conditions"] if c["type"] == "Progressing"]
    return dict(found)


def test_pause_holds_a_template_change_until_resume(sandbox: Sandbox, kubectl: Kubectl) -> None:
    deploy(kubectl, "held")
    assert kubectl("rollout", "pause", "deployment/held").stdout == "deployment.apps/held paused\n"
    again = kubectl.fails("rollout", "pause", "deployment/held")
    assert again.stderr == 'error: deployments.apps "held" is already paused\n'
    kubectl("set", "image", "deployments/held", f"held={V2}")
    eventually(lambda: progressing(sandbox, "held")["reason"] == "DeploymentPaused", what="paused")
    eventually(
        lambda: (
            (d := stored(sandbox, "Deployment", "default", "held"))
            and d["status"].get("observedGeneration") == d["metadata"]["generation"]
        ),
        what="the template change observed",
    )
    condition = progressing(sandbox, "held")
    assert (condition["status"], condition["message"]) == ("Unknown", "Deployment is paused")
    status = kubectl("rollout", "status", "deployment/held", "--watch=false")
    assert status.stdout == (
        'Waiting for deployment "held" rollout to finish: 0 out of 2 new replicas have been'
        " updated...\n"
    )
    [row] = kubectl("get", "deployment", "held").table()
    assert (row["READY"], row["UP-TO-DATE"], row["AVAILABLE"]) == ("2/2", "0", "2")
    described = kubectl("describe", "deployment", "held").stdout
    assert re.search(
        r"^Replicas:\s+2 desired \| 0 updated \| 2 total \| 2 available", described, re.M
    )
    assert re.search(r"^\s+Progressing\s+Unknown\s+DeploymentPaused$", described, re.M)
    assert re.search(r"^NewReplicaSet:\s+<none>$", described, re.M)
    assert set(replicasets(sandbox, "held")) == {V1}

    run = kubectl("rollout", "resume", "deployment/held")
    assert run.stdout == "deployment.apps/held resumed\n"
    rolled_out(kubectl, "held")
    assert set(replicasets(sandbox, "held")) == {V1, V2}
    assert progressing(sandbox, "held")["reason"] == "NewReplicaSetAvailable"
    not_paused = kubectl.fails("rollout", "resume", "deployment/held")
    assert not_paused.stderr == 'error: deployments.apps "held" is not paused\n'


def test_a_paused_deployment_scales_but_refuses_undo_and_restart(
    sandbox: Sandbox, kubectl: Kubectl
) -> None:
    deploy(kubectl, "frozen")
    set_image(kubectl, "frozen", V2)
    kubectl("rollout", "pause", "deployment/frozen")
    undo = kubectl.fails("rollout", "undo", "deployment/frozen")
    assert undo.stderr == (
        "error: you cannot rollback a paused deployment; resume it first with"
        " 'kubectl rollout resume' and try again\n"
    )
    restart = kubectl.fails("rollout", "restart", "deployment/frozen")
    assert restart.stderr == (
        'error: deployments.apps "frozen" can\'t restart paused deployment'
        " (run rollout resume first)\n"
    )
    assert kubectl("scale", "deployment/frozen", "--replicas=3").stdout == (
        "deployment.apps/frozen scaled\n"
    )
    eventually(
        lambda: replicasets(sandbox, "frozen")[V2]["status"].get("readyReplicas") == 3,
        what="the paused deployment scaled",
    )
    assert template_image(sandbox, "frozen") == V2
    status = kubectl("rollout", "status", "deployment/frozen", "--timeout=60s")
    assert status.lines()[-1] == 'deployment "frozen" successfully rolled out'
    kubectl("rollout", "resume", "deployment/frozen")
    rolled_out(kubectl, "frozen")
