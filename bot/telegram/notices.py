"""The Telegram channel's rendering of what use cases owe people (bot.usecases.notices): the
answer to whoever asked, as a message of its own or the edit of the message whose button was
pressed, and each notice as Chinese text (bot.texts) with its buttons, split to Telegram's
limits and addressed to the chats it concerns, all written to the outbox in the action's
transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from bot import texts
from bot.buttons import claim_buttons, publish_buttons
from bot.render import (
    CAPTION_LIMIT,
    EVIDENCE_SHOWN,
    cut,
    explanation_lines,
    render_changes,
    split_message,
)
from bot.settings import Settings
from bot.storage import EDIT_CAPTION, EDIT_TEXT, WEB, Address, Buttons, Outgoing, Tx
from bot.usecases.bulletin import change_line
from bot.usecases.notices import (
    AnswerSelected,
    BulletinPublished,
    ClaimApproved,
    ClaimFiled,
    ClaimRejected,
    CommissionAnswered,
    CommissionClosed,
    CommissionIssued,
    CommissionReminderDue,
    DraftReady,
    EntryMade,
    EntryReversed,
    LateSubmissionResettled,
    LedgerChecked,
    LedgerKeyed,
    LiaisonMoved,
    Notice,
    QuotaReminderDue,
    RunFailed,
    SettlementMade,
    SubmissionFiled,
    UnitMerged,
    UnitRetired,
)
from bot.usecases.quota import PenaltyChange
from bot.usecases.reports import FILE_EVIDENCE
from scoring.awards import GroupAwards
from scoring.points import show_points
from scoring.quota import Outcome
from scoring.ruleset import Ruleset
from scoring.standings import leads, unit_above

R = TypeVar("R")
# How long the process that handled an action keeps its answer to itself, to send it at once:
# longer than one send takes, however slow. Only after that may another process's courier send
# it (the first has died, or its send failed).
ANSWER_HOLD = timedelta(seconds=30)


@dataclass
class ChatAnswer(Generic[R]):
    """The answer owed to the chat that asked (bot.usecases.notices.Answer); `owed` is what
    the handler then sends at once."""

    to: Address
    render: Callable[[R], str]
    # The buttons under the answer (on its last part), if it has any.
    buttons: Callable[[R], Buttons] | None = None
    # The answer to a button's press: the new text of the button's message (its buttons gone),
    # the edit owed as a message is; `caption`: the message is a file's, its caption edited.
    edits: int | None = None
    caption: bool = False
    owed: list[Outgoing] = field(default_factory=list)

    async def owe(self, tx: Tx, result: R, source: str, now: datetime) -> None:
        text = self.render(result)
        buttons = self.buttons(result) if self.buttons is not None else None
        if self.edits is None:
            self.owed = await tx.outbox.enqueue_answer(
                source, self.to, split_message(text), now, now + ANSWER_HOLD, buttons=buttons
            )
            return
        edit = f"{EDIT_CAPTION if self.caption else EDIT_TEXT}:{self.edits}"
        self.owed = await tx.outbox.enqueue_answer(
            source, self.to, [text], now, now + ANSWER_HOLD, buttons=buttons, attachment=edit
        )


class ChatNotices:
    """Notices as messages: to a unit's liaisons, to every admin, to the office's chat."""

    def __init__(self, admin_ids: Sequence[int], office_chat: int | None = None) -> None:
        self._admins = tuple(admin_ids)
        self._office_chat = office_chat

    @classmethod
    def of(cls, settings: Settings) -> ChatNotices:
        return cls(settings.admin_ids, settings.office_chat_id)

    async def emit(self, tx: Tx, notice: Notice, now: datetime) -> None:
        match notice:
            case ClaimFiled():
                await self._claim_filed(tx, notice, now)
            case ClaimApproved():
                told = texts.APPROVED_FOR_LIAISON.format(
                    record=notice.record_id, title=notice.title, points=show_points(notice.points)
                )
                await tell_unit(tx, notice.unit_id, f"approval:{notice.record_id}", told, now)
            case ClaimRejected():
                told = texts.REJECTED_FOR_LIAISON.format(
                    record=notice.record_id, title=notice.title, reason=notice.reason
                )
                await tell_unit(tx, notice.unit_id, f"rejection:{notice.record_id}", told, now)
            case SubmissionFiled():
                await self._office_copy(tx, notice, now)
            case CommissionAnswered():
                lines = [
                    texts.COMMISSION_ANSWER_FOR_OFFICE.format(
                        id=notice.commission_id,
                        topic=notice.topic,
                        unit=notice.unit,
                        record=notice.record_id,
                        title=notice.title,
                    )
                ]
                lines += [
                    texts.COMMISSION_SELECT_LINE.format(
                        record=notice.record_id,
                        key=key,
                        label=label,
                        points=show_points(points or 0),
                    )
                    for key, label, points in notice.selections
                ]
                source = f"answer:{notice.record_id}"
                await tell_admins(tx, self._admins, source, "\n".join(lines), now)
            case CommissionIssued():
                told = texts.COMMISSION_NOTICE.format(
                    id=notice.commission_id, topic=notice.topic,
                    deadline=notice.deadline.isoformat(), points=show_points(notice.points),
                )  # fmt: skip
                chats = await tx.liaisons.liaison_chats(notice.unit_ids)
                await tx.outbox.enqueue(
                    f"commission:{notice.commission_id}",
                    [(chat, told) for unit_chats in chats.values() for chat in unit_chats],
                    now,
                )
            case AnswerSelected():
                told = texts.SELECTED_FOR_LIAISON.format(
                    answer=notice.answer_id, title=notice.title, label=notice.label,
                    points=show_points(notice.points or 0),
                )  # fmt: skip
                await tell_unit(tx, notice.unit_id, f"selection:{notice.record_id}", told, now)
            case LateSubmissionResettled():
                head = texts.RESETTLED_FOR_ADMINS.format(unit=notice.unit, record=notice.record_id)
                told = render_changes(head, notice.changes)
                await tell_admins(tx, self._admins, f"resettled:{notice.record_id}", told, now)
            case EntryMade():
                told = texts.ENTERED_FOR_LIAISON.format(
                    unit=notice.unit, item=notice.item, date=notice.day.isoformat(),
                    points=show_points(notice.points, signed=True), note=notice.note or texts.NO_NOTE,
                )  # fmt: skip
                source = f"{notice.kind}:{notice.record_id}"
                await tell_unit(tx, notice.unit_id, source, told, now)
            case EntryReversed():
                told = texts.REVERSED_FOR_LIAISON.format(
                    unit=notice.unit, item=notice.item, date=notice.day.isoformat(),
                    points=show_points(notice.points, signed=True), note=notice.reason,
                )  # fmt: skip
                await tell_unit(tx, notice.unit_id, f"reversal:{notice.entry_id}", told, now)
            case BulletinPublished():
                await self._bulletin_published(tx, notice, now)
            case LedgerKeyed():
                told = texts.LEDGER_KEYED.format(line=notice.first_line, file=notice.file)
                await tell_admins(tx, self._admins, "ledger_keyed", told, now)
            case DraftReady():
                await self._draft_ready(tx, notice, now)
            case QuotaReminderDue():
                await self._quota_reminder(tx, notice, now)
            case CommissionReminderDue():
                reminders = [
                    (
                        unit_id,
                        texts.COMMISSION_REMINDER.format(
                            id=notice.commission_id,
                            topic=notice.topic,
                            deadline=notice.deadline.isoformat(),
                            unit=unit,
                            points=show_points(notice.points),
                        ),
                    )
                    for unit_id, unit in notice.waiting
                ]
                await tell_units(tx, notice.source, reminders, now)
            case CommissionClosed():
                await self._commission_closed(tx, notice, now)
            case LedgerChecked():
                checked = texts.LEDGER_CHECK_ANCHOR.format(day=notice.day, anchor=notice.anchor)
                await tell_admins(tx, self._admins, notice.source, checked, now)
            case SettlementMade():
                await self._settlement(tx, notice, now)
            case LiaisonMoved():
                told = texts.LIAISON_MOVED_BY_INVITE.format(
                    who=notice.who, old=notice.old, unit=notice.unit
                )
                await tell_admins(tx, self._admins, f"moved:{notice.person.address}", told, now)
            case UnitMerged():
                told = texts.UNIT_MERGED_LIAISON.format(
                    unit=notice.unit, into=notice.into, start=notice.start.isoformat()
                )
                letters = [(person, told) for person in notice.liaisons]
                await tx.outbox.enqueue(f"unit:merge:{notice.unit_id}", letters, now)
            case UnitRetired():
                told = texts.UNIT_RETIRED_LIAISON.format(
                    unit=notice.unit, start=notice.start.isoformat()
                )
                letters = [(person, told) for person in notice.liaisons]
                await tx.outbox.enqueue(f"unit:retire:{notice.unit_id}", letters, now)
            case RunFailed():
                reason = notice.reason
                if notice.by_hand is not None:
                    reason = f"{reason}。{notice.by_hand}"
                told = texts.JOB_FAILED.format(job=notice.job, period=notice.period, reason=reason)
                await tell_admins(tx, self._admins, notice.source, told, now)

    async def _claim_filed(self, tx: Tx, notice: ClaimFiled, now: datetime) -> None:
        """The claim to every admin, with the buttons that decide it and the evidence: a file
        goes along as the message's file, a link or text is shown."""
        text = texts.CLAIM_FOR_OFFICE.format(
            record=notice.record_id, unit=notice.unit, who=notice.who, item=notice.item,
            title=notice.title, date=notice.day.isoformat(),
            explanation=explanation_lines(notice.explanation),
        )  # fmt: skip
        evidence = notice.evidence
        attachment = evidence if evidence.startswith(FILE_EVIDENCE) else None
        if evidence and attachment is None:
            text += texts.CLAIM_EVIDENCE.format(evidence=cut(evidence, EVIDENCE_SHOWN))
        await tell_admins(
            tx, self._admins, f"claim:{notice.record_id}", text, now,
            buttons=claim_buttons(notice.record_id), attachment=attachment,
        )  # fmt: skip

    async def _bulletin_published(self, tx: Tx, notice: BulletinPublished, now: datetime) -> None:
        """Each listed unit's liaisons: their rank, total and group, the gap to the unit above,
        and for a year the units the awards name in their group; then the admins: the anchor
        (it leaves the database with them, whoever published) and what changed."""
        period, labels, ids = notice.period, dict(notice.labels), dict(notice.units)
        chats = await tx.liaisons.liaison_chats(ids.values())
        awards = {a.group: a for a in notice.paper.awards or []}
        messages = []
        for group in notice.paper.standings.groups:
            for n, row in enumerate(group.rows):
                if not notice.ranked:
                    # Listed in the roster's order: a unit is told its total, not a rank.
                    text = texts.BULLETIN_LINE_UNRANKED.format(
                        period=period.name, unit=row.unit, group=labels[group.group],
                        column=notice.total_column, total=show_points(row.total),
                    )  # fmt: skip
                else:
                    above = unit_above(group.rows, n)
                    if above is not None:
                        gap = texts.BULLETIN_GAP.format(
                            unit=above.unit, gap=show_points(above.total - row.total)
                        )
                    else:  # a group tied throughout (all at 0) has no first
                        gap = texts.BULLETIN_FIRST if leads(group.rows, n) else ""
                    text = texts.BULLETIN_LINE.format(
                        period=period.name, unit=row.unit, group=labels[group.group],
                        rank=row.rank, size=len(group.rows), column=notice.total_column,
                        total=show_points(row.total), gap=gap,
                    )  # fmt: skip
                if group.group in awards:
                    text += _award_lines(awards[group.group], row.unit)
                messages += [(chat, text) for chat in chats.get(ids[row.unit], [])]
        await tx.outbox.enqueue(f"bulletin:{period.label}", messages, now)
        version = notice.version
        lines = [
            texts.BULLETIN_ANCHOR.format(period=period.name, version=version, anchor=notice.anchor)
        ]
        if notice.changed:
            lines.append(texts.BULLETIN_CHANGED.format(period=period.name, version=version))
            lines += [change_line(c) for c in notice.changed]
        source = f"bulletin:{period.label}:{version}"
        await tell_admins(tx, self._admins, source, "\n".join(lines), now)

    async def _draft_ready(self, tx: Tx, notice: DraftReady, now: datetime) -> None:
        """The draft's files to every admin, then the buttons that publish it."""
        period, source = notice.period, f"draft:{notice.period.label}"
        for name, file_id in notice.files:
            caption = texts.BULLETIN_DRAFT_CAPTION.format(period=period.name, format=name[-4:])
            await tell_admins(tx, self._admins, source, caption, now, attachment=f"file:{file_id}")
        ready = texts.BULLETIN_DRAFT_READY.format(period=period.name)
        if not notice.docx:
            ready += texts.BULLETIN_NO_OFFICE
        await tell_admins(tx, self._admins, source, ready, now, buttons=publish_buttons(period))

    async def _quota_reminder(self, tx: Tx, notice: QuotaReminderDue, now: datetime) -> None:
        month, today, behind = notice.month, _day(notice.today), notice.behind
        at = notice.settle_at
        settle_at = texts.SETTLE_AT.format(month=at.month, day=at.day, time=at.strftime("%H:%M"))
        rules, groups = dict(notice.rules), dict(notice.groups)
        template = texts.FINAL_WARNING if notice.final else texts.QUOTA_REMINDER
        told = []
        for b in behind:
            deduction = (
                texts.DEDUCTION_AGAIN.format(points=show_points(b.deduction), label=rules[b.rule])
                if b.again
                else texts.DEDUCTION_FIRST.format(points=show_points(b.deduction))
            )
            text = template.format(
                unit=b.unit, month=month.name, count=b.submissions, quota=b.quota,
                missing=b.quota - b.submissions, days=notice.workdays_left, deduction=deduction,
                settle_at=settle_at, today=today,
            )  # fmt: skip
            told.append((b.unit_id, text))
        await tell_units(tx, notice.source, told, now)
        if not behind:
            none = texts.BEHIND_NONE.format(month=month.name, today=today)
            await tell_admins(tx, self._admins, notice.source, none, now)
            return
        head = (texts.BEHIND_SUMMARY_FINAL if notice.final else texts.BEHIND_SUMMARY).format(
            month=month.name, today=today, days=notice.workdays_left, count=len(behind),
            settle_at=settle_at,
        )  # fmt: skip
        lines = [
            texts.BEHIND_LINE.format(
                unit=b.unit,
                group=groups.get(b.group, b.group),
                count=b.submissions,
                quota=b.quota,
                missing=b.quota - b.submissions,
                points=show_points(b.deduction),
            )
            for b in behind
        ]
        await tell_admins(tx, self._admins, notice.source, "\n".join([head, *lines]), now)

    async def _commission_closed(self, tx: Tx, notice: CommissionClosed, now: datetime) -> None:
        commission, missed = notice.commission, notice.missed
        letters = [
            (
                m.unit_id,
                texts.COMMISSION_MISSED.format(
                    unit=m.unit,
                    id=commission.id,
                    topic=commission.topic,
                    deadline=commission.deadline.isoformat(),
                    ruleset=notice.ruleset,
                    points=show_points(-(m.rule.points or 0)),
                    label=m.rule.label,
                ),
            )
            for m in missed
        ]
        await tell_units(tx, notice.source, letters, now)
        head = texts.COMMISSION_CLOSED.format(
            id=commission.id, topic=commission.topic,
            answered=len(commission.targets) - len(missed), missed=len(missed),
        )  # fmt: skip
        lines = [
            texts.COMMISSION_MISSED_LINE.format(
                unit=m.unit, points=show_points(m.rule.points or 0), label=m.rule.label
            )
            for m in missed
        ]
        await tell_admins(tx, self._admins, notice.source, "\n".join([head, *lines]), now)

    async def _settlement(self, tx: Tx, notice: SettlementMade, now: datetime) -> None:
        month, ruleset, settled, source = (
            notice.month,
            notice.ruleset,
            notice.settled,
            notice.source,
        )
        later = [c for c in settled.changes if c.month != month]
        tail = [render_changes(texts.RESETTLED_HEAD, later)] if later else []
        new = {c.unit_id for c in settled.new_penalties}
        quota_letters = await _quota_letters(tx, ruleset, settled.new_quota_penalties)
        if settled.again and not new and not quota_letters:
            nothing = "\n".join([texts.SETTLEMENT_NOTHING.format(month=month.name), *tail])
            await tell_admins(tx, self._admins, source, nothing, now)
            return
        groups = {g.id: g.display for g in ruleset.groups}
        penalised = [s for s in settled.penalised if s.unit_id in new]
        chats = await tx.liaisons.liaison_chats(s.unit_id for s in penalised)
        letters = []
        lines = []
        rules = ruleset.quota_penalties
        # A method without quota penalties (its units only lose the month's base score) sends
        # no letter of a deduction.
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
                ruleset=ruleset.name, points=show_points(-s.points), label=label,
            )  # fmt: skip
            letters += [(chat, letter) for chat in chats.get(s.unit_id, [])]
            lines.append(
                texts.SETTLEMENT_LINE.format(
                    unit=s.unit,
                    group=groups.get(s.group, s.group),
                    count=s.submissions,
                    quota=s.quota,
                    points=show_points(s.points),
                    label=label,
                    letter=texts.LETTER_SENT if s.unit_id in chats else texts.LETTER_NOBODY,
                )
            )
        await tx.outbox.enqueue(source, letters + quota_letters, now)
        head = texts.SETTLEMENT_SUMMARY.format(
            month=month.name, count=len(settled.settled),
            met=len(settled.settled) - len(settled.missed), penalised=len(settled.penalised),
        )  # fmt: skip
        await tell_admins(tx, self._admins, source, "\n".join([head, *lines, *tail]), now)

    async def _office_copy(self, tx: Tx, notice: SubmissionFiled, now: datetime) -> None:
        if self._office_chat is None:
            return
        copy = texts.OFFICE_COPY.format(
            unit=notice.unit, record=notice.record_id, title=notice.title
        )
        evidence = notice.evidence
        attachment = evidence if evidence.startswith(FILE_EVIDENCE) else None
        if evidence and attachment is None:
            copy = f"{copy}\n{cut(evidence, EVIDENCE_SHOWN)}"
        await tx.outbox.enqueue(
            f"copy:{notice.record_id}",
            [(Address.telegram(self._office_chat), copy)],
            now,
            attachment=attachment,
        )


