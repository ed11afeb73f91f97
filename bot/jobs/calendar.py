"""When the office's recurring jobs fall due: a pure function of the settings and the calendar.

Each run has a job and a period key; together they name the run in the database (job_runs), so
the same run computed twice — by the scheduler and by the catch-up at start-up — is made once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.settings import Settings
from bot.storage import Commission
from bot.workdays import is_workday, nth_last_workday, workday_before
from scoring.periods import Period, month_of, next_month, previous_month, quarter, year
from scoring.ruleset import Ruleset


class Job(StrEnum):
    QUOTA_REMINDER = "quota_reminder"
    FINAL_WARNING = "final_warning"
    SETTLEMENT = "settlement"
    QUARTERLY = "quarterly_standings"
    ANNUAL = "annual_standings"
    COMMISSION_REMINDER = "commission_reminder"
    COMMISSION_CLOSE = "commission_close"
    LEDGER_CHECK = "ledger_check"


@dataclass(frozen=True, order=True)
class Run:
    due_at: datetime
    job: Job
    # The key recorded with the job: 2026-03/1 (the month's first reminder), 2026Q1, 12 (a
    # commission's id).
    period: str
    # The month, quarter or year the run is about; None for a commission's runs.
    subject: Period | None = None

    @property
    def named(self) -> str:
        """What the run is about as people name it: 2026年3月, or a commission's number."""
        return self.subject.name if self.subject else self.period


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


def month_runs(settings: Settings, of: Period, *, quota: bool) -> list[Run]:
    """The runs that fall due in month `of`."""

    def at(day: date) -> datetime:
        return at_jobs_time(settings, day)

    runs: list[Run] = []
    if quota:
        for n, day in enumerate(reminder_days(settings, of), start=1):
            runs.append(Run(at(day), Job.QUOTA_REMINDER, f"{of.label}/{n}", of))
        warning = warning_day(settings, of)
        if warning is not None:
            runs.append(Run(at(warning), Job.FINAL_WARNING, of.label, of))
        before = previous_month(of)
        runs.append(
            Run(at(of.start.replace(day=settings.settle_day)), Job.SETTLEMENT, before.label, before)
        )
    if of.start.month in (1, 4, 7, 10):
        number = (of.start.month - 1) // 3
        last = quarter(of.start.year, number) if number else quarter(of.start.year - 1, 4)
        runs.append(
            Run(at(of.start.replace(day=settings.quarterly_day)), Job.QUARTERLY, last.label, last)
        )
    if of.start.month == 1:
        last_year = year(of.start.year - 1)
        runs.append(
            Run(
                at(of.start.replace(day=settings.annual_day)),
                Job.ANNUAL,
                last_year.label,
                last_year,
            )
        )
    return sorted(runs)


def calendar_runs(
    settings: Settings, after: datetime, until: datetime, *, quota: bool
) -> list[Run]:
    """Every recurring run due in (after, until], in order."""
    runs: list[Run] = []
    current = month_of(after.astimezone(ZoneInfo(settings.timezone)).date())
    last = month_of(until.astimezone(ZoneInfo(settings.timezone)).date())
    while current <= last:
        runs += [r for r in month_runs(settings, current, quota=quota) if after < r.due_at <= until]
        current = next_month(current)
    return runs


def next_calendar_run(settings: Settings, after: datetime, *, quota: bool) -> Run | None:
    """The first recurring run due after `after` (within a year and a month: there always is one)."""
    runs = calendar_runs(settings, after, after + timedelta(days=400), quota=quota)
    return runs[0] if runs else None


def check_runs(settings: Settings, after: datetime, until: datetime) -> list[Run]:
    """The daily check of the database (`govinfo-bot verify`) at GOVINFO_VERIFY_TIME, every day
    in (after, until]; none when it is off."""
    if settings.verify_time is None:
        return []
    zone = ZoneInfo(settings.timezone)
    day = after.astimezone(zone).date()
    runs = []
    while (due := datetime.combine(day, settings.verify_time, zone)) <= until:
        if due > after:
            runs.append(Run(due, Job.LEDGER_CHECK, day.isoformat()))
        day += timedelta(days=1)
    return runs


def next_check_run(settings: Settings, after: datetime) -> Run | None:
    runs = check_runs(settings, after, after + timedelta(days=1))
    return runs[0] if runs else None


def at_jobs_time(settings: Settings, day: date) -> datetime:
    return datetime.combine(day, settings.jobs_time, ZoneInfo(settings.timezone))


def commission_runs(settings: Settings, open_ones: list[Commission]) -> list[Run]:
    """The reminder (the working day before the deadline, if that is after the commission was
    made) and the settlement (the morning after the deadline) of each open commission."""
    runs = []
    for c in open_ones:
        remind_at = at_jobs_time(settings, workday_before(c.deadline))
        if remind_at > c.created_at:
            runs.append(Run(remind_at, Job.COMMISSION_REMINDER, str(c.id)))
        close_at = at_jobs_time(settings, c.deadline + timedelta(days=1))
        runs.append(Run(close_at, Job.COMMISSION_CLOSE, str(c.id)))
    return runs


def runs_between(
    settings: Settings,
    ruleset: Ruleset,
    open_ones: list[Commission],
    after: datetime,
    until: datetime,
) -> list[Run]:
    """Every run due in (after, until], recurring or of an open commission, in the order they
    are made: by due time, and commissions due together by id (a miss's streak looks at the
    commissions before it)."""
    runs = calendar_runs(settings, after, until, quota=ruleset.has_quota)
    runs += [r for r in commission_runs(settings, open_ones) if after < r.due_at <= until]
    runs += check_runs(settings, after, until)
    return sorted(runs, key=_making_order)


def _making_order(run: Run) -> tuple[datetime, str, int, str]:
    commission = run.job in (Job.COMMISSION_REMINDER, Job.COMMISSION_CLOSE)
    return (run.due_at, run.job, int(run.period) if commission else 0, run.period)
