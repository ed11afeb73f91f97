"""The queries every storage area makes on its transaction's connection (TxBase), and the base
of each area's repository (Repository). The lowest layer of the storage's own modules: it
imports none of them at run time, so that every area may import it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import aiosqlite

from scoring.ruleset import Ruleset
from scoring.standings import UnitRef

Row = tuple[Any, ...]
# The SQLite page cache of each connection (the import grows it for its length, then gives it
# back: RecordStorage.stage_records).
CACHE_KIB = 64 * 1024


class StoreState(Protocol):
    """What the areas read and keep on their store (bot.storage.base.Store): its dialect, its
    caches, its ledger key. Named here so that no area imports the stores."""

    dialect: str
    ruleset_cache: Ruleset | None
    units_cache: list[UnitRef] | None
    units_version: int | None

    def writing_key(self) -> bytes: ...


class TxBase:
    """Queries and writes on the store's connection inside one transaction: the `Tx` itself,
    and each storage area's repository on it (Repository)."""

    def __init__(
        self, db: aiosqlite.Connection, store: StoreState, *, reading: bool, bot_file: bool = False
    ) -> None:
        self.db = db
        self.store = store
        self.dialect = store.dialect
        # On the connection that only reads (Store.reading), rather than in a write transaction.
        self.reading = reading
        # In the bot's working file (Store.bot_transaction), the database read beside it.
        self.bot_file = bot_file
        # Telegram updates this transaction marked handled in the working file (claim_update).
        self.claims: list[int] = []

    # Each call into aiosqlite is a round trip to its thread; execute_fetchall makes a query one
    # trip instead of three (execute, fetch, close), which the chat benchmark showed to matter.
    async def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        rows = await self.db.execute_fetchall(sql, params)
        return rows[0] if rows else None  # type: ignore[index]

    async def all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return list(await self.db.execute_fetchall(sql, params))  # type: ignore[arg-type]

    async def insert(self, sql: str, params: Sequence[object] = ()) -> int:
        """An INSERT of one row; the new row's id."""
        row = await self.one(f"{sql} RETURNING id", params)
        assert row is not None
        return int(row[0])

    async def write(self, sql: str, params: Sequence[object] = ()) -> int:
        """An UPDATE or DELETE; how many rows it changed."""
        cursor = await self.db.execute(sql, params)
        return cursor.rowcount

    async def next_id(self, table: str) -> int:
        row = await self.one(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        assert row is not None
        return int(row[0])


class Repository(TxBase):
    """One storage area's queries and writes: on its transaction's connection, sharing its
    state (which file, which updates it marked handled). A `Tx` makes each when first asked
    for it (`tx.records`, `tx.ledger`, ...); an area that needs another's is given it."""

    def __init__(self, tx: TxBase) -> None:
        super().__init__(tx.db, tx.store, reading=tx.reading, bot_file=tx.bot_file)
        self.claims = tx.claims
