"""kubectl's JSONPath dialect: the examples of kubectl's own JSONPath reference, the values
printed as kubectl 1.32 prints them, the errors kubectl gives, and the bounds."""

from __future__ import annotations

import json
import time

import pytest

from bot.core import jsonpath
from bot.core.jsonpath.printing import go_float, go_json, go_json_float
from bot.errors import UsageError

# The input of kubectl's JSONPath reference page (kubernetes.io/docs/reference/kubectl/jsonpath).
DOCUMENT: dict[str, object] = {
    "kind": "List",
    "items": [
        {
            "kind": "None",
            "metadata": {
                "name": "127.0.0.1",
                "labels": {"kubernetes.io/hostname": "127.0.0.1"},
            },
            "status": {
                "capacity": {"cpu": "4"},
                "addresses": [{"type": "LegacyHostIP", "address": "127.0.0.1"}],
            },
        },
        {
            "kind": "None",
            "metadata": {"name": "127.0.0.2"},
            "status": {
                "capacity": {"cpu": "8"},
                "addresses": [
                    {"type": "LegacyHostIP", "address": "127.0.0.2"},
                    {"type": "another", "address": "127.0.0.3"},
                ],
            },
        },
    ],
    "users": [
        {"name": "myself", "user": {}},
        {"name": "e2e", "user": {"username": "admin", "password": "secret"}},
    ],
}


@pytest.mark.parametrize(
    ("template", "printed"),
    [
        ("{.kind}", "List"),
        ("{['kind']}", "List"),
        ("{..name}", "127.0.0.1 127.0.0.2 myself e2e"),
        ("{.items[*].metadata.name}", "127.0.0.1 127.0.0.2"),
        ("{.users[0].name}", "myself"),
        (
            "{.items[*]['metadata.name', 'status.capacity']}",
            '127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}',
        ),
        ('{.users[?(@.name=="e2e")].user.password}', "secret"),
        (
            "{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}",
            '[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] ',
        ),
        ("{range .items[*]}{.metadata.name}{'\\t'}{end}", "127.0.0.1\t127.0.0.2\t"),
        ("{.items[0].metadata.labels.kubernetes\\.io/hostname}", "127.0.0.1"),
        # kubectl's "kubectl get" examples and the reference's other operators
        ('{range .items[*]}{.metadata.name}{"\\n"}{end}', "127.0.0.1\n127.0.0.2\n"),
        ("{.items[-1:].metadata.name}", "127.0.0.2"),
        ("{.items[-1].metadata.name}", "127.0.0.2"),
        ("{.items[1].status.addresses[0:2:1].address}", "127.0.0.2 127.0.0.3"),
        ("{.items[1].status.addresses[::2].address}", "127.0.0.2"),
        ("{.items[0,1].kind}", "None None"),
        ('{.items[*].status.addresses[?(@.type=="another")].address}', "127.0.0.3"),
        ("{.items[?(@.metadata.labels)].metadata.name}", "127.0.0.1"),
        ('{.items[?(@.metadata.nope=="x")].metadata.name}', ""),
        ("{.users[?(@.user.password)].name}", "e2e"),
        ("{.users[*].user}", '{} {"password":"secret","username":"admin"}'),
        ("{.nope}{.items[0].metadata.name.deeper}", ""),
        ("{$.kind} {@.kind}", "List List"),
        ("names: {.items[*].metadata.name}!", "names: 127.0.0.1 127.0.0.2!"),
        ("{range .users[*]}{.name}{range .user.*}={@}{end};{end}", "myself;e2e=secret=admin;"),
        ("{range .nope[*]}x{end}after", "after"),
        ("no action", "no action"),
    ],
)
def test_kubectl_examples(template: str, printed: str) -> None:
    assert jsonpath.execute(jsonpath.parse(template), DOCUMENT) == printed


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (3, "3"),
        (2.5, "2.5"),
        (True, "true"),
        (None, "null"),
        ("a<b>&c", "a<b>&c"),
        ({"b": 1, "a": "<x>"}, '{"a":"\\u003cx\\u003e","b":1}'),
        ([1, "x", None], '[1,"x",null]'),
    ],
)
def test_values_print_as_kubectl_prints_them(value: object, printed: str) -> None:
    assert jsonpath.execute(jsonpath.parse("{.v}"), {"v": value}) == printed


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ({"app": "web", "a": 1}, "map[a:1 app:web]"),
        ([1, "x"], "[1 x]"),
        (None, "<nil>"),
        (False, "false"),
    ],
)
def test_custom_column_cells_print_as_go_prints_them(value: object, cell: str) -> None:
    assert jsonpath.go_sprint(value) == cell


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{.items[0].metadata.name", "unclosed action"),
        ('{.items[?(@.name=~"x")]}', "unrecognized character in action: U+007E '~'"),
        ('{.items[0]["metadata"]}', 'invalid array index "metadata"'),
        ("{.items[?(@.a==1)}", "unclosed array expect ]"),
        ("{....a}", "invalid multiple recursive descent"),
        ("{end}", "not in range, nothing to end"),
        ("{.a[x]}", "invalid array index x"),
        ("{.a[?(@.b<>1)]}", "unrecognized filter operator <>"),
        ("{bogus}", "unrecognized identifier bogus"),
        ('{"open}', "unterminated quoted string"),
    ],
)
def test_bad_templates_are_refused_with_kubectls_reason(template: str, says: str) -> None:
    with pytest.raises(UsageError, match=None) as caught:
        jsonpath.parse(template)
    assert says in str(caught.value)


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{.items[5].kind}", "array index out of bounds: index 5, length 2"),
        ("{.kind[0]}", "string is not array or slice"),
        ("{.kind[?(@.a)]}", "is not array or slice and cannot be filtered"),
        ("{.items[?(@.metadata.name==1)].kind}", "incompatible types for comparison"),
        ("{.users[?(@.user.*=='x')]}", "can only compare one element at a time"),
    ],
)
def test_execution_errors_name_the_template(template: str, says: str) -> None:
    with pytest.raises(UsageError, match=None) as caught:
        jsonpath.execute(jsonpath.parse(template), DOCUMENT)
    assert says in str(caught.value)
    assert template in str(caught.value)


