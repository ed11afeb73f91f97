"""The queries every storage area makes on its transaction's connection (TxBase), and the base
of each area's repository (Repository). The lowest layer of the storage's own modules: it
imports none of them at run time, so that every area may import it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from bot.storage.connection import Connection, Row
from bot.storage.sql import NO_PARAMS, Params, Statement, variants
from scoring.methods import Methods
from scoring.standings import UnitRef

# The SQLite page cache of each connection (the import grows it for its length, then gives it
# back: RecordStorage.stage_records).
CACHE_KIB = 64 * 1024


class StoreState(Protocol):
    """What the areas read and keep on their store (bot.storage.base.Store): its
    caches, its ledger key. Named here so that no area imports the stores."""

    # On SQLite the working file keeps the answers its actions owe apart (OutboxStorage).
    answers_apart: bool
    methods_cache: Methods | None
    units_cache: list[UnitRef] | None
    units_version: int | None

    def writing_key(self) -> bytes: ...


class TxBase:
    """Queries and writes on the store's connection inside one transaction: the `Tx` itself,
    and each storage area's repository on it (Repository)."""

    def __init__(
        self, db: Connection, store: StoreState, *, reading: bool, bot_file: bool = False
    ) -> None:
        self.db = db
        self.store = store
        # On the connection that only reads (Store.reading), rather than in a write transaction.
        self.reading = reading
        # In the bot's working file (Store.bot_transaction), the database read beside it.
        self.bot_file = bot_file
        # Telegram updates this transaction marked handled in the working file (claim_update).
        self.claims: list[int] = []

    async def one(self, statement: Statement, params: Params = NO_PARAMS) -> Row | None:
        return await self.db.fetch_one(statement, params)

    async def all(self, statement: Statement, params: Params = NO_PARAMS) -> list[Row]:
        return await self.db.fetch_all(statement, params)

    async def insert(self, statement: Statement, params: Params = NO_PARAMS) -> int:
        """An INSERT of one row ending in RETURNING id; the new row's id."""
        row = await self.one(statement, params)
        assert row is not None
        return int(row[0])

    async def write(self, statement: Statement, params: Params = NO_PARAMS) -> int:
        """An UPDATE, DELETE or INSERT; how many rows it changed."""
        return await self.db.execute(statement, params)

    async def many(self, statement: Statement, rows: Iterable[Sequence[object]]) -> None:
        """A statement run once per row, each row its parameters in the statement's order."""
        await self.db.execute_many(statement, rows)

    async def next_id(self, table: str) -> int:
        row = await self.one(_NEXT_ID[table])
        assert row is not None
        return int(row[0])


# The tables whose ids the storage hands out itself, under the write lock.
_NEXT_ID = variants(lambda table: f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}", ["records"])


class Repository(TxBase):
    """One storage area's queries and writes: on its transaction's connection, sharing its
    state (which file, which updates it marked handled). A `Tx` makes each when first asked
    for it (`tx.records`, `tx.ledger`, ...); an area that needs another's is given it."""

    def __init__(self, tx: TxBase) -> None:
        super().__init__(tx.db, tx.store, reading=tx.reading, bot_file=tx.bot_file)
        self.claims = tx.claims
