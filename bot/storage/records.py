"""Batches (who did what, when), records and their audit trail."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.storage.address import Address
from bot.storage.connection import Row, declare_cache_size, rows_insert
from bot.storage.ledger import ChainEnd, LedgerStorage, chain_lines, ledger_rows
from bot.storage.periods import PeriodStorage
from bot.storage.query import CACHE_KIB, Repository, TxBase
from bot.storage.sql import sql
from scoring.engine import Scored
from scoring.errors import DomainError
from scoring.periods import Period
from scoring.records import Record, title_key

# The writing connection's page cache while an import is staged and stored (see stage_records).
IMPORT_CACHE_KIB = 512 * 1024
# The columns of the temporary table an import stages its records in (stage_records).
STAGED_COLUMNS = (
    "o", "unit_id", "date", "item_id", "points", "modifiers", "title", "note", "status",
    "explanation", "claimed_channel", "claimed_by", "evidence", "title_key",
)  # fmt: skip
# Ledger lines an import hashes and inserts at a time (see insert_staged).
CHAIN_CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class NewRecord:
    """A record to store with its scoring; pending records get their ledger lines on approval."""

    unit_id: int
    record: Record
    scored: Scored
    status: str = "confirmed"
    # The liaison who reported it, and what they sent as evidence (a file id or a link).
    claimed_by: Address | None = None
    evidence: str = ""


def _claimant(who: Address | None) -> tuple[str | None, str | None]:
    """The claimed_channel and claimed_by columns of a record reported by `who`."""
    return (who.channel, who.address) if who else (None, None)


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


_FILE_BATCH = sql(
    "SELECT id, source, created_at FROM batches WHERE kind = :kind AND sha256 = :sha256"
)
_ADD_BATCH = sql(
    "INSERT INTO batches (kind, actor, source, sha256, rows, created_at) "
    "VALUES (:kind, :actor, :source, :sha256, :rows, :created_at) RETURNING id"
)
# Rows given in this order (Tx.many).
_ADD_RECORD = sql(
    "INSERT INTO records (id, batch_id, unit_id, date, item_id, points, modifiers, title, "
    "note, status, explanation, created_at, claimed_channel, claimed_by, evidence, title_key) "
    "VALUES (:id, :batch_id, :unit_id, :date, :item_id, :points, :modifiers, :title, :note, "
    ":status, :explanation, :created_at, :claimed_channel, :claimed_by, :evidence, :title_key)"
)
_CREATE_STAGED = sql(
    "CREATE TEMP TABLE staged_records (o BIGINT PRIMARY KEY, unit_id BIGINT, date TEXT, "
    "item_id TEXT, points INTEGER, modifiers TEXT, title TEXT, note TEXT, status TEXT, "
    "explanation TEXT, claimed_channel TEXT, claimed_by TEXT, evidence TEXT, title_key TEXT)"
)
# Unqualified: the temporary table comes first on both stores' search paths (COPY takes a name).
_STAGE_RECORDS = rows_insert("staged_records", STAGED_COLUMNS)
# See _bulk_foreign_keys; SQLite plans nothing per row and has nothing to set.
_BULK_FOREIGN_KEYS = sql(sqlite="SELECT 1", postgres="SET LOCAL plan_cache_mode = auto")
_STAGED_DAYS = sql("SELECT DISTINCT date FROM {temp}.staged_records")
_INSERT_STAGED = sql(
    "INSERT INTO records (id, batch_id, unit_id, date, item_id, points, modifiers, "
    "title, note, status, explanation, created_at, claimed_channel, claimed_by, evidence, "
    "title_key) "
    "SELECT :first_record + o, :batch_id, unit_id, date, item_id, points, modifiers, title, "
    "note, status, explanation, :created_at, claimed_channel, claimed_by, evidence, title_key "
    "FROM {temp}.staged_records ORDER BY o"
)
_DROP_STAGED = sql("DROP TABLE {temp}.staged_records")
_DISCARD_STAGED = sql("DROP TABLE IF EXISTS {temp}.staged_records")
_RECORD = sql(
    "SELECT r.unit_id, u.name, r.date, r.item_id, r.points, r.modifiers, r.title, r.note, "
    "r.status FROM records r JOIN units u ON u.id = r.unit_id WHERE r.id = :id"
)
_SET_STATUS = sql("UPDATE records SET status = :status WHERE id = :id")
_SET_MODIFIERS = sql(
    "UPDATE records SET modifiers = :modifiers, explanation = :explanation WHERE id = :id"
)
_ADD_EVENT = sql(
    "INSERT INTO record_events (record_id, event, actor, reason, at) "
    "VALUES (:record_id, :event, :actor, :reason, :at)"
)
_SAME_CLAIM = sql(
    "SELECT id, status, date FROM records WHERE unit_id = :unit_id AND item_id = :item_id "
    "AND date = :date AND title_key = :title_key AND status <> 'rejected' ORDER BY id LIMIT 1"
)
_SAME_SUBMISSION = sql(
    "SELECT id, date FROM records WHERE item_id = 'submission' AND status <> 'rejected' "
    "AND title_key <> '' AND unit_id = :unit_id AND title_key = :title_key "
    "AND date BETWEEN :start AND :end ORDER BY id LIMIT 1"
)
_STORED_RECORDS = sql(
    "SELECT id, unit_id, date, item_id, title_key, modifiers, points FROM records "
    "WHERE date BETWEEN :start AND :end AND status <> 'rejected' ORDER BY id"
)
_PENDING_CLAIMS = sql(
    "SELECT r.id, u.name, r.date, r.item_id, r.modifiers, r.title, COALESCE(l.name, ''), "
    "COALESCE(r.evidence, '') "
    "FROM records r JOIN units u ON u.id = r.unit_id "
    "LEFT JOIN liaisons l ON l.channel = r.claimed_channel AND l.address = r.claimed_by "
    "WHERE r.status = 'pending' ORDER BY r.id"
)
_HISTORY = sql(
    "SELECT r.id, r.date, r.item_id, r.title, r.status, r.explanation, "
    "COALESCE((SELECT reason FROM record_events e WHERE e.record_id = r.id "
    "AND e.event = 'rejected' ORDER BY e.id DESC LIMIT 1), '') "
    "FROM records r WHERE r.unit_id = :unit_id ORDER BY r.id DESC LIMIT :limit"
)
_RECORDS_BETWEEN = sql(
    "SELECT r.id, r.date, u.name, r.item_id, r.title, r.status, r.modifiers, "
    "r.explanation, r.note FROM records r JOIN units u ON u.id = r.unit_id "
    "WHERE r.date BETWEEN :start AND :end ORDER BY r.date, r.id"
)
_LEDGER_BETWEEN = sql(
    "SELECT l.id, l.date, u.name, l.rule_id, l.column_name, l.points, l.explanation, "
    "l.reverses FROM ledger l JOIN units u ON u.id = l.unit_id "
    "WHERE l.date BETWEEN :start AND :end ORDER BY l.date, l.id"
)
declare_cache_size(IMPORT_CACHE_KIB)


class RecordStorage(Repository):
    def __init__(self, tx: TxBase, ledger: LedgerStorage, periods: PeriodStorage) -> None:
        super().__init__(tx)
        self.ledger = ledger
        self.periods = periods

    async def file_batch(self, kind: str, sha256: str) -> tuple[int, str, str] | None:
        """(batch id, source, created_at) of an earlier import of the same file, if any."""
        row = await self.one(_FILE_BATCH, {"kind": kind, "sha256": sha256})
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
            _ADD_BATCH,
            {"kind": kind, "actor": actor, "source": source, "sha256": sha256, "rows": rows,
             "created_at": now.isoformat()},
        )  # fmt: skip

    async def add_records(
        self, batch_id: int, new: Sequence[NewRecord], now: datetime
    ) -> list[int]:
        """Store records and, for confirmed ones, their ledger lines; return the record ids."""
        if not new:
            return []
        await self.periods.refuse_locked(item.record.day for item in new)
        if len(new) > 1:
            # An import's records (a report stores one: its few checks need no change).
            await self._bulk_foreign_keys()
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
                    item.scored.explanation, stamp, *_claimant(item.claimed_by), item.evidence,
                    title_key(r.title),
                )
            )  # fmt: skip
            if item.status == "confirmed":
                ledger += ledger_rows(item.unit_id, record_id, r.day, item.scored, batch_id, stamp)
        await self.many(_ADD_RECORD, record_rows)
        await self.ledger._insert_ledger(ledger)
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
        await self.db.page_cache(IMPORT_CACHE_KIB)
        await self.write(_CREATE_STAGED)
        record_rows = []
        ledger: StagedLines = []
        for o, item in enumerate(new):
            r = item.record
            day = r.day.isoformat()
            record_rows.append(
                (
                    o, item.unit_id, day, r.item_id, r.points, encode_modifiers(r.modifiers),
                    r.title, r.note, item.status, item.scored.explanation, *_claimant(item.claimed_by),
                    item.evidence, title_key(r.title),
                )
            )  # fmt: skip
            if item.status == "confirmed":
                ledger += [
                    (day, item.unit_id, e.rule_id, e.column, e.points, e.adoptions, e.items, o,
                     e.explanation)
                    for e in item.scored.entries
                ]  # fmt: skip
        # The store's fastest bulk write (PostgreSQL's COPY: 100,000 rows cost the server 3 s of
        # CPU by a statement per row, bench/import_phases.py).
        await self.db.insert_rows(_STAGE_RECORDS, record_rows)
        # In date order, as _insert_ledger writes them, so that the period index and the
        # monthly sums fill page by page.
        ledger.sort(key=lambda row: (row[0], row[1]))
        return ledger

    async def insert_staged(
        self, batch_id: int, now: datetime, ledger: StagedLines, *, chunk: int = CHAIN_CHUNK
    ) -> None:
        """Store the records stage_records staged, in their order, and their ledger lines
        (what it returned), with ids from the next free ones: exactly what add_records would
        store. `chunk`: the lines hashed and inserted at a time (the tests cross the chunks'
        seams with a few hundred lines instead of tens of thousands)."""
        days = await self.all(_STAGED_DAYS)
        await self.periods.refuse_locked(date.fromisoformat(day) for (day,) in days)
        await self._bulk_foreign_keys()
        first_record = await self.next_id("records")
        stamp = now.isoformat()
        end = await self.ledger._chain_end()
        # The ledger lines are completed and hashed on another thread (chain_lines: an
        # INSERT ... SELECT could not chain them), a chunk ahead of the statements that store
        # them, which run without holding Python's GIL (SQLite on the connection's thread,
        # PostgreSQL on the server): first the records' one INSERT ... SELECT, then the lines
        # chunk by chunk. Hashing them all first and then inserting them left one core idle
        # for the whole of either.
        chunks = [ledger[i : i + CHAIN_CHUNK] for i in range(0, len(ledger), CHAIN_CHUNK)] or [[]]

        def hash_chunk(end: ChainEnd, n: int) -> asyncio.Future[list[tuple[object, ...]]]:
            return asyncio.ensure_future(
                asyncio.to_thread(_staged_chain, end, chunks[n], first_record, batch_id, stamp)
            )

        hashing = hash_chunk(end, 0)
        try:
            await self.write(
                _INSERT_STAGED,
                {"first_record": first_record, "batch_id": batch_id, "created_at": stamp},
            )
            for n in range(len(chunks)):
                chained = await hashing
                if n + 1 < len(chunks):
                    # The next chunk follows on this one's last line (its hash before its slot).
                    end = replace(
                        end, next_id=end.next_id + len(chained), previous=str(chained[-1][-2])
                    )
                    hashing = hash_chunk(end, n + 1)
                await self.ledger._insert_chained(chained)
        finally:
            hashing.cancel()
        await self.write(_DROP_STAGED)

    async def _bulk_foreign_keys(self) -> None:
        """PostgreSQL checks each new row's foreign keys by a query of its own, prepared once;
        under the store's plan_cache_mode = force_custom_plan (bot.storage.postgres) it is
        planned again for every row. For a bulk insert (some 800,000 checks for 100,000
        records: the records', their ledger lines' and the kept sums') that tripled the checks'
        cost: 100,000 rows checked against a table of 10,000 took 16 s instead of 5 s on a
        loaded machine. A key's lookup needs no plan of its own: for this transaction,
        PostgreSQL's default."""
        await self.write(_BULK_FOREIGN_KEYS)

    async def discard_staged(self) -> None:
        await self.write(_DISCARD_STAGED)
        await self.db.page_cache(CACHE_KIB)

    async def record(self, record_id: int) -> StoredRecord:
        row = await self.one(_RECORD, {"id": record_id})
        if row is None:
            raise DomainError("record_unknown", record=record_id)
        unit_id, unit, day, item_id, points, modifiers, title, note, status = row
        record = Record(
            unit, date.fromisoformat(day), item_id, points, decode_modifiers(modifiers), title, note
        )
        return StoredRecord(record_id, unit_id, status, record)

    async def set_record_status(self, record_id: int, status: str) -> None:
        await self.write(_SET_STATUS, {"status": status, "id": record_id})

    async def set_record_modifiers(
        self, record_id: int, modifiers: Iterable[tuple[str, int]], explanation: str
    ) -> None:
        await self.write(
            _SET_MODIFIERS,
            {"modifiers": encode_modifiers(modifiers), "explanation": explanation, "id": record_id},
        )

    async def add_event(
        self, record_id: int, event: str, actor: str, reason: str, now: datetime
    ) -> None:
        await self.write(
            _ADD_EVENT,
            {"record_id": record_id, "event": event, "actor": actor, "reason": reason,
             "at": now.isoformat()},
        )  # fmt: skip

    async def same_claim(
        self, unit_id: int, item_id: str, day: date, title: str
    ) -> tuple[int, str, str] | None:
        """(id, status, date) of the unit's first claim, not rejected, of this item, day and title."""
        row = await self.one(
            _SAME_CLAIM,
            {"unit_id": unit_id, "item_id": item_id, "date": day.isoformat(),
             "title_key": title_key(title)},
        )  # fmt: skip
        return (row[0], row[1], row[2]) if row else None

    async def same_submission(
        self, unit_id: int, month: Period, title: str
    ) -> tuple[int, str] | None:
        """(id, date) of the unit's first submission, not rejected, with this title in the month."""
        key = title_key(title)
        if not key:
            return None
        row = await self.one(
            _SAME_SUBMISSION,
            {"unit_id": unit_id, "title_key": key, "start": month.start.isoformat(),
             "end": month.end.isoformat()},
        )  # fmt: skip
        return (row[0], row[1]) if row else None

    async def stored_records(self, start: date, end: date) -> list[StoredIdentity]:
        """Every record, not rejected, dated between two days: what an import is compared with."""
        rows = await self.all(_STORED_RECORDS, {"start": start.isoformat(), "end": end.isoformat()})
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
        rows = await self.all(_PENDING_CLAIMS)
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
        rows = await self.all(_HISTORY, {"unit_id": unit_id, "limit": limit})
        return [
            RecordLine(i, date.fromisoformat(d), item, title, status, expl, reason)
            for i, d, item, title, status, expl, reason in rows
        ]

    async def records_between(self, start: date, end: date) -> list[Row]:
        """(id, date, unit, item id, title, status, modifiers, explanation, note) in date order."""
        return await self.all(
            _RECORDS_BETWEEN, {"start": start.isoformat(), "end": end.isoformat()}
        )

    async def ledger_between(self, start: date, end: date) -> list[Row]:
        """(id, date, unit, rule id, column, points, explanation, reverses) in date order."""
        return await self.all(_LEDGER_BETWEEN, {"start": start.isoformat(), "end": end.isoformat()})


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
