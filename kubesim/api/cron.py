"""CronJob schedules as the controller reads them (robfig/cron's standard parser).

Five fields (minute hour day-of-month month day-of-week) with ``*``, ``?``, lists, ranges, steps
and month/weekday names, or a descriptor (``@hourly``, ``@daily`` ...). As in robfig/cron, when
day-of-month or day-of-week starts with ``*`` both must match, otherwise either may. The
validation message is the parser's, which the apiserver returns verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

_MONTHS: Final = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_DAYS: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_DESCRIPTORS: Final = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_BOUNDS: Final = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_SEARCH_YEARS: Final = 5


class CronError(ValueError):
    """A schedule the standard parser refuses (its message is robfig/cron's)."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """A parsed schedule: the allowed values of each field."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    """Day-of-month or day-of-week started with ``*``: both must match."""

    def _day_matches(self, when: datetime) -> bool:
        dom = when.day in self.days
        dow = (when.isoweekday() % 7) in self.weekdays
        return (dom and dow) if self.any_day else (dom or dow)

    def next_after(self, when: datetime) -> datetime | None:
        """The first scheduled minute strictly after ``when`` (in ``when``'s zone), or None."""
        t = when.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = t.year + _SEARCH_YEARS
        while t.year <= limit:
            if t.month not in self.months:
                t = (t.replace(day=1, hour=0, minute=0) + timedelta(days=32)).replace(day=1)
            elif not self._day_matches(t):
                t = t.replace(hour=0, minute=0) + timedelta(days=1)
            elif t.hour not in self.hours:
                t = t.replace(minute=0) + timedelta(hours=1)
            elif t.minute not in self.minutes:
                t += timedelta(minutes=1)
            else:
                return t
        return None


def _value(text: str, names: tuple[str, ...], offset: int) -> int:
    if text.lower() in names:
        return names.index(text.lower()) + offset
    if not text.isdigit():
        msg = f"failed to parse int from {text}: strconv.Atoi: parsing {text!r}: invalid syntax"
        raise CronError(msg.replace("'", '"'))
    return int(text)


def _field(text: str, index: int) -> tuple[frozenset[int], bool]:
    low, high = _BOUNDS[index]
    names = _MONTHS if index == 3 else _DAYS if index == 4 else ()
    offset = 1 if index == 3 else 0
    values: set[int] = set()
    star = False
    for part in text.split(","):
        range_text, _, step_text = part.partition("/")
        step = 1
        if step_text:
            step = _value(step_text, (), 0)
            if step == 0:
                msg = f"step of range should be a positive number: {part}"
                raise CronError(msg)
        if range_text in ("*", "?"):
            start, end, star = low, high, True
        else:
            first, dash, last = range_text.partition("-")
            start = _value(first, names, offset)
            end = _value(last, names, offset) if dash else (high if step_text else start)
        if start < low:
            msg = f"beginning of range ({start}) below minimum ({low}): {part}"
            raise CronError(msg)
        if end > high:
            msg = f"end of range ({end}) above maximum ({high}): {part}"
            raise CronError(msg)
        if start > end:
            msg = f"beginning of range ({start}) beyond end of range ({end}): {part}"
            raise CronError(msg)
        values.update(range(start, end + 1, step))
    return frozenset(values), star


def parse(schedule: str) -> Schedule:
    """``cron.ParseStandard``; :class:`CronError` with the parser's message when invalid."""
    text = schedule.strip()
    if text.startswith(("TZ=", "CRON_TZ=")):
        msg = "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
        raise CronError(msg)
    if text.startswith("@"):
        if text not in _DESCRIPTORS:
            msg = f"unrecognized descriptor: {text}"
            raise CronError(msg)
        text = _DESCRIPTORS[text]
    fields = text.split()
    if len(fields) != len(_BOUNDS):
        msg = f"expected exactly 5 fields, found {len(fields)}: {schedule}"
        raise CronError(msg)
    parsed = [_field(f, i) for i, f in enumerate(fields)]
    return Schedule(
        minutes=parsed[0][0],
        hours=parsed[1][0],
        days=parsed[2][0],
        months=parsed[3][0],
        weekdays=parsed[4][0],
        any_day=parsed[2][1] or parsed[4][1],
    )


def cron_problem(schedule: str) -> str | None:
    """Why the schedule is invalid, or None."""
    try:
        parse(schedule)
    except CronError as err:
        return str(err)
    return None
