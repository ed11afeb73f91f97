"""What each scheduled run does, inside the transaction that records it: its effects and the
messages it owes go into the database together, or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import texts
from bot.bulletin.letter import office_letter
from bot.jobs.kind import Run
from bot.settings import Settings
from bot.storage import KEEP_HANDLED, Store, Tx
from bot.storage.verify import Verified
from bot.usecases import commissions
from bot.usecases.bulletin import owe_draft
from bot.usecases.notices import (
    CommissionClosed,
    CommissionReminderDue,
    LedgerChecked,
    Notices,
    QuotaReminderDue,
    RunFailed,
    SettlementMade,
)
from bot.usecases.quota import behind_quota, settle_quota_in
from bot.usecases.verify import verify
from bot.workdays import workdays_between
from scoring.errors import DomainError
from scoring.periods import Period, next_month


class RunSkipped(Exception):
    """The run has nothing to do (a month before the rules took effect): recorded as skipped."""


@dataclass(frozen=True)
class Work:
    tx: Tx
    run: Run
    now: datetime
    settings: Settings
    # Where the run's notices go (the chat channel's renderer).
    notices: Notices
    # What the kind's `before` found before the run's transaction.
    found: object = None

    @property
    def source(self) -> str:
        return f"{self.run.job}:{self.run.period}"


def _month(run: Run) -> Period:
    assert run.subject is not None
    return run.subject


def _settle_at(settings: Settings, month: Period) -> datetime:
    """When the month is settled: the settlement day of the month after, at the jobs' time."""
    following = next_month(month).start.replace(day=settings.settle_day)
    return datetime.combine(following, settings.jobs_time)


async def quota_reminder(work: Work, *, final: bool = False) -> None:
    """Each unit below quota so far is told where it stands; the admins get one summary."""
    month = _month(work.run)
    today = work.now.date()
    behind = tuple(await behind_quota(work.tx, month))
    ruleset = await work.tx.config.ruleset(month.end)
    due = QuotaReminderDue(
        work.source, month, today, len(workdays_between(today, month.end)),
        _settle_at(work.settings, month), final, behind,
        tuple((g.id, g.display) for g in ruleset.groups),
        tuple((b.rule, ruleset.item(b.rule).label) for b in behind if b.again),
    )  # fmt: skip
    await work.notices.emit(work.tx, due, work.now)


async def final_warning(work: Work) -> None:
    await quota_reminder(work, final=True)


async def settlement(work: Work) -> None:
    """Exactly `govinfo-bot quota settle` for the month, then the letters and the list (the
    renderer's). What it refuses (an empty month, a locked period) fails the run and the
    admins are told why."""
    month = _month(work.run)
    # The method in force in the month settles it (settle_quota_in).
    ruleset = await work.tx.config.ruleset(month.end)
    if ruleset.effective_from and month.end < ruleset.effective_from:
        raise RunSkipped("month_before_effective")
    settled = await settle_quota_in(work.tx, month, "scheduler", work.now)
    await work.notices.emit(work.tx, SettlementMade(work.source, month, ruleset, settled), work.now)


async def bulletin_draft(work: Work) -> None:
    """The quarter's or the year's bulletin as drafts (DOCX and XLSX) to the admins, with the
    buttons that publish it; nothing if it was published already."""
    period = _month(work.run)
    if await work.tx.bulletins.publications(period.label):
        raise RunSkipped("published")
    letter, wording = office_letter(work.settings, work.now.date())
    await owe_draft(work.tx, period, letter, wording, work.notices, work.now)


async def commission_reminder(work: Work) -> None:
    """Targets without an answer are reminded the working day before the deadline."""
    commission = await commissions.load(work.tx, int(work.run.period))
    answered = await work.tx.commissions.answered_units(commission.id)
    waiting = [(unit_id, name) for unit_id, name in commission.targets if unit_id not in answered]
    points = commissions.missed_deduction(await work.tx.config.ruleset())
    due = CommissionReminderDue(
        work.source, commission.id, commission.topic, commission.deadline, points, tuple(waiting)
    )
    await work.notices.emit(work.tx, due, work.now)


async def commission_close(work: Work) -> None:
    """After the deadline: penalties for the targets that did not answer, letters and a list."""
    commission = await commissions.load(work.tx, int(work.run.period))
    missed = await commissions.close(work.tx, commission, "scheduler", work.now)
    ruleset = await work.tx.config.ruleset()
    closed = CommissionClosed(work.source, commission, ruleset.name, tuple(missed))
    await work.notices.emit(work.tx, closed, work.now)


async def check_database(store: Store) -> DomainError | Verified:
    """The first problem `govinfo-bot verify` would name, or what it verified. Made before the run's
    transaction: it reads the whole database, and must not hold the write lock meanwhile.
    Before the run forgets old claims of updates, the working file learns which updates they
    handled (an update left unhandled there with its claim forgotten would be handled again)."""
    async with store.bot_autocommit() as tx:
        await tx.intake.absorb_claims()
    try:
        return await verify(store)
    except DomainError as problem:
        return problem


async def ledger_check(work: Work) -> None:
    """A failed check fails the run: recorded so, and the admins are told what is wrong; one
    that passed sends them the chain's head, an anchor kept outside the database, under the day
    the run is for (its key): a day's check caught up late, just before the next day's check,
    must not read as that one sent twice. Also the day's upkeep: the database's marks of
    handled updates older than needed go."""
    if isinstance(work.found, DomainError):
        raise work.found
    if isinstance(work.found, Verified):
        checked = LedgerChecked(work.source, work.run.period, str(work.found.head))
        await work.notices.emit(work.tx, checked, work.now)
    await work.tx.intake.forget_updates(work.now - KEEP_HANDLED)


def settle_by_hand(run: Run) -> str:
    return texts.SETTLE_BY_HAND.format(month=run.named)


def failure_text(run: Run, reason: str) -> str:
    """Why the run failed, as the record of runs keeps it (`govinfo-bot jobs` shows it)."""
    if run.job.by_hand is not None:
        reason = f"{reason}。{run.job.by_hand(run)}"
    return texts.JOB_FAILED.format(job=run.job.label, period=run.named, reason=reason)


def run_failed(run: Run, reason: str) -> RunFailed:
    """The admins' notice of the failure, with what to do by hand where the job says."""
    by_hand = run.job.by_hand(run) if run.job.by_hand is not None else None
    return RunFailed(f"{run.job}:{run.period}", run.job.label, run.named, reason, by_hand)
