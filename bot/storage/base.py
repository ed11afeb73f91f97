"""The connection and its transactions: one long-lived aiosqlite connection, every action in one
transaction, every query through a `Tx`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.migrate import migrate
from bot.storage.chain import line_hash
from scoring.ruleset import Ruleset
from scoring.standings import UnitRef

if TYPE_CHECKING:
    from bot.storage.tx import Tx

# A large import from the command line holds the write lock for seconds (100,000 rows: about 7 s):
# the bot's writes wait for it rather than fail.
BUSY_TIMEOUT_MS = 30_000
CACHE_KIB = 64 * 1024

Row = tuple[Any, ...]


class Store:
    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        # One connection serves every coroutine: the lock keeps their transactions apart.
        self._lock = asyncio.Lock()
        self.ruleset_cache: Ruleset | None = None
        # The roster changes rarely and every standings read needs all of it: kept in memory,
        # dropped by this process's writes to it and checked against other processes' commits.
        self.units_cache: list[UnitRef] | None = None
        self.units_version: int | None = None
        # Updates whose actions committed here (Tx.claim_update), until the intake has seen them
        # handled: it need not write anything more for them.
        self.claimed: set[int] = set()

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
            # The migration that chains the ledger hashes the lines already there with it.
            await db.create_function("ledger_line_hash", 14, _line_hash_sql, deterministic=True)
            await migrate(db)
        except BaseException:
            await db.close()
            raise
        return cls(db, Path(path))

    async def close(self) -> None:
        # SQLite's advice for long-lived connections: refresh planner statistics on the way out.
        await self._db.execute("PRAGMA optimize")
        await self._db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """A write transaction: everything done through the Tx commits together or not at all."""
        from bot.storage.tx import Tx

        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            tx = Tx(self._db, self)
            try:
                yield tx
            except BaseException:
                await self._db.execute("ROLLBACK")
                # The caches may hold what the rolled-back transaction read or wrote.
                self.units_cache = None
                self.ruleset_cache = None
                raise
            await self._db.execute("COMMIT")
            self.claimed.update(tx.claims)

    @asynccontextmanager
    async def reading(self, *, snapshot: bool = False) -> AsyncIterator[Tx]:
        """Reads. With `snapshot`, several queries see one consistent state of the database,
        also against writers in other processes (an import from the command line)."""
        from bot.storage.tx import Tx

        async with self._lock:
            if not snapshot:
                yield Tx(self._db, self)
                return
            await self._db.execute("BEGIN")
            try:
                yield Tx(self._db, self)
            finally:
                await self._db.execute("COMMIT")

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[Tx]:
        """Writes of one statement each, every statement atomic by itself (SQLite's autocommit):
        without the BEGIN and COMMIT of a transaction, for the writes made for every update."""
        from bot.storage.tx import Tx

        async with self._lock:
            tx = Tx(self._db, self)
            yield tx
            self.claimed.update(tx.claims)

    def units_changed(self) -> None:
        self.units_cache = None


def _line_hash_sql(previous: str, *line: object) -> str:
    return line_hash(previous, line)


class TxBase:
    """Queries and writes on the store's connection inside one transaction. Each storage area
    adds its methods in a mixin; `bot.storage.tx.Tx` puts them together."""

    def __init__(self, db: aiosqlite.Connection, store: Store) -> None:
        self.db = db
        self.store = store
        # Telegram updates this transaction acts on (see UpdateStorage.claim_update).
        self.claims: list[int] = []

    # Each call into aiosqlite is a round trip to its thread; execute_fetchall makes a query one
    # trip instead of three (execute, fetch, close), which the chat benchmark showed to matter.
    async def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        rows = await self.db.execute_fetchall(sql, params)
        return rows[0] if rows else None  # type: ignore[index]

    async def all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return list(await self.db.execute_fetchall(sql, params))  # type: ignore[arg-type]

    async def insert(self, sql: str, params: Sequence[object] = ()) -> int:
        """An INSERT; the new row's id."""
        cursor = await self.db.execute(sql, params)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def write(self, sql: str, params: Sequence[object] = ()) -> int:
        """An UPDATE or DELETE; how many rows it changed."""
        cursor = await self.db.execute(sql, params)
        return cursor.rowcount

    async def next_id(self, table: str) -> int:
        row = await self.one(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        assert row is not None
        return int(row[0])
