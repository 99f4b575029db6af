"""An answer of thousands of rows reaches Slack complete: a preview in the message, every row
in the attached file, laid out as kubectl lays it out on the same cluster."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubesim.testing.harness import Sandbox, running_sandbox
from tests.ci import require_kubectl
from tests.e2e.stack import SIGNING_SECRET, http_bots
from tests.fakeslack import FakeSlack, payloads, running_fake_slack
from tests.fakeslack.drive import post

pytestmark = pytest.mark.kubectl
SCALE = "the scale scenario: 1,600 pods served without controllers, kubectl on the same sandbox"

PODS = 1_600
"""More than three of the bot's 500-row pages."""


@pytest.fixture(scope="module")
def crowd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, FakeSlack, str]]:
    workdir = tmp_path_factory.mktemp("large")
    with (
        running_sandbox(scenario="scale", pods=PODS, deployments=8, controllers=False) as sandbox,
        running_fake_slack() as fake,
        http_bots(sandbox.kubeconfig, fake, workdir) as served,
    ):
        yield sandbox, fake, served[0][0]


def _kubectl(sandbox: Sandbox, home: Path, *args: str) -> str:
    done = subprocess.run(
        [require_kubectl(), "--kubeconfig", str(sandbox.kubeconfig), *args],
        capture_output=True,
        text=True,
        env={"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.mark.sandbox_only(reason=SCALE)
def test_every_row_is_in_the_attached_file(
    crowd: tuple[Sandbox, FakeSlack, str], tmp_path: Path
) -> None:
    sandbox, fake, url = crowd
    for _ in range(3):  # an age can tick over between the two runs: compare again
        before = len(fake.files)
        fields = fake.slash_command("get pods")
        body = payloads.form_body(fields)
        assert post(url, body, payloads.signature_headers(SIGNING_SECRET, body))[0] == 200
        reply = fake.wait_response(fields["response_url"], timeout=60)
        (attached,) = fake.wait_for(lambda b=before: fake.files[b:], what="the attached file")
        theirs = _kubectl(sandbox, tmp_path, "get", "pods").rstrip("\n")
        ours = attached.content.decode()
        if ours == theirs:
            break
    assert ours.splitlines() == theirs.splitlines()
    assert len(ours.splitlines()) == PODS + 1
    assert attached.filename == "pods.txt"
    assert f"of {PODS + 1} lines" in str(reply.body)  # the message shows a preview only
