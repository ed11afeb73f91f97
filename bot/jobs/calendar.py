"""When the office's runs fall due: pure functions of the settings, the calendar and the open
commissions, one for each kind (bot/jobs/registry.py says which is whose)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.jobs.kind import Due, Plan
from bot.settings import Settings
from bot.workdays import is_workday, nth_last_workday, workday_before
from scoring.periods import Period, month_of, next_month, previous_month, quarter, year


def first_workday_from(day: date) -> date:
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def reminder_days(settings: Settings, of: Period) -> list[date]:
    """The month's quota reminder days: the reminder day (or the next working day after it) and
    the n-th last working day, without duplicates and before the final warning."""
    warning = warning_day(settings, of)
    days = {
        first_workday_from(of.start.replace(day=settings.remind_day)),
        nth_last_workday(of.start, of.end, settings.remind_last_workday),
    }
    return sorted(d for d in days if d is not None and d in of and (warning is None or d < warning))


def warning_day(settings: Settings, of: Period) -> date | None:
    return nth_last_workday(of.start, of.end, settings.warn_last_workday)


def _months(plan: Plan, after: datetime, until: datetime) -> Iterator[Period]:
    """The months of the office's time zone that (after, until] touches."""
    zone = ZoneInfo(plan.settings.timezone)
    current = month_of(after.astimezone(zone).date())
    last = month_of(until.astimezone(zone).date())
    while current <= last:
        yield current
        current = next_month(current)


def monthly(
    in_month: Callable[[Settings, Period], Iterable[Due]], *, quota: bool = False
) -> Callable[[Plan, datetime, datetime], list[Due]]:
    """A kind's calendar from the runs it has in each month; with `quota`, only under a
    ruleset that sets monthly quotas."""

    def due(plan: Plan, after: datetime, until: datetime) -> list[Due]:
        if quota and not plan.quota:
            return []
        return [d for month in _months(plan, after, until) for d in in_month(plan.settings, month)]

    return due


def quota_reminders(settings: Settings, of: Period) -> list[Due]:
    return [
        Due(at_jobs_time(settings, day), f"{of.label}/{n}", of)
        for n, day in enumerate(reminder_days(settings, of), start=1)
    ]


def final_warning(settings: Settings, of: Period) -> list[Due]:
    warning = warning_day(settings, of)
    return [] if warning is None else [Due(at_jobs_time(settings, warning), of.label, of)]


def settlement(settings: Settings, of: Period) -> list[Due]:
    """The previous month's, early in this one."""
    before = previous_month(of)
    return [
        Due(at_jobs_time(settings, of.start.replace(day=settings.settle_day)), before.label, before)
    ]


def quarterly(settings: Settings, of: Period) -> list[Due]:
    """The last quarter's bulletin, early in the first month of a quarter."""
    if of.start.month not in (1, 4, 7, 10):
        return []
    number = (of.start.month - 1) // 3
    last = quarter(of.start.year, number) if number else quarter(of.start.year - 1, 4)
    return [
        Due(at_jobs_time(settings, of.start.replace(day=settings.quarterly_day)), last.label, last)
    ]


def annual(settings: Settings, of: Period) -> list[Due]:
    """The last year's bulletin, in January."""
    if of.start.month != 1:
        return []
    last_year = year(of.start.year - 1)
    return [
        Due(
            at_jobs_time(settings, of.start.replace(day=settings.annual_day)),
            last_year.label,
            last_year,
        )
    ]


def daily_check(plan: Plan, after: datetime, until: datetime) -> list[Due]:
    """The daily check of the database (`govinfo-bot verify`) at GOVINFO_VERIFY_TIME, every day
    in (after, until]; none when it is off."""
    settings = plan.settings
    if settings.verify_time is None:
        return []
    zone = ZoneInfo(settings.timezone)
    day = after.astimezone(zone).date()
    runs = []
    while (due := datetime.combine(day, settings.verify_time, zone)) <= until:
        runs.append(Due(due, day.isoformat()))
        day += timedelta(days=1)
    return runs


def at_jobs_time(settings: Settings, day: date) -> datetime:
    return datetime.combine(day, settings.jobs_time, ZoneInfo(settings.timezone))


def commission_reminders(plan: Plan, after: datetime, until: datetime) -> list[Due]:
    """Each open commission's reminder: the working day before the deadline, if that is after
    the commission was made."""
    runs = []
    for c in plan.commissions:
        remind_at = at_jobs_time(plan.settings, workday_before(c.deadline))
        if remind_at > c.created_at:
            runs.append(Due(remind_at, str(c.id)))
    return runs


def commission_closes(plan: Plan, after: datetime, until: datetime) -> list[Due]:
    """Each open commission's settlement: the morning after the deadline."""
    return [
        Due(at_jobs_time(plan.settings, c.deadline + timedelta(days=1)), str(c.id))
        for c in plan.commissions
    ]
