"""Scheduled runs: which job ran for which period, and how it ended."""

from __future__ import annotations

from datetime import datetime

from bot.storage.query import Repository
from bot.storage.sql import sql

_JOB_RUNS = sql("SELECT job, period FROM job_runs")
_RECENT_JOB_RUNS = sql(
    "SELECT job, period, ran_at, outcome, detail FROM job_runs "
    "ORDER BY ran_at DESC, due_at DESC LIMIT :limit"
)
_ADD_JOB_RUN = sql(
    "INSERT INTO job_runs (job, period, due_at, ran_at, outcome, detail) "
    "VALUES (:job, :period, :due_at, :ran_at, :outcome, :detail) ON CONFLICT DO NOTHING"
)


class JobStorage(Repository):
    async def job_runs(self) -> set[tuple[str, str]]:
        return {(job, period) for job, period in await self.all(_JOB_RUNS)}

    async def recent_job_runs(self, limit: int) -> list[tuple[str, str, str, str, str]]:
        """(job, period, ran at, outcome, detail), latest first."""
        rows = await self.all(_RECENT_JOB_RUNS, {"limit": limit})
        return [(job, period, ran, outcome, detail) for job, period, ran, outcome, detail in rows]

    async def add_job_run(
        self, job: str, period: str, due_at: datetime, now: datetime, outcome: str, detail: str = ""
    ) -> bool:
        """Record a run; False if it was recorded before (made by another pass)."""
        added = await self.write(
            _ADD_JOB_RUN,
            {"job": job, "period": period, "due_at": due_at.isoformat(),
             "ran_at": now.isoformat(), "outcome": outcome, "detail": detail},
        )  # fmt: skip
        return added == 1
