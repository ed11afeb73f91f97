"""The office's own entries: penalties, adjustments, endorsements and reversals, each audited."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from bot import texts
from bot.storage import LedgerEntry, NewRecord, Store, Tx
from bot.usecases.notices import Answer, EntryMade, EntryReversed, owe_answer
from bot.usecases.request import Request, claim
from scoring.engine import Entry, Scored, score
from scoring.errors import DomainError
from scoring.names import resolve
from scoring.points import show_points
from scoring.records import (
    MAX_COUNT,
    Record,
    check_day,
    check_modifiers,
    check_points,
    clean_note,
    resolve_modifier,
)
from scoring.ruleset import ItemKind, Ruleset, item_candidates


@dataclass(frozen=True)
class Entered:
    """An office entry as stored: what it is, the points, who to tell."""

    record_id: int
    unit: str
    # What was entered, as the office calls it (an item's or a modifier's label).
    item: str
    day: date
    points: int
    note: str
    explanation: str


async def penalise(
    store: Store,
    unit_key: str,
    item_key: str,
    day: date,
    note: str,
    request: Request,
    answer: Answer[Entered] | None = None,
) -> Entered:
    now = request.at
    async with store.transaction() as tx:
        await claim(tx, request)
        ruleset = await tx.config.ruleset(day)
        # Read as every item name is (scoring.names), among the penalties only.
        item = resolve(
            item_key,
            item_candidates(i for i in ruleset.items if i.kind is ItemKind.PENALTY),
            "penalty",
        )
        check_day(ruleset, day, now.date())
        unit_id, unit = await tx.units.resolve_unit(unit_key)
        record = Record(unit, day, item.id, note=clean_note(note))
        return await _enter(tx, ruleset, unit_id, record, "penalty", request, answer)


async def adjust(
    store: Store,
    unit_key: str,
    points: int,
    reason: str,
    request: Request,
    answer: Answer[Entered] | None = None,
) -> Entered:
    """An adjustment dated today: also the way to correct a period that is locked."""
    now = request.at
    reason = clean_note(reason)
    if not reason:
        raise DomainError("reason_missing")
    if points == 0:
        raise DomainError("points_zero")
    check_points(points)
    async with store.transaction() as tx:
        await claim(tx, request)
        ruleset = await tx.config.ruleset(now.date())
        adjustment = next((i for i in ruleset.items if i.kind is ItemKind.ADJUSTMENT), None)
        if adjustment is None:
            raise DomainError("no_adjustment", ruleset=ruleset.id)
        unit_id, unit = await tx.units.resolve_unit(unit_key)
        record = Record(unit, now.date(), adjustment.id, points, note=reason)
        return await _enter(tx, ruleset, unit_id, record, "adjustment", request, answer)


async def _enter(
    tx: Tx,
    ruleset: Ruleset,
    unit_id: int,
    record: Record,
    kind: str,
    request: Request,
    answer: Answer[Entered] | None,
) -> Entered:
    now = request.at
    scored = score(ruleset, record)
    batch = await tx.records.add_batch(kind, request.actor, now)
    (record_id,) = await tx.records.add_records(batch, [NewRecord(unit_id, record, scored)], now)
    await tx.records.add_event(record_id, kind, request.actor, record.note, now)
    entered = Entered(
        record_id, record.unit, ruleset.item(record.item_id).label, record.day, scored.points,
        record.note, scored.explanation,
    )  # fmt: skip
    await _tell(tx, unit_id, kind, entered, request)
    await owe_answer(tx, answer, entered, f"answer:{kind}:{record_id}", now)
    return entered


async def _tell(tx: Tx, unit_id: int, kind: str, entered: Entered, request: Request) -> None:
    made = EntryMade(
        unit_id, kind, entered.record_id, entered.unit, entered.item, entered.day,
        entered.points, entered.note,
    )  # fmt: skip
    await request.emit(tx, made)


async def endorse(
    store: Store,
    record_id: int,
    modifier_key: str,
    times: int,
    request: Request,
    answer: Answer[Entered] | None = None,
) -> Entered:
    """Add a leader's endorsement to a confirmed adoption: a new ledger line for the record."""
    now = request.at
    if not 1 <= times <= MAX_COUNT:
        raise DomainError("modifier_times_invalid", modifier=modifier_key)
    async with store.transaction() as tx:
        await claim(tx, request)
        stored = await tx.records.record(record_id)
        unit_id, record = stored.unit_id, stored.record
        # The method that scored the adoption scores its endorsement.
        ruleset = await tx.config.ruleset(record.day)
        if stored.status != "confirmed":
            raise DomainError("record_not_confirmed", record=record_id, status=stored.status)
        modifier = resolve_modifier(ruleset, modifier_key)
        item = ruleset.items_by_key.get(record.item_id)
        if item is None or item.id not in modifier.allowed_on:
            raise DomainError(
                "modifier_not_allowed",
                modifier=modifier.label,
                item=item.label if item else record.item_id,
            )
        if not any(e.rule_id == item.id for e in await tx.ledger.live_entries(record_id)):
            raise DomainError("record_reversed", record=record_id)
        combined = dict(record.modifiers)
        combined[modifier.id] = combined.get(modifier.id, 0) + times
        check_modifiers(ruleset, item, tuple(combined.items()))
        label = modifier.label if times == 1 else f"{modifier.label}×{times}"
        points = modifier.points_for(item.id) * times
        entry = Entry(
            modifier.id,
            modifier.column,
            points,
            0,
            0,
            texts.ENDORSEMENT_LINE.format(
                label=label, points=show_points(points), record=record_id
            ),
        )
        batch = await tx.records.add_batch("endorsement", request.actor, now)
        await tx.ledger.add_ledger(
            batch, unit_id, record_id, record.day, Scored((entry,), entry.explanation), now
        )
        full = score(ruleset, replace(record, modifiers=tuple(combined.items())))
        await tx.records.set_record_modifiers(record_id, combined.items(), full.explanation)
        await tx.records.add_event(record_id, "endorsed", request.actor, label, now)
        what = texts.ENDORSED_ITEM.format(label=label, record=record_id, title=record.title)
        entered = Entered(record_id, record.unit, what, record.day, points, "", entry.explanation)
        await _tell(tx, unit_id, "endorsement", entered, request)
        await owe_answer(tx, answer, entered, f"answer:endorsement:{record_id}", now)
    return entered


