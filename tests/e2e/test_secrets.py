"""No reply shows a Secret's values: tables keep kubectl's columns, documents show keys and
sizes only, whoever asks."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from tests.e2e.stack import Stack

pytestmark = pytest.mark.sandbox_only
"""These tests use the demo scenario's objects and the sandbox's request log or fault hooks."""

VALUE = "hunter2-very-secret"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture(scope="module")
def secret(stack: Stack) -> Iterator[str]:
    api = stack.sandbox.api_client()
    core: Any = client.CoreV1Api(api)
    body = {
        "metadata": {
            "name": "db-creds",
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": json.dumps(
                    {"stringData": {"password": VALUE}}
                )
            },
        },
        # data, not stringData: the sandbox does not fold stringData into data yet.
        "data": {"password": _b64(VALUE), "user": _b64("app")},
        "type": "Opaque",
    }
    core.create_namespaced_secret("staging", body)
    try:
        yield "db-creds"
    finally:
        core.delete_namespaced_secret("db-creds", "staging")
        api.close()


def test_get_secret_as_yaml_shows_keys_and_sizes(stack: Stack, secret: str) -> None:
    reply = stack.run(f"get secret {secret} -n staging -o yaml")
    assert VALUE not in reply.text
    assert _b64(VALUE) not in reply.text
    assert re.search(r"^  password: \"<redacted: 19 bytes>\"$", reply.text, re.MULTILINE), (
        reply.text
    )
    assert re.search(r"^  user: \"<redacted: 3 bytes>\"$", reply.text, re.MULTILINE)
    assert "Secret values are redacted" in reply.text


def test_a_list_holding_secrets_is_redacted_too(stack: Stack, secret: str) -> None:
    reply = stack.run("get secrets -n staging -o json")
    assert VALUE not in reply.text
    assert _b64(VALUE) not in reply.text
    assert '"password": "<redacted: 19 bytes>"' in reply.text
    assert secret in reply.text


def test_the_secret_table_keeps_kubectls_columns(stack: Stack, secret: str) -> None:
    reply = stack.run("get secrets -n staging")
    assert re.search(r"NAME\s+TYPE\s+DATA\s+AGE", reply.text), reply.text
    assert re.search(rf"^{secret}\s+Opaque\s+2\s", reply.text, re.MULTILINE)
    assert VALUE not in reply.text
    assert _b64(VALUE) not in reply.text


@pytest.mark.parametrize(
    "output", ["jsonpath={.data.password}", "custom-columns=NAME:.metadata.name,P:.data.password"]
)
def test_templates_reach_no_secret_value(stack: Stack, secret: str, output: str) -> None:
    reply = stack.run(f"get secret {secret} -n staging -o {output}")
    assert _b64(VALUE) not in reply.text
    assert "<redacted: 19 bytes>" in reply.text, reply.text
