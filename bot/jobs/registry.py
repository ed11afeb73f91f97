"""The office's kinds of scheduled runs, each declared once: the scheduler, the catch-up after a
stop, `govinfo-bot jobs` and the failure messages all read KINDS, so a kind added here is
scheduled, made, caught up and described with no other change."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime

from bot import texts
from bot.jobs import calendar, work
from bot.jobs.kind import JobKind, Run


def _month(run: Run) -> Hashable:
    """A month's reminders and its final warning are one line: after a stop, only the latest is
    still worth sending."""
    assert run.subject is not None
    return ("quota", run.subject.label)


def _commission(run: Run) -> Hashable:
    """A commission's reminder is pointless once its settlement is due."""
    return ("commission", run.period)


def _month_over(run: Run, now: datetime) -> str | None:
    """A reminder for a month that is over tells nothing: the settlement speaks instead."""
    return "month over" if run.subject is not None and now.date() > run.subject.end else None


QUOTA_REMINDER = JobKind(
    "quota_reminder",
    texts.JOB_QUOTA_REMINDER,
    due=calendar.monthly(calendar.quota_reminders, quota=True),
    work=work.quota_reminder,
    line=_month,
    stale=_month_over,
)
FINAL_WARNING = JobKind(
    "final_warning",
    texts.JOB_FINAL_WARNING,
    due=calendar.monthly(calendar.final_warning, quota=True),
    work=work.final_warning,
    line=_month,
    stale=_month_over,
)
SETTLEMENT = JobKind(
    "settlement",
    texts.JOB_SETTLEMENT,
    due=calendar.monthly(calendar.settlement, quota=True),
    work=work.settlement,
    by_hand=work.settle_by_hand,
)
QUARTERLY = JobKind(
    "quarterly_standings",
    texts.JOB_QUARTERLY,
    due=calendar.monthly(calendar.quarterly),
    work=work.bulletin_draft,
)
ANNUAL = JobKind(
    "annual_standings",
    texts.JOB_ANNUAL,
    due=calendar.monthly(calendar.annual),
    work=work.bulletin_draft,
)
COMMISSION_REMINDER = JobKind(
    "commission_reminder",
    texts.JOB_COMMISSION_REMINDER,
    due=calendar.commission_reminders,
    work=work.commission_reminder,
    line=_commission,
    keyed_by_period=False,
)
COMMISSION_CLOSE = JobKind(
    "commission_close",
    texts.JOB_COMMISSION_CLOSE,
    due=calendar.commission_closes,
    work=work.commission_close,
    line=_commission,
    keyed_by_period=False,
)
LEDGER_CHECK = JobKind(
    "ledger_check",
    texts.JOB_LEDGER_CHECK,
    due=calendar.daily_check,
    work=work.ledger_check,
    # Days missed while stopped: one check of the database as it is now is enough.
    line=lambda run: ("check",),
    before=work.check_database,
    daily=True,
)

# By the name job_runs records. Read at each use, so that a kind declared into it is in use.
KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in (
        QUOTA_REMINDER,
        FINAL_WARNING,
        SETTLEMENT,
        QUARTERLY,
        ANNUAL,
        COMMISSION_REMINDER,
        COMMISSION_CLOSE,
        LEDGER_CHECK,
    )
}
