"""The office's calendar, with catch-up from the database.

A channel's timer (bot.telegram.timer: python-telegram-bot's JobQueue) holds one wake-up, at
the next due time. Each wake-up (and the one at
start-up) makes every run that is due and not yet recorded in job_runs, oldest first, then
delivers the outbox and sets the next wake-up. A run is recorded in the transaction that makes
it, so a run both scheduled and caught up is made once; APScheduler's misfire handling plays no
part, since what is due is always read from the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime, timedelta
from typing import Protocol

from bot import texts
from bot.jobs.kind import Plan, Run, next_run, runs_between
from bot.jobs.registry import KINDS
from bot.jobs.work import RunSkipped, Work, failure_text, run_failed
from bot.settings import Settings
from bot.storage import Store
from bot.usecases import commissions
from bot.usecases.notices import Notices
from scoring.errors import DomainError

log = logging.getLogger(__name__)

# Runs due before the bot first ran are the office's own business, not owed by the bot.
SINCE_KEY = "jobs_since"
# When messages are left after network errors, or a run failed, try again this soon.
RETRY = timedelta(minutes=1)
# A run failing this many times in a row for an unexpected reason is given up (admins are told).
ATTEMPTS = 3


def _line(run: Run) -> Hashable | None:
    """Runs of one line supersede each other: only the latest due one is still worth making."""
    return run.job.line(run) if run.job.line is not None else None


class Timer(Protocol):
    """Where the one wake-up is kept: the channel's own clock of callbacks."""

    @property
    def running(self) -> bool:
        """False while the channel stops: no wake-up is set then (the next start catches up)."""
        ...

    def wake_at(self, when: datetime | float, wake: Callable[[], Awaitable[None]]) -> None:
        """Call `wake` at `when` (a real moment, or seconds from now), replacing the wake-up
        set before."""
        ...


class Outlet(Protocol):
    """What sends the outbox."""

    async def deliver(self) -> bool: ...

    async def waiting(self) -> bool: ...


