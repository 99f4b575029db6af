"""Synthetic container logs: deterministic, bounded, and selected with kubelet semantics."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kubesim.kubelet.podlogs import (
    CADENCE,
    MAX_LINES,
    LogUnavailable,
    lines_after,
    log_lines,
    reads_previous,
    rfc3339_nano,
    select,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def ago(seconds: float) -> str:
    return (NOW - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pod(image: str, status: dict[str, Any], *, uid: str = "uid-1") -> dict[str, Any]:
    return {
        "metadata": {"name": "web-0", "namespace": "default", "uid": uid},
        "spec": {"containers": [{"name": "app", "image": image}]},
        "status": {"containerStatuses": [{"name": "app", **status}]},
    }


def _running(started: float, restarts: int = 0, **extra: Any) -> dict[str, Any]:
    return {"restartCount": restarts, "state": {"running": {"startedAt": ago(started)}}, **extra}


def test_lines_are_deterministic() -> None:
    pod = _pod("acme/shop:2.1", _running(120))
    first = log_lines(pod, "app", previous=False, until=NOW)
    assert first == log_lines(pod, "app", previous=False, until=NOW)
    other = log_lines(
        _pod("acme/shop:2.1", _running(120), uid="uid-2"), "app", previous=False, until=NOW
    )
    assert first != other


def test_lines_follow_the_cadence_from_start() -> None:
    lines = log_lines(_pod("acme/shop:2.1", _running(60)), "app", previous=False, until=NOW)
    start = NOW - timedelta(seconds=60)
    assert lines[0][0] == start
    assert all(start <= when <= NOW for when, _ in lines)
    assert [w for w, _ in lines] == sorted(w for w, _ in lines)
    regular = [w for w, _ in lines if w - start >= CADENCE]
    assert len(regular) == 60 // int(CADENCE.total_seconds()) - 1  # the 60s line lands after NOW


def test_history_is_bounded() -> None:
    lines = log_lines(_pod("acme/shop:2.1", _running(86400 * 30)), "app", previous=False, until=NOW)
    assert len(lines) == MAX_LINES
    assert NOW - lines[-1][0] < CADENCE * 2


def test_growing_until_only_appends() -> None:
    pod = _pod("nginx:1.27", _running(100))
    earlier = log_lines(pod, "app", previous=False, until=NOW - timedelta(seconds=30))
    later = log_lines(pod, "app", previous=False, until=NOW)
    assert later[: len(earlier)] == earlier
    assert len(later) > len(earlier)


@pytest.mark.parametrize(
    ("image", "check"),
    [
        ("nginx:1.27", lambda text: '"GET ' in text and "HTTP/1.1" in text),
        ("acme/orders-json:3", lambda text: json.loads(text)["msg"] == "request handled"),
        ("acme/shop:2.1", lambda text: " [app] " in text),
    ],
)
def test_style_follows_image(image: str, check: Any) -> None:
    lines = log_lines(_pod(image, _running(30)), "app", previous=False, until=NOW)
    assert check(lines[-1][1])


def test_crashed_run_ends_with_fatal_line() -> None:
    status = {
        "restartCount": 3,
        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {
            "terminated": {
                "exitCode": 1,
                "reason": "Error",
                "startedAt": ago(40),
                "finishedAt": ago(12),
            }
        },
    }
    lines = log_lines(_pod("acme/shop:2.1", status), "app", previous=True, until=NOW)
    assert "FATAL" in lines[-1][1]
    assert lines[-1][0] < NOW - timedelta(seconds=12)
    assert log_lines(_pod("acme/shop:2.1", status), "app", previous=False, until=NOW) == []


def test_terminated_current_run_stops_at_finish() -> None:
    status = {
        "restartCount": 0,
        "state": {
            "terminated": {
                "exitCode": 0,
                "reason": "Completed",
                "startedAt": ago(50),
                "finishedAt": ago(20),
            }
        },
    }
    lines = log_lines(_pod("acme/job:1", status), "app", previous=False, until=NOW)
    assert lines[-1][1].endswith("shutting down gracefully")
    assert lines[-1][0] <= NOW - timedelta(seconds=20)


def test_oom_killed_run_has_no_last_words() -> None:
    status = {
        "restartCount": 1,
        "state": {"running": {"startedAt": ago(5)}},
        "lastState": {
            "terminated": {
                "exitCode": 137,
                "reason": "OOMKilled",
                "startedAt": ago(60),
                "finishedAt": ago(6),
            }
        },
    }
    lines = log_lines(_pod("acme/shop:2.1", status), "app", previous=True, until=NOW)
    assert "FATAL" not in lines[-1][1]


def test_previous_and_current_runs_differ() -> None:
    status = {
        **_running(30, restarts=1),
        "lastState": {"terminated": {"exitCode": 1, "startedAt": ago(90), "finishedAt": ago(31)}},
    }
    pod = _pod("acme/shop:2.1", status)
    assert log_lines(pod, "app", previous=True, until=NOW) != log_lines(
        pod, "app", previous=False, until=NOW
    )


@pytest.mark.parametrize(
    "pod",
    [
        _pod("x", {"restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}),
        {
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "app", "image": "x"}]},
            "status": {},
        },
        _pod("x", _running(-30)),
    ],
)
def test_no_lines_without_a_started_run(pod: dict[str, Any]) -> None:
    assert log_lines(pod, "app", previous=False, until=NOW) == []


# --- select -----------------------------------------------------------------------------------

LINES = [
    (NOW - timedelta(seconds=30), "one"),
    (NOW - timedelta(seconds=20, microseconds=-120000), "two"),
    (NOW - timedelta(seconds=10), "three"),
]


@pytest.mark.parametrize(
    ("kwargs", "body"),
    [
        ({}, "one\ntwo\nthree\n"),
        ({"tail_lines": 2}, "two\nthree\n"),
        ({"tail_lines": 0}, ""),
        ({"tail_lines": -1}, "one\ntwo\nthree\n"),
        ({"since_seconds": 15}, "three\n"),
        ({"since_time": NOW - timedelta(seconds=20)}, "two\nthree\n"),
        ({"since_seconds": 25, "tail_lines": 1}, "three\n"),  # since first, then tail
        ({"limit_bytes": 6}, "one\ntw"),  # the byte limit may cut a line
        (
            {"timestamps": True, "tail_lines": 2},
            "2026-03-01T11:59:40.12Z two\n2026-03-01T11:59:50Z three\n",
        ),
    ],
)
def test_select(kwargs: dict[str, Any], body: str) -> None:
    assert select(LINES, now=NOW, **kwargs) == body


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC), "2026-03-01T12:00:00Z"),
        (datetime(2026, 3, 1, 12, 0, 0, 500000, tzinfo=UTC), "2026-03-01T12:00:00.5Z"),
        (datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC), "2026-03-01T12:00:00.123456Z"),
    ],
)
def test_rfc3339_nano_trims_zeros(when: datetime, text: str) -> None:
    assert rfc3339_nano(when) == text


def test_lines_after() -> None:
    assert lines_after(LINES, None) == LINES
    assert lines_after(LINES, LINES[1][0]) == LINES[2:]
    assert lines_after(LINES, NOW) == []


def test_follow_sees_each_new_line_once() -> None:
    pod = _pod("nginx:1.27", _running(40))
    seen: list[tuple[datetime, str]] = []
    last = None
    for step in range(0, 31, 3):
        fresh = lines_after(
            log_lines(pod, "app", previous=False, until=NOW + timedelta(seconds=step)), last
        )
        if fresh:
            last = fresh[-1][0]
        seen.extend(fresh)
    assert seen == log_lines(pod, "app", previous=False, until=NOW + timedelta(seconds=30))


CRASHED = {"terminated": {"exitCode": 1, "reason": "Error", "containerID": "containerd://1"}}


@pytest.mark.parametrize(
    ("status", "previous", "reads"),
    [
        (_running(60), False, False),
        ({"state": {"terminated": {"exitCode": 0}}}, False, False),
        (
            {"state": {"waiting": {"reason": "CrashLoopBackOff"}}, "lastState": CRASHED},
            False,
            True,
        ),
        (_running(60, restarts=1, lastState=CRASHED), True, True),
    ],
)
def test_which_run_the_kubelet_reads(
    status: dict[str, Any], *, previous: bool, reads: bool
) -> None:
    assert reads_previous(_pod("app:1", status), "app", previous=previous) is reads


@pytest.mark.parametrize(
    ("status", "previous", "says"),
    [
        (_running(60), True, 'previous terminated container "app" in pod "web-0" not found'),
        (
            {"state": {"waiting": {"reason": "ErrImagePull"}}},
            False,
            'container "app" in pod "web-0" is waiting to start: image can\'t be pulled',
        ),
        (
            {"state": {"waiting": {"reason": "ImagePullBackOff"}}},
            False,
            'container "app" in pod "web-0" is waiting to start: trying and failing to pull image',
        ),
        (
            {"state": {"waiting": {"reason": "ContainerCreating"}}},
            False,
            'container "app" in pod "web-0" is waiting to start: ContainerCreating',
        ),
    ],
)
def test_the_kubelet_refuses_in_its_words(
    status: dict[str, Any], *, previous: bool, says: str
) -> None:
    with pytest.raises(LogUnavailable) as refused:
        reads_previous(_pod("app:1", status), "app", previous=previous)
    assert str(refused.value) == says
