"""What storage code asks of a database connection, and the SQLite side of it: each store runs
the project's statements (bot.storage.sql) on its own driver, compiled for its own dialect.
PostgreSQL's side is bot.storage.postgres.PgConnection."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, cast

import aiosqlite

from bot.storage.sql import NO_PARAMS, POSTGRES, SQLITE, STATEMENTS, Params, Statement, sql

Row = tuple[Any, ...]


class RowsInsert(Statement):
    """An INSERT of whole rows into one table, every column given in `columns` order: the
    rows of a bulk write (the ledger's lines, a copied table), which each store writes its
    fastest way (SQLite one executemany, PostgreSQL one COPY)."""

    __slots__ = ("columns", "table")

    def __init__(self, table: str, columns: Sequence[str]) -> None:
        names = ", ".join(columns)
        marks = ", ".join(f":{column}" for column in columns)
        text = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        super().__init__({SQLITE: text, POSTGRES: text})
        self.table = table
        self.columns = tuple(columns)


def rows_insert(table: str, columns: Sequence[str]) -> RowsInsert:
    """A bulk INSERT, declared (bot.storage.sql.STATEMENTS) like every statement."""
    statement = RowsInsert(table, columns)
    STATEMENTS.append(statement)
    return statement


class Connection(Protocol):
    """A connection as the storage areas use it, inside or outside a transaction."""

    async def fetch_one(self, statement: Statement, params: Params = NO_PARAMS) -> Row | None: ...

    async def fetch_all(self, statement: Statement, params: Params = NO_PARAMS) -> list[Row]: ...

    async def execute(self, statement: Statement, params: Params = NO_PARAMS) -> int:
        """Run a statement; the rows an UPDATE, DELETE or INSERT changed."""
        ...

    async def execute_many(self, statement: Statement, rows: Iterable[Sequence[object]]) -> None:
        """Run a statement once per row, each row its parameters in the statement's order
        (Compiled.names)."""
        ...

    async def insert_rows(self, insert: RowsInsert, rows: Iterable[Sequence[object]]) -> None:
        """Many rows into one table, by the store's fastest way."""
        ...

    async def advance_sequence(self, statement: Statement) -> None:
        """Move a sequence on past ids written by hand, by `statement` (PostgreSQL's setval);
        SQLite has no sequences: its next rowid follows the largest id by itself."""
        ...

    async def page_cache(self, kib: int) -> None:
        """Let this connection keep about `kib` KiB of pages in memory, where the store keeps a
        cache per connection (SQLite); a no-op where the server keeps one for all (PostgreSQL)."""
        ...


# SQLite takes no parameter in a PRAGMA: the sizes a connection's cache is set to, declared.
_CACHE_SIZES: dict[int, Statement] = {}


def cache_size_statement(kib: int) -> Statement:
    """`PRAGMA cache_size` for one of the sizes declared by declare_cache_size."""
    return _CACHE_SIZES[kib]


def declare_cache_size(kib: int) -> None:
    if kib not in _CACHE_SIZES:
        _CACHE_SIZES[kib] = sql(sqlite=f"PRAGMA cache_size = -{kib}")


class SqliteConnection:
    """An aiosqlite connection (its statements run on the connection's own thread)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    # Each call into aiosqlite is a round trip to its thread; execute_fetchall makes a query one
    # trip instead of three (execute, fetch, close), which the chat benchmark showed to matter.
    async def fetch_one(self, statement: Statement, params: Params = NO_PARAMS) -> Row | None:
        compiled = statement.compiled(SQLITE)
        rows = await self._conn.execute_fetchall(compiled.text, compiled.bind(params))
        # sqlite3 gives plain tuples (no row factory is set).
        return cast(list[Row], rows)[0] if rows else None

    async def fetch_all(self, statement: Statement, params: Params = NO_PARAMS) -> list[Row]:
        compiled = statement.compiled(SQLITE)
        rows = await self._conn.execute_fetchall(compiled.text, compiled.bind(params))
        return cast(list[Row], rows)

    async def execute(self, statement: Statement, params: Params = NO_PARAMS) -> int:
        compiled = statement.compiled(SQLITE)
        cursor = await self._conn.execute(compiled.text, compiled.bind(params))
        return cursor.rowcount

    async def execute_many(self, statement: Statement, rows: Iterable[Sequence[object]]) -> None:
        await self._conn.executemany(statement.compiled(SQLITE).text, rows)

    async def insert_rows(self, insert: RowsInsert, rows: Iterable[Sequence[object]]) -> None:
        await self.execute_many(insert, rows)

    async def advance_sequence(self, statement: Statement) -> None:
        """Nothing to do: see Connection.advance_sequence."""

    async def page_cache(self, kib: int) -> None:
        await self.execute(cache_size_statement(kib))


class SyncSqliteConnection:
    """A plain sqlite3 connection whose methods finish at once: for a transaction run whole on
    aiosqlite's thread (Store.bot_atomic)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def fetch_one(self, statement: Statement, params: Params = NO_PARAMS) -> Row | None:
        compiled = statement.compiled(SQLITE)
        row: Row | None = self._conn.execute(compiled.text, compiled.bind(params)).fetchone()
        return row

    async def fetch_all(self, statement: Statement, params: Params = NO_PARAMS) -> list[Row]:
        compiled = statement.compiled(SQLITE)
        rows: list[Row] = self._conn.execute(compiled.text, compiled.bind(params)).fetchall()
        return rows

    async def execute(self, statement: Statement, params: Params = NO_PARAMS) -> int:
        compiled = statement.compiled(SQLITE)
        return self._conn.execute(compiled.text, compiled.bind(params)).rowcount

    async def execute_many(self, statement: Statement, rows: Iterable[Sequence[object]]) -> None:
        self._conn.executemany(statement.compiled(SQLITE).text, rows)

    async def insert_rows(self, insert: RowsInsert, rows: Iterable[Sequence[object]]) -> None:
        await self.execute_many(insert, rows)

    async def page_cache(self, kib: int) -> None:
        await self.execute(cache_size_statement(kib))

    async def advance_sequence(self, statement: Statement) -> None:
        """Nothing to do: see Connection.advance_sequence."""
