"""Batches (who did what, when), records and their audit trail."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.storage.base import CACHE_KIB, Row
from bot.storage.ledger import ChainEnd, LedgerStorage, chain_lines, ledger_rows
from scoring.engine import Scored
from scoring.errors import DomainError
from scoring.periods import Period
from scoring.records import Record, title_key

# The writing connection's page cache while an import is staged and stored (see stage_records).
IMPORT_CACHE_KIB = 512 * 1024


@dataclass(frozen=True, slots=True)
class NewRecord:
    """A record to store with its scoring; pending records get their ledger lines on approval."""

    unit_id: int
    record: Record
    scored: Scored
    status: str = "confirmed"
    # The liaison who reported it, and what they sent as evidence (a file id or a link).
    claimed_by: int | None = None
    evidence: str = ""


@dataclass(frozen=True)
class StoredRecord:
    id: int
    unit_id: int
    status: str
    record: Record


# An import's ledger lines as stage_records returns them, in insert order: date, unit id, rule
# id, column, points, adoptions, items, the record's place in the import, explanation.
StagedLines = list[tuple[str, int, str, str, int, int, int, int, str]]

# What makes two records the same record (rules.md, "Rows already stored"): unit id, day,
# item, folded title, modifiers as stored, points.
Identity = tuple[int, str, str, str, str, int | None]


def identity(unit_id: int, record: Record) -> Identity:
    return (
        unit_id, record.day.isoformat(), record.item_id, title_key(record.title),
        encode_modifiers(sorted(record.modifiers)), record.points,
    )  # fmt: skip


@dataclass(frozen=True)
class StoredIdentity:
    id: int
    day: date
    identity: Identity


@dataclass(frozen=True)
class RecordLine:
    """A record as a liaison's history shows it."""

    id: int
    day: date
    item_id: str
    title: str
    status: str
    explanation: str
    # Why it was rejected, if it was.
    reason: str


@dataclass(frozen=True)
class PendingClaim:
    id: int
    unit: str
    record: Record
    claimant: str
    # What the liaison sent as evidence: a link or quoted text, or a file sent in chat.
    evidence: str = ""


