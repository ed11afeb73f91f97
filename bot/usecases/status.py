"""What a liaison asks about their unit: quota, score, rank, records and the ledger behind them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.store import Liaison, Store
from bot.usecases.standings import standings
from scoring.periods import Period, month_of, quarter_of
from scoring.standings import GroupStandings, Row, Standings


@dataclass(frozen=True)
class UnitStatus:
    unit: str
    month: Period
    submissions: int
    quota: int | None
    days_left: int
    quarter: Period
    row: Row | None
    group_size: int
    # The unit ranked just above, and the points between them.
    above: Row | None


@dataclass(frozen=True)
class RecordLine:
    id: int
    day: date
    item_id: str
    title: str
    status: str
    explanation: str
    reason: str


@dataclass(frozen=True)
class LedgerLine:
    id: int
    day: date
    points: int
    explanation: str


def group_of(table: Standings, group: str) -> GroupStandings | None:
    return next((g for g in table.groups if g.group == group), None)


async def unit_status(store: Store, liaison: Liaison, now: datetime) -> UnitStatus:
    today = now.date()
    month = month_of(today)
    quarter = quarter_of(today)
    ruleset, table = await standings(store, quarter, [liaison.group])
    async with store.reading() as tx:
        counts = await tx.submission_counts(month)
    group = group_of(table, liaison.group)
    rows = group.rows if group else []
    index = next((i for i, r in enumerate(rows) if r.unit == liaison.unit), None)
    row = rows[index] if index is not None else None
    above = None
    if row is not None:
        above = next((r for r in reversed(rows[:index]) if r.total > row.total), None)
    quota = next((g.monthly_quota for g in ruleset.groups if g.id == liaison.group), None)
    return UnitStatus(
        liaison.unit, month, counts.get(liaison.unit_id, 0), quota, (month.end - today).days,
        quarter, row, len(rows), above,
    )  # fmt: skip


async def history(store: Store, unit_id: int, limit: int = 10) -> list[RecordLine]:
    async with store.reading() as tx:
        rows = await tx.all(
            "SELECT r.id, r.date, r.item_id, r.title, r.status, r.explanation, "
            "COALESCE((SELECT reason FROM record_events e WHERE e.record_id = r.id AND e.event = 'rejected' "
            "ORDER BY e.id DESC LIMIT 1), '') FROM records r WHERE r.unit_id = ? ORDER BY r.id DESC LIMIT ?",
            (unit_id, limit),
        )
    return [
        RecordLine(i, date.fromisoformat(d), item, title, status, expl, reason)
        for i, d, item, title, status, expl, reason in rows
    ]


async def ledger_lines(store: Store, unit_id: int, period: Period) -> list[LedgerLine]:
    async with store.reading() as tx:
        rows = await tx.all(
            "SELECT id, date, points, explanation FROM ledger WHERE date BETWEEN ? AND ? AND unit_id = ? ORDER BY date, id",
            (period.start.isoformat(), period.end.isoformat(), unit_id),
        )
    return [LedgerLine(i, date.fromisoformat(d), p, e) for i, d, p, e in rows]
