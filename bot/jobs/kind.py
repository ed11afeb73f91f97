"""What a job kind is: one declaration saying when its runs fall due, which of them supersede
each other, when one goes stale, what a run does and how people name it. The scheduler, the
catch-up, `govinfo-bot jobs` and the failure messages read nothing else (bot/jobs/registry.py
declares the office's kinds).

Each run has a kind and a key; together they name the run in the database (job_runs), so the
same run computed twice — by the scheduler and by the catch-up at start-up — is made once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.settings import Settings
from bot.storage import Commission
from scoring.periods import Period

if TYPE_CHECKING:
    from bot.jobs.work import Work
    from bot.storage import Store


@dataclass(frozen=True)
class Plan:
    """What due times depend on besides the calendar."""

    settings: Settings
    # Whether the ruleset sets monthly quotas (without them there is nothing to remind of).
    quota: bool
    commissions: Sequence[Commission] = ()


@dataclass(frozen=True)
class Due:
    """A run's due time and key, as a kind's calendar gives them."""

    at: datetime
    # The key recorded with the job: 2026-03/1 (the month's first reminder), 2026Q1, 12 (a
    # commission's id).
    key: str
    # The month, quarter or year the run is about; None for a commission's runs.
    subject: Period | None = None


@dataclass(frozen=True, order=True)
class JobKind:
    """One kind of scheduled run. Kinds compare and hash by name, the name job_runs records."""

    name: str
    # How people name the kind (bot/texts.py).
    label: str = field(compare=False)
    # Its runs due in a span: the kind's own calendar; runs outside (after, until] are dropped.
    due: Callable[[Plan, datetime, datetime], Iterable[Due]] = field(compare=False)
    # What a run does, inside the transaction that records it.
    work: Callable[[Work], Awaitable[None]] = field(compare=False)
    # Runs with the same line (of this kind or another) supersede each other: of those due
    # together only the latest is made (after a long stop, one reminder rather than three).
    line: Callable[[Run], Hashable] | None = field(default=None, compare=False)
    # Why a run made this late would tell nothing any more (it is skipped, the reason
    # recorded), or None.
    stale: Callable[[Run, datetime], str | None] | None = field(default=None, compare=False)
    # Made before the run's transaction (a long read that must not hold the write lock); its
    # result is the run's Work.found.
    before: Callable[[Store], Awaitable[object]] | None = field(default=None, compare=False)
    # What the admins can do by hand when a run fails, added to the failure message.
    by_hand: Callable[[Run], str] | None = field(default=None, compare=False)
    # Runs every day: the list of next runs gives it one line rather than a line a day.
    daily: bool = field(default=False, compare=False)
    # Its keys begin with the period they are about (2026-03/1, 2026Q1), named so in the list of
    # runs made; otherwise a key is shown as it is (a commission's number).
    keyed_by_period: bool = field(default=True, compare=False)

    def __str__(self) -> str:
        return self.name

    def runs(self, plan: Plan, after: datetime, until: datetime) -> list[Run]:
        return [
            Run(d.at, self, d.key, d.subject)
            for d in self.due(plan, after, until)
            if after < d.at <= until
        ]


@dataclass(frozen=True, order=True)
class Run:
    due_at: datetime
    job: JobKind
    period: str
    subject: Period | None = None

    @property
    def named(self) -> str:
        """What the run is about as people name it: 2026年3月, or a commission's number."""
        return self.subject.name if self.subject else self.period


def runs_between(
    kinds: Iterable[JobKind], plan: Plan, after: datetime, until: datetime
) -> list[Run]:
    """Every run due in (after, until], in the order they are made: by due time, and runs of a
    kind due together by key, numeric keys as numbers (a commission's miss streak looks at the
    commissions before it)."""
    runs = [run for kind in kinds for run in kind.runs(plan, after, until)]
    return sorted(runs, key=_making_order)


def _making_order(run: Run) -> tuple[datetime, str, int, str]:
    key = run.period
    return (run.due_at, run.job.name, int(key) if key.isdigit() else 0, key)


# How far ahead the next run is looked for: near first, as most kinds fall due often. A year and
# a month always finds one of the office's: its bulletins come every quarter, and a commission's
# deadline is at most a year ahead (bot/usecases/commissions.py).
_LOOKS = (timedelta(days=1), timedelta(days=32), timedelta(days=400))


def next_run(kinds: Iterable[JobKind], plan: Plan, after: datetime) -> Run | None:
    """The first run due strictly after `after`."""
    kinds = list(kinds)
    for ahead in _LOOKS:
        runs = runs_between(kinds, plan, after, after + ahead)
        if runs:
            return runs[0]
    return None
