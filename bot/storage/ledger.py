"""The append-only ledger: every total is a sum over its lines; a correction is a reversing line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.chain import HASHED_COLUMNS, hashed_line, key_id, keying_mac, line_mac
from bot.storage.connection import Row, rows_insert
from bot.storage.ledgerkey import KEYING_DUE
from bot.storage.periods import PeriodStorage
from bot.storage.query import Repository, TxBase
from bot.storage.sql import sql
from scoring.engine import Scored

# A ledger line's columns as chain_lines gives them.
LEDGER_COLUMNS = (*HASHED_COLUMNS, "hash", "slot")


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
    # The score column the line sums into.
    column: str = ""


@dataclass(frozen=True)
class LedgerLine:
    id: int
    day: date
    points: int
    explanation: str


@dataclass(frozen=True)
class FoundLine:
    """A ledger line as a search shows it: with its unit's name and who made it."""

    id: int
    day: date
    unit: str
    rule_id: str
    points: int
    record_id: int | None
    reverses: int | None
    explanation: str
    actor: str
    # The line reversing it, if any.
    reversed_by: int | None


_SEARCH = sql(
    "SELECT l.id, l.date, u.name, l.rule_id, l.points, l.record_id, l.reverses, l.explanation, "
    "b.actor, r.id FROM ledger l JOIN units u ON u.id = l.unit_id "
    "JOIN batches b ON b.id = l.batch_id LEFT JOIN ledger r ON r.reverses = l.id "
    "WHERE l.date BETWEEN :start AND :end "
    "AND (CAST(:unit_id AS INTEGER) = 0 OR l.unit_id = :unit_id) "
    "AND (CAST(:rule AS TEXT) = '' OR l.rule_id = :rule) "
    "AND (CAST(:actor AS TEXT) = '' OR b.actor = :actor OR b.actor = 'tg:' || :actor "
    "OR b.actor = 'cli:' || :actor OR b.actor = 'web:' || :actor) "
    "ORDER BY l.id DESC LIMIT :limit"
)
_LAST_LINE = sql("SELECT id, hash FROM ledger ORDER BY id DESC LIMIT 1")
_SLOTS = sql("SELECT name, slot FROM score_columns")
KEYING = sql("SELECT first_line, head, key_id, at, mac FROM ledger_keying")
_ADD_KEYING = sql(
    "INSERT INTO ledger_keying (one, first_line, head, key_id, at, mac) "
    "VALUES (1, :first_line, :head, :key_id, :at, :mac)"
)
_KEYED = sql("DELETE FROM settings WHERE key = :key")
_INSERT_LINES = rows_insert("ledger", LEDGER_COLUMNS)
_REVERSED = sql(
    "SELECT date, unit_id, rule_id, column_name, -points, -adoptions, -items, record_id "
    "FROM ledger WHERE id = :id"
)
_ENTRY = sql(
    "SELECT l.id, l.unit_id, u.name, l.date, l.rule_id, l.points, l.record_id, l.reverses, "
    "l.explanation, l.column_name FROM ledger l JOIN units u ON u.id = l.unit_id "
    "WHERE l.id = :id"
)
_REVERSAL_OF = sql("SELECT id FROM ledger WHERE reverses = :id")
_LIVE_ENTRIES = sql(
    "SELECT l.id, l.unit_id, u.name, l.date, l.rule_id, l.points, l.record_id, l.reverses, "
    "l.explanation, l.column_name FROM ledger l JOIN units u ON u.id = l.unit_id "
    "WHERE l.record_id = :record_id AND l.reverses IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id) ORDER BY l.id"
)
# `points < 0` is true of every penalty line (the ruleset refuses a penalty that is not
# negative) and lets the period index answer before any table row is read for rule_id.
_PENALTY_COUNTS = sql(
    sqlite="SELECT l.unit_id, l.rule_id, COUNT(*) FROM ledger l "
    "WHERE l.date BETWEEN :start AND :end AND l.points < 0 "
    "AND l.rule_id IN (SELECT value FROM json_each(:rule_ids)) AND l.reverses IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id) "
    "GROUP BY l.unit_id, l.rule_id",
    postgres="SELECT l.unit_id, l.rule_id, COUNT(*) FROM ledger l "
    "WHERE l.date BETWEEN :start AND :end AND l.points < 0 "
    "AND l.rule_id = ANY(:rule_ids::text[]) AND l.reverses IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = l.id) "
    "GROUP BY l.unit_id, l.rule_id",
    arrays=["rule_ids"],
)
_ANY_LINE = sql("SELECT 1 FROM ledger WHERE date BETWEEN :start AND :end LIMIT 1")
_LINES = sql(
    "SELECT id, date, points, explanation FROM ledger "
    "WHERE date BETWEEN :start AND :end AND unit_id = :unit_id ORDER BY date, id"
)