class Scheduler:
    def __init__(
        self, timer: Timer, store: Store, settings: Settings, courier: Outlet, notices: Notices
    ) -> None:
        self._timer = timer
        self._notices = notices
        self._store = store
        self._settings = settings
        self._courier = courier
        self._lock = asyncio.Lock()
        # Failed attempts of runs that raised something unexpected, by (job, period).
        self._attempts: dict[tuple[str, str], int] = {}
        # The time of the last pass that made everything due: runs due since are still owed.
        self._made_until: datetime | None = None

    def start(self) -> None:
        """Catch up as soon as the application runs, then keep waking at due times."""
        self._wake_at(0)

    def _wake_at(self, when: datetime | float) -> None:
        if isinstance(when, datetime):
            # A due time on the office's clock, which the sandbox may have moved: the timer
            # keeps real time.
            when = self._settings.real_time(when)
        self._timer.wake_at(when, self.wake)

    async def wake(self) -> None:
        """Make what is due, deliver, and set the next wake-up."""
        async with self._lock:
            now = self._settings.now()
            try:
                await self.make_due(now)
                self._made_until = now
                await self._courier.deliver()
            except Exception:
                # Whatever went wrong (a database locked for too long, say), the calendar must
                # keep running: what was not made is still due at the next wake-up.
                log.exception("scheduled work failed; trying again shortly")
            finally:
                await self._set_next_wake(now)

    async def _set_next_wake(self, now: datetime, after: datetime | None = None) -> None:
        """The next wake-up: the first run due after `after` (by default `now`, the pass just
        made), at once if that one is already due."""
        if not self._timer.running:
            return  # stopping: the next start catches up
        try:
            async with self._store.reading() as tx:
                ruleset = await tx.config.ruleset()
                open_ones = await commissions.open_commissions(tx)
            waiting = await self._courier.waiting()
        except Exception:
            log.exception("could not read the schedule; trying again shortly")
            self._wake_at(now + RETRY)
            return
        since = now if after is None else after
        plan = Plan(self._settings, ruleset.settles, open_ones)
        following = next_run(KINDS.values(), plan, since)
        upcoming = [] if following is None else [following.due_at]
        if waiting or self._attempts:
            # Messages left after network errors, or a run that failed: try again soon.
            upcoming.append(now + RETRY)
        if upcoming:
            first = min(upcoming)
            self._wake_at(0 if first <= now else first)

    async def make_due(self, now: datetime) -> None:
        async with self._store.reading() as tx:
            since_text = await tx.config.setting(SINCE_KEY)
            done = await tx.jobs.job_runs()
            ruleset = await tx.config.ruleset()
            open_ones = await commissions.open_commissions(tx)
        if since_text is None:
            async with self._store.transaction() as tx:
                await tx.config.set_setting(SINCE_KEY, now.isoformat())
            since = now
        else:
            since = datetime.fromisoformat(since_text)
        plan = Plan(self._settings, ruleset.settles, open_ones)
        runs = runs_between(KINDS.values(), plan, since, now)
        due = [r for r in runs if (r.job.name, r.period) not in done]
        latest = {_line(r): r for r in due}
        for run in due:
            line = _line(run)
            stale = run.job.stale(run, now) if run.job.stale is not None else None
            if line is not None and latest[line] is not run:
                await self._record(run, now, "skipped", "superseded")
            elif stale is not None:
                await self._record(run, now, "skipped", stale)
            else:
                await self._make(run, now)

    async def _make(self, run: Run, now: datetime) -> None:
        key = (run.job.name, run.period)
        try:
            before = run.job.before
            found = await before(self._store) if before is not None else None
            async with self._store.transaction() as tx:
                if not await tx.jobs.add_job_run(run.job.name, run.period, run.due_at, now, "done"):
                    return
                work = Work(tx, run, now, self._settings, self._notices, found)
                await run.job.work(work)
        except RunSkipped as skipped:
            await self._record(run, now, "skipped", str(skipped))
        except DomainError as err:
            await self._failed(run, now, texts.error_text(err.code, err.params))
        except Exception as err:
            # Perhaps passing (a locked database): the pass stops, so that later runs (the next
            # month's settlement) wait for this one, and it is tried again. Failing every time,
            # it is given up and the admins are told, so that it does not hold up the rest.
            self._attempts[key] = self._attempts.get(key, 0) + 1
            if self._attempts[key] < ATTEMPTS:
                raise
            log.exception("scheduled %s %s failed %d times", run.job, run.period, ATTEMPTS)
            await self._failed(run, now, texts.JOB_ERROR.format(error=type(err).__name__))
        else:
            log.info("made %s %s (due %s)", run.job, run.period, run.due_at)
        self._attempts.pop(key, None)

    async def _failed(self, run: Run, now: datetime, reason: str) -> None:
        log.warning("scheduled %s %s failed: %s", run.job, run.period, reason)
        text = failure_text(run, reason)
        async with self._store.transaction() as tx:
            if await tx.jobs.add_job_run(run.job.name, run.period, run.due_at, now, "failed", text):
                await self._notices.emit(tx, run_failed(run, reason), now)

    async def _record(self, run: Run, now: datetime, outcome: str, detail: str) -> None:
        async with self._store.transaction() as tx:
            await tx.jobs.add_job_run(run.job.name, run.period, run.due_at, now, outcome, detail)
        log.info("%s %s %s: %s", outcome, run.job, run.period, detail)

    async def reschedule(self) -> None:
        """A new commission may fall due before the wake-up already set. The wake-up it replaces
        may have been due already (an action's delivery to many chats outlasting a due time, a
        late timer): runs due since the last pass are woken for at once, not left to a later
        run that supersedes them; before the first pass, that pass is made at once."""
        async with self._lock:
            if self._made_until is None:
                if self._timer.running:
                    self._wake_at(0)
                return
            await self._set_next_wake(self._settings.now(), self._made_until)
