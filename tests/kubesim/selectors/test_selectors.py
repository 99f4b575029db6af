"""Label and field selector parsing and matching, with the apiserver's error messages."""

from __future__ import annotations

from typing import Any

import pytest

from kubesim.api import status
from kubesim.api.resources import by_kind
from kubesim.selectors.fields import field_value, parse_fields
from kubesim.selectors.labels import parse_labels

LABELS = {"app": "web", "tier": "front", "version": "3"}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("", True),
        ("app=web", True),
        ("app==web", True),
        ("app=api", False),
        ("app!=api", True),
        ("missing!=x", True),
        ("app in (web, api)", True),
        ("app in (api)", False),
        ("app notin (api)", True),
        ("missing notin (api)", True),
        ("app", True),
        ("missing", False),
        ("!missing", True),
        ("!app", False),
        ("app=web,tier=front", True),
        ("app=web,tier=back", False),
        ("version>2", True),
        ("version<3", False),
        ("example.com/team", False),
        ("app in (in, notin, web)", True),
        ("  app = web ,  tier  ", True),
    ],
)
def test_label_selector_matching(selector: str, *, matches: bool) -> None:
    assert parse_labels(selector).matches(LABELS) is matches


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("app in web", "unable to parse requirement: found 'web' expected: '('"),
        ("app=web x", "found 'x', expected: ',' or 'end of string'"),
        ("=web", "found '=', expected: !, identifier, or 'end of string'"),
        ("app,", "found '', expected: identifier after ','"),
        (
            "app web",
            "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt",
        ),
        ("!app=web", "found '=', expected: ',' or 'end of string'"),
        ("app in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
        (
            "version>x",
            "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' "
            "operators, the value must be an integer",
        ),
        (
            "-app=web",
            'unable to parse requirement: <nil>: Invalid value: "-app": name part must consist '
            "of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
            "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
    ],
)
def test_bad_label_selectors(selector: str, message: str) -> None:
    with pytest.raises(status.ApiError) as err:
        parse_labels(selector)
    assert (err.value.code, err.value.reason, err.value.message) == (400, "BadRequest", message)


def test_bad_label_value_names_the_key() -> None:
    with pytest.raises(status.ApiError) as err:
        parse_labels("app=-web")
    assert err.value.message.startswith(
        'unable to parse requirement: values[0][app]: Invalid value: "-web": a valid label must '
    )


POD: dict[str, Any] = {
    "metadata": {"name": "web-1", "namespace": "prod"},
    "spec": {"nodeName": "node-1", "hostNetwork": False},
    "status": {"phase": "Running", "podIPs": [{"ip": "10.0.0.1"}]},
}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("metadata.name=web-1", True),
        ("metadata.name==web-1", True),
        ("metadata.name!=web-1", False),
        ("metadata.namespace=prod,status.phase=Running", True),
        ("spec.nodeName=node-2", False),
        ("spec.nodeName=", False),
        ("spec.hostNetwork=false", True),
        ("status.podIPs=10.0.0.1", True),
        ("status.nominatedNodeName=", True),
    ],
)
def test_pod_field_selectors(selector: str, *, matches: bool) -> None:
    assert parse_fields(selector, by_kind("Pod")).matches(POD) is matches


def test_field_selector_escapes() -> None:
    event = {"metadata": {"name": "x"}, "involvedObject": {"fieldPath": "spec.containers{a,b}"}}
    selector = parse_fields(r"involvedObject.fieldPath=spec.containers{a\,b}", by_kind("Event"))
    assert selector.matches(event)


def test_event_source_is_the_component() -> None:
    assert field_value({"source": {"component": "kubelet"}}, "source") == "kubelet"


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("spec.image=nginx", "field label not supported: spec.image"),
        ("nonsense", "invalid selector: 'nonsense'; can't understand 'nonsense'"),
    ],
)
def test_bad_field_selectors(selector: str, message: str) -> None:
    with pytest.raises(status.ApiError) as err:
        parse_fields(selector, by_kind("Pod"))
    assert (err.value.code, err.value.message) == (400, message)


def test_exact_name_is_an_index_hint() -> None:
    selector = parse_fields("metadata.name=web-1,status.phase!=Failed", by_kind("Pod"))
    assert selector.exact("metadata.name") == "web-1"
    assert selector.exact("status.phase") is None