def test_relaxed_paths_as_custom_columns_and_sort_by_read_them() -> None:
    assert jsonpath.relaxed(".metadata.name") == "{.metadata.name}"
    assert jsonpath.relaxed("metadata.name") == "{.metadata.name}"
    assert jsonpath.relaxed("{.metadata.name}") == "{.metadata.name}"
    with pytest.raises(UsageError, match="unexpected path string"):
        jsonpath.relaxed("{.a}{.b}")


def test_a_long_template_is_refused() -> None:
    with pytest.raises(UsageError, match="longer than 1024"):
        jsonpath.parse("{.a}" * 300)


def test_deeply_nested_ranges_are_refused() -> None:
    template = "{range .a[*]}" * 9 + "{end}" * 9
    with pytest.raises(UsageError, match="nested too deeply"):
        jsonpath.parse(template)


def test_recursive_descent_over_deep_data_does_not_recurse() -> None:
    deep: dict[str, object] = {"a": "bottom"}
    for _ in range(20_000):
        deep = {"n": deep}
    assert jsonpath.execute(jsonpath.parse("{..a}"), deep) == "bottom"


def test_a_template_that_multiplies_values_is_stopped_quickly() -> None:
    grid = {"g": [list(range(1000)) for _ in range(1000)]}
    started = time.monotonic()
    with pytest.raises(UsageError, match="more than 200,000 values"):
        jsonpath.execute(jsonpath.parse("{.g[*][*]}"), grid)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("value", "sprint", "marshal"),
    [
        (1234567.5, "1.2345675e+06", "1234567.5"),
        (0.00001, "1e-05", "0.00001"),
        (1e-7, "1e-07", "1e-7"),
        (1e21, "1e+21", "1e+21"),
        (1e16, "1e+16", "10000000000000000"),
        (3.0, "3", "3"),
        (-0.5, "-0.5", "-0.5"),
    ],
)
def test_floats_print_as_go_prints_them(value: float, sprint: str, marshal: str) -> None:
    """``%v`` (tables, JSONPath, describe, go-yaml) and ``encoding/json`` (``-o json``)."""
    assert go_float(value) == sprint
    assert go_json_float(value) == marshal


def test_only_json_numbers_take_gos_form_not_text_that_looks_like_them() -> None:
    value = {"a": 1e-05, "b": [2e-05], "note": "x: 1e-05,"}
    assert json.loads(go_json(value, indent=4)) == value
    assert go_json(value, indent=4).splitlines() == [
        "{",
        '    "a": 0.00001,',
        '    "b": [',
        "        0.00002",
        "    ],",
        '    "note": "x: 1e-05,"',
        "}",
    ]
