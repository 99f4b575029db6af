"""kubectl judges the sandbox's authorization: RBAC objects, tokens, impersonation and reviews.

Each test names its own users, namespaces and bindings, so the module shares one sandbox. The
expected lines are what kubectl prints against a real v1.32 cluster for the same state.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from kubesim.testing.harness import Sandbox
from tests.kubesim.kubectl import Judge, Kubectl, stored
from tests.kubesim.test_kubectl_create import contained

pytestmark = pytest.mark.kubectl
JUDGE = Judge()


def _namespace(kubectl: Kubectl, name: str) -> str:
    kubectl("create", "namespace", name)
    return name


def _stderr(run: Any) -> str:
    return str(run.stderr).strip()


_CREDENTIALS = "the server has asked for the client to provide credentials"
_NO_DISCOVERY = f"couldn't get current server API group list: {_CREDENTIALS}"


def _unauthorized(run: Any) -> None:
    """kubectl's verdict on refused credentials. With discovery cached it is the request's 401;
    with nothing cached yet, discovery is refused first and kubectl says so before its verdict
    (as against any cluster that refuses the credentials)."""
    *before, last = _stderr(run).splitlines()
    if before:
        assert all(_NO_DISCOVERY in line for line in before), before
        assert last == f"error: You must be logged in to the server ({_CREDENTIALS})"
    else:
        assert last == "error: You must be logged in to the server (Unauthorized)"


def test_forbidden_as_a_user_is_what_a_cluster_prints(kubectl: Kubectl) -> None:
    ns = _namespace(kubectl, "prod")
    run = kubectl.fails("get", "pods", "-n", ns, "--as", "slack:U1", "--as-group", "ops")
    assert _stderr(run) == (
        'Error from server (Forbidden): pods is forbidden: User "slack:U1" cannot list '
        'resource "pods" in API group "" in the namespace "prod"'
    )
    run = kubectl.fails("get", "nodes", "--as", "slack:U1")
    assert _stderr(run) == (
        'Error from server (Forbidden): nodes is forbidden: User "slack:U1" cannot list '
        'resource "nodes" in API group "" at the cluster scope'
    )
    run = kubectl.fails("get", "deployment", "web", "-n", ns, "--as", "slack:U1")
    assert _stderr(run) == (
        'Error from server (Forbidden): deployments.apps "web" is forbidden: User "slack:U1" '
        'cannot get resource "deployments" in API group "apps" in the namespace "prod"'
    )


def test_a_role_binding_grants_exactly_its_rules(kubectl: Kubectl) -> None:
    ns = _namespace(kubectl, "granted")
    assert kubectl.run("auth", "can-i", "list", "pods", "-n", ns, "--as", "u2").stdout == "no\n"
    kubectl("create", "role", "pod-reader", "--verb=get,list", "--resource=pods", "-n", ns)
    kubectl("create", "rolebinding", "readers", "--role=pod-reader", "--group=devs", "-n", ns)
    assert (
        kubectl(
            "auth", "can-i", "list", "pods", "-n", ns, "--as", "u2", "--as-group", "devs"
        ).stdout
        == "yes\n"
    )
    run = kubectl.run(
        "auth", "can-i", "delete", "pods", "-n", ns, "--as", "u2", "--as-group", "devs"
    )
    assert (run.code, run.stdout) == (1, "no\n")
    assert (
        kubectl.run(
            "auth", "can-i", "list", "pods", "-n", "default", "--as", "u2", "--as-group", "devs"
        ).stdout
        == "no\n"
    )
    assert (
        kubectl.run(
            "auth",
            "can-i",
            "get",
            "pods",
            "--subresource=log",
            "-n",
            ns,
            "--as",
            "u2",
            "--as-group",
            "devs",
        ).stdout
        == "no\n"
    )
    listed = kubectl("get", "pods", "-n", ns, "--as", "u2", "--as-group", "devs")
    assert listed.stderr.strip() == f"No resources found in {ns} namespace."


def test_resource_names_limit_a_rule(kubectl: Kubectl) -> None:
    ns = _namespace(kubectl, "named")
    kubectl(
        "create",
        "role",
        "one-cm",
        "--verb=get",
        "--resource=configmaps",
        "--resource-name=app",
        "-n",
        ns,
    )
    kubectl("create", "rolebinding", "one-cm", "--role=one-cm", "--user=u3", "-n", ns)
    assert (
        kubectl("auth", "can-i", "get", "configmap/app", "-n", ns, "--as", "u3").stdout == "yes\n"
    )
    assert (
        kubectl.run("auth", "can-i", "get", "configmap/other", "-n", ns, "--as", "u3").stdout
        == "no\n"
    )
    assert (
        kubectl.run("auth", "can-i", "list", "configmaps", "-n", ns, "--as", "u3").stdout == "no\n"
    )


def test_a_binding_to_a_missing_role_says_so(kubectl: Kubectl) -> None:
    ns = _namespace(kubectl, "dangling")
    kubectl("create", "rolebinding", "ghost", "--role=nowhere", "--user=u4", "-n", ns)
    run = kubectl.run("auth", "can-i", "list", "pods", "-n", ns, "--as", "u4")
    assert run.stdout == 'no - RBAC: role.rbac.authorization.k8s.io "nowhere" not found\n'
    run = kubectl.fails("get", "pods", "-n", ns, "--as", "u4")
    assert _stderr(run) == (
        'Error from server (Forbidden): pods is forbidden: User "u4" cannot list resource '
        f'"pods" in API group "" in the namespace "{ns}": RBAC: role.rbac.authorization.k8s.io '
        '"nowhere" not found'
    )


def test_can_i_list_shows_the_bootstrap_and_the_granted_rules(kubectl: Kubectl) -> None:
    ns = _namespace(kubectl, "listed")
    kubectl(
        "create", "role", "deployer", "--verb=get,patch", "--resource=deployments.apps", "-n", ns
    )
    kubectl("create", "rolebinding", "deployer", "--role=deployer", "--user=u5", "-n", ns)
    rows = kubectl("auth", "can-i", "--list", "-n", ns, "--as", "u5").table()
    by_resource = {row["Resources"]: row for row in rows if row["Resources"]}
    assert by_resource["deployments.apps"]["Verbs"] == "[get patch]"
    assert by_resource["selfsubjectaccessreviews.authorization.k8s.io"]["Verbs"] == "[create]"
    urls = {row["Non-Resource URLs"] for row in rows}
    assert {"[/api]", "[/apis/*]", "[/version]", "[/healthz]"} <= urls


def test_service_account_token_authenticates_as_the_account(kubectl: Kubectl) -> None:
    home = _namespace(kubectl, "k8s-chatops")
    ns = _namespace(kubectl, "sa-target")
    kubectl("create", "serviceaccount", "bot", "-n", home)
    token = kubectl("create", "token", "bot", "-n", home).stdout.strip()
    run = kubectl.fails("--token", token, "get", "pods", "-n", ns)
    assert _stderr(run) == (
        'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:'
        f'k8s-chatops:bot" cannot list resource "pods" in API group "" in the namespace "{ns}"'
    )
    kubectl(
        "create",
        "rolebinding",
        "bot-view",
        "--clusterrole=view",
        f"--serviceaccount={home}:bot",
        "-n",
        ns,
    )
    assert kubectl("--token", token, "get", "pods", "-n", ns).stderr.strip() == (
        f"No resources found in {ns} namespace."
    )
    whoami = kubectl("--token", token, "auth", "whoami").table()
    values = {row["ATTRIBUTE"]: row["VALUE"] for row in whoami}
    assert values["Username"] == "system:serviceaccount:k8s-chatops:bot"
    assert values["Groups"] == (
        "[system:serviceaccounts system:serviceaccounts:k8s-chatops system:authenticated]"
    )
    assert values["Extra: authentication.kubernetes.io/credential-id"].startswith("[JTI=")
    kubectl("delete", "serviceaccount", "bot", "-n", home)
    _unauthorized(kubectl.fails("--token", token, "get", "pods", "-n", ns))


def test_an_unknown_token_is_unauthorized(kubectl: Kubectl) -> None:
    _unauthorized(kubectl.fails("--token", "not-a-token", "get", "pods"))


def test_short_token_durations_are_refused(kubectl: Kubectl) -> None:
    kubectl("create", "serviceaccount", "brief")
    run = kubectl.fails("create", "token", "brief", "--duration=5m")
    assert "may not specify a duration less than 10 minutes" in run.stderr


def test_whoami_of_the_admin_and_of_a_user(sandbox: Sandbox, kubectl: Kubectl) -> None:
    admin = {r["ATTRIBUTE"]: r["VALUE"] for r in kubectl("auth", "whoami").table()}
    assert admin == {"Username": "sandbox-admin", "Groups": "[system:masters system:authenticated]"}
    token = sandbox.user_token("alice", groups=["dev"])
    alice = {
        r["ATTRIBUTE"]: r["VALUE"] for r in kubectl("--token", token, "auth", "whoami").table()
    }
    assert alice == {"Username": "alice", "Groups": "[dev system:authenticated]"}
    # Discovery and version are open to every authenticated identity, as on a real cluster.
    assert "Server Version:" in kubectl("--token", token, "version").stdout


def test_impersonation_needs_the_impersonate_verb(sandbox: Sandbox, kubectl: Kubectl) -> None:
    # kubectl's discovery cache is per server, not per user: warm it as the admin, as any
    # earlier test does. Cold, discovery as an identity one may not impersonate is refused
    # first, and kubectl (1.32, against any cluster) only says "Error from server (Forbidden):
    # unknown" after its discovery errors.
    kubectl("get", "namespaces")
    token = sandbox.user_token("carol")
    run = kubectl.fails("--token", token, "get", "pods", "--as", "dave")
    assert _stderr(run) == (
        'Error from server (Forbidden): users "dave" is forbidden: User "carol" cannot '
        'impersonate resource "users" in API group "" at the cluster scope'
    )
    kubectl(
        "create",
        "clusterrole",
        "imp-dave",
        "--verb=impersonate",
        "--resource=users",
        "--resource-name=dave",
    )
    kubectl("create", "clusterrolebinding", "imp-dave", "--clusterrole=imp-dave", "--user=carol")
    run = kubectl.fails("--token", token, "get", "pods", "--as", "dave", "--as-group", "sre")
    assert _stderr(run) == (
        'Error from server (Forbidden): groups "sre" is forbidden: User "carol" cannot '
        'impersonate resource "groups" in API group "" at the cluster scope'
    )
    run = kubectl.fails("--token", token, "get", "pods", "--as", "dave")
    assert _stderr(run) == (
        'Error from server (Forbidden): pods is forbidden: User "dave" cannot list resource '
        '"pods" in API group "" in the namespace "default"'
    )
    run = kubectl.fails("--token", token, "get", "pods", "--as", "system:serviceaccount:default:x")
    assert _stderr(run) == (
        'Error from server (Forbidden): serviceaccounts "x" is forbidden: User "carol" cannot '
        'impersonate resource "serviceaccounts" in API group "" in the namespace "default"'
    )


@pytest.mark.parametrize(
    ("command", "target"),
    [
        (
            "create role pr --verb=get,list,watch --resource=pods,deployments.apps -n default",
            ("Role", "default", "pr"),
        ),
        (
            "create clusterrole cr --verb=get --non-resource-url=/logs/*",
            ("ClusterRole", None, "cr"),
        ),
        (
            "create rolebinding rb --clusterrole=view --user=a --group=g "
            "--serviceaccount=default:s -n default",
            ("RoleBinding", "default", "rb"),
        ),
        (
            "create clusterrolebinding crb --clusterrole=view --group=g",
            ("ClusterRoleBinding", None, "crb"),
        ),
    ],
)
def test_typed_creates_store_what_kubectl_sends(
    sandbox: Sandbox, kubectl: Kubectl, command: str, target: tuple[str, str | None, str]
) -> None:
    kind, namespace, name = target
    args = command.split()
    sent = json.loads(kubectl(*args, "--dry-run=client", "-o", "json").stdout)
    created = kubectl(*args)
    assert created.stdout.strip().endswith(f"/{name} created")
    found = stored(sandbox, kind, namespace, name)
    assert found is not None
    assert contained(sent, found) == []


def test_tables_have_the_printed_columns(kubectl: Kubectl) -> None:
    ns = _namespace(kubectl, "tables")
    kubectl("create", "role", "t", "--verb=get", "--resource=pods", "-n", ns)
    kubectl(
        "create", "rolebinding", "t", "--role=t", "--user=u", "--serviceaccount=tables:s", "-n", ns
    )
    assert kubectl("get", "roles", "-n", ns).header() == ["NAME", "CREATED AT"]
    wide = kubectl("get", "rolebindings", "-n", ns, "-o", "wide")
    assert wide.header() == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    row = wide.table()[0]
    assert (row["NAME"], row["ROLE"], row["USERS"], row["SERVICEACCOUNTS"]) == (
        "t",
        "Role/t",
        "u",
        "tables/s",
    )
    both = kubectl("get", "roles,rolebindings", "-n", ns).lines()
    assert both[0].split() == ["NAME", "CREATED", "AT"]
    assert both[1].startswith("role.rbac.authorization.k8s.io/t ")
    assert both[2].split() == ["NAME", "ROLE", "AGE"]
    assert kubectl("get", "clusterrolebindings").header() == ["NAME", "ROLE", "AGE"]


def test_role_ref_cannot_change(kubectl: Kubectl) -> None:
    kubectl("create", "rolebinding", "fixed", "--clusterrole=view", "--user=u")
    run = kubectl.fails(
        "patch", "rolebinding", "fixed", "--type=merge", "-p", '{"roleRef":{"name":"edit"}}'
    )
    assert _stderr(run) == (
        'The RoleBinding "fixed" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:'
        '"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef'
    )


def test_access_reviews_give_the_rbac_reason(sandbox: Sandbox, kubectl: Kubectl) -> None:
    ns = _namespace(kubectl, "reviewed")
    kubectl("create", "role", "r", "--verb=list", "--resource=pods", "-n", ns)
    kubectl("create", "rolebinding", "rb", "--role=r", "--user=slack:U9", "-n", ns)
    kubectl("create", "clusterrolebinding", "u9-view", "--clusterrole=view", "--group=viewers")
    with sandbox.api_client() as api:
        authz = client.AuthorizationV1Api(api)
        spec = client.V1SubjectAccessReviewSpec(
            user="slack:U9",
            groups=["viewers"],
            resource_attributes=client.V1ResourceAttributes(
                namespace=ns, verb="list", resource="pods"
            ),
        )
        answer = authz.create_subject_access_review(client.V1SubjectAccessReview(spec=spec))
        assert answer.status.allowed is True
        assert answer.status.reason == (
            'RBAC: allowed by ClusterRoleBinding "u9-view" of ClusterRole "view" to Group "viewers"'
        )
        spec.groups = None
        answer = authz.create_subject_access_review(client.V1SubjectAccessReview(spec=spec))
        assert answer.status.reason == (
            f'RBAC: allowed by RoleBinding "rb/{ns}" of Role "r" to User "slack:U9"'
        )
        spec.resource_attributes.verb = "delete"
        answer = authz.create_subject_access_review(client.V1SubjectAccessReview(spec=spec))
        assert (answer.status.allowed, answer.status.reason) == (False, None)
    token = sandbox.user_token("slack:U9")
    with sandbox.api_client(token) as api:
        core = client.CoreV1Api(api)
        assert core.list_namespaced_pod(ns).items == []
        with pytest.raises(ApiException) as raised:
            core.list_namespaced_secret(ns)
        body = json.loads(raised.value.body)
        assert raised.value.status == 403
        assert body["reason"] == "Forbidden"
        assert body["details"] == {"kind": "secrets"}
        with pytest.raises(ApiException) as raised:
            client.AuthorizationV1Api(api).create_subject_access_review(
                client.V1SubjectAccessReview(spec=spec)
            )
        assert json.loads(raised.value.body)["message"] == (
            'subjectaccessreviews.authorization.k8s.io is forbidden: User "slack:U9" cannot '
            'create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the '
            "cluster scope"
        )
        review = client.AuthorizationV1Api(api).create_self_subject_access_review(
            client.V1SelfSubjectAccessReview(
                spec=client.V1SelfSubjectAccessReviewSpec(
                    resource_attributes=client.V1ResourceAttributes(
                        namespace=ns, verb="list", resource="pods"
                    )
                )
            )
        )
        assert review.status.allowed is True


def test_impersonating_a_uid_or_extras_is_checked(sandbox: Sandbox, kubectl: Kubectl) -> None:
    token = sandbox.user_token("erin")
    kubectl("create", "clusterrole", "imp-frank", "--verb=impersonate", "--resource=users")
    kubectl("create", "clusterrolebinding", "imp-frank", "--clusterrole=imp-frank", "--user=erin")
    run = kubectl.fails("--token", token, "get", "pods", "--as", "frank", "--as-uid", "u-1")
    assert _stderr(run) == (
        'Error from server (Forbidden): uids.authentication.k8s.io "u-1" is forbidden: User '
        '"erin" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the '
        "cluster scope"
    )
    with sandbox.api_client(token) as api:
        api.set_default_header("Impersonate-User", "frank")
        api.set_default_header("Impersonate-Extra-Scopes", "view")
        with pytest.raises(ApiException) as raised:
            client.CoreV1Api(api).list_namespaced_pod("default")
    assert json.loads(raised.value.body)["message"] == (
        'userextras.authentication.k8s.io "view" is forbidden: User "erin" cannot impersonate '
        'resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope'
    )


def test_groups_without_a_user_are_refused(sandbox: Sandbox) -> None:
    with sandbox.api_client() as api:
        api.set_default_header("Impersonate-Group", "ops")
        with pytest.raises(ApiException) as raised:
            client.CoreV1Api(api).list_namespaced_pod("default")
    assert raised.value.status == 500
    assert raised.value.body == (
        'Internal Server Error: "/api/v1/namespaces/default/pods": requested '
        "[{Group  ops    }] without impersonating a user\n"
    )


def test_the_admin_may_impersonate_anyone(sandbox: Sandbox, kubectl: Kubectl) -> None:
    with sandbox.api_client() as api:
        api.set_default_header("Impersonate-User", "slack:U7")
        with pytest.raises(ApiException) as raised:
            client.CoreV1Api(api).list_namespaced_pod("default")
    assert json.loads(raised.value.body)["message"] == (
        'pods is forbidden: User "slack:U7" cannot list resource "pods" in API group "" in the '
        'namespace "default"'
    )
    kubectl("create", "rolebinding", "u7", "--clusterrole=view", "--user=slack:U7")
    with sandbox.api_client() as api:
        api.set_default_header("Impersonate-User", "slack:U7")
        assert client.CoreV1Api(api).list_namespaced_pod("default").items == []


def test_the_admin_lists_cluster_admin_and_the_bootstrap_rules(kubectl: Kubectl) -> None:
    rows = kubectl("auth", "can-i", "--list").table()
    assert rows[0] == {
        "Resources": "*.*",
        "Non-Resource URLs": "[]",
        "Resource Names": "[]",
        "Verbs": "[*]",
    }
    assert rows[1]["Non-Resource URLs"] == "[*]"
    assert any(r["Resources"] == "selfsubjectreviews.authentication.k8s.io" for r in rows)
