"""CronJob schedules: robfig/cron's standard parser, its next times and its error messages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kubesim.api.cron import cron_problem, parse
from kubesim.controllers.workloads.cronjob import job_name, most_recent

T = datetime(2026, 12, 1, 11, 58, 30, tzinfo=UTC)  # a Tuesday


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("*/5 * * * *", datetime(2026, 12, 1, 12, 0, tzinfo=UTC)),
        ("* * * * *", datetime(2026, 12, 1, 11, 59, tzinfo=UTC)),
        ("0 2 * * *", datetime(2026, 12, 2, 2, 0, tzinfo=UTC)),
        ("@hourly", datetime(2026, 12, 1, 12, 0, tzinfo=UTC)),
        ("@daily", datetime(2026, 12, 2, 0, 0, tzinfo=UTC)),
        ("@weekly", datetime(2026, 12, 6, 0, 0, tzinfo=UTC)),  # the next Sunday
        ("@yearly", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
        ("30 9 * * MON-FRI", datetime(2026, 12, 2, 9, 30, tzinfo=UTC)),
        ("0 0 1 JAN,jul *", datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
        ("15,45 */6 * * ?", datetime(2026, 12, 1, 12, 15, tzinfo=UTC)),
        # day of month and day of week both restricted: either matches (Vixie cron, robfig)
        ("0 0 13 * 5", datetime(2026, 12, 4, 0, 0, tzinfo=UTC)),
        ("0 0 31 2 *", None),  # never: February has no 31st
    ],
)
def test_next_scheduled_time(schedule: str, expected: datetime | None) -> None:
    assert parse(schedule).next_after(T) == expected


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ("0 2 * * *", None),
        ("61 * * * *", "end of range (61) above maximum (59): 61"),
        ("* * * *", "expected exactly 5 fields, found 4: * * * *"),
        ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("@often", "unrecognized descriptor: @often"),
        ("TZ=UTC 0 2 * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
        ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
    ],
)
def test_invalid_schedules_say_why(schedule: str, problem: str | None) -> None:
    assert cron_problem(schedule) == problem


def test_the_most_recent_missed_time_and_the_next() -> None:
    cronjob = {
        "metadata": {"creationTimestamp": "2026-12-01T09:00:00Z"},
        "spec": {"schedule": "0 * * * *"},
        "status": {"lastScheduleTime": "2026-12-01T10:00:00Z"},
    }
    missed, upcoming = most_recent(cronjob, T)
    assert missed == datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    assert upcoming == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    cronjob["spec"]["startingDeadlineSeconds"] = 60  # 11:00 is too late to start now
    assert most_recent(cronjob, T) == (None, datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    assert job_name("backup", datetime(2026, 12, 1, 11, 0, tzinfo=UTC)) == "backup-29935380"


def test_a_time_zone_moves_the_schedule() -> None:
    cronjob = {
        "metadata": {"creationTimestamp": "2026-12-01T00:00:00Z"},
        "spec": {"schedule": "0 9 * * *", "timeZone": "Europe/Berlin"},
    }
    assert most_recent(cronjob, T)[0] == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_a_schedule_missed_for_years_costs_a_days_steps() -> None:
    cronjob = {
        "metadata": {"creationTimestamp": "2020-01-01T00:00:00Z"},
        "spec": {"schedule": "* * * * *"},
    }
    assert most_recent(cronjob, T) == (
        datetime(2026, 12, 1, 11, 58, tzinfo=UTC),
        datetime(2026, 12, 1, 11, 59, tzinfo=UTC),
    )
    yearly = {**cronjob, "spec": {"schedule": "0 0 1 1 *"}}
    assert most_recent(yearly, T)[0] == datetime(2026, 1, 1, tzinfo=UTC)
