"""What each scheduled run does, inside the transaction that records it: its effects and the
messages it owes go into the database together, or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot import render, texts
from bot.bulletin.letter import office_letter
from bot.jobs.kind import Run
from bot.settings import Settings
from bot.storage import KEEP_HANDLED, Store, Tx
from bot.storage.verify import Verified
from bot.telegram.notices import tell_admins
from bot.usecases import commissions
from bot.usecases.bulletin import owe_draft
from bot.usecases.notices import (
    CommissionClosed,
    CommissionReminderDue,
    LedgerChecked,
    Notices,
    QuotaReminderDue,
)
from bot.usecases.quota import PenaltyChange, behind_quota, settle_quota_in
from bot.usecases.verify import verify
from bot.workdays import workdays_between
from scoring.errors import DomainError
from scoring.periods import Period, next_month
from scoring.quota import Outcome
from scoring.ruleset import Ruleset


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

    async def send(self, messages: Iterable[tuple[int, str]]) -> None:
        await self.tx.outbox.enqueue(self.source, messages, self.now)

    async def tell_admins(self, text: str) -> None:
        await tell_admins(self.tx, self.settings.admin_ids, self.source, text, self.now)


async def _quota_letters(
    work: Work, ruleset: Ruleset, penalties: list[PenaltyChange]
) -> list[tuple[int, str]]:
    """The reminder letters of the other quotas' new penalties, to each unit's liaisons."""
    chats = await work.tx.liaisons.liaison_chats(c.unit_id for c in penalties)
    letters = []
    for c in penalties:
        assert c.rule is not None  # new_quota_penalties are those with a penalty
        letter = texts.QUOTA_LETTER.format(
            unit=c.unit, period=c.month.name, what=c.quota_label, count=c.submissions,
            quota=c.quota, ruleset=ruleset.name, points=-c.after_points,
            label=ruleset.item(c.rule).label,
        )  # fmt: skip
        letters += [(chat, letter) for chat in chats.get(c.unit_id, [])]
    return letters


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
    ruleset = await work.tx.config.ruleset()
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
    """Exactly `govinfo-bot quota settle` for the month, then the letters and the list. What it
    refuses (an empty month, a locked period) fails the run and the admins are told why."""
    month = _month(work.run)
    ruleset = await work.tx.config.ruleset()
    if ruleset.effective_from and month.end < ruleset.effective_from:
        raise RunSkipped("month_before_effective")
    settled = await settle_quota_in(work.tx, month, "scheduler", work.now)
    later = [c for c in settled.changes if c.month != month]
    tail = [render.render_changes(texts.RESETTLED_HEAD, later)] if later else []
    new = {c.unit_id for c in settled.new_penalties}
    quota_letters = await _quota_letters(work, ruleset, settled.new_quota_penalties)
    if settled.again and not new and not quota_letters:
        await work.tell_admins(
            "\n".join([texts.SETTLEMENT_NOTHING.format(month=month.name), *tail])
        )
        return
    groups = {g.id: g.display for g in ruleset.groups}
    penalised = [s for s in settled.penalised if s.unit_id in new]
    chats = await work.tx.liaisons.liaison_chats(s.unit_id for s in penalised)
    letters = []
    lines = []
    rules = ruleset.quota_penalties
    # A method without quota penalties (its units only lose the month's base score) sends no
    # letter of a deduction.
    labels = (
        {
            Outcome.MISSED: ruleset.item(rules.missed).label,
            Outcome.MISSED_AGAIN: ruleset.item(rules.missed_again).label,
        }
        if rules
        else {}
    )
    for s in penalised if labels else []:
        label = labels[s.outcome]
        letter = texts.REMINDER_LETTER.format(
            unit=s.unit, month=month.name, count=s.submissions, quota=s.quota,
            ruleset=ruleset.name, points=-s.points, label=label,
        )  # fmt: skip
        letters += [(chat, letter) for chat in chats.get(s.unit_id, [])]
        lines.append(
            texts.SETTLEMENT_LINE.format(
                unit=s.unit,
                group=groups.get(s.group, s.group),
                count=s.submissions,
                quota=s.quota,
                points=s.points,
                label=label,
                letter=texts.LETTER_SENT if s.unit_id in chats else texts.LETTER_NOBODY,
            )
        )
    await work.send(letters + quota_letters)
    head = texts.SETTLEMENT_SUMMARY.format(
        month=month.name, count=len(settled.settled),
        met=len(settled.settled) - len(settled.missed), penalised=len(settled.penalised),
    )  # fmt: skip
    await work.tell_admins("\n".join([head, *lines, *tail]))


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
    if run.job.by_hand is not None:
        reason = f"{reason}。{run.job.by_hand(run)}"
    return texts.JOB_FAILED.format(job=run.job.label, period=run.named, reason=reason)