def _award_lines(awards: GroupAwards, unit: str) -> str:
    lines = []
    if awards.advanced:
        lines.append(texts.AWARD_ADVANCED.format(units="、".join(awards.advanced)))
    if awards.improved:
        lines.append(texts.AWARD_IMPROVED.format(units="、".join(i.unit for i in awards.improved)))
    if unit in awards.lowest:
        lines.append(texts.AWARD_LOWEST_YOU)
    if any(d.unit == unit for d in awards.disqualified):
        lines.append(texts.AWARD_DISQUALIFIED_YOU)
    return "".join(f"\n{line}" for line in lines)


async def tell_unit(tx: Tx, unit_id: int, source: str, text: str, now: datetime) -> None:
    """The unit's active liaisons are owed `text` (in as many messages as it needs)."""
    # A liaison of the web console's page reads there what they are owed.
    chats = [p.address for p in await tx.liaisons.liaisons(unit_id) if p.address.channel != WEB]
    await tx.outbox.enqueue(
        source, [(chat, part) for chat in chats for part in split_message(text)], now
    )


async def tell_admins(
    tx: Tx,
    admin_ids: Sequence[int],
    source: str,
    text: str,
    now: datetime,
    *,
    buttons: Buttons | None = None,
    attachment: str | None = None,
) -> None:
    """Every admin (their Telegram ids, from the settings) is owed `text`, with buttons or a
    file if given. A long text goes in as many messages as it needs, the buttons on the last; a
    file's caption is cut to fit."""
    admins = [Address.telegram(a) for a in admin_ids]
    if attachment is not None:
        await tx.outbox.enqueue(
            source, [(a, cut(text, CAPTION_LIMIT)) for a in admins], now,
            buttons=buttons, attachment=attachment,
        )  # fmt: skip
        return
    *parts, last = split_message(text)
    await tx.outbox.enqueue(source, [(a, part) for a in admins for part in parts], now)
    await tx.outbox.enqueue(source, [(a, last) for a in admins], now, buttons=buttons)