async def _drop_modifier(
    tx: Tx, ruleset: Ruleset, record_id: int, modifier_id: str, times: int
) -> None:
    """An endorsement reversed alone leaves the record: what it carries, and what one may still
    add to it (max_per_adoption), no longer count it."""
    record = (await tx.records.record(record_id)).record
    left = {m: n for m, n in record.modifiers if m != modifier_id}
    kept = dict(record.modifiers).get(modifier_id, 0) - times
    if kept > 0:
        left[modifier_id] = kept
    full = score(ruleset, replace(record, modifiers=tuple(left.items())))
    await tx.records.set_record_modifiers(record_id, left.items(), full.explanation)


@dataclass(frozen=True)
class Reversed:
    """The lines a reversal cancelled: the one asked for, and the endorsements it carried."""

    unit: str
    # The label of what the line asked for scored (an item or a modifier).
    item: str
    day: date
    reason: str
    # (line reversed, its reversing line's explanation), the one asked for first.
    lines: list[tuple[LedgerEntry, str]]

    @property
    def points(self) -> int:
        return -sum(entry.points for entry, _ in self.lines)


async def reverse(
    store: Store,
    entry_id: int,
    reason: str,
    request: Request,
    answer: Answer[Reversed] | None = None,
) -> Reversed:
    """Cancel a ledger line by a new line of the opposite sign; the original stays. Reversing
    an adoption's own line reverses the endorsements and other modifiers on it too: they
    belong to the adoption and would otherwise outlive it."""
    now = request.at
    reason = clean_note(reason)
    if not reason:
        raise DomainError("reason_missing")
    async with store.transaction() as tx:
        await claim(tx, request)
        entry = await tx.ledger.ledger_entry(entry_id)
        if entry is None:
            raise DomainError("entry_unknown", entry=entry_id)
        ruleset = await tx.config.ruleset(entry.day)
        if entry.reverses is not None:
            raise DomainError("entry_is_reversal", entry=entry_id)
        if await tx.ledger.reversal_of(entry_id) is not None:
            raise DomainError("entry_reversed", entry=entry_id)
        targets = [entry]
        if entry.record_id is not None:
            stored = await tx.records.record(entry.record_id)
            if entry.rule_id == stored.record.item_id:
                targets += [
                    e for e in await tx.ledger.live_entries(entry.record_id) if e.id != entry.id
                ]
        batch = await tx.records.add_batch("reversal", request.actor, now)
        lines = []
        for target in targets:
            text = texts.REVERSAL_LINE.format(
                entry=target.id, explanation=target.explanation, reason=reason
            )
            await tx.ledger.add_reversal(batch, target.id, text, now)
            lines.append((target, text))
        if entry.record_id is not None:
            modifier = ruleset.modifiers_by_key.get(entry.rule_id)
            if modifier is not None:
                # The modifier's value on this record's item: it may differ by item.
                value = modifier.points_for(stored.record.item_id)
                await _drop_modifier(tx, ruleset, entry.record_id, modifier.id,
                                     entry.points // value)  # fmt: skip
            await tx.records.add_event(entry.record_id, "reversed", request.actor, reason, now)
        rule = ruleset.items_by_key.get(entry.rule_id) or ruleset.modifiers_by_key.get(
            entry.rule_id
        )
        done = Reversed(
            entry.unit, rule.label if rule is not None else entry.rule_id, entry.day, reason, lines
        )
        told = EntryReversed(
            entry.unit_id, entry_id, done.unit, done.item, done.day, done.points, reason
        )
        await request.emit(tx, told)
        await owe_answer(tx, answer, done, f"answer:reversal:{entry_id}", now)
    return done
