"""Validation causes worded as the real apiserver words them (kubectl prints them verbatim)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubesim.admission.defaults import apply_defaults
from kubesim.admission.validation import validate

SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035 = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)


def _deployment(**spec: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            },
        },
    }
    obj["spec"].update(spec)
    apply_defaults("Deployment", obj, allocate_cluster_ip=lambda: "10.96.0.1")
    return obj


def _messages(kind: str, obj: dict[str, Any], old: dict[str, Any] | None = None) -> list[str]:
    return [f"{c.field}: {c.message}" for c in validate(kind, obj, old=old)]


def _containers(*containers: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": list(containers)}}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {"replicas": -1},
            ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
        ),
        (
            {"selector": {"matchLabels": {"app": "api"}}},
            [
                'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: '
                "`selector` does not match template `labels`"
            ],
        ),
        (
            # apps/validation: a nil selector also fails to match the template labels.
            {"selector": None},
            [
                "spec.selector: Required value",
                'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: '
                "`selector` does not match template `labels`",
            ],
        ),
        (
            {"selector": {}},
            [
                "spec.selector: Invalid value: v1.LabelSelector{"
                "MatchLabels:map[string]string(nil), "
                "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: "
                "empty selector is invalid for deployment"
            ],
        ),
        ({"template": _containers()}, ["spec.template.spec.containers: Required value"]),
        (
            {"template": _containers({"name": "web"})},
            ["spec.template.spec.containers[0].image: Required value"],
        ),
        (
            {"template": _containers({"name": "web", "image": "a"}, {"name": "web", "image": "b"})},
            ['spec.template.spec.containers[1].name: Duplicate value: "web"'],
        ),
        (
            {"template": _containers({"name": "Web", "image": "a"})},
            [f'spec.template.spec.containers[0].name: Invalid value: "Web": {LABEL}'],
        ),
        (
            {"template": _containers({"image": "a"})},
            ["spec.template.spec.containers[0].name: Required value"],
        ),
        (
            {
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0},
                }
            },
            [
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
                'intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0'
            ],
        ),
        (
            {
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": "1", "maxUnavailable": "150%"},
                }
            },
            [
                "spec.strategy.rollingUpdate.maxSurge: Invalid value: "
                'intstr.IntOrString{Type:1, IntVal:0, StrVal:"1"}: a valid percent string must be '
                "a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used "
                "for validation is '[0-9]+%')",
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
                'intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: '
                "must not be greater than 100%",
            ],
        ),
        (
            {"progressDeadlineSeconds": 5, "minReadySeconds": 10},
            [
                "spec.progressDeadlineSeconds: Invalid value: 5: "
                "must be greater than minReadySeconds"
            ],
        ),
    ],
)
def test_deployment_errors(spec: dict[str, Any], expected: list[str]) -> None:
    assert _messages("Deployment", _deployment(**spec)) == expected


def test_valid_deployment_has_no_causes() -> None:
    assert validate("Deployment", _deployment()) == []


def test_deployment_template_must_restart_always() -> None:
    dep = _deployment()
    dep["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert _messages("Deployment", dep) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'
    ]


def test_selector_is_immutable_on_update() -> None:
    old = _deployment()
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"app": "web", "tier": "front"}}
    new["spec"]["template"]["metadata"]["labels"]["tier"] = "front"
    assert _messages("Deployment", new, old) == [
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string"
        '{"app":"web", "tier":"front"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: '
        "field is immutable"
    ]


def test_replicas_may_change_on_update() -> None:
    old = _deployment()
    new = copy.deepcopy(old)
    new["spec"]["replicas"] = 0
    assert validate("Deployment", new, old=old) == []


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        ("Deployment", "Web", f'metadata.name: Invalid value: "Web": {SUBDOMAIN}'),
        ("Pod", "web_1", f'metadata.name: Invalid value: "web_1": {SUBDOMAIN}'),
        ("Service", "1web", f'metadata.name: Invalid value: "1web": {DNS1035}'),
        ("Namespace", "team.a", f'metadata.name: Invalid value: "team.a": {LABEL}'),
        ("ConfigMap", "", "metadata.name: Required value: name or generateName is required"),
    ],
)
def test_name_rules_per_kind(kind: str, name: str, expected: str) -> None:
    causes = validate(kind, {"metadata": {"name": name}})
    assert f"{causes[0].field}: {causes[0].message}" == expected


def test_generate_name_stands_in_for_name() -> None:
    assert validate("ConfigMap", {"metadata": {"generateName": "cfg-"}}) == []


def test_long_name_gets_both_messages() -> None:
    causes = validate("Namespace", {"metadata": {"name": "a" * 64}})
    assert [c.message.split(": ", 2)[2] for c in causes] == ["must be no more than 63 characters"]


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (
            {"bad key": "x"},
            'metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric '
            "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
            "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
            "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
        (
            {"app": "has space"},
            'metadata.labels: Invalid value: "has space": a valid label must be an empty string or '
            "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
            "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
        (
            {"Example.com/app": "x"},
            f'metadata.labels: Invalid value: "Example.com/app": prefix part {SUBDOMAIN}',
        ),
    ],
)
def test_label_syntax(labels: dict[str, str], expected: str) -> None:
    assert _messages("ConfigMap", {"metadata": {"name": "c", "labels": labels}}) == [expected]


def test_scale_replicas_nonnegative() -> None:
    assert _messages("Scale", {"metadata": {"name": "web"}, "spec": {"replicas": -2}}) == [
        "spec.replicas: Invalid value: -2: must be greater than or equal to 0"
    ]


def _service(**spec: Any) -> dict[str, Any]:
    obj = {
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"app": "web"}, **spec},
    }
    apply_defaults("Service", obj, allocate_cluster_ip=lambda: "10.96.0.7")
    return obj


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, ["spec.ports: Required value"]),
        (
            {"ports": [{"port": 70000}]},
            # targetPort was defaulted from port, so it fails the same range check.
            [
                "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
                "spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, "
                "inclusive",
            ],
        ),
        (
            {"ports": [{"port": 80}, {"port": 81}]},
            ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"],
        ),
        (
            {"type": "Bogus", "ports": [{"port": 80}]},
            [
                'spec.type: Unsupported value: "Bogus": supported values: "ClusterIP", '
                '"ExternalName", "LoadBalancer", "NodePort"'
            ],
        ),
        (
            {"ports": [{"port": 80, "nodePort": 30080}]},
            ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
        ),
        (
            {"type": "NodePort", "ports": [{"port": 80, "nodePort": 80}]},
            [
                "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid "
                "range. The range of valid ports is 30000-32767"
            ],
        ),
        ({"clusterIP": "None"}, []),
    ],
)
def test_service_errors(spec: dict[str, Any], expected: list[str]) -> None:
    assert _messages("Service", _service(**spec)) == expected


def test_service_cluster_ip_may_not_change() -> None:
    old = _service(ports=[{"port": 80}])
    new = copy.deepcopy(old)
    new["spec"]["clusterIP"] = "10.96.0.8"
    new["spec"]["clusterIPs"] = ["10.96.0.8"]
    assert _messages("Service", new, old) == [
        'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.8"}: may not change once set'
    ]


def _pod() -> dict[str, Any]:
    pod = {
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.26"}]},
    }
    apply_defaults("Pod", pod, allocate_cluster_ip=lambda: "")
    return pod


def test_pod_image_may_change() -> None:
    old = _pod()
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "nginx:1.27"
    new["metadata"]["labels"] = {"extra": "yes"}
    assert validate("Pod", new, old=old) == []


def test_pod_other_spec_fields_are_forbidden() -> None:
    old = _pod()
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "protocol": "TCP"}]
    [cause] = validate("Pod", new, old=old)
    assert (cause.field, cause.reason) == ("spec", "FieldValueForbidden")
    assert cause.message.startswith(
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
        "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
        "set to 1 if it was previously negative)\n  core.PodSpec{"
    )


def test_pod_container_port_and_env_rules() -> None:
    pod = _pod()
    container = pod["spec"]["containers"][0]
    container["ports"] = [{"containerPort": 0, "protocol": "tcp"}]
    container["env"] = [{"name": "1BAD", "value": "x"}]
    assert _messages("Pod", pod) == [
        "spec.containers[0].ports[0].containerPort: Required value",
        'spec.containers[0].ports[0].protocol: Unsupported value: "tcp": '
        'supported values: "SCTP", "TCP", "UDP"',
        'spec.containers[0].env[0].name: Invalid value: "1BAD": a valid environment variable name '
        "must consist of alphabetic characters, digits, '_', '-', or '.', and must not start "
        "with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for "
        "validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    ]


def test_volume_mount_must_name_a_volume() -> None:
    pod = {
        "metadata": {"name": "p"},
        "spec": {
            "restartPolicy": "Always",
            "containers": [
                {
                    "name": "c",
                    "image": "x",
                    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                }
            ],
        },
    }
    assert _messages("Pod", pod) == ['spec.containers[0].volumeMounts[0].name: Not found: "data"']


def test_config_map_keys() -> None:
    assert _messages("ConfigMap", {"metadata": {"name": "c"}, "data": {"bad key": "v"}}) == [
        'data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric '
        "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used "
        "for validation is '[-._a-zA-Z0-9]+')"
    ]


def test_secret_type_is_immutable() -> None:
    old = {"metadata": {"name": "s"}, "type": "Opaque"}
    new = {"metadata": {"name": "s"}, "type": "kubernetes.io/tls"}
    assert _messages("Secret", new, old) == [
        'type: Invalid value: "kubernetes.io/tls": field is immutable'
    ]


def test_cause_reasons() -> None:
    reasons = {c.reason for c in validate("Deployment", _deployment(replicas=-1, selector=None))}
    assert reasons == {"FieldValueInvalid", "FieldValueRequired"}
