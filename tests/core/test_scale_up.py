"""The scale-up guard: which scales are large enough to be confirmed whatever the rules say."""

from __future__ import annotations

import pytest

from bot.core.verbs.scale import Scale, scale_up_may_ask, scale_up_prompt

WEB = "Scale deployment web in namespace prod"


@pytest.mark.parametrize(
    ("replicas", "current", "question"),
    [
        (30, 3, None),  # 10 times exactly is not more than 10 times
        (31, 3, f"{WEB} from 3 to 31 replicas? That is more than 10 times its current 3."),
        (100, 20, None),
        (101, 20, f"{WEB} from 20 to 101 replicas? That is more than 100 replicas."),
        (100000, 3, f"{WEB} from 3 to 100000 replicas? That is more than 100 replicas."),
        (10, 0, None),
        (11, 0, f"{WEB} from 0 to 11 replicas? That is more than 10, from 0."),
        (150, 200, None),  # a scale down is never large
        (200, 200, None),
        (101, None, f"{WEB} to 101 replicas? That is more than 100 replicas."),
        (50, None, None),  # not read: judged by the absolute count alone
    ],
)
def test_large_scale_ups_ask(replicas: int, current: int | None, question: str | None) -> None:
    command = Scale(name="web", replicas=replicas, namespace="prod")
    assert scale_up_prompt(command, current, factor=10, above=100) == question


def test_a_statefulset_is_named_as_one() -> None:
    command = Scale(name="db", replicas=4, kind="statefulset", namespace="data")
    assert scale_up_prompt(command, 1, factor=3, above=100) == (
        "Scale statefulset db in namespace data from 1 to 4 replicas? "
        "That is more than 3 times its current 1."
    )


@pytest.mark.parametrize(
    ("replicas", "factor", "above", "may"),
    [(10, 10, 100, False), (11, 10, 100, True), (5, 10, 4, True), (4, 10, 4, False)],
)
def test_only_scales_past_both_bounds_need_a_read(
    replicas: int, factor: int, above: int, *, may: bool
) -> None:
    command = Scale(name="web", replicas=replicas)
    assert scale_up_may_ask(command, factor=factor, above=above) is may
