"""The scheduler's wake-up (bot.jobs.scheduler.Timer) on python-telegram-bot's JobQueue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram.ext import Application, ContextTypes

# The name of the one job the queue holds.
WAKE = "govinfo-jobs"


class JobQueueTimer:
    def __init__(self, app: Application) -> None:  # type: ignore[type-arg]
        self._app = app

    @property
    def running(self) -> bool:
        return bool(self._app.running)

    def wake_at(self, when: datetime | float, wake: Callable[[], Awaitable[None]]) -> None:
        queue = self._app.job_queue
        assert queue is not None
        for job in queue.get_jobs_by_name(WAKE):
            job.schedule_removal()

        async def callback(context: ContextTypes.DEFAULT_TYPE) -> None:
            await wake()

        queue.run_once(
            callback,
            when=when,
            name=WAKE,
            # Late is better than never: a wake-up delayed past APScheduler's one-second grace
            # would otherwise be dropped.
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )
