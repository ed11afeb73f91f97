"""The office's calendar on python-telegram-bot's JobQueue, with catch-up from the database.

The JobQueue holds one job: a wake-up at the next due time. Each wake-up (and the one at
start-up) makes every run that is due and not yet recorded in job_runs, oldest first, then
delivers the outbox and sets the next wake-up. A run is recorded in the transaction that makes
it, so a run both scheduled and caught up is made once; APScheduler's misfire handling plays no
part, since what is due is always read from the database.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram.ext import Application, ContextTypes

from bot.delivery import Courier
from bot.jobs.calendar import Job, Run, calendar_runs, commission_runs, next_calendar_run
from bot.jobs.work import WORK, RunSkipped, Work, failure_text
from bot.settings import Settings
from bot.store import Store
from bot.usecases import commissions
from scoring.errors import DomainError

log = logging.getLogger(__name__)

WAKE = "govinfo-jobs"
# Runs due before the bot first ran are the office's own business, not owed by the bot.
SINCE_KEY = "jobs_since"
# When some messages could not be delivered for network errors, or the work failed, try again
# this soon.
RETRY_DELIVERY = timedelta(minutes=1)


def _line(run: Run) -> tuple[str, str] | None:
    """Runs of one line supersede each other: only the latest due one is still worth making
    (after a long stop, one reminder rather than three, and no reminder once the deadline is
    past)."""
    if run.job in (Job.QUOTA_REMINDER, Job.FINAL_WARNING):
        assert run.subject is not None
        return ("quota", run.subject.label)
    if run.job is Job.COMMISSION_REMINDER or run.job is Job.COMMISSION_CLOSE:
        return ("commission", run.period)
    return None


def _stale(run: Run, now: datetime) -> bool:
    """A reminder for a month that is over tells nothing: the settlement speaks instead."""
    return run.job in (Job.QUOTA_REMINDER, Job.FINAL_WARNING) and (
        run.subject is not None and now.date() > run.subject.end
    )


class Scheduler:
    def __init__(
        self, app: Application, store: Store, settings: Settings, courier: Courier
    ) -> None:  # type: ignore[type-arg]
        self._app = app
        self._store = store
        self._settings = settings
        self._courier = courier
        self._lock = asyncio.Lock()

    def start(self) -> None:
        """Catch up as soon as the application runs, then keep waking at due times."""
        self._wake_at(0)

    def _wake_at(self, when: datetime | float) -> None:
        queue = self._app.job_queue
        assert queue is not None
        for job in queue.get_jobs_by_name(WAKE):
            job.schedule_removal()
        queue.run_once(
            self._wake,
            when=when,
            name=WAKE,
            # Late is better than never: a wake-up delayed past APScheduler's one-second grace
            # would otherwise be dropped.
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )

    async def _wake(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.wake()

    async def wake(self) -> None:
        """Make what is due, deliver, and set the next wake-up."""
        async with self._lock:
            now = self._settings.now()
            try:
                await self.make_due(now)
                retry = (await self._courier.deliver()).left > 0
            except Exception:
                # Whatever went wrong (a database locked for too long, say), the calendar must
                # keep running: what was not made is still due at the next wake-up.
                log.exception("scheduled work failed; trying again shortly")
                retry = True
            await self._set_next_wake(now, retry=retry)

    async def _set_next_wake(self, now: datetime, *, retry: bool = False) -> None:
        upcoming = await self._upcoming(now)
        if retry:
            upcoming.append(now + RETRY_DELIVERY)
        if upcoming:
            self._wake_at(min(upcoming))

    async def make_due(self, now: datetime) -> None:
        async with self._store.reading() as tx:
            since_text = await tx.setting(SINCE_KEY)
            done = await tx.job_runs()
            ruleset = await tx.ruleset()
            open_ones = await commissions.open_commissions(tx)
        if since_text is None:
            async with self._store.transaction() as tx:
                await tx.set_setting(SINCE_KEY, now.isoformat())
            since = now
        else:
            since = datetime.fromisoformat(since_text)
        quota = any(g.monthly_quota for g in ruleset.groups)
        runs = calendar_runs(self._settings, since, now, quota=quota)
        runs += [r for r in commission_runs(self._settings, open_ones) if r.due_at <= now]
        due = [r for r in sorted(runs) if (r.job.value, r.period) not in done]
        latest = {_line(r): r for r in due}
        for run in due:
            line = _line(run)
            if line is not None and latest[line] is not run:
                await self._record(run, now, "skipped", "superseded")
            elif _stale(run, now):
                await self._record(run, now, "skipped", "month over")
            else:
                await self._make(run, now)

    async def _make(self, run: Run, now: datetime) -> None:
        try:
            async with self._store.transaction() as tx:
                if not await tx.add_job_run(run.job.value, run.period, run.due_at, now, "done"):
                    return
                await WORK[run.job](Work(tx, run, now, self._settings))
        except RunSkipped as skipped:
            await self._record(run, now, "skipped", str(skipped))
        except DomainError as err:
            log.warning("scheduled %s %s failed: %s", run.job, run.period, err)
            text = failure_text(run, err)
            async with self._store.transaction() as tx:
                if await tx.add_job_run(run.job.value, run.period, run.due_at, now, "failed", text):
                    await tx.enqueue(
                        f"{run.job}:{run.period}",
                        [(admin, text) for admin in self._settings.admin_ids],
                        now,
                    )
        else:
            log.info("made %s %s (due %s)", run.job, run.period, run.due_at)

    async def _record(self, run: Run, now: datetime, outcome: str, detail: str) -> None:
        async with self._store.transaction() as tx:
            await tx.add_job_run(run.job.value, run.period, run.due_at, now, outcome, detail)
        log.info("%s %s %s: %s", outcome, run.job, run.period, detail)

    async def _upcoming(self, now: datetime) -> list[datetime]:
        async with self._store.reading() as tx:
            ruleset = await tx.ruleset()
            open_ones = await commissions.open_commissions(tx)
        quota = any(g.monthly_quota for g in ruleset.groups)
        upcoming = [r.due_at for r in commission_runs(self._settings, open_ones) if r.due_at > now]
        following = next_calendar_run(self._settings, now, quota=quota)
        if following is not None:
            upcoming.append(following.due_at)
        return upcoming

    async def reschedule(self) -> None:
        """A new commission may fall due before the wake-up already set."""
        async with self._lock:
            await self._set_next_wake(self._settings.now())
