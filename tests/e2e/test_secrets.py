"""No reply shows a Secret's values: tables keep kubectl's columns, documents show keys and
sizes only, whoever asks."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator

import pytest

from tests.e2e.target import AnyStack

VALUE = "hunter2-very-secret"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture(scope="module")
def secret(any_stack: AnyStack) -> Iterator[str]:
    """Secret db-creds in the run's namespace, and a Role that lets the bot read Secrets there
    (deploy/ grants none: no feature needs them; redaction must hold where a cluster does)."""
    target, ns = any_stack.target, any_stack.target.namespace
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
    target.core.create_namespaced_secret(ns, body)
    _, account_ns, account = any_stack.user.rsplit(":", 2)
    rule = {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}
    target.rbac.create_namespaced_role(ns, {"metadata": {"name": "read-secrets"}, "rules": [rule]})
    target.rbac.create_namespaced_role_binding(
        ns,
        {
            "metadata": {"name": "read-secrets"},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": "read-secrets",
            },
            "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": account_ns}],
        },
    )
    try:
        yield "db-creds"
    finally:
        target.rbac.delete_namespaced_role_binding("read-secrets", ns)
        target.rbac.delete_namespaced_role("read-secrets", ns)
        target.core.delete_namespaced_secret("db-creds", ns)


def test_get_secret_as_yaml_shows_keys_and_sizes(any_stack: AnyStack, secret: str) -> None:
    reply = any_stack.run(f"get secret {secret} -o yaml")
    assert VALUE not in reply.text
    assert _b64(VALUE) not in reply.text
    assert re.search(r"^  password: '\(redacted: 19 bytes\)'$", reply.text, re.MULTILINE), (
        reply.text
    )
    assert re.search(r"^  user: '\(redacted: 3 bytes\)'$", reply.text, re.MULTILINE)
    assert "Secret values are redacted" in reply.text


def test_a_list_holding_secrets_is_redacted_too(any_stack: AnyStack, secret: str) -> None:
    reply = any_stack.run("get secrets -o json")
    assert VALUE not in reply.text
    assert _b64(VALUE) not in reply.text
    assert '"password": "(redacted: 19 bytes)"' in reply.text
    assert secret in reply.text


def test_the_secret_table_keeps_kubectls_columns(any_stack: AnyStack, secret: str) -> None:
    reply = any_stack.run("get secrets")
    assert re.search(r"NAME\s+TYPE\s+DATA\s+AGE", reply.text), reply.text
    assert re.search(rf"^{secret}\s+Opaque\s+2\s", reply.text, re.MULTILINE)
    assert VALUE not in reply.text
    assert _b64(VALUE) not in reply.text


@pytest.mark.parametrize(
    "output", ["jsonpath={.data.password}", "custom-columns=NAME:.metadata.name,P:.data.password"]
)
def test_templates_reach_no_secret_value(any_stack: AnyStack, secret: str, output: str) -> None:
    reply = any_stack.run(f"get secret {secret} -o {output}")
    assert _b64(VALUE) not in reply.text
    assert "(redacted: 19 bytes)" in reply.text, reply.text
