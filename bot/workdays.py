"""Chinese working days, for when reminders and warnings go out.

Statutory holidays and the weekends worked in exchange come from the chinesecalendar package,
which the State Council's yearly notice updates; for a year it does not know yet, plain weekends
stand in.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


def is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # the package has no data for this year yet
        return day.weekday() < 5


def workdays_between(first: date, last: date) -> list[date]:
    """Working days from `first` to `last`, both included."""
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if is_workday(first + timedelta(days=n))
    ]


def last_workday(first: date, last: date) -> date | None:
    """The last working day from `first` to `last`."""
    days = workdays_between(first, last)
    return days[-1] if days else None


def nth_last_workday(first: date, last: date, n: int) -> date | None:
    """The n-th working day counted back from `last` (n = 1 is the last one)."""
    days = workdays_between(first, last)
    return days[-n] if len(days) >= n else None


def workday_before(day: date) -> date:
    """The working day before `day`."""
    previous = day - timedelta(days=1)
    while not is_workday(previous):
        previous -= timedelta(days=1)
    return previous