class RecordStorage(LedgerStorage):
    async def file_batch(self, kind: str, sha256: str) -> tuple[int, str, str] | None:
        """(batch id, source, created_at) of an earlier import of the same file, if any."""
        row = await self.one(
            "SELECT id, source, created_at FROM batches WHERE kind = ? AND sha256 = ?",
            (kind, sha256),
        )
        return (row[0], row[1], row[2]) if row else None

    async def add_batch(
        self,
        kind: str,
        actor: str,
        now: datetime,
        *,
        source: str = "",
        sha256: str | None = None,
        rows: int = 0,
    ) -> int:
        return await self.insert(
            "INSERT INTO batches (kind, actor, source, sha256, rows, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (kind, actor, source, sha256, rows, now.isoformat()),
        )

    async def add_records(
        self, batch_id: int, new: Sequence[NewRecord], now: datetime
    ) -> list[int]:
        """Store records and, for confirmed ones, their ledger lines; return the record ids."""
        if not new:
            return []
        await self.refuse_locked(item.record.day for item in new)
        stamp = now.isoformat()
        # Record ids are handed out here too, under the write lock (see _insert_ledger).
        first_record = await self.next_id("records")
        record_rows = []
        ledger: list[tuple[object, ...]] = []
        for offset, item in enumerate(new):
            record_id = first_record + offset
            r = item.record
            record_rows.append(
                (
                    record_id, batch_id, item.unit_id, r.day.isoformat(), r.item_id, r.points,
                    encode_modifiers(r.modifiers), r.title, r.note, item.status,
                    item.scored.explanation, stamp, item.claimed_by, item.evidence,
                    title_key(r.title),
                )
            )  # fmt: skip
            if item.status == "confirmed":
                ledger += ledger_rows(item.unit_id, record_id, r.day, item.scored, batch_id, stamp)
        await self.db.executemany(
            "INSERT INTO records (id, batch_id, unit_id, date, item_id, points, modifiers, title, "
            "note, status, explanation, created_at, claimed_by, evidence, title_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            record_rows,
        )
        await self._insert_ledger(ledger)
        return [first_record + i for i in range(len(new))]

    # --- a large import: staged ahead of the write lock, moved in under it ------------------

    async def stage_records(self, new: Sequence[NewRecord]) -> StagedLines:
        """Write records to store to this connection's own temporary table (temp_store =
        MEMORY): it takes no lock on the database, so an import does this before its
        transaction; their ledger lines are returned, to be hashed as they are inserted.
        insert_staged then moves them in. Until discard_staged, the connection's page cache may
        grow to IMPORT_CACHE_KIB."""
        await self.discard_staged()
        # A million records dirty some 400 MB of table and index pages: a smaller cache spills
        # them to the WAL and writes them again and again while the write lock is held.
        if self.dialect == "sqlite":
            await self.db.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        await self.db.execute(
            "CREATE TEMP TABLE staged_records (o BIGINT PRIMARY KEY, unit_id BIGINT, date TEXT, "
            "item_id TEXT, points INTEGER, modifiers TEXT, title TEXT, note TEXT, status TEXT, "
            "explanation TEXT, claimed_by BIGINT, evidence TEXT, title_key TEXT)"
        )
        record_rows = []
        ledger: StagedLines = []
        for o, item in enumerate(new):
            r = item.record
            day = r.day.isoformat()
            record_rows.append(
                (
                    o, item.unit_id, day, r.item_id, r.points, encode_modifiers(r.modifiers),
                    r.title, r.note, item.status, item.scored.explanation, item.claimed_by,
                    item.evidence, title_key(r.title),
                )
            )  # fmt: skip
            if item.status == "confirmed":
                ledger += [
                    (day, item.unit_id, e.rule_id, e.column, e.points, e.adoptions, e.items, o,
                     e.explanation)
                    for e in item.scored.entries
                ]  # fmt: skip
        await self.db.executemany(
            "INSERT INTO temp.staged_records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            record_rows,
        )
        # In date order, as _insert_ledger writes them, so that the period index and the
        # monthly sums fill page by page.
        ledger.sort(key=lambda row: (row[0], row[1]))
        return ledger

    async def insert_staged(self, batch_id: int, now: datetime, ledger: StagedLines) -> None:
        """Store the records stage_records staged, in their order, and their ledger lines
        (what it returned), with ids from the next free ones: exactly what add_records would
        store."""
        days = await self.all("SELECT DISTINCT date FROM temp.staged_records")
        await self.refuse_locked(date.fromisoformat(day) for (day,) in days)
        first_record = await self.next_id("records")
        stamp = now.isoformat()
        end = await self._chain_end()
        # The records go in by one statement, run on the connection's thread without holding
        # Python's GIL: the ledger lines are completed and hashed on another thread meanwhile
        # (chain_lines: an INSERT ... SELECT could not chain them).
        _, chained = await asyncio.gather(
            self.db.execute(
                "INSERT INTO records (id, batch_id, unit_id, date, item_id, points, modifiers, "
                "title, note, status, explanation, created_at, claimed_by, evidence, title_key) "
                "SELECT ? + o, ?, unit_id, date, item_id, points, modifiers, title, note, status, "
                "explanation, ?, claimed_by, evidence, title_key FROM temp.staged_records "
                "ORDER BY o",
                (first_record, batch_id, stamp),
            ),
            asyncio.to_thread(_staged_chain, end, ledger, first_record, batch_id, stamp),
        )
        await self._insert_chained(chained)
        await self.db.execute("DROP TABLE temp.staged_records")

    async def discard_staged(self) -> None:
        await self.db.execute("DROP TABLE IF EXISTS temp.staged_records")
        if self.dialect == "sqlite":
            await self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")

    async def record(self, record_id: int) -> StoredRecord:
        row = await self.one(
            "SELECT r.unit_id, u.name, r.date, r.item_id, r.points, r.modifiers, r.title, r.note, "
            "r.status FROM records r JOIN units u ON u.id = r.unit_id WHERE r.id = ?",
            (record_id,),
        )
        if row is None:
            raise DomainError("record_unknown", record=record_id)
        unit_id, unit, day, item_id, points, modifiers, title, note, status = row
        record = Record(
            unit, date.fromisoformat(day), item_id, points, decode_modifiers(modifiers), title, note
        )
        return StoredRecord(record_id, unit_id, status, record)

    async def set_record_status(self, record_id: int, status: str) -> None:
        await self.write("UPDATE records SET status = ? WHERE id = ?", (status, record_id))

    async def set_record_modifiers(
        self, record_id: int, modifiers: Iterable[tuple[str, int]], explanation: str
    ) -> None:
        await self.write(
            "UPDATE records SET modifiers = ?, explanation = ? WHERE id = ?",
            (encode_modifiers(modifiers), explanation, record_id),
        )

    async def add_event(
        self, record_id: int, event: str, actor: str, reason: str, now: datetime
    ) -> None:
        await self.db.execute(
            "INSERT INTO record_events (record_id, event, actor, reason, at) VALUES (?, ?, ?, ?, ?)",
            (record_id, event, actor, reason, now.isoformat()),
        )

    async def same_claim(
        self, unit_id: int, item_id: str, day: date, title: str
    ) -> tuple[int, str, str] | None:
        """(id, status, date) of the unit's first claim, not rejected, of this item, day and title."""
        row = await self.one(
            "SELECT id, status, date FROM records WHERE unit_id = ? AND item_id = ? AND date = ? "
            "AND title_key = ? AND status <> 'rejected' ORDER BY id LIMIT 1",
            (unit_id, item_id, day.isoformat(), title_key(title)),
        )
        return (row[0], row[1], row[2]) if row else None

    async def same_submission(
        self, unit_id: int, month: Period, title: str
    ) -> tuple[int, str] | None:
        """(id, date) of the unit's first submission, not rejected, with this title in the month."""
        key = title_key(title)
        if not key:
            return None
        row = await self.one(
            "SELECT id, date FROM records WHERE item_id = 'submission' AND status <> 'rejected' "
            "AND title_key <> '' AND unit_id = ? AND title_key = ? AND date BETWEEN ? AND ? "
            "ORDER BY id LIMIT 1",
            (unit_id, key, month.start.isoformat(), month.end.isoformat()),
        )
        return (row[0], row[1]) if row else None

    async def stored_records(self, start: date, end: date) -> list[StoredIdentity]:
        """Every record, not rejected, dated between two days: what an import is compared with."""
        rows = await self.all(
            "SELECT id, unit_id, date, item_id, title_key, modifiers, points FROM records "
            "WHERE date BETWEEN ? AND ? AND status <> 'rejected' ORDER BY id",
            (start.isoformat(), end.isoformat()),
        )
        return [
            StoredIdentity(
                record_id,
                date.fromisoformat(day),
                (unit_id, day, item_id, key, _canonical(modifiers), points),
            )
            for record_id, unit_id, day, item_id, key, modifiers, points in rows
        ]

    async def pending_claims(self) -> list[PendingClaim]:
        """Every claim waiting for the office, oldest first."""
        rows = await self.all(
            "SELECT r.id, u.name, r.date, r.item_id, r.modifiers, r.title, COALESCE(l.name, ''), "
            "COALESCE(r.evidence, '') "
            "FROM records r JOIN units u ON u.id = r.unit_id "
            "LEFT JOIN liaisons l ON l.user_id = r.claimed_by "
            "WHERE r.status = 'pending' ORDER BY r.id"
        )
        return [
            PendingClaim(
                rid,
                unit,
                Record(unit, date.fromisoformat(day), item, None, decode_modifiers(mods), title),
                who,
                evidence,
            )
            for rid, unit, day, item, mods, title, who, evidence in rows
        ]

    async def history(self, unit_id: int, limit: int) -> list[RecordLine]:
        """A unit's latest records, newest first, with the reason of a rejection."""
        rows = await self.all(
            "SELECT r.id, r.date, r.item_id, r.title, r.status, r.explanation, "
            "COALESCE((SELECT reason FROM record_events e WHERE e.record_id = r.id "
            "AND e.event = 'rejected' ORDER BY e.id DESC LIMIT 1), '') "
            "FROM records r WHERE r.unit_id = ? ORDER BY r.id DESC LIMIT ?",
            (unit_id, limit),
        )
        return [
            RecordLine(i, date.fromisoformat(d), item, title, status, expl, reason)
            for i, d, item, title, status, expl, reason in rows
        ]

    async def records_between(self, start: date, end: date) -> list[Row]:
        """(id, date, unit, item id, title, status, modifiers, explanation, note) in date order."""
        return await self.all(
            "SELECT r.id, r.date, u.name, r.item_id, r.title, r.status, r.modifiers, "
            "r.explanation, r.note FROM records r JOIN units u ON u.id = r.unit_id "
            "WHERE r.date BETWEEN ? AND ? ORDER BY r.date, r.id",
            (start.isoformat(), end.isoformat()),
        )

    async def ledger_between(self, start: date, end: date) -> list[Row]:
        """(id, date, unit, rule id, column, points, explanation, reverses) in date order."""
        return await self.all(
            "SELECT l.id, l.date, u.name, l.rule_id, l.column_name, l.points, l.explanation, "
            "l.reverses FROM ledger l JOIN units u ON u.id = l.unit_id "
            "WHERE l.date BETWEEN ? AND ? ORDER BY l.date, l.id",
            (start.isoformat(), end.isoformat()),
        )


def _staged_chain(
    end: ChainEnd, ledger: StagedLines, first_record: int, batch_id: int, stamp: str
) -> list[tuple[object, ...]]:
    rows = [
        (day, unit_id, rule_id, column, points, adoptions, items, first_record + o, batch_id,
         explanation, stamp, None)
        for day, unit_id, rule_id, column, points, adoptions, items, o, explanation in ledger
    ]  # fmt: skip
    return chain_lines(end, rows)


def _canonical(modifiers: str) -> str:
    return encode_modifiers(sorted(decode_modifiers(modifiers))) if modifiers else ""


def decode_modifiers(text: str) -> tuple[tuple[str, int], ...]:
    result = []
    for part in filter(None, text.split(";")):
        name, _, times = part.partition("×")
        result.append((name, int(times) if times else 1))
    return tuple(result)


def encode_modifiers(modifiers: Iterable[tuple[str, int]]) -> str:
    if not modifiers:
        # Most records have none: twice for each of an import's records (its identity, its row).
        return ""
    return ";".join(f"{m}×{n}" if n != 1 else m for m, n in modifiers)
