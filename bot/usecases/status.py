"""What a liaison asks about their unit: quota, score, rank, records and the ledger behind them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage import LedgerLine, Liaison, RecordLine, Store
from bot.usecases.standings import standings
from scoring.periods import Period, month_of, quarter_of
from scoring.standings import GroupStandings, Row, Standings, leads, unit_above


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
    # First in the group with some unit behind (a group all at 0 has no first).
    first: bool


def group_of(table: Standings, group: str) -> GroupStandings | None:
    return next((g for g in table.groups if g.group == group), None)


async def unit_status(store: Store, liaison: Liaison, now: datetime) -> UnitStatus:
    today = now.date()
    month = month_of(today)
    quarter = quarter_of(today)
    ruleset, table = await standings(store, quarter, [liaison.group])
    async with store.reading() as tx:
        counts = await tx.quota.submission_counts(month)
    group = group_of(table, liaison.group)
    rows = group.rows if group else []
    shown_as = table.name_of(liaison.unit_id, liaison.unit)
    index = next((i for i, r in enumerate(rows) if r.unit == shown_as), None)
    row = rows[index] if index is not None else None
    above = None
    first = False
    if index is not None:
        above = unit_above(rows, index)
        first = leads(rows, index)
    quota = next((g.monthly_quota for g in ruleset.groups if g.id == liaison.group), None)
    return UnitStatus(
        liaison.unit, month, counts.get(liaison.unit_id, 0), quota, (month.end - today).days,
        quarter, row, len(rows), above, first,
    )  # fmt: skip


async def history(store: Store, unit_id: int, limit: int = 10) -> list[RecordLine]:
    async with store.reading() as tx:
        return await tx.records.history(unit_id, limit)


async def ledger_lines(store: Store, unit_id: int, period: Period) -> list[LedgerLine]:
    async with store.reading() as tx:
        return await tx.ledger.ledger_lines(unit_id, period.start, period.end)