async def tell_units(tx: Tx, source: str, told: Sequence[tuple[int, str]], now: datetime) -> None:
    """Each unit's active liaisons are owed its text, one message each, in one batch."""
    chats = await tx.liaisons.liaison_chats(unit_id for unit_id, _ in told)
    messages = [(chat, text) for unit_id, text in told for chat in chats.get(unit_id, [])]
    await tx.outbox.enqueue(source, messages, now)


def _day(day: date) -> str:
    return texts.MONTH_DAY.format(month=day.month, day=day.day)


async def _quota_letters(
    tx: Tx, ruleset: Ruleset, penalties: Sequence[PenaltyChange]
) -> list[tuple[Address, str]]:
    """The reminder letters of the other quotas' new penalties, to each unit's liaisons."""
    chats = await tx.liaisons.liaison_chats(c.unit_id for c in penalties)
    letters = []
    for c in penalties:
        assert c.rule is not None  # new_quota_penalties are those with a penalty
        letter = texts.QUOTA_LETTER.format(
            unit=c.unit, period=c.month.name, what=c.quota_label, count=c.submissions,
            quota=c.quota, ruleset=ruleset.name, points=show_points(-c.after_points),
            label=ruleset.item(c.rule).label,
        )  # fmt: skip
        letters += [(chat, letter) for chat in chats.get(c.unit_id, [])]
    return letters
