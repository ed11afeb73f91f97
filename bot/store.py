"""SQLite storage: one long-lived aiosqlite connection, every action in one transaction.

`Store.transaction()` and `Store.reading()` hand out a `Tx`, the only way to query or write:
a use case does all of its work through one `Tx`, so it commits all of it or none.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import aiosqlite

from bot.migrate import migrate
from scoring.engine import Scored
from scoring.errors import DomainError
from scoring.periods import Period, split_period
from scoring.records import Record, title_key
from scoring.ruleset import Ruleset, parse_ruleset
from scoring.standings import UnitRef, UnitTotals, add_totals

# A large import from the command line holds the write lock for seconds (100,000 rows: about 7 s):
# the bot's writes wait for it rather than fail.
BUSY_TIMEOUT_MS = 30_000
CACHE_KIB = 64 * 1024


@dataclass(frozen=True)
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
class UnitRow:
    name: str
    group: str
    # None keeps the unit's aliases as they are; a list replaces them.
    aliases: tuple[str, ...] | None


@dataclass(frozen=True)
class Liaison:
    user_id: int
    unit_id: int
    unit: str
    group: str
    name: str
    username: str
    active: bool

    @property
    def display(self) -> str:
        handle = f"@{self.username}" if self.username else str(self.user_id)
        return f"{self.name}（{handle}）" if self.name else handle


@dataclass(frozen=True)
class Outgoing:
    """A message in the outbox, waiting for delivery."""

    id: int
    chat_id: int
    text: str
    parse_mode: str | None


class AlreadyProcessed(DomainError):
    """The Telegram update was acted on before (a redelivery): nothing more is done."""

    def __init__(self, update_id: int) -> None:
        super().__init__("update_replayed", update_id=update_id)


class Store:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        # One connection serves every coroutine: the lock keeps their transactions apart.
        self._lock = asyncio.Lock()
        self._ruleset: Ruleset | None = None
        # The roster changes rarely and every standings read needs all of it: kept in memory,
        # dropped by this process's writes to it and checked against other processes' commits.
        self._units: list[UnitRef] | None = None
        self._units_version: int | None = None

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        db = await aiosqlite.connect(str(path), isolation_level=None)
        try:
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA synchronous = NORMAL")
            await db.execute("PRAGMA foreign_keys = ON")
            await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # A large import updates several indexes at scattered places: the default 2 MB page
            # cache would make it re-read index pages from disk over and over.
            await db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            await migrate(db)
        except BaseException:
            await db.close()
            raise
        return cls(db)

    async def close(self) -> None:
        # SQLite's advice for long-lived connections: refresh planner statistics on the way out.
        await self._db.execute("PRAGMA optimize")
        await self._db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """A write transaction: everything done through the Tx commits together or not at all."""
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._db, self)
            except BaseException:
                await self._db.execute("ROLLBACK")
                # The caches may hold what the rolled-back transaction read or wrote.
                self._units = None
                self._ruleset = None
                raise
            await self._db.execute("COMMIT")

    @asynccontextmanager
    async def reading(self, *, snapshot: bool = False) -> AsyncIterator[Tx]:
        """Reads. With `snapshot`, several queries see one consistent state of the database,
        also against writers in other processes (an import from the command line)."""
        async with self._lock:
            if not snapshot:
                yield Tx(self._db, self)
                return
            await self._db.execute("BEGIN")
            try:
                yield Tx(self._db, self)
            finally:
                await self._db.execute("COMMIT")

    def units_changed(self) -> None:
        self._units = None


class Tx:
    """Queries and writes on the store's connection inside one transaction."""

    def __init__(self, db: aiosqlite.Connection, store: Store) -> None:
        self.db = db
        self._store = store

    # Each call into aiosqlite is a round trip to its thread; execute_fetchall makes a query one
    # trip instead of three (execute, fetch, close), which the chat benchmark showed to matter.
    async def one(self, sql: str, params: Sequence[object] = ()) -> tuple | None:  # type: ignore[type-arg]
        rows = await self.db.execute_fetchall(sql, params)
        return rows[0] if rows else None  # type: ignore[index]

    async def all(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:  # type: ignore[type-arg]
        return list(await self.db.execute_fetchall(sql, params))

    # --- the ruleset in force ---------------------------------------------------------------

    async def ruleset_text(self) -> str | None:
        row = await self.one("SELECT value FROM settings WHERE key = 'ruleset'")
        return row[0] if row else None

    async def ruleset(self) -> Ruleset:
        # A database never changes its ruleset (init refuses), so it is read and parsed once.
        if self._store._ruleset is None:
            text = await self.ruleset_text()
            if text is None:
                raise DomainError("not_initialized")
            self._store._ruleset = parse_ruleset(text)
        return self._store._ruleset

    async def set_ruleset(self, text: str) -> None:
        ruleset = parse_ruleset(text)
        await self.db.execute("INSERT INTO settings (key, value) VALUES ('ruleset', ?)", (text,))
        await self.db.executemany(
            "INSERT INTO score_columns (name, slot) VALUES (?, ?)",
            [(name, slot) for slot, name in enumerate(ruleset.bulletin.score_columns)],
        )

    # --- Telegram updates -------------------------------------------------------------------

    async def claim_update(self, update_id: int, now: datetime) -> None:
        """Record that this update is being acted on, in the action's own transaction."""
        try:
            await self.db.execute(
                "INSERT INTO processed_updates (update_id, at) VALUES (?, ?)",
                (update_id, now.isoformat()),
            )
        except sqlite3.IntegrityError:
            raise AlreadyProcessed(update_id) from None

    # --- units ------------------------------------------------------------------------------

    async def resolve_unit(self, key: str) -> tuple[int, str]:
        """(id, name) of the active unit with this name or alias."""
        found = (await self.unit_lookup()).get(key.strip())
        if found is None:
            raise DomainError("unit_unknown", unit=key.strip())
        return found

    # --- liaisons ---------------------------------------------------------------------------

    _LIAISON = (
        "SELECT l.user_id, l.unit_id, u.name, u.group_id, l.name, l.username, l.active "
        "FROM liaisons l JOIN units u ON u.id = l.unit_id"
    )

    async def liaison(self, user_id: int, *, active_only: bool = False) -> Liaison | None:
        row = await self.one(f"{self._LIAISON} WHERE l.user_id = ?", (user_id,))
        if row is None or (active_only and not row[6]):
            return None
        return Liaison(*row[:6], bool(row[6]))

    async def liaisons(self, unit_id: int | None = None) -> list[Liaison]:
        """Active liaisons, of one unit or all, by unit."""
        where, params = (
            ("WHERE l.active = 1 AND l.unit_id = ?", (unit_id,))
            if unit_id
            else ("WHERE l.active = 1", ())
        )
        rows = await self.all(f"{self._LIAISON} {where} ORDER BY u.id, l.joined_at", params)
        return [Liaison(*row[:6], bool(row[6])) for row in rows]

    async def liaison_chats(self, unit_ids: Iterable[int]) -> dict[int, list[int]]:
        """The chats of the active liaisons of these units, by unit."""
        wanted = set(unit_ids)
        chats: dict[int, list[int]] = {}
        for person in await self.liaisons():
            if person.unit_id in wanted:
                chats.setdefault(person.unit_id, []).append(person.user_id)
        return chats

    async def units(self) -> list[UnitRef]:
        # data_version changes when another connection (a command-line import) commits; this
        # connection's own writes drop the cache in upsert_units.
        version_row = await self.one("PRAGMA data_version")
        version = version_row[0] if version_row else None
        if self._store._units is None or self._store._units_version != version:
            rows = await self.all("SELECT id, name, group_id FROM units ORDER BY id")
            self._store._units = [UnitRef(*row) for row in rows]
            self._store._units_version = version
        return self._store._units

    async def unit_lookup(self) -> dict[str, tuple[int, str]]:
        """Every active unit's name and alias mapped to (unit id, name)."""
        # Aliases first, so that a unit's own name wins over any alias spelled the same.
        rows = await self.all(
            "SELECT a.alias, u.id, u.name FROM unit_aliases a JOIN units u ON u.id = a.unit_id "
            "WHERE u.active = 1 UNION ALL SELECT u.name, u.id, u.name FROM units u WHERE u.active = 1"
        )
        return {key: (unit_id, name) for key, unit_id, name in rows}

    async def unit_aliases(self) -> dict[int, list[str]]:
        result: dict[int, list[str]] = {}
        for unit_id, alias in await self.all(
            "SELECT unit_id, alias FROM unit_aliases ORDER BY alias"
        ):
            result.setdefault(unit_id, []).append(alias)
        return result

    async def upsert_units(self, rows: Iterable[UnitRow], now: datetime) -> tuple[int, int]:
        """Add new units and update the group and aliases of known ones; (added, updated)."""
        self._store.units_changed()
        known = {
            name: (unit_id, group)
            for unit_id, name, group in await self.all("SELECT id, name, group_id FROM units")
        }
        aliases = await self.unit_aliases()
        added = updated = 0
        for row in rows:
            if row.name in known:
                unit_id, group = known[row.name]
                changed = group != row.group
                if changed:
                    await self.db.execute(
                        "UPDATE units SET group_id = ? WHERE id = ?", (row.group, unit_id)
                    )
            else:
                cursor = await self.db.execute(
                    "INSERT INTO units (name, group_id, created_at) VALUES (?, ?, ?)",
                    (row.name, row.group, now.isoformat()),
                )
                unit_id, changed = cursor.lastrowid, True
                assert unit_id is not None
                added += 1
            if row.aliases is not None and sorted(row.aliases) != aliases.get(unit_id, []):
                await self.db.execute("DELETE FROM unit_aliases WHERE unit_id = ?", (unit_id,))
                await self.db.executemany(
                    "INSERT INTO unit_aliases (alias, unit_id) VALUES (?, ?)",
                    [(alias, unit_id) for alias in row.aliases],
                )
                changed = True
            if changed and row.name in known:
                updated += 1
        return added, updated

    # --- batches, records and the ledger ----------------------------------------------------

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
        cursor = await self.db.execute(
            "INSERT INTO batches (kind, actor, source, sha256, rows, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (kind, actor, source, sha256, rows, now.isoformat()),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def add_records(
        self, batch_id: int, new: Sequence[NewRecord], now: datetime
    ) -> list[int]:
        """Store records and, for confirmed ones, their ledger lines; return the record ids."""
        if not new:
            return []
        stamp = now.isoformat()
        # Record ids are handed out here too, under the write lock (see _insert_ledger).
        first_record = await self._next_id("records")
        record_rows = []
        ledger_rows: list[tuple[object, ...]] = []
        for offset, item in enumerate(new):
            record_id = first_record + offset
            r = item.record
            record_rows.append(
                (
                    record_id,
                    batch_id,
                    item.unit_id,
                    r.day.isoformat(),
                    r.item_id,
                    r.points,
                    encode_modifiers(r.modifiers),
                    r.title,
                    r.note,
                    item.status,
                    item.scored.explanation,
                    stamp,
                    item.claimed_by,
                    item.evidence,
                    title_key(r.title),
                )
            )
            if item.status == "confirmed":
                ledger_rows += _ledger_rows(
                    item.unit_id, record_id, r.day, item.scored, batch_id, stamp
                )
        await self.db.executemany(
            "INSERT INTO records (id, batch_id, unit_id, date, item_id, points, modifiers, title, "
            "note, status, explanation, created_at, claimed_by, evidence, title_key) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            record_rows,
        )
        await self._insert_ledger(ledger_rows)
        return [first_record + i for i in range(len(new))]

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
        rows = _ledger_rows(unit_id, record_id, day, scored, batch_id, now.isoformat())
        return await self._insert_ledger(rows)

    async def _insert_ledger(self, rows: list[tuple[object, ...]]) -> list[int]:
        # Ids are handed out here, under the write lock, so a 100,000-row import is one
        # executemany rather than an INSERT and a lastrowid per line. In date order, so that the
        # period index and the monthly sums fill page by page.
        first = await self._next_id("ledger")
        rows.sort(key=lambda row: (row[0], row[1]))
        await self.db.executemany(
            "INSERT INTO ledger (id, date, unit_id, rule_id, column_name, points, adoptions, items, "
            "record_id, batch_id, explanation, created_at, reverses) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(first + i, *row) for i, row in enumerate(rows)],
        )
        return list(range(first, first + len(rows)))

    async def add_reversal(
        self, batch_id: int, entry_id: int, explanation: str, now: datetime
    ) -> int:
        """A line cancelling ledger line `entry_id`: same rule and column, opposite sign."""
        row = await self.one(
            "SELECT date, unit_id, rule_id, column_name, -points, -adoptions, -items, record_id FROM ledger WHERE id = ?",
            (entry_id,),
        )
        assert row is not None
        (new_id,) = await self._insert_ledger(
            [(*row, batch_id, explanation, now.isoformat(), entry_id)]
        )
        return new_id

    async def record(self, record_id: int) -> tuple[int, str, Record]:
        """(unit id, status, record) of a stored record."""
        row = await self.one(
            "SELECT r.unit_id, u.name, r.date, r.item_id, r.points, r.modifiers, r.title, r.note, r.status "
            "FROM records r JOIN units u ON u.id = r.unit_id WHERE r.id = ?",
            (record_id,),
        )
        if row is None:
            raise DomainError("record_unknown", record=record_id)
        unit_id, unit, day, item_id, points, modifiers, title, note, status = row
        return (
            unit_id,
            status,
            Record(
                unit,
                date.fromisoformat(day),
                item_id,
                points,
                decode_modifiers(modifiers),
                title,
                note,
            ),
        )

    async def add_event(
        self, record_id: int, event: str, actor: str, reason: str, now: datetime
    ) -> None:
        await self.db.execute(
            "INSERT INTO record_events (record_id, event, actor, reason, at) VALUES (?, ?, ?, ?, ?)",
            (record_id, event, actor, reason, now.isoformat()),
        )

    async def _next_id(self, table: str) -> int:
        row = await self.one(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        assert row is not None
        return int(row[0])

    # --- standings --------------------------------------------------------------------------

    async def period_totals(self, period: Period, columns: Sequence[str]) -> dict[int, UnitTotals]:
        """Each unit's sums over the period: whole quarters and months from the sums kept for
        them, the remaining days from the ledger lines themselves."""
        parts = split_period(period)
        slots = [f"c{i}" for i in range(len(columns))]
        queries: list[tuple[str, Sequence[object]]] = []
        quarters = [q.label for q in parts.quarters]
        if len(quarters) == 1:
            # One quarter is one row per unit already: no grouping needed.
            queries.append(
                (
                    f"SELECT unit_id, entries, adoptions, items, {', '.join(slots)} FROM ledger_quarters WHERE quarter = ?",
                    quarters,
                )
            )
        elif quarters:
            marks = ", ".join("?" for _ in quarters)
            sums = ", ".join(f"SUM({c})" for c in slots)
            queries.append(
                (
                    f"SELECT unit_id, SUM(entries), SUM(adoptions), SUM(items), {sums} FROM ledger_quarters "
                    f"WHERE quarter IN ({marks}) GROUP BY unit_id",
                    quarters,
                )
            )
        for months in parts.months:
            sums = ", ".join(f"SUM({c})" for c in slots)
            queries.append(
                (
                    f"SELECT unit_id, SUM(entries), SUM(adoptions), SUM(items), {sums} FROM ledger_months "
                    "WHERE month BETWEEN ? AND ? GROUP BY unit_id",
                    months,
                )
            )
        pivot = ", ".join(
            "CAST(TOTAL(points) FILTER (WHERE column_name = ?) AS INTEGER)" for _ in columns
        )
        for start, end in parts.days:
            queries.append(
                (
                    f"SELECT unit_id, COUNT(*), SUM(adoptions), SUM(items), {pivot} FROM ledger "
                    "WHERE date BETWEEN ? AND ? GROUP BY unit_id",
                    [*columns, start.isoformat(), end.isoformat()],
                )
            )
        totals: dict[int, UnitTotals] = {}
        for sql, params in queries:
            rows = await self.all(sql, params)
            if not totals:
                totals = {row[0]: row for row in rows}
                continue
            for row in rows:
                earlier = totals.get(row[0])
                totals[row[0]] = row if earlier is None else add_totals(earlier, row)
        return totals

    async def item_counts(
        self, period: Period, groups: Sequence[str] | None = None
    ) -> dict[str, int]:
        """Scored adoption items per rule id over the period, for the given groups or all."""
        counts: dict[str, int] = {}
        if groups is None:
            parts = split_period(period)
            # Item counts are kept per month only: a quarter is its three months.
            months = [(q.start.strftime("%Y-%m"), q.end.strftime("%Y-%m")) for q in parts.quarters]
            for first, last in [*months, *parts.months]:
                for rule_id, n in await self.all(
                    "SELECT rule_id, SUM(items) FROM item_months WHERE month BETWEEN ? AND ? GROUP BY rule_id",
                    (first, last),
                ):
                    counts[rule_id] = counts.get(rule_id, 0) + n
            edges = parts.days
            group_filter, group_params = "", []
        else:
            edges = [(period.start, period.end)]
            marks = ", ".join("?" for _ in groups)
            group_filter = f"AND unit_id IN (SELECT id FROM units WHERE group_id IN ({marks}))"
            group_params = list(groups)
        for start, end in edges:
            for rule_id, n in await self.all(
                f"SELECT rule_id, SUM(items) FROM ledger WHERE items <> 0 AND date BETWEEN ? AND ? {group_filter} "
                "GROUP BY rule_id",
                [start.isoformat(), end.isoformat(), *group_params],
            ):
                counts[rule_id] = counts.get(rule_id, 0) + n
        return counts

    # --- quota ------------------------------------------------------------------------------

    async def submission_counts(self, period: Period) -> dict[int, int]:
        rows = await self.all(
            "SELECT unit_id, COUNT(*) FROM records WHERE item_id = 'submission' "
            "AND status = 'confirmed' AND date BETWEEN ? AND ? GROUP BY unit_id",
            (period.start.isoformat(), period.end.isoformat()),
        )
        return dict(rows)  # type: ignore[arg-type]

    async def settlements(self, month: Period) -> dict[int, str]:
        """Outcome per unit already settled for the month."""
        rows = await self.all(
            "SELECT unit_id, outcome FROM quota_settlements WHERE month = ?", (month.label,)
        )
        return dict(rows)  # type: ignore[arg-type]

    async def settled_months(self) -> list[str]:
        rows = await self.all("SELECT DISTINCT month FROM quota_settlements ORDER BY month")
        return [month for (month,) in rows]

    async def add_settlement(
        self,
        unit_id: int,
        month: Period,
        quota: int,
        submissions: int,
        outcome: str,
        record_id: int | None,
        batch_id: int,
    ) -> None:
        await self.db.execute(
            "INSERT INTO quota_settlements (unit_id, month, quota, submissions, outcome, record_id, batch_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (unit_id, month.label, quota, submissions, outcome, record_id, batch_id),
        )

    # --- settings kept in the database -----------------------------------------------------

    async def setting(self, key: str) -> str | None:
        row = await self.one("SELECT value FROM settings WHERE key = ?", (key,))
        return row[0] if row else None

    async def set_setting(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # --- scheduled jobs and the messages they owe -----------------------------------------

    async def job_runs(self) -> set[tuple[str, str]]:
        return {(job, period) for job, period in await self.all("SELECT job, period FROM job_runs")}

    async def recent_job_runs(self, limit: int) -> list[tuple[str, str, str, str, str]]:
        """(job, period, ran at, outcome, detail), latest first."""
        rows = await self.all(
            "SELECT job, period, ran_at, outcome, detail FROM job_runs "
            "ORDER BY ran_at DESC, due_at DESC LIMIT ?",
            (limit,),
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]

    async def add_job_run(
        self, job: str, period: str, due_at: datetime, now: datetime, outcome: str, detail: str = ""
    ) -> bool:
        """Record a run; False if it was recorded before (made by another pass)."""
        cursor = await self.db.execute(
            "INSERT INTO job_runs (job, period, due_at, ran_at, outcome, detail) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (job, period, due_at.isoformat(), now.isoformat(), outcome, detail),
        )
        return cursor.rowcount == 1

    async def enqueue(
        self,
        source: str,
        messages: Iterable[tuple[int, str]],
        now: datetime,
        parse_mode: str | None = None,
    ) -> int:
        """Messages (chat id, text) owed by `source`, delivered after the transaction commits."""
        rows = [(source, chat_id, text, parse_mode, now.isoformat()) for chat_id, text in messages]
        await self.db.executemany(
            "INSERT INTO outbox (source, chat_id, text, parse_mode, created_at) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        return len(rows)

    async def unsent(self, after: int, limit: int) -> list[Outgoing]:
        rows = await self.all(
            "SELECT id, chat_id, text, parse_mode FROM outbox "
            "WHERE sent_at IS NULL AND failure IS NULL AND id > ? ORDER BY id LIMIT ?",
            (after, limit),
        )
        return [Outgoing(*row) for row in rows]

    async def mark_sent(self, message_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE outbox SET sent_at = ? WHERE id = ?", (now.isoformat(), message_id)
        )

    async def mark_undeliverable(self, message_id: int, reason: str) -> None:
        await self.db.execute("UPDATE outbox SET failure = ? WHERE id = ?", (reason, message_id))

    async def deactivate_liaison(self, user_id: int, reason: str, now: datetime) -> Liaison | None:
        """Make an active liaison inactive, with the reason in liaison_events; None if not one."""
        liaison = await self.liaison(user_id, active_only=True)
        if liaison is None:
            return None
        await self.db.execute("UPDATE liaisons SET active = 0 WHERE user_id = ?", (user_id,))
        await self.db.execute(
            "INSERT INTO liaison_events (user_id, event, reason, at) VALUES (?, 'deactivated', ?, ?)",
            (user_id, reason, now.isoformat()),
        )
        return liaison


def decode_modifiers(text: str) -> tuple[tuple[str, int], ...]:
    result = []
    for part in filter(None, text.split(";")):
        name, _, times = part.partition("×")
        result.append((name, int(times) if times else 1))
    return tuple(result)


def encode_modifiers(modifiers: Iterable[tuple[str, int]]) -> str:
    return ";".join(f"{m}×{n}" if n != 1 else m for m, n in modifiers)


def _ledger_rows(
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
