"""The append-only ledger: every total is a sum over its lines; a correction is a reversing line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.base import Row, TxBase
from bot.storage.chain import line_hash
from scoring.engine import Scored


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    unit_id: int
    unit: str
    day: date
    rule_id: str
    points: int
    record_id: int | None
    # The line this one reverses, if it is a reversal.
    reverses: int | None
    explanation: str


@dataclass(frozen=True)
class LedgerLine:
    id: int
    day: date
    points: int
    explanation: str


class LedgerStorage(TxBase):
    async def add_ledger(
        self,
        batch_id: int,
        unit_id: int,
        record_id: int | None,
        day: date,
        scored: Scored,
        now: datetime,
    ) -> list[int]:
        """Ledger lines for one record (on approval, an endorsement, a correction); their ids."""
        rows = ledger_rows(unit_id, record_id, day, scored, batch_id, now.isoformat())
        return await self.insert_ledger(rows)

    async def insert_ledger(self, rows: list[tuple[object, ...]]) -> list[int]:
        # Ids are handed out here, under the write lock, so a 100,000-row import is one
        # executemany rather than an INSERT and a lastrowid per line. In date order, so that the
        # period index and the monthly sums fill page by page.
        last = await self.one("SELECT id, hash FROM ledger ORDER BY id DESC LIMIT 1")
        first, previous = (last[0] + 1, last[1]) if last else (1, "")
        slots = dict(await self.all("SELECT name, slot FROM score_columns"))
        rows.sort(key=lambda row: (row[0], row[1]))  # type: ignore[arg-type, return-value]
        chained = []
        for i, row in enumerate(rows):
            line = (first + i, *row)
            previous = line_hash(previous, line)
            chained.append((*line, previous, slots[row[3]]))
        await self.db.executemany(
            "INSERT INTO ledger (id, date, unit_id, rule_id, column_name, points, adoptions, items, "
            "record_id, batch_id, explanation, created_at, reverses, hash, slot) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            chained,
        )
        return list(range(first, first + len(rows)))

    async def add_reversal(
        self, batch_id: int, entry_id: int, explanation: str, now: datetime
    ) -> int:
        """A line cancelling ledger line `entry_id`: same rule and column, opposite sign."""
        row = await self.one(
            "SELECT date, unit_id, rule_id, column_name, -points, -adoptions, -items, record_id "
            "FROM ledger WHERE id = ?",
            (entry_id,),
        )
        assert row is not None
        (new_id,) = await self.insert_ledger(
            [(*row, batch_id, explanation, now.isoformat(), entry_id)]
        )
        return new_id

    async def ledger_entry(self, entry_id: int) -> LedgerEntry | None:
        row = await self.one(
            "SELECT l.id, l.unit_id, u.name, l.date, l.rule_id, l.points, l.record_id, l.reverses, "
            "l.explanation FROM ledger l JOIN units u ON u.id = l.unit_id WHERE l.id = ?",
            (entry_id,),
        )
        return _entry(row) if row else None

    async def reversal_of(self, entry_id: int) -> int | None:
        """The id of the line that reverses `entry_id`, if one does."""
        row = await self.one("SELECT id FROM ledger WHERE reverses = ?", (entry_id,))
        return row[0] if row else None

    async def live_entries(self, record_id: int) -> list[LedgerEntry]:
        """A record's ledger lines that are neither reversals nor reversed, in order."""
        rows = await self.all(
            "SELECT l.id, l.unit_id, u.name, l.date, l.rule_id, l.points, l.record_id, l.reverses, "
            "l.explanation FROM ledger l JOIN units u ON u.id = l.unit_id "
            "WHERE l.record_id = ? AND l.reverses IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id) ORDER BY l.id",
            (record_id,),
        )
        return [_entry(row) for row in rows]

    async def ledger_lines(self, unit_id: int, start: date, end: date) -> list[LedgerLine]:
        """A unit's ledger lines between two days, in date order."""
        rows = await self.all(
            "SELECT id, date, points, explanation FROM ledger "
            "WHERE date BETWEEN ? AND ? AND unit_id = ? ORDER BY date, id",
            (start.isoformat(), end.isoformat(), unit_id),
        )
        return [LedgerLine(i, date.fromisoformat(d), p, e) for i, d, p, e in rows]


def _entry(row: Row) -> LedgerEntry:
    entry_id, unit_id, unit, day, rule_id, points, record_id, reverses, explanation = row
    return LedgerEntry(
        entry_id, unit_id, unit, date.fromisoformat(day), rule_id, points, record_id, reverses,
        explanation,
    )  # fmt: skip


def ledger_rows(
    unit_id: int, record_id: int | None, day: date, scored: Scored, batch_id: int, stamp: str
) -> list[tuple[object, ...]]:
    """Ledger columns after the id, date first (the insert sorts on it)."""
    return [
        (
            day.isoformat(),
            unit_id,
            e.rule_id,
            e.column,
            e.points,
            e.adoptions,
            e.items,
            record_id,
            batch_id,
            e.explanation,
            stamp,
            None,
        )
        for e in scored.entries
    ]