class LedgerStorage(Repository):
    """Every write here refuses a day inside a locked period: no path changes a locked number."""

    def __init__(self, tx: TxBase, periods: PeriodStorage) -> None:
        super().__init__(tx)
        self.periods = periods

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
        await self.periods.refuse_locked([day])
        rows = ledger_rows(unit_id, record_id, day, scored, batch_id, now.isoformat())
        return await self._insert_ledger(rows)

    async def _insert_ledger(self, rows: list[tuple[object, ...]]) -> list[int]:
        # In date order, so that the period index and the monthly sums fill page by page.
        rows.sort(key=lambda row: (row[0], row[1]))  # type: ignore[arg-type, return-value]
        end = await self._chain_end()
        await self._insert_chained(chain_lines(end, rows))
        return list(range(end.next_id, end.next_id + len(rows)))

    async def _chain_end(self) -> ChainEnd:
        """What the next ledger lines are chained to, read under the write lock; refused
        without the ledger key (read when the store opened: no round trip here)."""
        key = self.store.writing_key()
        last = await self.one(_LAST_LINE)
        slots: dict[str, int] = dict(await self.all(_SLOTS))
        return ChainEnd(last[0] + 1 if last else 1, last[1] if last else "", slots, key)

    async def ledger_head(self) -> Anchor:
        """The last ledger line and its chain hash (line 0 and "" while there is none)."""
        last = await self.one(_LAST_LINE)
        return Anchor(last[0], last[1]) if last else Anchor(0, "")

    async def ledger_keying(self) -> Keying | None:
        row = await self.one(KEYING)
        return Keying(*row) if row else None

    async def key_ledger(self, key: bytes, now: datetime) -> Keying:
        """Key the ledger's chain from its next line on; recorded once (a trigger refuses a
        change), with a MAC over the point and the head of the unkeyed chain before it."""
        head = await self.ledger_head()
        at = now.isoformat(timespec="seconds")
        first = head.line + 1
        keying = Keying(first, head.hash, key_id(key), at, keying_mac(key, first, head.hash, at))
        await self.write(
            _ADD_KEYING,
            {"first_line": keying.first_line, "head": keying.head, "key_id": keying.key_id,
             "at": keying.at, "mac": keying.mac},
        )  # fmt: skip
        await self.write(_KEYED, {"key": KEYING_DUE})
        return keying

    async def _insert_chained(self, chained: list[tuple[object, ...]]) -> None:
        # Ids are handed out by chain_lines, under the write lock, so a 100,000-row import is one
        # executemany rather than an INSERT and a lastrowid per line; on PostgreSQL one COPY, for
        # its triggers on the ledger work per statement.
        await self.db.insert_rows(_INSERT_LINES, chained)

    async def add_reversal(
        self, batch_id: int, entry_id: int, explanation: str, now: datetime
    ) -> int:
        """A line cancelling ledger line `entry_id`: same rule and column, opposite sign."""
        row = await self.one(_REVERSED, {"id": entry_id})
        assert row is not None
        await self.periods.refuse_locked([date.fromisoformat(row[0])])
        (new_id,) = await self._insert_ledger(
            [(*row, batch_id, explanation, now.isoformat(), entry_id)]
        )
        return new_id

    async def ledger_entry(self, entry_id: int) -> LedgerEntry | None:
        row = await self.one(_ENTRY, {"id": entry_id})
        return _entry(row) if row else None

    async def reversal_of(self, entry_id: int) -> int | None:
        """The id of the line that reverses `entry_id`, if one does."""
        row = await self.one(_REVERSAL_OF, {"id": entry_id})
        return row[0] if row else None

    async def live_entries(self, record_id: int) -> list[LedgerEntry]:
        """A record's ledger lines that are neither reversals nor reversed, in order."""
        rows = await self.all(_LIVE_ENTRIES, {"record_id": record_id})
        return [_entry(row) for row in rows]

    async def penalty_counts(
        self, start: date, end: date, rule_ids: Sequence[str]
    ) -> dict[int, dict[str, int]]:
        """Per unit id, how many ledger lines of these penalty items fall between two days and
        were not reversed. A reversal is itself a line of the same item, pointing back with
        `reverses`: neither counts."""
        if not rule_ids:
            return {}
        rows = await self.all(
            _PENALTY_COUNTS,
            {"start": start.isoformat(), "end": end.isoformat(), "rule_ids": list(rule_ids)},
        )
        counts: dict[int, dict[str, int]] = {}
        for unit_id, rule_id, n in rows:
            counts.setdefault(unit_id, {})[rule_id] = n
        return counts

    async def has_ledger_entries(self, start: date, end: date) -> bool:
        row = await self.one(_ANY_LINE, {"start": start.isoformat(), "end": end.isoformat()})
        return row is not None

    async def search_lines(
        self, start: date, end: date, unit_id: int, rule_id: str, actor: str, limit: int
    ) -> list[FoundLine]:
        """The latest `limit` lines between two days, of one unit, rule and actor where given
        (0 or ""), with who made each (an actor written with or without its `tg:`, `cli:`,
        `web:`)."""
        rows = await self.all(
            _SEARCH,
            {
                "start": start.isoformat(), "end": end.isoformat(), "unit_id": unit_id,
                "rule": rule_id, "actor": actor, "limit": limit,
            },
        )  # fmt: skip
        return [
            FoundLine(i, date.fromisoformat(d), u, r, p, rec, rev, e, a, by)
            for i, d, u, r, p, rec, rev, e, a, by in rows
        ]

    async def ledger_lines(self, unit_id: int, start: date, end: date) -> list[LedgerLine]:
        """A unit's ledger lines between two days, in date order."""
        rows = await self.all(
            _LINES,
            {"start": start.isoformat(), "end": end.isoformat(), "unit_id": unit_id},
        )
        return [LedgerLine(i, date.fromisoformat(d), p, e) for i, d, p, e in rows]


