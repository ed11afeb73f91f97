"""`govinfo-bot jobs`: what the scheduler made lately and what it will make next."""

from __future__ import annotations

import argparse
from datetime import timedelta

from bot import texts
from bot.cli.common import with_store
from bot.jobs.calendar import Job, runs_between
from bot.settings import Settings
from bot.storage import Store
from bot.usecases import commissions
from scoring.errors import DomainError
from scoring.periods import parse_period

# How far ahead `govinfo-bot jobs` looks, and how much it shows.
JOBS_AHEAD = timedelta(days=62)
JOBS_SHOWN = 10


def declare(parser: argparse.ArgumentParser) -> None:
    """No arguments: the database and the settings say it all."""


def run(args: argparse.Namespace, settings: Settings) -> int:
    return with_store(settings, lambda store: _jobs(store, settings))


async def _jobs(store: Store, settings: Settings) -> int:
    """What the scheduler made lately and what it will make next."""
    now = settings.now()
    async with store.reading() as tx:
        ruleset = await tx.ruleset()
        recent = await tx.recent_job_runs(JOBS_SHOWN)
        open_ones = await commissions.open_commissions(tx)
    print(texts.JOBS_RECENT)
    for job, period, ran_at, outcome, detail in recent:
        print(
            texts.JOBS_RECENT_LINE.format(
                ran=ran_at[:16].replace("T", " "), job=texts.JOB_NAMES[job],
                period=_job_subject(job, period),
                outcome=texts.JOB_OUTCOMES[outcome], detail=detail,
            ).rstrip()
        )  # fmt: skip
    if not recent:
        print(texts.JOBS_NONE)
    upcoming = runs_between(settings, ruleset, open_ones, now, now + JOBS_AHEAD)
    # The daily check would fill the list: it gets a line of its own.
    checks = [due for due in upcoming if due.job is Job.LEDGER_CHECK]
    upcoming = [due for due in upcoming if due.job is not Job.LEDGER_CHECK]
    print(texts.JOBS_UPCOMING)
    for due in upcoming[:JOBS_SHOWN]:
        print(
            texts.JOBS_UPCOMING_LINE.format(
                due=due.due_at.strftime("%Y-%m-%d %H:%M"),
                weekday=texts.WEEKDAYS[due.due_at.weekday()],
                job=texts.JOB_NAMES[due.job],
                period=due.named,
            )
        )
    if checks:
        print(
            texts.JOBS_DAILY_CHECK.format(
                time=checks[0].due_at.strftime("%H:%M"),
                due=checks[0].due_at.strftime("%Y-%m-%d"),
                weekday=texts.WEEKDAYS[checks[0].due_at.weekday()],
            )
        )
    return 0


def _job_subject(job: str, key: str) -> str:
    """A recorded run's key (2026-03/1, 2026Q1, or a commission's number) as people name it."""
    if job.startswith("commission"):
        return key
    try:
        return parse_period(key.partition("/")[0]).name
    except DomainError:
        return key
