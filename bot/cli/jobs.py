"""`govinfo-bot jobs`: what the scheduler made lately and what it will make next, and the
messages still waiting to be sent, by channel."""

from __future__ import annotations

import argparse
from datetime import timedelta

from bot import texts
from bot.cli.common import with_store
from bot.jobs import registry
from bot.jobs.kind import Plan, runs_between
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
        ruleset = await tx.config.ruleset()
        recent = await tx.jobs.recent_job_runs(JOBS_SHOWN)
        open_ones = await commissions.open_commissions(tx)
        waiting = await tx.outbox.waiting_by_channel()
    print(texts.JOBS_RECENT)
    for job, period, ran_at, outcome, detail in recent:
        kind = registry.KINDS.get(job)
        print(
            texts.JOBS_RECENT_LINE.format(
                ran=ran_at[:16].replace("T", " "), job=kind.label if kind else job,
                period=_job_subject(period) if kind and kind.keyed_by_period else period,
                outcome=texts.JOB_OUTCOMES[outcome], detail=detail,
            ).rstrip()
        )  # fmt: skip
    if not recent:
        print(texts.JOBS_NONE)
    plan = Plan(settings, ruleset.settles, open_ones)
    upcoming = runs_between(registry.KINDS.values(), plan, now, now + JOBS_AHEAD)
    print(texts.JOBS_UPCOMING)
    for run in [run for run in upcoming if not run.job.daily][:JOBS_SHOWN]:
        print(
            texts.JOBS_UPCOMING_LINE.format(
                due=run.due_at.strftime("%Y-%m-%d %H:%M"),
                weekday=texts.WEEKDAYS[run.due_at.weekday()],
                job=run.job.label,
                period=run.named,
            )
        )
    # A daily kind would fill the list: each gets a line of its own, from its next run.
    daily = {run.job: run for run in reversed(upcoming) if run.job.daily}
    for run in sorted(daily.values()):
        print(
            texts.JOBS_DAILY.format(
                time=run.due_at.strftime("%H:%M"),
                job=run.job.label,
                due=run.due_at.strftime("%Y-%m-%d"),
                weekday=texts.WEEKDAYS[run.due_at.weekday()],
            )
        )
    if waiting:
        counts = "，".join(
            texts.JOBS_OUTBOX_CHANNEL.format(channel=channel, count=count)
            for channel, count in waiting.items()
        )
        print(texts.JOBS_OUTBOX.format(counts=counts))
    return 0


def _job_subject(key: str) -> str:
    """A recorded run's key (2026-03/1, 2026Q1) as people name the period it is about."""
    try:
        return parse_period(key.partition("/")[0]).name
    except DomainError:
        return key