def _entry(row: Row) -> LedgerEntry:
    entry_id, unit_id, unit, day, rule_id, points, record_id, reverses, explanation, column = row
    return LedgerEntry(
        entry_id, unit_id, unit, date.fromisoformat(day), rule_id, points, record_id, reverses,
        explanation, column,
    )  # fmt: skip


@dataclass(frozen=True)
class ChainEnd:
    """The id and hash the next ledger line follows on, each score column's slot, and the key
    that chains the lines."""

    next_id: int
    previous: str
    slots: dict[str, int]
    key: bytes


@dataclass(frozen=True)
class Anchor:
    """A ledger line and its chain hash, kept outside the database (a published bulletin, the
    admins' chat): `verify --anchor` proves that no line up to it changed since."""

    line: int
    hash: str

    def __str__(self) -> str:
        return f"{self.line}:{self.hash}"


@dataclass(frozen=True)
class Keying:
    """From which line on the ledger is chained under the key (bot.storage.chain)."""

    first_line: int
    # The chain hash of the line before it ("" for the first line).
    head: str
    key_id: str
    at: str
    mac: str


def chain_lines(end: ChainEnd, rows: Sequence[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Ledger lines as inserted: rows (ledger_rows' columns, in insert order) with their ids
    from end.next_id, each line's keyed chain hash and its column's slot."""
    previous = end.previous
    chained = []
    for i, row in enumerate(rows):
        line = (end.next_id + i, *row)
        previous = line_mac(end.key, previous, hashed_line(line))
        chained.append((*line, previous, end.slots[row[3]]))  # type: ignore[index]
    return chained


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
