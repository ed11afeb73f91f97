"""What liaisons report — adoption claims and submissions — and the office's approval of claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.store import Liaison, NewRecord, Store, Tx, decode_modifiers, encode_modifiers
from bot.usecases import commissions
from bot.usecases.commissions import Commission
from scoring.engine import Scored, score
from scoring.errors import DomainError
from scoring.periods import month_of
from scoring.records import Record, title_key
from scoring.ruleset import SUBMISSION_ID, Item, Ruleset

# A summary left unconfirmed this long is stale: its button no longer stores anything.
DRAFT_TTL = timedelta(days=1)
RECENT = 10


@dataclass(frozen=True)
class Draft:
    id: int
    unit: str
    record: Record
    scored: Scored
    item: Item


@dataclass(frozen=True)
class Claimed:
    record_id: int
    unit_id: int
    unit: str
    status: str
    record: Record
    scored: Scored
    item: Item


@dataclass(frozen=True)
class Submitted:
    record_id: int
    unit: str
    month_count: int
    quota: int | None
    # The commission the submission answers, if it answers one.
    commission: Commission | None = None


@dataclass(frozen=True)
class Decided:
    """An approval or a rejection, with whom to tell."""

    record_id: int
    unit: str
    title: str
    item: Item
    points: int
    liaisons: list[int]


def reportable(ruleset: Ruleset, key: str) -> Item:
    """An item a liaison may claim: an adoption or a credit, by id or label."""
    item = ruleset.items_by_key.get(key.strip())
    if item is None:
        raise DomainError("item_unknown", item=key.strip())
    if item not in ruleset.reportable_items:
        raise DomainError("item_not_reportable", item=item.label)
    return item


def check_day(ruleset: Ruleset, day: date, today: date) -> None:
    if day > today:
        raise DomainError("date_in_future", date=day.isoformat())
    if ruleset.effective_from and day < ruleset.effective_from:
        raise DomainError(
            "date_before_effective",
            date=day.isoformat(),
            effective=ruleset.effective_from.isoformat(),
        )


def check_modifiers(ruleset: Ruleset, item: Item, modifiers: tuple[tuple[str, int], ...]) -> None:
    for modifier_id, _ in modifiers:
        modifier = ruleset.modifiers_by_key[modifier_id]
        if item.id not in modifier.allowed_on:
            raise DomainError("modifier_not_allowed", modifier=modifier.label, item=item.label)


async def _refuse_duplicate(tx: Tx, unit_id: int, item_id: str, day: date, title: str) -> None:
    row = await tx.one(
        "SELECT id, status, date FROM records WHERE unit_id = ? AND item_id = ? AND date = ? AND title_key = ? "
        "AND status <> 'rejected' ORDER BY id LIMIT 1",
        (unit_id, item_id, day.isoformat(), title_key(title)),
    )
    if row is not None:
        raise DomainError("claim_duplicate", record=row[0], status=row[1], date=row[2])


async def make_draft(
    store: Store,
    liaison: Liaison,
    item_key: str,
    title: str,
    day: date,
    modifiers: tuple[tuple[str, int], ...],
    evidence: str,
    update_id: int,
    now: datetime,
) -> Draft:
    """Check a claim and keep it as a draft for its liaison to confirm."""
    title = title.strip()
    if not title:
        raise DomainError("title_missing")
    async with store.transaction() as tx:
        await tx.claim_update(update_id, now)
        ruleset = await tx.ruleset()
        item = reportable(ruleset, item_key)
        check_day(ruleset, day, now.date())
        check_modifiers(ruleset, item, modifiers)
        await _refuse_duplicate(tx, liaison.unit_id, item.id, day, title)
        cursor = await tx.db.execute(
            "INSERT INTO drafts (user_id, unit_id, date, item_id, modifiers, title, evidence, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                liaison.user_id,
                liaison.unit_id,
                day.isoformat(),
                item.id,
                encode_modifiers(modifiers),
                title,
                evidence,
                now.isoformat(),
            ),
        )
        assert cursor.lastrowid is not None
        record = Record(liaison.unit, day, item.id, None, modifiers, title)
        return Draft(cursor.lastrowid, liaison.unit, record, score(ruleset, record), item)


async def confirm_draft(
    store: Store, draft_id: int, user_id: int, require_approval: bool, update_id: int, now: datetime
) -> Claimed:
    """Store a confirmed draft as a claim: pending approval, or scored at once."""
    async with store.transaction() as tx:
        await tx.claim_update(update_id, now)
        ruleset = await tx.ruleset()
        row = await tx.one(
            "SELECT d.unit_id, u.name, d.date, d.item_id, d.modifiers, d.title, d.evidence, d.created_at, "
            "d.record_id, d.cancelled, d.user_id FROM drafts d JOIN units u ON u.id = d.unit_id WHERE d.id = ?",
            (draft_id,),
        )
        if row is None or row[10] != user_id:
            raise DomainError("button_forged")
        (
            unit_id,
            unit,
            day_text,
            item_id,
            modifiers_text,
            title,
            evidence,
            created,
            used,
            cancelled,
            _,
        ) = row
        if used is not None or cancelled or datetime.fromisoformat(created) + DRAFT_TTL < now:
            raise DomainError("button_stale")
        liaison = await tx.liaison(user_id, active_only=True)
        if liaison is None or liaison.unit_id != unit_id:
            raise DomainError("not_liaison")
        day = date.fromisoformat(day_text)
        await _refuse_duplicate(tx, unit_id, item_id, day, title)
        record = Record(unit, day, item_id, None, decode_modifiers(modifiers_text), title)
        scored = score(ruleset, record)
        status = "pending" if require_approval else "confirmed"
        batch = await tx.add_batch("claim", f"tg:{user_id}", now)
        new = NewRecord(unit_id, record, scored, status, claimed_by=user_id, evidence=evidence)
        (record_id,) = await tx.add_records(batch, [new], now)
        await tx.db.execute("UPDATE drafts SET record_id = ? WHERE id = ?", (record_id, draft_id))
        await tx.add_event(
            record_id, "claimed" if require_approval else "confirmed", f"tg:{user_id}", "", now
        )
    return Claimed(record_id, unit_id, unit, status, record, scored, ruleset.item(item_id))


async def cancel_draft(
    store: Store, draft_id: int, user_id: int, update_id: int, now: datetime
) -> None:
    async with store.transaction() as tx:
        await tx.claim_update(update_id, now)
        row = await tx.one(
            "SELECT user_id, record_id, cancelled FROM drafts WHERE id = ?", (draft_id,)
        )
        if row is None or row[0] != user_id:
            raise DomainError("button_forged")
        if row[1] is not None or row[2]:
            raise DomainError("button_stale")
        await tx.db.execute("UPDATE drafts SET cancelled = 1 WHERE id = ?", (draft_id,))


async def submit(
    store: Store,
    liaison: Liaison,
    title: str,
    evidence: str,
    update_id: int,
    now: datetime,
    commission_id: int | None = None,
    admin_ids: Sequence[int] = (),
) -> Submitted:
    """A submission (报送) counted toward the unit's monthly quota; answering a commission, the
    admins are owed a notice of it."""
    title = title.strip()
    if not title:
        raise DomainError("title_missing")
    today = now.date()
    async with store.transaction() as tx:
        await tx.claim_update(update_id, now)
        # Read again under the write lock: moved or removed meanwhile, the liaison no longer
        # speaks for the unit read before.
        current = await tx.liaison(liaison.user_id, active_only=True)
        if current is None:
            raise DomainError("not_liaison")
        liaison = current
        ruleset = await tx.ruleset()
        check_day(ruleset, today, today)
        batch = await tx.add_batch("submission", f"tg:{liaison.user_id}", now)
        record = Record(liaison.unit, today, SUBMISSION_ID, title=title)
        new = NewRecord(
            liaison.unit_id,
            record,
            score(ruleset, record),
            claimed_by=liaison.user_id,
            evidence=evidence,
        )
        (record_id,) = await tx.add_records(batch, [new], now)
        commission = None
        if commission_id is not None:
            commission = await commissions.link_answer(
                tx, commission_id, liaison.unit_id, liaison.unit, record_id, today
            )
            notice = await commissions.answer_notice(tx, commission, liaison.unit, record_id, title)
            await tx.enqueue(f"answer:{record_id}", [(a, notice) for a in admin_ids], now)
        counts = await tx.submission_counts(month_of(today))
        quota = next((g.monthly_quota for g in ruleset.groups if g.id == liaison.group), None)
    return Submitted(record_id, liaison.unit, counts.get(liaison.unit_id, 0), quota, commission)


async def pending(store: Store) -> list[tuple[int, str, Record, str]]:
    """(record id, unit, record, claimant) for every claim waiting for the office, oldest first."""
    async with store.reading() as tx:
        rows = await tx.all(
            "SELECT r.id, u.name, r.date, r.item_id, r.modifiers, r.title, COALESCE(l.name, '') FROM records r "
            "JOIN units u ON u.id = r.unit_id LEFT JOIN liaisons l ON l.user_id = r.claimed_by "
            "WHERE r.status = 'pending' ORDER BY r.id"
        )
    return [
        (
            rid,
            unit,
            Record(unit, date.fromisoformat(day), item, None, decode_modifiers(mods), title),
            who,
        )
        for rid, unit, day, item, mods, title, who in rows
    ]


async def _pending_record(tx: Tx, record_id: int) -> tuple[int, Record]:
    unit_id, status, record = await tx.record(record_id)
    if status != "pending":
        raise DomainError("claim_decided", record=record_id, status=status)
    return unit_id, record


async def approve(
    store: Store, record_id: int, admin_id: int, update_id: int, now: datetime
) -> Decided:
    async with store.transaction() as tx:
        await tx.claim_update(update_id, now)
        ruleset = await tx.ruleset()
        unit_id, record = await _pending_record(tx, record_id)
        unit = record.unit
        scored = score(ruleset, record)
        batch = await tx.add_batch("approval", f"tg:{admin_id}", now)
        await tx.db.execute("UPDATE records SET status = 'confirmed' WHERE id = ?", (record_id,))
        await tx.add_ledger(batch, unit_id, record_id, record.day, scored, now)
        await tx.add_event(record_id, "approved", f"tg:{admin_id}", "", now)
        liaisons = [liaison.user_id for liaison in await tx.liaisons(unit_id)]
    return Decided(
        record_id, unit, record.title, ruleset.item(record.item_id), scored.points, liaisons
    )


async def reject(
    store: Store, record_id: int, admin_id: int, reason: str, update_id: int, now: datetime
) -> Decided:
    reason = reason.strip()
    if not reason:
        raise DomainError("reason_missing")
    async with store.transaction() as tx:
        await tx.claim_update(update_id, now)
        ruleset = await tx.ruleset()
        unit_id, record = await _pending_record(tx, record_id)
        unit = record.unit
        await tx.db.execute("UPDATE records SET status = 'rejected' WHERE id = ?", (record_id,))
        await tx.add_event(record_id, "rejected", f"tg:{admin_id}", reason, now)
        liaisons = [liaison.user_id for liaison in await tx.liaisons(unit_id)]
    return Decided(record_id, unit, record.title, ruleset.item(record.item_id), 0, liaisons)
